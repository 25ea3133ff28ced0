/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.c - messages.  Errors and warnings go to stderr with the program name,
 * so they read well in a journal; informational lines only with -v.
 */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

/* Written once by main() from the parsed options, before any command runs. */
static enum log_level max_level = LOG_WARN;

void log_set_level(int verbose)
{
	int level = LOG_WARN + verbose;

	if (level < LOG_ERR)
		level = LOG_ERR;
	if (level > LOG_DEBUG)
		level = LOG_DEBUG;
	max_level = (enum log_level)level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const prefix[] = {
		[LOG_ERR] = "error: ", [LOG_WARN] = "warning: ",
		[LOG_INFO] = "", [LOG_DEBUG] = "debug: ",
	};
	va_list ap;

	if (level > max_level)
		return;
	fprintf(stderr, "khdr-cache: %s", prefix[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
