/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-unpack.c - the xz -> tar -> verifier pipeline of install --dry-run:
 * xz index read, decoder thread, capped byte supply, tar reader, path
 * rules, manifest and header checks.  Nothing is written to disk.  The
 * input is a .tar.xz as it stands (the seeds are genuine archives); its
 * length picks whether verification is forced (so it goes on past a
 * mismatch) or not.
 */
#include "fuzz.h"
#include "stream/input.h"
#include "kinfo/unpack.h"
#include "kinfo/verify.h"

/* A bomb must stop at the cap, and quickly. */
#define FUZZ_MAX_BYTES (32u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kernel_id k;
	static int ready;
	struct khdr_err e = { 0 };
	struct unpack_stats st;
	struct verifier v;
	struct input in;

	if (!ready) {
		fuzz_quiet();
		fuzz_kernel(&k);
		ready = 1;
	}
	input_from_memory(&in, data, size, NULL);
	verify_init(&v, &k, size & 1, false);
	/* Inline decoding: one thread is what libFuzzer expects of a target. */
	(void)unpack_archive(&in, NULL, &v, &(struct unpack_opts){
				     100000, FUZZ_MAX_BYTES, 1, NULL },
			     &st, &e);
	(void)strlen(e.msg);
	input_close(&in);
	return 0;
}
