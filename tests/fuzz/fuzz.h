/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz.h - what the libFuzzer targets share: a byte supply that hands the
 * input out in chunks of varying size (so headers straddle chunk
 * boundaries, as they do behind the xz decoder), and a fake running kernel
 * for the verifier.  Built by tests/fuzz/build only.
 */
#ifndef KHDR_FUZZ_H
#define KHDR_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kinfo/kernel.h"
#include "base/khdr.h"
#include "base/log.h"

/* Chunks of 1..N bytes, sizes taken from a small cycle seeded by the input. */
struct chunker {
	const uint8_t *p;
	size_t left;
	unsigned seed, step;
	size_t max_chunk;
};

static inline void chunker_init(struct chunker *c, const uint8_t *p, size_t n,
				unsigned seed)
{
	c->p = p;
	c->left = n;
	c->seed = seed;
	c->step = 0;
	/* seed 0: the whole input at once; otherwise small, odd chunks */
	c->max_chunk = seed == 0 ? (size_t)-1 : (seed & 0x3f) * 37u + 1u;
}

static inline int chunker_fill(void *ctx, const uint8_t **p, size_t *n,
			       struct khdr_err *e)
{
	struct chunker *c = ctx;
	size_t want;

	(void)e;
	want = c->max_chunk == (size_t)-1 ? c->left
		: 1 + (c->seed * 2654435761u + c->step++ * 40503u) % c->max_chunk;
	if (want > c->left)
		want = c->left;
	*p = c->p;
	*n = want;
	c->p += want;
	c->left -= want;
	return 0;
}

/*
 * The kernel the verifier compares against: the genuine artefact release
 * and the build ID of Debian's notes, so the seeds reach every check.
 */
static inline void fuzz_kernel(struct kernel_id *k)
{
	memset(k, 0, sizeof(*k));
	strcpy(k->release, "6.1.0-khdr-test");
	k->build_id.len = 20;
	for (int i = 0; i < 20; i++)
		k->build_id.bytes[i] = (uint8_t)(0x11 * i);
	hex_encode(k->build_id.bytes, k->build_id.len, k->build_id_hex);
	k->have_version = true;
	strcpy(k->version.release, k->release);
	strcpy(k->version.by, "root");
	strcpy(k->version.host, "localhost");
	strcpy(k->version.compiler, "gcc (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40");
	strcpy(k->version.uts_version, "#1 SMP PREEMPT_DYNAMIC");
	strcpy(k->uts_version, "#1 SMP PREEMPT_DYNAMIC");
}

/* Keep the parsers' warnings off the fuzzer's output. */
static inline void fuzz_quiet(void)
{
	static int done;

	if (!done) {
		log_set_level(-1);
		done = 1;
	}
}

#endif
