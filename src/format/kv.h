/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kv.h - "key=value" lines, the format of khdr-manifest and .khdr-stamp.
 * Blank lines and lines starting with '#' are ignored.  Pure text work.
 */
#ifndef KHDR_KV_H
#define KHDR_KV_H

#include <stddef.h>

/* Copy the value of key into val.  Returns 0, -ENOENT, or -ENAMETOOLONG. */
int kv_get(const char *text, size_t len, const char *key, char *val,
	   size_t size);

/* Every non-comment line has the form key=value with a sane key. */
int kv_validate(const char *text, size_t len);

#endif
