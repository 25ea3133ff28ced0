/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.h - messages to stderr with one prefix, or, at boot, to the kernel
 * log (/dev/kmsg) with the matching kernel log level.
 */
#ifndef KHDR_LOG_H
#define KHDR_LOG_H

enum log_level { LOG_ERR, LOG_WARN, LOG_NOTICE, LOG_INFO, LOG_DEBUG };

/* Set once from the parsed options (-q/-v); the default shows warnings. */
void log_set_level(int verbose);

/*
 * Boot mode: send everything, results included, to the kernel log at path
 * when it can be opened for writing (else, and for NULL, stay on stderr),
 * and say what was done.  Returns whether it could.
 */
int log_to_kmsg(const char *path);

__attribute__((format(printf, 2, 3)))
void log_msg(enum log_level level, const char *fmt, ...);

/* The one-line result of a command: stdout (nothing with -q), or the kernel log at boot. */
__attribute__((format(printf, 1, 2)))
void log_result(const char *fmt, ...);

#define log_error(...)  log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)   log_msg(LOG_WARN, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)   log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)  log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
