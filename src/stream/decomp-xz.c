/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decomp-xz.c - xz streams through liblzma's stream decoder, behind the
 * decoder table.
 *
 * What a valid xz file is, here as in xz(1): one or more streams, each
 * followed by stream padding (zero bytes, a multiple of four); anything
 * else after a stream is an error.  Every stream's integrity check is
 * verified, so a check ID liblzma cannot verify is refused.  Only a
 * payload embedded in a kernel image (d->embedded) is one stream followed
 * by bytes of the image's own.
 */
#include <errno.h>
#include <lzma.h>
#include <stdlib.h>

#include "base/dl.h"
#include "stream/decomp-impl.h"
#include "stream/xz.h"

static int xz_init(struct decoder *d, struct khdr_err *e)
{
	lzma_stream *s;
	lzma_ret ret;
	int r = dl_require(DL_LZMA, e);

	if (r < 0)
		return r;
	s = calloc(1, sizeof(*s));
	if (!s)
		return err_set(e, ENOMEM, "out of memory");
	*s = (lzma_stream)LZMA_STREAM_INIT;
	/* A bzImage payload carries more bytes after its one stream. */
	ret = lzma_stream_decoder(s, XZ_MEMLIMIT, LZMA_TELL_UNSUPPORTED_CHECK |
				  (d->embedded ? 0 : LZMA_CONCATENATED));
	if (ret != LZMA_OK) {
		free(s);
		return err_set(e, ENOMEM, "cannot start the xz decoder (%d)",
			       (int)ret);
	}
	d->state = s;
	return 0;
}

/*
 * Decode until the output buffer is full or the stream ends.  No
 * decoder_stream_ended() here: liblzma finds the end of the last stream
 * itself (LZMA_CONCATENATED), once told that the input has ended.
 */
static int xz_run(struct decoder *d, uint8_t *out, size_t size,
		  size_t *produced, struct khdr_err *e)
{
	lzma_stream *s = d->state;
	lzma_ret ret;

	s->next_out = out;
	s->avail_out = size;
	while (s->avail_out && !d->done) {
		int r = decoder_refill(d, e);

		if (r < 0)
			return r;
		s->next_in = d->next_in;
		s->avail_in = d->avail_in;
		ret = lzma_code(s, d->in_eof ? LZMA_FINISH : LZMA_RUN);
		d->next_in = s->next_in;
		d->avail_in = s->avail_in;
		if (ret == LZMA_STREAM_END)
			d->done = true;
		else if (ret == LZMA_UNSUPPORTED_CHECK)
			return xz_check_error(lzma_get_check(s), e);
		else if (ret != LZMA_OK)
			return xz_error(ret, e);
	}
	*produced = size - s->avail_out;
	return 0;
}

static void xz_end(struct decoder *d)
{
	if (d->state)
		lzma_end(d->state);
	free(d->state);
	d->state = NULL;
}

const struct decoder_ops decomp_xz = {
	.format = COMP_XZ, .init = xz_init, .run = xz_run, .end = xz_end,
};
