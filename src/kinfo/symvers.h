/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * symvers.h - Module.symvers made from what a kernel carries: the exports
 * of its image (a vmlinux, or a bzImage whose payload is decompressed) and
 * those of its modules under lib/modules/<release>/kernel (.ko, .ko.xz,
 * .ko.zst, .ko.gz).  Lines as modpost writes them:
 * 0x<crc> TAB name TAB module TAB EXPORT_SYMBOL[_GPL] TAB namespace.
 */
#ifndef KHDR_SYMVERS_H
#define KHDR_SYMVERS_H

#include <stdio.h>

#include "base/khdr.h"
#include "format/notes.h"

/*
 * The image's exports, module "vmlinux", written to out; id receives the
 * image's GNU build ID (len 0 if it has none), which the caller compares
 * with the kernel's.  count: lines written.
 */
int symvers_image(int dirfd, const char *path, struct build_id *id, FILE *out,
		  size_t *count, struct khdr_err *e);

/*
 * The exports of every module file below dir (lib/modules/R/kernel), in
 * the order of their paths; the module column is the path without .ko*.
 */
int symvers_modules(int dirfd, const char *dir, FILE *out, size_t *count,
		    size_t *files, struct khdr_err *e);

/* Both at once, the image decoded on a thread while the modules are read. */
struct symvers_counts {
	struct build_id id;       /* the image's; len 0 if none */
	size_t image, modules, files;
};

int symvers_write(int dirfd, const char *image, const char *modules, FILE *out,
		  struct symvers_counts *c, struct khdr_err *e);

#endif
