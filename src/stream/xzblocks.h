/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xzblocks.h - decode the blocks of a seekable xz stream in worker threads,
 * each block straight into a buffer the reader then takes whole, in order.
 * kernel/mkarchive writes 1 MiB blocks for this; an archive of one block
 * (the kernel's own) is left to the stream decoder.
 *
 * The input is still consumed from start to end, in order, so its CRC64
 * and position come out as with the stream decoder.
 */
#ifndef KHDR_XZBLOCKS_H
#define KHDR_XZBLOCKS_H

#include "base/khdr.h"
#include "stream/input.h"

struct xzblocks;

/*
 * Start up to `threads` workers.  Returns 1 when started, 0 when the input
 * does not suit (cannot seek, one block, blocks too big for the memory
 * budget: use the stream decoder), or -errno.
 */
int xzblocks_start(struct xzblocks **bp, struct input *in, unsigned threads,
		   struct khdr_err *e);

/* Next block's bytes, valid until the next call; *n == 0 at the end. */
int xzblocks_fill(void *ctx, const uint8_t **p, size_t *n,
		  struct khdr_err *e);

/* Stop the workers (early, if the reader gave up) and free everything. */
void xzblocks_stop(struct xzblocks *b);

#endif
