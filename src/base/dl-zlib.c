/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dl-zlib.c - the zlib functions decomp.c calls, loaded on first use (see
 * dl.h).  inflateInit2() is a macro for inflateInit2_(); a failed load
 * makes it return Z_VERSION_ERROR, as a library that does not fit would.
 */
#include <zlib.h>

#include "base/dl.h"

#define DL_THIS dl_zlib

#define ZLIB_FUNCTIONS(FN, VOID)                                             \
	FN(Z_VERSION_ERROR, int, inflateInit2_,                              \
	   (z_streamp strm, int windowBits, const char *version,             \
	    int stream_size),                                                \
	   (strm, windowBits, version, stream_size))                         \
	FN(Z_STREAM_ERROR, int, inflate, (z_streamp strm, int flush),        \
	   (strm, flush))                                                    \
	FN(Z_STREAM_ERROR, int, inflateEnd, (z_streamp strm), (strm))        \
	FN(Z_STREAM_ERROR, int, inflateReset, (z_streamp strm), (strm))

DL_LIBRARY(zlib, ZLIB_FUNCTIONS, ZLIB_SONAME,
	   "to read .ko.gz modules",
	   "zlib1g (Debian, Ubuntu) or zlib (Fedora)");

DL_NOTE(zlib, "[{\"feature\":\"gzip\",\"description\":\"kheaders modules compressed with gzip (.ko.gz)\",\"priority\":\"suggested\",\"soname\":[\"" ZLIB_SONAME "\"]}]");
