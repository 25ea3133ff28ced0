/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kit.h - the manifest of a kbuild kit (kernel/mkkit, khdr-mkkit(8)): a
 * header of key=value lines (format, version, version_code, srcarch,
 * origin, files), a blank line, then the kit's files, one relative path a
 * line.  And the LINUX_VERSION_CODE of a tree's version.h, which says the
 * kit a tree takes.  Pure text work: the bytes come from the caller.
 */
#ifndef KHDR_KIT_H
#define KHDR_KIT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/khdr.h"

#define KIT_MANIFEST      "khdr-kit"
#define KIT_MANIFEST_MAX  (256u << 10)  /* 6.1's lists 149 files in 5 KiB */
#define KIT_VERSION_H     "include/generated/uapi/linux/version.h"
#define KIT_FORMAT        1u

struct kit_manifest {
	unsigned format;
	char version[32];            /* "6.1.158" */
	unsigned long version_code;  /* LINUX_VERSION_CODE of that version */
	char srcarch[32];            /* the directory of arch/ */
	char origin[256];            /* what it was made from */
	char forced[32];             /* assembled into a tree of this version by --force */
	unsigned long files;         /* as the header says; kit_parse checks the list */
	const char *list;            /* the list of files, in the caller's text */
	size_t list_len;
};

/*
 * Read a manifest: the header's fields (format, version, version_code,
 * srcarch, files required) and every path of its list, which must be a
 * clean relative path (format/path.h) and as many as files= says.
 */
int kit_parse(struct kit_manifest *m, const char *text, size_t len,
	      struct khdr_err *e);

/* The next path of the list into path: 1, or 0 at its end.  After kit_parse. */
int kit_next_file(const struct kit_manifest *m, size_t *pos, char *path, size_t size);

/* LINUX_VERSION_CODE from a version.h's text: 0, or -ENOENT without one. */
int kit_version_code(const char *text, size_t len, unsigned long *code);

/* A version code as "6.1.158" (a saturated sublevel stays 255). */
void kit_version_name(unsigned long code, char *buf, size_t size);

#endif
