/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmdline.h - khdr-cache's switches on a kernel command line (the text of
 * /proc/cmdline): khdr=0, rd.khdr=0, rd.khdr.cache=SPEC.  Pure text work.
 */
#ifndef KHDR_CMDLINE_H
#define KHDR_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The value of key=... on a kernel command line: words split at blanks and
 * newlines, quotes not special, the last occurrence winning.  0 or -ENOENT.
 */
int cmdline_get(const char *cmdline, const char *key, char *val, size_t size);

/* khdr= or rd.khdr= says 0, no, off or false. */
bool cmdline_khdr_off(const char *cmdline);

/* rd.khdr.cache=SPEC: SPEC in buf; NULL when absent or empty. */
const char *cmdline_cache_spec(const char *cmdline, char *buf, size_t size);

#endif
