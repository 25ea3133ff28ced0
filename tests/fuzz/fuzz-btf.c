/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-btf.c - the BTF reader, and the layout code that runs on what it
 * read: every struct's and union's members walked (names inside the
 * string section, terminated), the default structs collected and the
 * source written; then the same bytes as compiler output and assembly
 * for layout_read_errors and layout_read_asm.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "format/btf.h"
#include "format/layout.h"
#include "fuzz.h"

struct walk {
	const struct btf *b;
	unsigned n;
};

static int member(void *ctx, const struct btf_member *m)
{
	struct walk *w = ctx;

	if (m->name < w->b->strs || m->name >= w->b->strs + w->b->strs_len || !*m->name ||
	    strnlen(m->name, (size_t)(w->b->strs + w->b->strs_len - m->name)) ==
		    (size_t)(w->b->strs + w->b->strs_len - m->name))
		__builtin_trap();
	return ++w->n > 100000;   /* enough: a blob can fan out */
}

static void layout(const struct btf *b, const uint8_t *data, size_t size)
{
	static const char *const names[] = { "s", "task_struct" };
	struct khdr_err e = { 0 };
	struct layout l;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (layout_collect(&l, b, names, 2, &e) < 0 && layout_collect(&l, b, NULL, 0, &e) < 0) {
		if (!*e.msg)
			__builtin_trap();
		return;
	}
	f = open_memstream(&buf, &len);
	if (f) {
		layout_source(&l, f);
		fclose(f);
	}
	free(buf);
	(void)layout_read_errors(&l, (const char *)data, size, "/tmp/l.c");
	(void)layout_read_asm(&l, (const char *)data, size);
	(void)layout_tally(&l);
	layout_free(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct khdr_err e = { 0 };
	struct btf b;
	struct btf_type t;

	fuzz_quiet();
	if (btf_parse(&b, data, size, &e) < 0) {
		if (!*e.msg)
			__builtin_trap();
		return 0;
	}
	for (uint32_t id = 1; id <= b.n && id < 5000; id++) {
		struct walk w = { &b, 0 };
		int r;

		if (!btf_type(&b, id, &t))
			__builtin_trap();
		if (t.kind != BTF_KIND_STRUCT && t.kind != BTF_KIND_UNION)
			continue;
		r = btf_members(&b, id, member, &w);
		if (r < 0 && r != -ELOOP)
			__builtin_trap();
	}
	if (btf_type(&b, 0, &t) || btf_type(&b, b.n + 1, &t))
		__builtin_trap();
	layout(&b, data, size);
	btf_free(&b);
	return 0;
}
