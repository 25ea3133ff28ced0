/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decomp-zstd.c - zstd frames through libzstd, behind the decoder table;
 * built with libzstd only.
 */
#include <errno.h>
#include <zstd.h>

#include "base/dl.h"
#include "stream/decomp-impl.h"

static int zstd_init(struct decoder *d, struct khdr_err *e)
{
	int r = dl_require(DL_ZSTD, e);

	if (r < 0)
		return r;
	d->state = ZSTD_createDStream();
	if (!d->state)
		return err_set(e, ENOMEM, "cannot start the zstd decoder");
	return 0;
}

static int zstd_run(struct decoder *d, uint8_t *buf, size_t size,
		    size_t *produced, struct khdr_err *e)
{
	ZSTD_outBuffer out = { buf, size, 0 };

	while (out.pos < out.size && !d->done) {
		ZSTD_inBuffer in;
		size_t ret;
		int r = decoder_refill(d, e);

		if (r < 0)
			return r;
		if (d->in_eof)
			return err_set(e, EPIPE, "zstd stream is truncated");
		in = (ZSTD_inBuffer){ d->next_in, d->avail_in, 0 };
		ret = ZSTD_decompressStream(d->state, &out, &in);
		d->next_in += in.pos;
		d->avail_in -= in.pos;
		if (ZSTD_isError(ret))
			return err_set(e, EBADMSG, "zstd data is corrupt: %s",
				       ZSTD_getErrorName(ret));
		/* A frame ended; the decoder takes another as it comes. */
		if (ret == 0 && (r = decoder_stream_ended(d, e)) < 0)
			return r;
	}
	*produced = out.pos;
	return 0;
}

static void zstd_end(struct decoder *d)
{
	ZSTD_freeDStream(d->state);
}

const struct decoder_ops decomp_zstd = {
	.format = COMP_ZSTD, .init = zstd_init, .run = zstd_run, .end = zstd_end,
};
