/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dl-lzma.c - the liblzma functions decomp-xz.c, xz.c, xzblocks.c and input.c call, loaded on first
 * use (see dl.h).  A failed load returns LZMA_PROG_ERROR, which no valid
 * use of these functions returns, LZMA_VLI_UNKNOWN for a size, and for
 * lzma_crc64() the CRC passed in: a wrong key at worst, and no archive
 * gets past the decoder without the library.  A block count of 0 and an
 * index iterator at its end make xzblocks.c leave the stream decoder to it.
 */
#include <lzma.h>

#include "base/dl.h"

#define DL_THIS dl_lzma

#define LZMA_FUNCTIONS(FN, VOID)                                             \
	FN(LZMA_PROG_ERROR, lzma_ret, lzma_stream_decoder,                   \
	   (lzma_stream *strm, uint64_t memlimit, uint32_t flags),           \
	   (strm, memlimit, flags))                                          \
	FN(LZMA_PROG_ERROR, lzma_ret, lzma_code,                             \
	   (lzma_stream *strm, lzma_action action), (strm, action))          \
	FN(LZMA_CHECK_NONE, lzma_check, lzma_get_check,                      \
	   (const lzma_stream *strm), (strm))                                \
	FN(0, lzma_bool, lzma_check_is_supported, (lzma_check check), (check)) \
	VOID(lzma_end, (lzma_stream *strm), (strm))                          \
	FN(LZMA_PROG_ERROR, lzma_ret, lzma_stream_footer_decode,             \
	   (lzma_stream_flags *options, const uint8_t *in), (options, in))   \
	FN(LZMA_PROG_ERROR, lzma_ret, lzma_index_buffer_decode,              \
	   (lzma_index **i, uint64_t *memlimit,                              \
	    const lzma_allocator *allocator, const uint8_t *in,              \
	    size_t *in_pos, size_t in_size),                                 \
	   (i, memlimit, allocator, in, in_pos, in_size))                    \
	FN(LZMA_VLI_UNKNOWN, lzma_vli, lzma_index_file_size,                 \
	   (const lzma_index *i), (i))                                       \
	FN(LZMA_VLI_UNKNOWN, lzma_vli, lzma_index_uncompressed_size,         \
	   (const lzma_index *i), (i))                                       \
	VOID(lzma_index_end, (lzma_index *i, const lzma_allocator *allocator), \
	     (i, allocator))                                                 \
	FN(crc, uint64_t, lzma_crc64,                                        \
	   (const uint8_t *buf, size_t size, uint64_t crc), (buf, size, crc)) \
	FN(LZMA_PROG_ERROR, lzma_ret, lzma_stream_header_decode,             \
	   (lzma_stream_flags *options, const uint8_t *in), (options, in))   \
	FN(LZMA_PROG_ERROR, lzma_ret, lzma_stream_flags_compare,             \
	   (const lzma_stream_flags *a, const lzma_stream_flags *b), (a, b)) \
	FN(0, lzma_vli, lzma_index_block_count, (const lzma_index *i), (i))  \
	VOID(lzma_index_iter_init,                                           \
	     (lzma_index_iter *iter, const lzma_index *i), (iter, i))        \
	FN(1, lzma_bool, lzma_index_iter_next,                               \
	   (lzma_index_iter *iter, lzma_index_iter_mode mode), (iter, mode)) \
	FN(LZMA_PROG_ERROR, lzma_ret, lzma_block_header_decode,              \
	   (lzma_block *block, const lzma_allocator *allocator,              \
	    const uint8_t *in), (block, allocator, in))                       \
	FN(LZMA_PROG_ERROR, lzma_ret, lzma_block_compressed_size,            \
	   (lzma_block *block, lzma_vli unpadded_size),                      \
	   (block, unpadded_size))                                           \
	FN(UINT64_MAX, uint64_t, lzma_raw_decoder_memusage,                  \
	   (const lzma_filter *filters), (filters))                          \
	FN(LZMA_PROG_ERROR, lzma_ret, lzma_block_decoder,                    \
	   (lzma_stream *strm, lzma_block *block), (strm, block))

DL_LIBRARY(lzma, LZMA_FUNCTIONS, LZMA_SONAME,
	   "to read xz data (every headers archive)",
	   "liblzma5 (Debian, Ubuntu) or xz-libs (Fedora)");

DL_NOTE(lzma, "[{\"feature\":\"xz\",\"description\":\"xz decompression of the headers archive and .ko.xz modules\",\"priority\":\"required\",\"soname\":[\"" LZMA_SONAME "\"]}]");
