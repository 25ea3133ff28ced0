/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.c - messages.  Errors and warnings go to stderr with the program name,
 * so they read well in a journal; informational lines only with -v.  At
 * boot (log_to_kmsg) each message is one write(2) to /dev/kmsg, which makes
 * it one record of the kernel log, at the kernel level of its severity.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"

/* Written once by main() from the parsed options, before any command runs. */
static enum log_level max_level = LOG_WARN;
static int kmsg_fd = -1;

void log_set_level(int verbose)
{
	/* -v shows what was done (info), -vv why (debug), -q errors only. */
	int level = verbose > 0 ? LOG_NOTICE + verbose : LOG_WARN + verbose;

	if (level < LOG_ERR)
		level = LOG_ERR;
	if (level > LOG_DEBUG)
		level = LOG_DEBUG;
	max_level = (enum log_level)level;
}

int log_to_kmsg(const char *path)
{
	kmsg_fd = path ? open(path, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC) : -1;
	/* The kernel log is where a boot is read: say what was done. */
	if (max_level < LOG_INFO)
		max_level = LOG_INFO;
	return kmsg_fd >= 0;
}

static void to_kmsg(enum log_level level, const char *fmt, va_list ap)
{
	static const int kernel_level[] = {
		[LOG_ERR] = 3, [LOG_WARN] = 4, [LOG_NOTICE] = 5,
		[LOG_INFO] = 6, [LOG_DEBUG] = 7,
	};
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "<%d>khdr-cache: ", kernel_level[level]);

	size_t len;

	vsnprintf(buf + n, sizeof(buf) - 1 - (size_t)n, fmt, ap);
	for (char *p = buf; *p; p++)     /* one record, one line */
		if (*p == '\n')
			*p = ' ';
	len = strlen(buf);
	buf[len++] = '\n';
	if (write(kmsg_fd, buf, len) < 0) {
		/* Nothing better to do than stderr. */
	}
}

static void vlog(enum log_level level, const char *fmt, va_list ap)
{
	static const char *const prefix[] = {
		[LOG_ERR] = "error: ", [LOG_WARN] = "warning: ", [LOG_NOTICE] = "",
		[LOG_INFO] = "", [LOG_DEBUG] = "debug: ",
	};

	if (level > max_level)
		return;
	if (kmsg_fd >= 0) {
		to_kmsg(level, fmt, ap);
		return;
	}
	fprintf(stderr, "khdr-cache: %s", prefix[level]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

void log_result(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (kmsg_fd >= 0) {
		vlog(LOG_NOTICE, fmt, ap);
	} else if (max_level >= LOG_WARN) {     /* -q: errors only */
		vprintf(fmt, ap);
		putchar('\n');
	}
	va_end(ap);
}
