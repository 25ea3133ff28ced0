/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.h - messages to stderr, one prefix, three levels. */
#ifndef KHDR_LOG_H
#define KHDR_LOG_H

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Set once from the parsed options (-q/-v); the default shows warnings. */
void log_set_level(int verbose);

__attribute__((format(printf, 2, 3)))
void log_msg(enum log_level level, const char *fmt, ...);

#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
