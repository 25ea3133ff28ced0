/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * btf.c - the BTF reader: header, types, strings.  The layout is the
 * kernel's (include/uapi/linux/btf.h, Documentation/bpf/btf.rst): a
 * 24-byte header (magic 0xeb9f, version 1, flags, hdr_len, then type_off,
 * type_len, str_off, str_len relative to the header's end), types of 12
 * bytes (name_off, info: vlen in bits 0-15, kind in bits 24-28, kind_flag
 * in bit 31, then size or type) each followed by what its kind needs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "format/btf.h"

#define BTF_MAGIC 0xeb9f

static uint32_t get32(const struct btf *b, const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return b->swap ? __builtin_bswap32(v) : v;
}

/* Bytes after the 12-byte fixed part, by kind; -1 for an unknown kind. */
static long extra_size(enum btf_kind kind, uint32_t vlen)
{
	switch (kind) {
	case BTF_KIND_INT: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
		return 4;
	case BTF_KIND_ARRAY:
		return 12;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_DATASEC:
	case BTF_KIND_ENUM64:
		return 12L * vlen;
	case BTF_KIND_ENUM: case BTF_KIND_FUNC_PROTO:
		return 8L * vlen;
	case BTF_KIND_PTR: case BTF_KIND_FWD: case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE: case BTF_KIND_CONST: case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC: case BTF_KIND_FLOAT: case BTF_KIND_TYPE_TAG:
		return 0;
	default:
		return -1;
	}
}

static bool name_ok(const struct btf *b, uint32_t off)
{
	return off < b->strs_len;    /* the section ends in NUL (checked) */
}

static void decode(const struct btf *b, const uint8_t *p, struct btf_type *t)
{
	uint32_t info = get32(b, p + 4);

	t->name = b->strs + get32(b, p);
	t->vlen = info & 0xffff;
	t->kind = (enum btf_kind)((info >> 24) & 0x1f);
	t->kflag = info >> 31;
	t->size_or_type = get32(b, p + 8);
	t->extra = p + 12;
}

/* Names and type ids of one type are in range (ids: checked after the count). */
static int check_type(const struct btf *b, const struct btf_type *t, uint32_t n)
{
	const uint8_t *x = t->extra;

	switch (t->kind) {
	case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_FUNC:
	case BTF_KIND_VAR: case BTF_KIND_DECL_TAG: case BTF_KIND_TYPE_TAG:
		return t->size_or_type <= n ? 0 : -EBADMSG;
	case BTF_KIND_ARRAY:
		return get32(b, x) <= n && get32(b, x + 4) <= n ? 0 : -EBADMSG;
	case BTF_KIND_STRUCT: case BTF_KIND_UNION:
		for (uint32_t i = 0; i < t->vlen; i++, x += 12)
			if (!name_ok(b, get32(b, x)) || get32(b, x + 4) > n)
				return -EBADMSG;
		return 0;
	case BTF_KIND_FUNC_PROTO:
		if (t->size_or_type > n)
			return -EBADMSG;
		for (uint32_t i = 0; i < t->vlen; i++, x += 8)
			if (!name_ok(b, get32(b, x)) || get32(b, x + 4) > n)
				return -EBADMSG;
		return 0;
	case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
		for (uint32_t i = 0; i < t->vlen; i++, x += t->kind == BTF_KIND_ENUM ? 8 : 12)
			if (!name_ok(b, get32(b, x)))
				return -EBADMSG;
		return 0;
	case BTF_KIND_DATASEC:
		for (uint32_t i = 0; i < t->vlen; i++, x += 12)
			if (get32(b, x) > n)
				return -EBADMSG;
		return 0;
	default:
		return 0;
	}
}

static int bad(struct btf *b, struct khdr_err *e, const char *why)
{
	btf_free(b);
	return err_set(e, EBADMSG, "not valid BTF: %s", why);
}

/* Walk the type section once: where each type starts. */
static int index_types(struct btf *b, struct khdr_err *e)
{
	uint32_t pos = 0, cap = 0;

	while (pos < b->types_len) {
		struct btf_type t;
		long extra;

		if (b->types_len - pos < 12)
			return bad(b, e, "a type is cut short");
		decode(b, b->types + pos, &t);
		extra = extra_size(t.kind, t.vlen);
		if (extra < 0)
			return bad(b, e, "a type of an unknown kind");
		if (!name_ok(b, get32(b, b->types + pos)))
			return bad(b, e, "a name outside the string section");
		if ((uint64_t)b->types_len - pos - 12 < (uint64_t)extra)
			return bad(b, e, "a type is cut short");
		if (b->n + 2 > cap) {
			uint32_t *o;

			cap = cap ? 2 * cap : 4096;
			o = realloc(b->off, (size_t)cap * sizeof(*o));
			if (!o) {
				btf_free(b);
				return err_set(e, ENOMEM, "out of memory reading BTF");
			}
			b->off = o;
		}
		b->off[++b->n] = pos;
		pos += 12 + (uint32_t)extra;
	}
	return 0;
}

int btf_parse(struct btf *b, const uint8_t *p, size_t n, struct khdr_err *e)
{
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
	uint16_t magic;

	memset(b, 0, sizeof(*b));
	if (n < 24)
		return bad(b, e, "shorter than its header");
	memcpy(&magic, p, 2);
	if (magic != BTF_MAGIC && magic != __builtin_bswap16(BTF_MAGIC))
		return bad(b, e, "no BTF magic");
	b->swap = magic != BTF_MAGIC;
	if (p[2] != 1)
		return bad(b, e, "a version other than 1");
	hdr_len = get32(b, p + 4);
	type_off = get32(b, p + 8);
	type_len = get32(b, p + 12);
	str_off = get32(b, p + 16);
	str_len = get32(b, p + 20);
	if (hdr_len < 24 || hdr_len > n ||
	    (uint64_t)type_off + type_len > n - hdr_len ||
	    (uint64_t)str_off + str_len > n - hdr_len)
		return bad(b, e, "sections outside the data");
	b->types = p + hdr_len + type_off;
	b->types_len = type_len;
	b->strs = (const char *)p + hdr_len + str_off;
	b->strs_len = str_len;
	if (!str_len || b->strs[0] || b->strs[str_len - 1])
		return bad(b, e, "the string section does not start and end with NUL");
	if (type_off % 4 || type_len % 4)
		return bad(b, e, "a misaligned type section");
	if (index_types(b, e) < 0)
		return -EBADMSG;
	for (uint32_t id = 1; id <= b->n; id++) {
		struct btf_type t;

		decode(b, b->types + b->off[id], &t);
		if (check_type(b, &t, b->n) < 0)
			return bad(b, e, "a name or type id out of range");
	}
	return 0;
}

void btf_free(struct btf *b)
{
	free(b->off);
	b->off = NULL;
	b->n = 0;
}

bool btf_type(const struct btf *b, uint32_t id, struct btf_type *t)
{
	if (id == 0 || id > b->n)
		return false;
	decode(b, b->types + b->off[id], t);
	return true;
}

uint32_t btf_count(const struct btf *b, enum btf_kind kind)
{
	struct btf_type t;
	uint32_t c = 0;

	for (uint32_t id = 1; id <= b->n; id++)
		c += btf_type(b, id, &t) && t.kind == kind;
	return c;
}

/* Through typedefs and qualifiers to the type itself; 0 for void or a loop. */
static uint32_t resolve(const struct btf *b, uint32_t id, struct btf_type *t)
{
	for (int depth = 0; depth < BTF_MAX_DEPTH; depth++) {
		if (!btf_type(b, id, t))
			return 0;
		if (t->kind != BTF_KIND_TYPEDEF && t->kind != BTF_KIND_VOLATILE &&
		    t->kind != BTF_KIND_CONST && t->kind != BTF_KIND_RESTRICT &&
		    t->kind != BTF_KIND_TYPE_TAG)
			return id;
		id = t->size_or_type;
	}
	return 0;
}

static bool is_record(const struct btf_type *t)
{
	return t->kind == BTF_KIND_STRUCT || t->kind == BTF_KIND_UNION;
}

int btf_find_struct(const struct btf *b, const char *name, uint32_t *id,
		    bool *is_typedef)
{
	struct btf_type t, r;

	for (uint32_t i = 1; i <= b->n; i++)
		if (btf_type(b, i, &t) && is_record(&t) && strcmp(t.name, name) == 0) {
			*id = i;
			*is_typedef = false;
			return 0;
		}
	for (uint32_t i = 1; i <= b->n; i++) {
		uint32_t target;

		if (!btf_type(b, i, &t) || t.kind != BTF_KIND_TYPEDEF || strcmp(t.name, name) != 0)
			continue;
		target = resolve(b, i, &r);
		if (target && is_record(&r)) {
			*id = target;
			*is_typedef = true;
			return 0;
		}
	}
	return -ENOENT;
}

/* Without kind_flag a bitfield shows in its int's encoding: bits, offset. */
static uint32_t int_bitfield(const struct btf *b, uint32_t type, uint32_t *extra_off)
{
	struct btf_type t;
	uint32_t enc, bits;

	*extra_off = 0;
	if (!resolve(b, type, &t) || t.kind != BTF_KIND_INT)
		return 0;
	enc = get32(b, t.extra);
	bits = enc & 0xff;
	*extra_off = (enc >> 16) & 0xff;
	return bits && (bits != 8 * t.size_or_type || *extra_off) ? bits : 0;
}

static int walk(const struct btf *b, uint32_t id, uint64_t base, int depth,
		int (*fn)(void *ctx, const struct btf_member *m), void *ctx)
{
	struct btf_type t, mt;
	const uint8_t *x;

	if (depth >= BTF_MAX_DEPTH)
		return -ELOOP;
	if (!btf_type(b, id, &t) || !is_record(&t))
		return 0;
	x = t.extra;
	for (uint32_t i = 0; i < t.vlen; i++, x += 12) {
		const char *name = b->strs + get32(b, x);
		uint32_t type = get32(b, x + 4), off = get32(b, x + 8), extra = 0;
		struct btf_member m = { name, 0, 0 };
		int r;

		if (t.kflag) {
			m.bit_off = base + (off & 0xffffff);
			m.bit_size = off >> 24;
		} else {
			m.bit_size = int_bitfield(b, type, &extra);
			m.bit_off = base + off + extra;
		}
		if (!*name) {
			uint32_t inner = resolve(b, type, &mt);

			/* An anonymous struct or union: its members are ours. */
			if (inner && is_record(&mt) && !m.bit_size) {
				r = walk(b, inner, m.bit_off, depth + 1, fn, ctx);
				if (r)
					return r;
			}
			continue;              /* or padding: int :3 */
		}
		r = fn(ctx, &m);
		if (r)
			return r;
	}
	return 0;
}

int btf_members(const struct btf *b, uint32_t id,
		int (*fn)(void *ctx, const struct btf_member *m), void *ctx)
{
	return walk(b, id, 0, 0, fn, ctx);
}
