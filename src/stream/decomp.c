/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decomp.c - one streaming interface over the decoder backends, picked from
 * a table by format: xz (decomp-xz.c), gzip (decomp-gz.c) and zstd
 * (decomp-zstd.c).  Module files come compressed with any of the three; the
 * headers archive itself is always xz.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/names.h"
#include "stream/decomp-impl.h"
#include "stream/decomp.h"

#define MAGIC(s) (s), sizeof(s) - 1

/*
 * Every format, known by its magic bytes whether or not this build decodes
 * it: a gzip module in a build without zlib is still called gzip data.
 */
static const struct format {
	const char *name;
	const char *magic;
	size_t magic_len;
} formats[] = {
	[COMP_NONE] = { "uncompressed", NULL, 0 },
	[COMP_XZ] = { "xz", MAGIC("\xfd" "7zXZ\0") },
	[COMP_GZIP] = { "gzip", MAGIC("\x1f\x8b") },
	[COMP_ZSTD] = { "zstd", MAGIC("\x28\xb5\x2f\xfd") },
};

/* The backends this build has. */
static const struct decoder_ops *const decoders[] = {
	&decomp_xz,
#ifdef HAVE_ZLIB
	&decomp_gz,
#endif
#ifdef HAVE_ZSTD
	&decomp_zstd,
#endif
};

enum comp comp_detect(const uint8_t *p, size_t n)
{
	size_t c;

	for (c = 0; c < ARRAY_SIZE(formats); c++) {
		const struct format *f = &formats[c];

		if (f->magic_len && n >= f->magic_len &&
		    memcmp(p, f->magic, f->magic_len) == 0)
			return (enum comp)c;
	}
	return COMP_NONE;
}

const char *comp_name(enum comp c)
{
	/* The bounds check of base/names.h, the names being a column here. */
	return (unsigned)c < ARRAY_SIZE(formats) ? formats[c].name : "?";
}

/* The backend for a format, if this build has one. */
static const struct decoder_ops *ops_for(enum comp c)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(decoders); i++)
		if (decoders[i]->format == c)
			return decoders[i];
	return NULL;
}

bool comp_supported(enum comp c)
{
	return ops_for(c) != NULL;
}

/*
 * Only an embedded payload stops at its first stream; otherwise the next
 * bytes must begin another, or the backend finds them corrupt.
 */
int decoder_stream_ended(struct decoder *d, struct khdr_err *e)
{
	int r = d->embedded ? 0 : decoder_refill(d, e);

	if (r == 0 && (d->embedded || d->in_eof))
		d->done = true;
	return r;
}

int decoder_refill(struct decoder *d, struct khdr_err *e)
{
	if (!d->avail_in && !d->in_eof) {
		int r = input_next(d->in, &d->next_in, &d->avail_in);

		if (r < 0)
			return err_set(e, r, "read error: %s", strerror(-r));
		d->in_eof = d->avail_in == 0;
	}
	return 0;
}

static int start(struct decoder *d, enum comp fmt, struct input *in,
		 size_t out_size, bool embedded, struct khdr_err *e)
{
	int r;

	memset(d, 0, sizeof(*d));
	d->embedded = embedded;
	d->ops = ops_for(fmt);
	if (!d->ops)
		return err_set(e, ENOTSUP,
			       "%s data, but khdr-cache was built without %s support",
			       comp_name(fmt), comp_name(fmt));
	d->fmt = fmt;
	d->in = in;
	d->out_size = out_size;
	d->out = malloc(out_size);
	if (!d->out)
		return err_set(e, ENOMEM, "out of memory");
	r = d->ops->init(d, e);
	if (r < 0) {
		free(d->out);
		d->out = NULL;
	}
	return r;
}

int decoder_init(struct decoder *d, enum comp fmt, struct input *in,
		 size_t out_size, struct khdr_err *e)
{
	return start(d, fmt, in, out_size, false, e);
}

int decoder_init_embedded(struct decoder *d, enum comp fmt, struct input *in,
			  size_t out_size, struct khdr_err *e)
{
	return start(d, fmt, in, out_size, true, e);
}

int decoder_read(struct decoder *d, uint8_t *buf, size_t size, size_t *n,
		 struct khdr_err *e)
{
	size_t produced = 0;
	int r;

	*n = 0;
	if (d->done)
		return 0;
	r = d->ops->run(d, buf, size, &produced, e);
	if (r < 0)
		return r;
	d->total_out += produced;
	*n = produced;
	return 0;
}

int decoder_fill(struct decoder *d, const uint8_t **p, size_t *n,
		 struct khdr_err *e)
{
	*p = d->out;
	return decoder_read(d, d->out, d->out_size, n, e);
}

void decoder_end(struct decoder *d)
{
	if (!d->out)
		return;
	d->ops->end(d);
	free(d->out);
	d->out = NULL;
	d->state = NULL;
}

int decompress_buffer(enum comp fmt, const uint8_t *p, size_t n, size_t max,
		      uint8_t **out, size_t *out_len, struct khdr_err *e)
{
	struct input in;
	struct decoder d;
	uint8_t *buf = NULL, *nb;
	size_t have = 0, cap = 0;
	int r;

	input_from_memory(&in, p, n, NULL);
	r = decoder_init(&d, fmt, &in, 1u << 20, e);
	if (r < 0)
		return r;
	for (;;) {
		const uint8_t *chunk;
		size_t len;

		r = decoder_fill(&d, &chunk, &len, e);
		if (r < 0 || len == 0)
			break;
		if (len > max - have) {
			r = err_set(e, EFBIG, "decompresses to more than %zu bytes",
				    max);
			break;
		}
		if (have + len > cap) {
			cap = have + len > cap * 2 ? have + len : cap * 2;
			nb = realloc(buf, cap);
			if (!nb) {
				r = err_set(e, ENOMEM, "out of memory");
				break;
			}
			buf = nb;
		}
		memcpy(buf + have, chunk, len);
		have += len;
	}
	decoder_end(&d);
	if (r < 0) {
		free(buf);
		return r;
	}
	*out = buf;
	*out_len = have;
	return 0;
}
