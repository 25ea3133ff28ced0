/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bstream.c - exact reads, skips and borrowed spans over a chunked byte supply. */
#include <errno.h>
#include <string.h>

#include "base/bstream.h"

void bs_init(struct bstream *b, bs_fill_fn fill, void *ctx)
{
	memset(b, 0, sizeof(*b));
	b->fill = fill;
	b->ctx = ctx;
}

int bs_more(struct bstream *b, bool *eof, struct khdr_err *e)
{
	*eof = false;
	while (!b->avail) {
		int r = b->fill(b->ctx, &b->chunk, &b->avail, e);

		if (r < 0)
			return r;
		if (!b->avail) {
			*eof = true;
			return 0;
		}
	}
	return 0;
}

int bs_read(struct bstream *b, void *buf, size_t n, bool *eof,
	    struct khdr_err *e)
{
	size_t got = 0;

	*eof = false;
	while (got < n) {
		bool end;
		int r = bs_more(b, &end, e);
		size_t step;

		if (r < 0)
			return r;
		if (end) {
			if (got == 0) {
				*eof = true;
				return 0;
			}
			return err_set(e, EPIPE, "data is truncated");
		}
		step = b->avail < n - got ? b->avail : n - got;
		memcpy((uint8_t *)buf + got, b->chunk, step);
		bs_consume(b, step);
		got += step;
	}
	return 0;
}

int bs_skip(struct bstream *b, uint64_t n, struct khdr_err *e)
{
	while (n) {
		bool eof;
		int r = bs_more(b, &eof, e);
		size_t step;

		if (r < 0)
			return r;
		if (eof)
			return err_set(e, EPIPE, "data is truncated");
		step = b->avail < n ? b->avail : (size_t)n;
		bs_consume(b, step);
		n -= step;
	}
	return 0;
}
