/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conf.h - /etc/khdr-cache.conf: key=value lines, '#' comments, blanks
 * around keys and values ignored.  The parser is pure text work; unknown
 * keys and bad values are errors that name the line.
 */
#ifndef KHDR_CONF_H
#define KHDR_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/khdr.h"

#define KHDR_CONF_FILE "etc/khdr-cache.conf"   /* relative to --root */

/* Which keys the file set (options override only what they name). */
enum {
	CONF_CACHE_DIR = 1u << 0,
	CONF_KEEP = 1u << 1,
	CONF_CACHE_DEVICE = 1u << 2,
	CONF_VERIFY = 1u << 3,
	CONF_LOAD_MODULE = 1u << 4,
	CONF_VERIFY_LAYOUT = 1u << 5,
	CONF_HANDOFF = 1u << 6,
};

struct khdr_conf {
	unsigned set;                /* CONF_* */
	char cache_dir[PATH_MAX];    /* absolute, as written */
	unsigned keep;
	char cache_device[256];      /* a path or a libblkid tag (LABEL=, UUID=) */
	bool strict;                 /* verify=strict */
	bool load_module;
	bool verify_layout;          /* install runs the layout check */
	bool handoff;                /* new trees go on to header_postinst.d */
};

int conf_parse(const char *data, size_t len, struct khdr_conf *c,
	       struct khdr_err *e);

/* An absolute directory with no "." or ".." components: safe under --root. */
bool conf_dir_valid(const char *dir);

#endif
