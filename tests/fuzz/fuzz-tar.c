/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-tar.c - the streaming tar reader fed uncompressed tar: ustar, GNU
 * long names, pax records, base-256 sizes.  The first byte picks how the
 * input is chunked and whether member data is streamed or buffered; every
 * member name also goes through the path rules the extractor applies.
 */
#include <limits.h>

#include "fuzz.h"
#include "format/path.h"
#include "format/tar.h"

#define MEMBERS_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chunker c;
	struct tar_reader t;
	struct khdr_err e = { 0 };
	const struct entry *en;
	unsigned mode;
	int r, members = 0;

	fuzz_quiet();
	if (size < 1)
		return 0;
	mode = data[0];
	chunker_init(&c, data + 1, size - 1, mode >> 2);
	tar_init(&t, chunker_fill, &c);
	while ((r = tar_next(&t, &en, &e)) == 1 && members++ < MEMBERS_MAX) {
		char clean[PATH_MAX];
		const char *why;

		/* The reader promises NUL-terminated names. */
		(void)strlen(en->path);
		if (en->link)
			(void)strlen(en->link);
		if (path_clean(en->path, clean, sizeof(clean), &why) == 0 &&
		    en->type == ENTRY_SYMLINK && en->link)
			(void)path_symlink_ok(clean, en->link, &why);
		if (mode & 1) {
			char buf[8192];
			size_t len;

			r = tar_read_all(&t, buf, (mode & 2) ? 100 : sizeof(buf),
					 &len, &e);
		} else if (mode & 2) {
			const uint8_t *p;
			size_t n;
			volatile uint8_t sink = 0;

			do {
				r = tar_data(&t, &p, &n, &e);
				if (r == 0 && n)
					sink ^= p[0] ^ p[n - 1];
			} while (r == 0 && n);
		}
		/* else: tar_next skips the data */
		if (r < 0)
			break;
	}
	tar_free(&t);
	return 0;
}
