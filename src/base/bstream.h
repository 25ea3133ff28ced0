/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bstream.h - a pull reader over a chunked byte supply: read exactly n
 * bytes, skip n bytes, or borrow what the current chunk holds.  The tar
 * reader and the streaming ELF note reader are built on it.
 */
#ifndef KHDR_BSTREAM_H
#define KHDR_BSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/khdr.h"

/* Next chunk of the stream; *n == 0 at its end. */
typedef int (*bs_fill_fn)(void *ctx, const uint8_t **p, size_t *n,
			  struct khdr_err *e);

struct bstream {
	bs_fill_fn fill;
	void *ctx;
	const uint8_t *chunk;     /* unread bytes of the current chunk */
	size_t avail;
	uint64_t offset;          /* stream offset of chunk[0] */
};

void bs_init(struct bstream *b, bs_fill_fn fill, void *ctx);

/* Make at least one byte available; *eof when the stream has ended. */
int bs_more(struct bstream *b, bool *eof, struct khdr_err *e);

/* Take n bytes (n <= avail) off the current chunk. */
static inline void bs_consume(struct bstream *b, size_t n)
{
	b->chunk += n;
	b->avail -= n;
	b->offset += n;
}

/* Copy n bytes; *eof only when the stream ended before the first one,
 * -EPIPE when it ended in the middle. */
int bs_read(struct bstream *b, void *buf, size_t n, bool *eof,
	    struct khdr_err *e);

/* Skip n bytes; -EPIPE if the stream ends first. */
int bs_skip(struct bstream *b, uint64_t n, struct khdr_err *e);

#endif
