/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * source.h - where the headers archive comes from, first found wins:
 * --archive, a staged copy in the run dir, sysfs, the kheaders module file
 * of the release.  Opening a source yields an input of xz bytes.
 */
#ifndef KHDR_SOURCE_H
#define KHDR_SOURCE_H

#include <limits.h>
#include <stdbool.h>

#include "base/khdr.h"
#include "stream/input.h"
#include "kinfo/kernel.h"

enum source_kind {
	SOURCE_ARGUMENT,
	SOURCE_STAGED,
	SOURCE_SYSFS_BUILTIN,
	SOURCE_SYSFS_MODULE,
	SOURCE_MODULE_FILE,
};

struct source {
	enum source_kind kind;
	char path[PATH_MAX];
	bool is_module;           /* bytes came out of a kheaders .ko */
	char vermagic[256];
	struct input in;          /* the .tar.xz bytes */
};

/* One word, as stamps and messages show it: argument, staged, ... */
const char *source_kind_name(enum source_kind k);

/*
 * Choose the source: archive (--archive) when given, else the places of
 * DESIGN.md 5 under ctx; -ENOENT with a message saying where it looked.
 */
int source_find(struct source *s, const struct khdr_ctx *ctx, const char *archive,
		const struct kernel_id *k, struct khdr_err *e);

/* Open s->path: a .tar.xz, or a module file (.ko, .ko.xz/.zst/.gz). */
int source_open(struct source *s, struct khdr_err *e);

void source_close(struct source *s);

#endif
