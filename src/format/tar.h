/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tar.h - a streaming tar reader: ustar, GNU long names and links
 * (typeflags 'L', 'K') and pax extended headers ('x': path, linkpath, size,
 * mtime; 'g' ignored).  It pulls bytes through a callback and knows nothing
 * about files on disk.
 */
#ifndef KHDR_TAR_H
#define KHDR_TAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bstream.h"
#include "base/khdr.h"
#include "format/entry.h"

#define TAR_NAME_MAX   4096    /* PATH_MAX: longer names are refused */
#define TAR_PAX_MAX    (64u << 10)

struct tar_reader {
	struct bstream in;
	bs_fill_fn fill;          /* the supply, wrapped so that its own */
	void *fill_ctx;           /* errors keep their message */
	bool fill_failed;
	uint64_t data_left;       /* data bytes of the current entry */
	uint64_t pad_left;        /* padding after them */
	struct entry entry;
	char path[TAR_NAME_MAX + 1];
	char link[TAR_NAME_MAX + 1];
	char *pax;                /* pax record buffer, grown on demand */
	size_t pax_size;
	uint8_t block[512];
};

void tar_init(struct tar_reader *t, bs_fill_fn fill, void *ctx);
void tar_free(struct tar_reader *t);

/*
 * Advance to the next member, skipping what is left of the current one.
 * Returns 1 with *entry set, 0 at the end of the archive, or -errno.
 */
int tar_next(struct tar_reader *t, const struct entry **entry,
	     struct khdr_err *e);

/* Next piece of the current member's data; *n == 0 when it is all read. */
int tar_data(struct tar_reader *t, const uint8_t **p, size_t *n,
	     struct khdr_err *e);

/* Read up to size bytes of the current member's data into buf. */
int tar_read_all(struct tar_reader *t, char *buf, size_t size, size_t *len,
		 struct khdr_err *e);

#endif
