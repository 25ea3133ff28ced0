/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xz.c - the liblzma stream decoder behind struct decoder, and a reader of
 * the xz index so that the uncompressed size is known before the first byte
 * is decoded (free-space check, byte cap) and xzblocks.c can plan its work.
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
#include <string.h>

#include "stream/decomp.h"
#include "base/dl.h"
#include "stream/xz.h"

int xz_dec_init(struct decoder *d, struct khdr_err *e)
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

int xz_check_error(unsigned id, struct khdr_err *e)
{
	return err_set(e, ENOTSUP,
		       "the xz stream's integrity check has ID %u, which liblzma cannot verify (it verifies IDs 0, 1, 4 and 10: none, CRC32, CRC64, SHA-256); recompress it with xz --check=crc64",
		       id);
}

int xz_error(lzma_ret ret, struct khdr_err *e)
{
	switch (ret) {
	case LZMA_MEM_ERROR:
		return err_set(e, ENOMEM, "out of memory decoding xz");
	case LZMA_MEMLIMIT_ERROR:
		return err_set(e, EFBIG, "xz stream needs more than %u MiB of memory",
			       XZ_MEMLIMIT >> 20);
	case LZMA_FORMAT_ERROR:
		return err_set(e, EBADMSG, "not an xz stream");
	case LZMA_OPTIONS_ERROR:
		return err_set(e, EBADMSG, "unsupported xz options");
	case LZMA_BUF_ERROR:
		/* At the end of the input: xz(1)'s "Unexpected end of input". */
		return err_set(e, EPIPE, "xz stream is truncated, or followed by bytes that are not an xz stream");
	case LZMA_DATA_ERROR:
		return err_set(e, EBADMSG, "xz data is corrupt (or followed by bytes that are neither stream padding nor an xz stream)");
	default:
		return err_set(e, EBADMSG, "xz data is corrupt (liblzma error %d)",
			       (int)ret);
	}
}

/* Decode until the output buffer is full or the stream ends. */
int xz_dec_run(struct decoder *d, uint8_t *out, size_t size,
	       size_t *produced, struct khdr_err *e)
{
	lzma_stream *s = d->state;
	lzma_ret ret;

	s->next_out = out;
	s->avail_out = size;
	while (s->avail_out && !d->done) {
		if (!d->avail_in && !d->in_eof) {
			int r = input_next(d->in, &d->next_in, &d->avail_in);

			if (r < 0)
				return err_set(e, r, "read error: %s",
					       strerror(-r));
			d->in_eof = d->avail_in == 0;
		}
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

void xz_dec_end(struct decoder *d)
{
	if (d->state)
		lzma_end(d->state);
	free(d->state);
	d->state = NULL;
}

/* Skip stream padding: zero bytes in multiples of four at the end. */
static int trim_padding(struct input *in, uint64_t *end)
{
	uint8_t word[4];

	while (*end >= 4) {
		if (input_pread(in, *end - 4, word, 4) < 0)
			return -EIO;
		if (word[0] || word[1] || word[2] || word[3])
			return 0;
		*end -= 4;
	}
	return -EBADMSG;
}

int xz_index_read(struct input *in, lzma_index **idx,
		  lzma_stream_flags *footer)
{
	uint8_t buf[LZMA_STREAM_HEADER_SIZE], *index;
	uint64_t memlimit = 16u << 20, end = in->size;
	size_t pos = 0;
	int r;

	*idx = NULL;
	if (in->size == INPUT_SIZE_UNKNOWN || trim_padding(in, &end) < 0 ||
	    end < 2 * LZMA_STREAM_HEADER_SIZE)
		return -ESPIPE;
	if (input_pread(in, end - LZMA_STREAM_HEADER_SIZE, buf, sizeof(buf)) < 0 ||
	    lzma_stream_footer_decode(footer, buf) != LZMA_OK ||
	    footer->backward_size > end - 2 * LZMA_STREAM_HEADER_SIZE ||
	    footer->backward_size > (64u << 20))
		return -EBADMSG;
	index = malloc(footer->backward_size);
	if (!index)
		return -ENOMEM;
	r = input_pread(in, end - LZMA_STREAM_HEADER_SIZE - footer->backward_size,
			index, footer->backward_size);
	if (r == 0 && lzma_index_buffer_decode(idx, &memlimit, NULL, index, &pos,
					       footer->backward_size) != LZMA_OK)
		r = -EBADMSG;
	free(index);
	/* Only a single stream may fill the file. */
	if (r == 0 && lzma_index_file_size(*idx) != end)
		r = -ESPIPE;
	if (r < 0) {
		lzma_index_end(*idx, NULL);
		*idx = NULL;
	}
	return r;
}

int xz_uncompressed_size(struct input *in, uint64_t *size)
{
	lzma_stream_flags footer;
	lzma_index *idx;
	int r;

	/* Without liblzma the size stays unknown; xz_dec_init() says why. */
	if (dl_require(DL_LZMA, NULL) < 0)
		return -ELIBACC;
	r = xz_index_read(in, &idx, &footer);
	if (r == 0) {
		*size = lzma_index_uncompressed_size(idx);
		lzma_index_end(idx, NULL);
	}
	return r;
}
