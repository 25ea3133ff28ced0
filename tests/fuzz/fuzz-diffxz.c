/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-diffxz.c - differential: the same bytes through our xz layer and
 * through liblzma's own lzma_stream_decoder() with LZMA_CONCATENATED, the
 * rule of xz(1): concatenated streams and stream padding (zero bytes in
 * multiples of four) are valid, anything else after a stream is an error.
 * A check liblzma cannot verify (a reserved check ID) is an error too
 * (LZMA_TELL_UNSUPPORTED_CHECK): the man page promises the check is
 * verified to the end.
 *
 * The reference is liblzma itself, loaded here with dlopen() and called
 * through its own symbols, not through src/base/dl-lzma.c's stubs.
 *
 * Our side, picked by the input's length in 4-byte words, (size >> 2) & 3
 * (so that stream padding moves an input from one path to the next), each
 * path the tool decodes with:
 *   0  decoder_fill() in 4 KiB chunks (the decoder behind prefetch),
 *   1  decompress_buffer() (a compressed module: .ko.xz),
 *   2  the prefetch thread (install with --threads > 1, one block),
 *   3  xzblocks with two workers (a multi-block archive), or, when it
 *      does not take the input, decoder_fill() in 1 MiB chunks (inline
 *      decoding, --threads 1).
 * Inputs of path 1 also go through decoder_init_embedded() (a bzImage's
 * payload: one stream, whatever follows it not looked at), against
 * liblzma without LZMA_CONCATENATED: the same rules, one stream.
 * Both must take the same decision (accept or refuse) and, when they
 * accept, give the same bytes; when either refuses, the shorter output
 * must be a prefix of the longer.  Output is capped at OUT_MAX: past it,
 * only the bytes up to the cap are compared (decompress_buffer() then
 * gives none).  A divergence aborts, with
 * both verdicts, so libFuzzer keeps the input.
 */
#include <dlfcn.h>
#include <errno.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream/decomp.h"
#include "stream/input.h"
#include "stream/prefetch.h"
#include "stream/xz.h"
#include "stream/xzblocks.h"
#include "fuzz.h"

#define OUT_MAX (8u << 20)

struct result {
	uint8_t *out;
	size_t len;
	bool capped;          /* stopped at OUT_MAX: no verdict */
	int status;           /* 0 accepted, <0 refused */
	char why[256];
	const char *path;
};

static void put(struct result *r, const uint8_t *p, size_t n)
{
	if (n > OUT_MAX - r->len) {
		n = OUT_MAX - r->len;
		r->capped = true;
	}
	if (n)
		memcpy(r->out + r->len, p, n);
	r->len += n;
}

/* liblzma's own functions, not the tool's stubs of the same names. */
static struct {
	__typeof__(lzma_stream_decoder) *stream_decoder;
	__typeof__(lzma_code) *code;
	__typeof__(lzma_end) *end;
} ref;

static void ref_load(void)
{
	void *h = dlopen(LZMA_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!h || !(ref.stream_decoder = (__typeof__(ref.stream_decoder))
			    dlsym(h, "lzma_stream_decoder")) ||
	    !(ref.code = (__typeof__(ref.code))dlsym(h, "lzma_code")) ||
	    !(ref.end = (__typeof__(ref.end))dlsym(h, "lzma_end"))) {
		fprintf(stderr, "fuzz-diffxz: cannot load %s: %s\n", LZMA_SONAME,
			dlerror());
		abort();
	}
}

static void reference(const uint8_t *data, size_t size, uint32_t flags,
		      struct result *r)
{
	lzma_stream s = LZMA_STREAM_INIT;
	uint8_t buf[1u << 16];
	lzma_ret ret;

