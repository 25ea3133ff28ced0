/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-btf.c - the BTF reader: a small hand-made blob (both byte orders)
 * for what the kernel's may not show, hostile variants of it, and the
 * host's real /sys/kernel/btf/vmlinux ($KHDR_BTF to use another),
 * cross-checked with bpftool's raw dump when bpftool is installed: the
 * number of structs and unions, and every named member of task_struct
 * and sk_buff with its bit offset, anonymous members followed as bpftool
 * lists them.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/btf.h"
#include "unit.h"

/* ---- a hand-made blob ---- */

static const char strs[] = "\0int\0s\0a\0b\0u1\0u2\0z\0s_t\0loop1\0loop2\0deep";
enum { S_INT = 1, S_S = 5, S_A = 7, S_B = 9, S_U1 = 11, S_U2 = 14, S_Z = 17,
       S_ST = 19, S_L1 = 23, S_L2 = 29, S_DEEP = 35 };

#define INFO(kind, vlen, kflag) ((uint32_t)(kflag) << 31 | (uint32_t)(kind) << 24 | (vlen))

static const uint32_t types[] = {
	/* 1: int */
	S_INT, INFO(BTF_KIND_INT, 0, 0), 4, 32,
	/* 2: struct s { int a; int b:3; union { int u1; int u2; }; int z; } */
	S_S, INFO(BTF_KIND_STRUCT, 4, 1), 16,
	S_A, 1, 0,
	S_B, 1, 3u << 24 | 32,
	0, 3, 64,
	S_Z, 1, 96,
	/* 3: the anonymous union */
	0, INFO(BTF_KIND_UNION, 2, 0), 4,
	S_U1, 1, 0,
	S_U2, 1, 0,
	/* 4: typedef struct s s_t; 5, 6: typedefs of each other */
	S_ST, INFO(BTF_KIND_TYPEDEF, 0, 0), 2,
	S_L1, INFO(BTF_KIND_TYPEDEF, 0, 0), 6,
	S_L2, INFO(BTF_KIND_TYPEDEF, 0, 0), 5,
	/* 7: struct deep { struct deep-anonymous...: itself, anonymously } */
	S_DEEP, INFO(BTF_KIND_STRUCT, 1, 0), 4,
	0, 7, 0,
};

/* header + types + strings; swap: the other byte order. */
static size_t make_blob(uint8_t *out, int swap)
{
	uint32_t hdr[6] = { 0, 24, 0, sizeof(types), sizeof(types), sizeof(strs) };
	uint16_t magic = 0xeb9f;
	uint32_t w[sizeof(types) / 4];

	memcpy(w, types, sizeof(types));
	if (swap) {
		magic = __builtin_bswap16(magic);
		for (size_t i = 1; i < 6; i++)
			hdr[i] = __builtin_bswap32(hdr[i]);
		for (size_t i = 0; i < sizeof(w) / 4; i++)
			w[i] = __builtin_bswap32(w[i]);
	}
	memcpy(hdr, &magic, 2);
	((uint8_t *)hdr)[2] = 1;
	((uint8_t *)hdr)[3] = 0;
	memcpy(out, hdr, 24);
	memcpy(out + 24, w, sizeof(w));
	memcpy(out + 24 + sizeof(w), strs, sizeof(strs));
	return 24 + sizeof(w) + sizeof(strs);
}

#define SEEN_MAX 1024

struct seen {
	char names[SEEN_MAX][64];
	uint64_t off[SEEN_MAX];
	uint32_t bits[SEEN_MAX];
	int n;
};

static int note(void *ctx, const struct btf_member *m)
{
	struct seen *s = ctx;

	if (s->n < SEEN_MAX) {
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", m->name);
		s->off[s->n] = m->bit_off;
		s->bits[s->n++] = m->bit_size;
	}
	return 0;
}

static int find(const struct seen *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->names[i], name) == 0)
			return i;
	return -1;
}

