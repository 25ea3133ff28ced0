/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decomp-gz.c - gzip members through zlib, behind the decoder table; built
 * with zlib only.
 */
#include <errno.h>
#include <stdlib.h>
#include <zlib.h>

#include "base/dl.h"
#include "stream/decomp-impl.h"

static int gz_init(struct decoder *d, struct khdr_err *e)
{
	z_stream *z;
	int r = dl_require(DL_ZLIB, e);

	if (r < 0)
		return r;
	z = calloc(1, sizeof(*z));
	if (!z || inflateInit2(z, 16 + MAX_WBITS) != Z_OK) {
		free(z);
		return err_set(e, ENOMEM, "cannot start the gzip decoder");
	}
	d->state = z;
	return 0;
}

static int gz_run(struct decoder *d, uint8_t *out, size_t size,
		  size_t *produced, struct khdr_err *e)
{
	z_stream *z = d->state;

	z->next_out = out;
	z->avail_out = (uInt)size;
	while (z->avail_out && !d->done) {
		int r = decoder_refill(d, e), ret;

		if (r < 0)
			return r;
		if (d->in_eof)
			return err_set(e, EPIPE, "gzip stream is truncated");
		z->next_in = (Bytef *)d->next_in;
		z->avail_in = (uInt)d->avail_in;
		ret = inflate(z, Z_NO_FLUSH);
		d->next_in = z->next_in;
		d->avail_in = z->avail_in;
		if (ret == Z_STREAM_END) {
			r = decoder_stream_ended(d, e);
			if (r < 0)
				return r;
			/* Another member follows (gzip(1) reads them all). */
			if (!d->done && inflateReset(z) != Z_OK)
				return err_set(e, ENOMEM, "cannot restart the gzip decoder");
		} else if (ret != Z_OK)
			return err_set(e, EBADMSG, "gzip data is corrupt (%d)", ret);
	}
	*produced = size - z->avail_out;
	return 0;
}

static void gz_end(struct decoder *d)
{
	inflateEnd(d->state);
	free(d->state);
}

const struct decoder_ops decomp_gz = {
	.format = COMP_GZIP, .init = gz_init, .run = gz_run, .end = gz_end,
};