	r->path = flags ? "lzma_stream_decoder(LZMA_CONCATENATED)"
			: "lzma_stream_decoder(0)";
	ret = ref.stream_decoder(&s, XZ_MEMLIMIT, flags);
	if (ret != LZMA_OK)
		abort();
	s.next_in = data;
	s.avail_in = size;
	do {
		s.next_out = buf;
		s.avail_out = sizeof(buf);
		ret = ref.code(&s, LZMA_FINISH);
		put(r, buf, sizeof(buf) - s.avail_out);
	} while (ret == LZMA_OK && !r->capped);
	r->status = ret == LZMA_STREAM_END ? 0 : -(int)ret;
	snprintf(r->why, sizeof(r->why), "%s",
		 ret == LZMA_STREAM_END ? "" : ret == LZMA_OK ? "(capped)"
		 : ret == LZMA_UNSUPPORTED_CHECK ? "unsupported check"
		 : ret == LZMA_BUF_ERROR ? "truncated"
		 : ret == LZMA_FORMAT_ERROR ? "format error"
		 : ret == LZMA_OPTIONS_ERROR ? "options error"
		 : ret == LZMA_DATA_ERROR ? "data error"
		 : ret == LZMA_MEMLIMIT_ERROR ? "memlimit" : "other error");
	ref.end(&s);
}

/* One of the tool's fill functions, until the end or an error. */
typedef int (*fill_fn)(void *ctx, const uint8_t **p, size_t *n,
		       struct khdr_err *e);

static void drain(fill_fn fill, void *ctx, struct result *r)
{
	struct khdr_err e = { 0 };
	const uint8_t *p;
	size_t n;
	int st;

	do {
		st = fill(ctx, &p, &n, &e);
		if (st == 0)
			put(r, p, n);
	} while (st == 0 && n && !r->capped);
	r->status = st;
	snprintf(r->why, sizeof(r->why), "%s", st < 0 ? e.msg : "");
}

static int dec_fill(void *ctx, const uint8_t **p, size_t *n,
		    struct khdr_err *e)
{
	return decoder_fill(ctx, p, n, e);
}

static void stream(struct input *in, size_t chunk, bool ahead, bool embedded,
		   struct result *r)
{
	struct khdr_err e = { 0 };
	struct decoder d;
	struct prefetch *pf = NULL;

	r->path = embedded ? "decoder_init_embedded" : ahead ? "prefetch"
		: chunk < 8192 ? "decoder_fill (4 KiB)" : "decoder_fill (inline, 1 MiB)";
	if ((embedded ? decoder_init_embedded(&d, COMP_XZ, in, chunk, &e)
		      : decoder_init(&d, COMP_XZ, in, chunk, &e)) < 0 ||
	    (ahead && prefetch_start(&pf, &d, &e) < 0)) {
		r->status = -e.code;
		snprintf(r->why, sizeof(r->why), "%s", e.msg);
		return;
	}
	if (pf)
		drain(prefetch_fill, pf, r);
	else
		drain(dec_fill, &d, r);
	prefetch_stop(pf);
	decoder_end(&d);
}

static void ours(const uint8_t *data, size_t size, struct result *r)
{
	struct khdr_err e = { 0 };
	struct input in;
	unsigned mode = (size >> 2) & 3;

	input_from_memory(&in, data, size, NULL);
	if (mode == 1) {
		uint8_t *out = NULL;
		size_t len = 0;
		int st = decompress_buffer(COMP_XZ, data, size, OUT_MAX + 1, &out,
					   &len, &e);

		r->path = "decompress_buffer";
		if (st == -EFBIG) {
			r->capped = true;
			st = 0;
		}
		if (st == 0)
			put(r, out, len);
		free(out);
		r->status = st;
		snprintf(r->why, sizeof(r->why), "%s", st < 0 ? e.msg : "");
	} else if (mode == 3) {
		struct xzblocks *b;
		int st = xzblocks_start(&b, &in, 2, &e);

		if (st == 1) {
			r->path = "xzblocks";
			drain(xzblocks_fill, b, r);
			xzblocks_stop(b);
		} else if (st == 0) {
			stream(&in, 1u << 20, false, false, r);
		} else {
			r->path = "xzblocks_start";
			r->status = st;
			snprintf(r->why, sizeof(r->why), "%s", e.msg);
		}
	} else {
		stream(&in, mode == 0 ? 4096 : 1u << 20, mode == 2, false, r);
	}
	input_close(&in);
}

