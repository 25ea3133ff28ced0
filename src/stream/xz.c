/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xz.c - what the two xz decoders (decomp-xz.c, xzblocks.c) share: liblzma's
 * verdicts as messages, and a reader of the xz index so that the
 * uncompressed size is known before the first byte is decoded (free-space
 * check, byte cap) and xzblocks.c can plan its work.
 */
#include <errno.h>
#include <lzma.h>
#include <stdlib.h>

#include "base/dl.h"
#include "stream/xz.h"

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

	/* Without liblzma the size stays unknown; the decoder says why. */
	if (dl_require(DL_LZMA, NULL) < 0)
		return -ELIBACC;
	r = xz_index_read(in, &idx, &footer);
	if (r == 0) {
		*size = lzma_index_uncompressed_size(idx);
		lzma_index_end(idx, NULL);
	}
	return r;
}
