/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * layout.h - do the headers lay out the kernel's structures as the kernel
 * does?  From BTF, the kernel's own sizes and member offsets of a set of
 * structs; from a translation unit compiled by the tree's kbuild, the
 * headers' (the asm-offsets technique: each value an "i" operand of an
 * .ascii line in the assembly).  This part is pure: it collects from a
 * parsed BTF, writes the source, and reads back the assembly and the
 * compiler's errors (layout-run.c runs make).
 */
#ifndef KHDR_LAYOUT_H
#define KHDR_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/khdr.h"
#include "format/btf.h"

enum layout_state {
	ITEM_PENDING,       /* not known yet: in the next source */
	ITEM_VALUE,         /* the headers' value is in headers */
	ITEM_ABSENT,        /* the headers have no such member (or struct) */
	ITEM_BITFIELD,      /* the headers have a bitfield, the kernel not */
	ITEM_INEXPRESSIBLE, /* offsetof cannot say (the compiler refused) */
};

struct layout_item {
	size_t strct;           /* index into structs */
	const char *member;     /* NULL: the struct's size */
	uint64_t kernel;        /* bytes, from BTF */
	uint64_t headers;
	enum layout_state state;
	unsigned line;          /* its line in the last source written */
};

struct layout_struct {
	const char *name;
	bool is_typedef;        /* a typedef name: no "struct " in front */
	bool is_union;
	size_t first, count;    /* its items, the size first */
	unsigned bitfields;     /* members left out: offsetof cannot take them */
	unsigned mismatches, compared, inexpressible;
};

struct layout {
	struct layout_struct *structs;
	size_t ns;
	struct layout_item *items;
	size_t n, cap;
	unsigned missing_default;   /* default structs this kernel has not */
};

/* The default set: what BPF tools and out-of-tree modules read most. */
extern const char *const layout_default_structs[];

/* The headers the generated source includes for them. */
extern const char *const layout_includes[];

/*
 * The structs named (or the default set, n == 0) from BTF: each one's size
 * and every named member's offset.  A named struct missing from BTF is
 * -ENOENT; a default one is counted in missing_default and left out.
 */
int layout_collect(struct layout *l, const struct btf *b, const char *const *names,
		   size_t n, struct khdr_err *e);
void layout_free(struct layout *l);

/* The translation unit of every pending item; notes each one's line. */
int layout_source(struct layout *l, FILE *out);

/*
 * The assembly: lines .ascii "->KHDR <item> [$#]<value>"; every pending
 * item gets its value.  -EBADMSG when one is missing.
 */
int layout_read_asm(struct layout *l, const char *text, size_t len);

/*
 * The compiler's complaints about lines of file (the source's path as the
 * compiler names it): an item whose line has an error is absent ("has no
 * member named", an incomplete or undefined type), a bitfield in the
 * headers only, or inexpressible.  The
 * number of items marked; 0 when the errors were elsewhere.
 */
size_t layout_read_errors(struct layout *l, const char *text, size_t len,
			  const char *file);

/* After the values are in: count per struct; the total of mismatches. */
size_t layout_tally(struct layout *l);

#endif
