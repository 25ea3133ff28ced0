/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * prefetch.h - run a decoder in a thread of its own, a few chunks ahead of
 * the reader, so that decompression (user time) overlaps file creation
 * (system time).  The reader side is a bs_fill_fn.
 */
#ifndef KHDR_PREFETCH_H
#define KHDR_PREFETCH_H

#include "base/khdr.h"
#include "stream/decomp.h"

struct prefetch;

int prefetch_start(struct prefetch **pp, struct decoder *d,
		   struct khdr_err *e);

/* Next decoded chunk, valid until the next call; *n == 0 at the end. */
int prefetch_fill(void *ctx, const uint8_t **p, size_t *n,
		  struct khdr_err *e);

/* Stop the thread (early, if the reader gave up) and free everything. */
void prefetch_stop(struct prefetch *p);

#endif
