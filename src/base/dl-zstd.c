/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dl-zstd.c - the libzstd functions decomp.c calls, loaded on first use
 * (see dl.h).  A failed load makes ZSTD_createDStream() return NULL, as
 * when out of memory; the other functions are only reached with a stream.
 */
#include <stddef.h>
#include <zstd.h>

#include "base/dl.h"

#define DL_THIS dl_zstd

/* ZSTD_isError() of a failed load is true: (size_t)-1 is an error code. */
#define ZSTD_FUNCTIONS(FN, VOID)                                             \
	FN(NULL, ZSTD_DStream *, ZSTD_createDStream, (void), ())             \
	FN((size_t)-1, size_t, ZSTD_decompressStream,                        \
	   (ZSTD_DStream *zds, ZSTD_outBuffer *output, ZSTD_inBuffer *input), \
	   (zds, output, input))                                             \
	FN(1, unsigned, ZSTD_isError, (size_t code), (code))                 \
	FN("libzstd is not loaded", const char *, ZSTD_getErrorName,         \
	   (size_t code), (code))                                            \
	FN(0, size_t, ZSTD_freeDStream, (ZSTD_DStream *zds), (zds))

DL_LIBRARY(zstd, ZSTD_FUNCTIONS, ZSTD_SONAME,
	   "to read .ko.zst modules",
	   "libzstd1 (Debian, Ubuntu) or libzstd (Fedora)");

DL_NOTE(zstd, "[{\"feature\":\"zstd\",\"description\":\"kheaders modules compressed with zstd (.ko.zst)\",\"priority\":\"suggested\",\"soname\":[\"" ZSTD_SONAME "\"]}]");