static int handmade(void)
{
	uint8_t blob[512];
	struct khdr_err e = { 0 };

	for (int swap = 0; swap < 2; swap++) {
		size_t n = make_blob(blob, swap);
		static struct seen s;
		struct btf b;
		uint32_t id;
		bool td;

		CHECK_INT(btf_parse(&b, blob, n, &e), 0);
		CHECK_INT(b.n, 7);
		CHECK_INT(btf_count(&b, BTF_KIND_STRUCT), 2);
		s.n = 0;
		CHECK_INT(btf_find_struct(&b, "s", &id, &td), 0);
		CHECK_INT(id, 2);
		CHECK(!td);
		CHECK_INT(btf_members(&b, id, note, &s), 0);
		CHECK_INT(s.n, 5);
		CHECK_STR(s.names[0], "a");
		CHECK_INT(s.off[find(&s, "b")], 32);
		CHECK_INT(s.bits[find(&s, "b")], 3);
		CHECK_INT(s.off[find(&s, "u1")], 64);      /* flattened */
		CHECK_INT(s.off[find(&s, "u2")], 64);
		CHECK_INT(s.off[find(&s, "z")], 96);
		CHECK_INT(s.bits[find(&s, "z")], 0);
		/* a typedef leads to its struct; a loop of typedefs ends */
		CHECK_INT(btf_find_struct(&b, "s_t", &id, &td), 0);
		CHECK(td && id == 2);
		CHECK_INT(btf_find_struct(&b, "loop1", &id, &td), -ENOENT);
		CHECK_INT(btf_find_struct(&b, "int", &id, &td), -ENOENT);
		/* a struct containing itself anonymously: deep, not endless */
		CHECK_INT(btf_find_struct(&b, "deep", &id, &td), 0);
		CHECK_INT(btf_members(&b, id, note, &s), -ELOOP);
		btf_free(&b);
	}
	return 0;
}

static int hostile(void)
{
	uint8_t blob[512], bad[512];
	size_t n = make_blob(blob, 0);
	struct khdr_err e = { 0 };
	struct btf b;

	for (size_t cut = 0; cut < n; cut += 7) {
		e.msg[0] = '\0';
		CHECK_INT(btf_parse(&b, blob, cut, &e), -EBADMSG);
		CHECK(*e.msg);
	}
	memcpy(bad, blob, n);
	bad[0] ^= 1;                                   /* magic */
	CHECK_INT(btf_parse(&b, bad, n, &e), -EBADMSG);
	CHECK(strstr(e.msg, "magic") != NULL);
	memcpy(bad, blob, n);
	bad[2] = 2;                                    /* version */
	CHECK_INT(btf_parse(&b, bad, n, &e), -EBADMSG);
	memcpy(bad, blob, n);
	bad[24] = 0xff;                                /* name of type 1 out of range */
	CHECK_INT(btf_parse(&b, bad, n, &e), -EBADMSG);
	memcpy(bad, blob, n);
	bad[24 + 4 * 4 + 12 + 4] = 99;                 /* member a's type id */
	CHECK_INT(btf_parse(&b, bad, n, &e), -EBADMSG);
	memcpy(bad, blob, n);
	bad[24 + 7] = 0x1f;                            /* kind 31 */
	CHECK_INT(btf_parse(&b, bad, n, &e), -EBADMSG);
	memcpy(bad, blob, n);
	bad[n - 1] = 'x';                              /* strings not terminated */
	CHECK_INT(btf_parse(&b, bad, n, &e), -EBADMSG);
	memcpy(bad, blob, n);
	bad[24 + 12 + 4] = 0xff;                       /* struct s: vlen 0x4ff */
	CHECK_INT(btf_parse(&b, bad, n, &e), -EBADMSG);
	return 0;
}

/* ---- the host's BTF, against bpftool ---- */

static char *raw;          /* bpftool btf dump ... format raw */
static size_t raw_len;

static void load_raw(const char *path)
{
	char cmd[4200];
	FILE *p;
	size_t cap = 0, got;

	snprintf(cmd, sizeof(cmd), "bpftool btf dump file '%s' format raw 2>/dev/null", path);
	p = popen(cmd, "r");
	if (!p)
		return;
	do {
		if (raw_len + 65536 > cap) {
			cap = cap ? 2 * cap : 1 << 24;
			raw = realloc(raw, cap + 1);
		}
		got = fread(raw + raw_len, 1, cap - raw_len, p);
		raw_len += got;
	} while (got);
	if (pclose(p) != 0 || !raw_len) {
		free(raw);
		raw = NULL;
		raw_len = 0;
		return;
	}
	raw[raw_len] = '\0';
}

static unsigned raw_count(const char *kind)
{
	char pat[32];
	unsigned n = 0;

	snprintf(pat, sizeof(pat), "] %s '", kind);
	for (const char *p = raw; (p = strstr(p, pat)); p++)
		n++;
	return n;
}

