/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * btf.h - a small reader of BTF, the kernel's type information
 * (/sys/kernel/btf/vmlinux): its header, type section and string section,
 * enough to list the members of a struct or union with their bit offsets
 * as C sees them (anonymous structs and unions flattened into their
 * parent, bitfields with their width).  Pure: the bytes come from the
 * caller and are validated once, in btf_parse.
 */
#ifndef KHDR_BTF_H
#define KHDR_BTF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/khdr.h"

enum btf_kind {
	BTF_KIND_UNKN, BTF_KIND_INT, BTF_KIND_PTR, BTF_KIND_ARRAY, BTF_KIND_STRUCT,
	BTF_KIND_UNION, BTF_KIND_ENUM, BTF_KIND_FWD, BTF_KIND_TYPEDEF,
	BTF_KIND_VOLATILE, BTF_KIND_CONST, BTF_KIND_RESTRICT, BTF_KIND_FUNC,
	BTF_KIND_FUNC_PROTO, BTF_KIND_VAR, BTF_KIND_DATASEC, BTF_KIND_FLOAT,
	BTF_KIND_DECL_TAG, BTF_KIND_TYPE_TAG, BTF_KIND_ENUM64,
	BTF_KIND_MAX = BTF_KIND_ENUM64,
};

#define BTF_MAX_DEPTH 32          /* typedef chains, nested anonymous members */

struct btf {
	const uint8_t *types;
	uint32_t types_len;
	const char *strs;
	uint32_t strs_len;
	uint32_t n;                 /* types; ids 1..n, 0 is void */
	uint32_t *off;              /* off[id]: where type id starts in types */
	bool swap;                  /* the other byte order */
};

/* The fixed part of one type. */
struct btf_type {
	enum btf_kind kind;
	uint32_t vlen;
	bool kflag;
	const char *name;           /* "" when anonymous */
	uint32_t size_or_type;      /* size (int, struct, union, enum), else a type id */
	const uint8_t *extra;       /* what follows: members, int encoding, ... */
};

int btf_parse(struct btf *b, const uint8_t *p, size_t n, struct khdr_err *e);
void btf_free(struct btf *b);

/* Type id (1..n) into t; false for void or out of range. */
bool btf_type(const struct btf *b, uint32_t id, struct btf_type *t);

/* How many types of a kind. */
uint32_t btf_count(const struct btf *b, enum btf_kind kind);

/*
 * The struct or union called name (a complete one: not a forward
 * declaration), else a typedef of that name that leads to one; the id of
 * the struct or union, and in *typedef_name whether name was a typedef.
 * -ENOENT when there is none.
 */
int btf_find_struct(const struct btf *b, const char *name, uint32_t *id,
		    bool *is_typedef);

struct btf_member {
	const char *name;
	uint64_t bit_off;           /* from the start of the outermost struct */
	uint32_t bit_size;          /* 0: not a bitfield */
};

/*
 * Call fn for every named member of struct or union id, anonymous members
 * flattened (their members with their names, offsets added up).  Stops at
 * the first non-zero return of fn and returns it; -ELOOP when nesting goes
 * deeper than BTF_MAX_DEPTH.
 */
int btf_members(const struct btf *b, uint32_t id,
		int (*fn)(void *ctx, const struct btf_member *m), void *ctx);

#endif
