/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * xz.h - what the two xz decoders share: the stream decoder (decomp-xz.c,
 * any xz stream, one block at a time) and the block decoder (xzblocks.c,
 * the blocks of a seekable stream in parallel).
 */
#ifndef KHDR_XZ_H
#define KHDR_XZ_H

#include <lzma.h>

#include "base/khdr.h"
#include "stream/input.h"

/* An archive needs 8 MiB of dictionary; refuse streams wanting far more. */
#define XZ_MEMLIMIT (256u << 20)

/*
 * Read the index at the end of a seekable input holding one xz stream
 * (and stream padding).  -ESPIPE: the input cannot seek, or holds more than
 * one stream; -EBADMSG: no valid footer or index.
 */
int xz_index_read(struct input *in, lzma_index **idx,
		  lzma_stream_flags *footer);

/*
 * The uncompressed size recorded in a seekable input's xz index; as
 * xz_index_read(), or -ELIBACC without liblzma.
 */
int xz_uncompressed_size(struct input *in, uint64_t *size);

/* liblzma's verdict as a message; returns -errno. */
int xz_error(lzma_ret ret, struct khdr_err *e);

/* A stream whose check ID liblzma cannot verify: refused, naming it. */
int xz_check_error(unsigned id, struct khdr_err *e);

#endif