/* The line "[id] ..." of bpftool's dump. */
static const char *raw_type(unsigned long id)
{
	char pat[32];
	const char *p;

	snprintf(pat, sizeof(pat), "\n[%lu] ", id);
	p = strstr(raw, pat);
	return p ? p + 1 : NULL;
}

/*
 * Every named member bpftool lists under type line t, anonymous ones
 * followed, must be in ours with the same bit offset and width.
 */
static int cross_check(const char *t, uint64_t base, const struct seen *s, int depth)
{
	int checked = 0;
	const char *p = strchr(t, '\n');

	while (p && p[1] == '\t' && depth < 8) {
		char name[128];
		unsigned long type, off, bits = 0;
		const char *q = p + 2;

		p = strchr(q, '\n');
		if (sscanf(q, "'%127[^']' type_id=%lu bits_offset=%lu", name, &type, &off) != 3)
			continue;
		if (strcmp(name, "(anon)") != 0) {
			int i = find(s, name);
			const char *bf = strstr(q, "bitfield_size=");

			if (bf && (!p || bf < p))
				bits = strtoul(bf + 14, NULL, 10);
			CHECK(i >= 0);
			if (i >= 0) {
				CHECK_INT(s->off[i], base + off);
				CHECK_INT(s->bits[i], bits);
			}
			checked++;
		} else {
			/* bpftool calls anonymous members and types '(anon)' */
			const char *inner = raw_type(type);

			if (inner && (strstr(inner, "] STRUCT '(anon)' ") == strchr(inner, ']') ||
				      strstr(inner, "] UNION '(anon)' ") == strchr(inner, ']')))
				checked += cross_check(inner, base + off, s, depth + 1);
		}
	}
	return checked;
}

static int host_struct(const struct btf *b, const char *name, int *checked)
{
	struct seen *s = calloc(1, sizeof(*s));
	char pat[80];
	const char *t;
	uint32_t id;
	bool td;

	*checked = 0;
	CHECK_INT(btf_find_struct(b, name, &id, &td), 0);
	if (!s || btf_find_struct(b, name, &id, &td) < 0) {
		free(s);
		return 0;
	}
	CHECK_INT(btf_members(b, id, note, s), 0);
	if (raw) {
		snprintf(pat, sizeof(pat), "[%u] STRUCT '%s' ", id, name);
		t = strstr(raw, pat);
		CHECK(t != NULL);
		if (t) {
			struct btf_type bt;
			unsigned long size = 0;

			btf_type(b, id, &bt);
			sscanf(strstr(t, "size="), "size=%lu", &size);
			CHECK_INT(bt.size_or_type, size);
			*checked = cross_check(t, 0, s, 0);
		}
	}
	free(s);
	return 0;
}

static int host(void)
{
	const char *path = getenv("KHDR_BTF") ? getenv("KHDR_BTF") : "/sys/kernel/btf/vmlinux";
	struct khdr_err e = { 0 };
	unsigned char *data;
	size_t len;
	struct btf b;
	int checked;

	data = unit_slurp(path, &len);
	if (!data)
		return unit_skip("no readable /sys/kernel/btf/vmlinux (a kernel without CONFIG_DEBUG_INFO_BTF)");
	CHECK_INT(btf_parse(&b, data, len, &e), 0);
	if (e.msg[0])
		printf("    %s\n", e.msg);
	CHECK(btf_count(&b, BTF_KIND_STRUCT) > 1000);
	load_raw(path);
	printf("    %s: %u types, %u structs, %u unions%s\n", path, b.n,
	       btf_count(&b, BTF_KIND_STRUCT), btf_count(&b, BTF_KIND_UNION),
	       raw ? "; cross-checked with bpftool" : "; no bpftool: not cross-checked");
	if (raw) {
		CHECK_INT(btf_count(&b, BTF_KIND_STRUCT), raw_count("STRUCT"));
		CHECK_INT(btf_count(&b, BTF_KIND_UNION), raw_count("UNION"));
		CHECK(raw_type(b.n) != NULL && raw_type(b.n + 1) == NULL);
	}
	host_struct(&b, "task_struct", &checked);
	printf("    task_struct: %d members cross-checked\n", checked);
	CHECK(!raw || checked >= 32);
	host_struct(&b, "sk_buff", &checked);
	printf("    sk_buff: %d members cross-checked (anonymous unions followed)\n", checked);
	CHECK(!raw || checked >= 32);
	btf_free(&b);
	free(data);
	return 0;
}

int main(void)
{
	TEST(handmade);
	TEST(hostile);
	TEST(host);
	free(raw);
	return unit_done();
}
