/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decomp-impl.h - for the decoder backends (decomp-*.c) and decomp.c only:
 * what a backend provides, and the input helpers decomp.c lends it.
 */
#ifndef KHDR_DECOMP_IMPL_H
#define KHDR_DECOMP_IMPL_H

#include "stream/decomp.h"

/*
 * One backend, one entry of decomp.c's table.  init starts the library's
 * stream in d->state; run decodes into out until it is full or the input's
 * last stream has ended (d->done), and sets *produced; end frees d->state,
 * and is called only after init succeeded.
 */
struct decoder_ops {
	enum comp format;
	int (*init)(struct decoder *d, struct khdr_err *e);
	int (*run)(struct decoder *d, uint8_t *out, size_t size,
		   size_t *produced, struct khdr_err *e);
	void (*end)(struct decoder *d);
};

extern const struct decoder_ops decomp_xz;
extern const struct decoder_ops decomp_gz;     /* with zlib */
extern const struct decoder_ops decomp_zstd;   /* with libzstd */

/*
 * Make sure d->next_in has bytes, reading the input's next chunk when the
 * last is used up; at the end of the input d->in_eof is set instead.
 */
int decoder_refill(struct decoder *d, struct khdr_err *e);

/*
 * After the end of a stream (gzip member, zstd frame): is there more?
 * Sets d->done when not.
 */
int decoder_stream_ended(struct decoder *d, struct khdr_err *e);

#endif
