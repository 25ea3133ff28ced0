/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-xztar.c - the pieces of the xz -> tar pipeline without the decoder
 * thread of unpack.c (which costs a thread per run, so fuzz-unpack runs
 * slowly): the xz index reader, the streaming decoder in small chunks or,
 * for one input in two, the parallel block decoder (two workers), the
 * tar reader and path rules and verifier on top, and, for gzip and zstd
 * input (compressed modules), the whole-buffer decompressor.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "format/path.h"
#include "format/tar.h"
#include "stream/decomp.h"
#include "stream/input.h"
#include "stream/xz.h"
#include "stream/xzblocks.h"
#include "kinfo/verify.h"
#include "fuzz.h"

#define FUZZ_MAX_BYTES (32u << 20)

struct feed {
	struct decoder d;
	struct xzblocks *b;       /* when it took the input */
	uint64_t total;
};

static int feed_fill(void *ctx, const uint8_t **p, size_t *n,
		     struct khdr_err *e)
{
	struct feed *f = ctx;
	int r = f->b ? xzblocks_fill(f->b, p, n, e)
		     : decoder_fill(&f->d, p, n, e);

	if (r == 0 && (f->total += *n) > FUZZ_MAX_BYTES)
		return err_set(e, EFBIG, "over the cap");
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kernel_id k;
	static int ready;
	struct khdr_err e = { 0 };
	const struct entry *en;
	struct tar_reader t;
	struct verifier v;
	struct feed f = { 0 };
	struct input in;
	uint64_t usize;
	enum comp c;
	int r;

	if (!ready) {
		fuzz_quiet();
		fuzz_kernel(&k);
		ready = 1;
	}
	c = comp_detect(data, size);
	if (c == COMP_GZIP || c == COMP_ZSTD) {
		uint8_t *out;
		size_t len;

		if (decompress_buffer(c, data, size, 1u << 20, &out, &len, &e) == 0)
			free(out);
		return 0;
	}
	input_from_memory(&in, data, size, NULL);
	(void)xz_uncompressed_size(&in, &usize);
	/* One input in two goes to the block decoder, if it takes it. */
	r = xzblocks_start(&f.b, &in, size & 2 ? 2 : 1, &e);
	if (r < 0 || (r == 0 && decoder_init(&f.d, COMP_XZ, &in, 4096, &e) < 0)) {
		input_close(&in);
		return 0;
	}
	verify_init(&v, &k, true, false);
	tar_init(&t, feed_fill, &f);
	while ((r = tar_next(&t, &en, &e)) == 1) {
		char path[PATH_MAX], buf[VERIFY_MEMBER_MAX];
		const char *why;
		size_t len;
		int cl = path_clean(en->path, path, sizeof(path), &why);

		if (cl < 0)
			break;
		if (cl == 0 && verify_wants(&v, path)) {
			len = 0;
			if (en->type == ENTRY_FILE &&
			    tar_read_all(&t, buf, sizeof(buf), &len, &e) < 0)
				break;
			(void)verify_member(&v, path, buf, len, &e);
		}
		if (cl == 0)
			verify_count(&v, path);
	}
	if (r == 0) {       /* the rest of the stream, as unpack's drain() */
		const uint8_t *p;
		size_t n;

		do
			r = feed_fill(&f, &p, &n, &e);
		while (r == 0 && n);
	}
	tar_free(&t);
	xzblocks_stop(f.b);
	decoder_end(&f.d);
	input_close(&in);
	return 0;
}
