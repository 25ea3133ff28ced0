/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * layout-run.h - verify --layout and install --verify-layout: read the
 * kernel's BTF, have the tree's own kbuild (make -C TREE M=TMPDIR) compile
 * the generated source to assembly, compare, and say what differs.
 */
#ifndef KHDR_LAYOUT_RUN_H
#define KHDR_LAYOUT_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "base/khdr.h"
#include "format/layout.h"

struct layout_opts {
	const char *tree;            /* a kbuild-capable tree */
	const char *btf;             /* SYSFS/kernel/btf/vmlinux */
	const char *const *structs;  /* NULL: the default set */
	size_t nstructs;
	bool print;                  /* the table on stdout */
	bool json;                   /* ... as one JSON document */
};

struct layout_result {
	size_t structs, compared, mismatches, bitfields, inexpressible;
	unsigned builds;             /* make runs it took */
	double seconds;
	char first[256];             /* "a.b: headers 1, kernel 2; ..." */
};

/*
 * 0: every compared value agrees; KHDR_EXIT_ABSENT: some differ (printed,
 * and summed up in r->first); a negative errno when it cannot tell (no
 * BTF, no compiler, not a kbuild tree), with the reason in e.
 */
int layout_verify(const struct layout_opts *lo, struct layout_result *r,
		  struct khdr_err *e);

/* The document --json prints when layout_verify could not tell. */
void layout_print_unknown(const struct layout_opts *lo, const char *why);

#endif