/*
 * Name the kind of a divergence: when ours gives exactly what liblzma
 * gives for one stream without any check of what follows (flags 0), it
 * is the known defect of issue 19: data after the first stream ignored,
 * a check that cannot be verified accepted.  KHDR_FUZZ_IGNORE_KNOWN=1
 * lets a local run go on past those to look for others; tests/fuzz/run
 * never sets it.
 */
static const char *kind(const uint8_t *data, size_t size,
			const struct result *o, const struct result *t)
{
	static struct result one;
	const char *k = "new";

	if (!one.out && !(one.out = malloc(OUT_MAX)))
		abort();
	one.len = 0;
	one.capped = false;
	reference(data, size, 0, &one);
	if (!one.capped && !o->capped && one.status == o->status &&
	    one.len == o->len && memcmp(one.out, o->out, o->len) == 0)
		k = t->status == -(int)LZMA_UNSUPPORTED_CHECK
			    ? "known: a check that cannot be verified is accepted"
			    : "known: what follows the first stream is ignored";
	return k;
}

static void diverge(const char *what, const uint8_t *data, size_t size,
		    const struct result *o, const struct result *t)
{
	const struct result *rs[2] = { o, t };
	const char *k = kind(data, size, o, t);
	const char *ignore = getenv("KHDR_FUZZ_IGNORE_KNOWN");

	if (strncmp(k, "known", 5) == 0 && ignore && *ignore == '1')
		return;
	fprintf(stderr, "fuzz-diffxz: DIVERGENCE: %s (%s)\n", what, k);
	for (int i = 0; i < 2; i++)
		fprintf(stderr, "  %s (%s): %zu bytes%s, %s%s\n",
			i ? "liblzma" : "ours", rs[i]->path, rs[i]->len,
			rs[i]->capped ? " (capped)" : "",
			rs[i]->status ? "refused: " : "accepted", rs[i]->why);
	abort();
}

/* A known divergence let through (KHDR_FUZZ_IGNORE_KNOWN): compare no more. */
#define DIVERGE(...) do { diverge(__VA_ARGS__); return; } while (0)

/* Same decision, same bytes (see the top of the file). */
static void compare(const uint8_t *data, size_t size, struct result *op,
		    struct result *tp)
{
	struct result o = *op, t = *tp;
	size_t common;

	common = o.len < t.len ? o.len : t.len;
	if (memcmp(o.out, t.out, common) != 0)
		DIVERGE("different bytes", data, size, &o, &t);
	/*
	 * Past the cap the verdict is unknown; but a side that accepted
	 * below it must not face one that went on past it.  (A refusal below
	 * the cap may be an error the other side finds past it: xzblocks
	 * decodes a block whole before handing out any of it.)
	 */
	if (o.capped || t.capped) {
		if ((!o.capped && o.status == 0) || (!t.capped && t.status == 0))
			DIVERGE("one side ends below the cap, the other goes past it",
				data, size, &o, &t);
		return;
	}
	if ((o.status == 0) != (t.status == 0))
		DIVERGE(o.status == 0 ? "ours accepts what liblzma refuses"
				      : "ours refuses what liblzma accepts",
			data, size, &o, &t);
	if (o.status == 0 && o.len != t.len)
		DIVERGE("both accept, different lengths", data, size, &o, &t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct result o, t;
	static int ready;

	if (!ready) {
		fuzz_quiet();
		ref_load();
		o.out = malloc(OUT_MAX);
		t.out = malloc(OUT_MAX);
		if (!o.out || !t.out)
			abort();
		ready = 1;
	}
	o.len = t.len = 0;
	o.capped = t.capped = false;
	reference(data, size, LZMA_CONCATENATED | LZMA_TELL_UNSUPPORTED_CHECK, &t);
	ours(data, size, &o);

	compare(data, size, &o, &t);
	if (((size >> 2) & 3) == 1) {
		struct input in;

		o.len = t.len = 0;
		o.capped = t.capped = false;
		reference(data, size, LZMA_TELL_UNSUPPORTED_CHECK, &t);
		input_from_memory(&in, data, size, NULL);
		stream(&in, 256u << 10, false, true, &o);
		input_close(&in);
		compare(data, size, &o, &t);
	}
	return 0;
}
