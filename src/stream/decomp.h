/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decomp.h - streaming decompression of an input: xz always (liblzma),
 * gzip and zstd when built with zlib / libzstd.  Output comes in chunks of
 * the decoder's own buffer, so nothing is copied twice.
 */
#ifndef KHDR_DECOMP_H
#define KHDR_DECOMP_H

#include <stdbool.h>
#include <stdint.h>

#include "base/khdr.h"
#include "stream/input.h"

enum comp { COMP_NONE, COMP_XZ, COMP_GZIP, COMP_ZSTD };

/* Recognise a compressed stream by its magic bytes. */
enum comp comp_detect(const uint8_t *p, size_t n);
const char *comp_name(enum comp c);
bool comp_supported(enum comp c);

struct decoder_ops;

struct decoder {
	enum comp fmt;
	const struct decoder_ops *ops;  /* the backend (decomp-impl.h) */
	struct input *in;
	const uint8_t *next_in;   /* unread part of the last input chunk */
	size_t avail_in;
	bool in_eof, done;
	bool embedded;            /* one stream, then bytes not ours */
	uint8_t *out;
	size_t out_size;
	uint64_t total_out;
	void *state;              /* the library's stream */
};

/*
 * The input is compressed data and nothing else: for xz, one or more
 * streams, each with its stream padding (see decomp-xz.c); for gzip, one or
 * more members; for zstd, one or more frames.  Anything else after the
 * end is corrupt data.
 */
int decoder_init(struct decoder *d, enum comp fmt, struct input *in,
		 size_t out_size, struct khdr_err *e);

/* One stream at the start of the input; what follows is not looked at
 * (a kernel image's payload, with the image's own bytes after it). */
int decoder_init_embedded(struct decoder *d, enum comp fmt, struct input *in,
			  size_t out_size, struct khdr_err *e);

/*
 * Next chunk of decompressed bytes, valid until the next call; *n == 0 at
 * the end of the stream.  A stream that ends early is -EPIPE ("truncated"),
 * corrupt data -EBADMSG; e says which.
 */
int decoder_fill(struct decoder *d, const uint8_t **p, size_t *n,
		 struct khdr_err *e);

/* The same into a caller's buffer (a decoder thread fills a ring). */
int decoder_read(struct decoder *d, uint8_t *buf, size_t size, size_t *n,
		 struct khdr_err *e);

void decoder_end(struct decoder *d);

/* Decompress a whole buffer into a new one of at most max bytes. */
int decompress_buffer(enum comp fmt, const uint8_t *p, size_t n, size_t max,
		      uint8_t **out, size_t *out_len, struct khdr_err *e);

#endif
