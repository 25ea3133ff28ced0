/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tar.c - the streaming tar reader: ustar, GNU long names and links, pax headers. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format/tar.h"

#define BLOCK 512
/* GNU tar's range for a size (off_t): with its padding it fits a uint64_t. */
#define SIZE_MAX_TAR ((uint64_t)INT64_MAX)

struct pending {
	bool have_path, have_link, have_size, have_mtime;
	uint64_t size;
	int64_t mtime;
	/* GNU sparse in pax records: 0.0 (offset/numbytes), 0.1 (map), or
	 * the major.minor stated (1.0). */
	bool sparse, sparse_map;
	char sparse_major[8], sparse_minor[8];
};

/* The supply's own errors (a corrupt xz stream) are not the archive's
 * truncation: they keep their message. */
static int fill(void *ctx, const uint8_t **p, size_t *n, struct khdr_err *e)
{
	struct tar_reader *t = ctx;
	int r = t->fill(t->fill_ctx, p, n, e);

	t->fill_failed = r < 0;
	return r;
}

void tar_init(struct tar_reader *t, bs_fill_fn supply, void *ctx)
{
	memset(t, 0, sizeof(*t));
	t->fill = supply;
	t->fill_ctx = ctx;
	bs_init(&t->in, fill, t);
}

void tar_free(struct tar_reader *t)
{
	free(t->pax);
	t->pax = NULL;
}

static int truncated(struct khdr_err *e)
{
	return err_set(e, EPIPE, "archive is truncated");
}

/* Truncation is reported in the archive's own words. */
static int skip(struct tar_reader *t, uint64_t n, struct khdr_err *e)
{
	int r = bs_skip(&t->in, n, e);

	return r == -EPIPE && !t->fill_failed ? truncated(e) : r;
}

static int read_exact(struct tar_reader *t, void *buf, size_t n, bool *eof,
		      struct khdr_err *e)
{
	int r = bs_read(&t->in, buf, n, eof, e);

	return r == -EPIPE && !t->fill_failed ? truncated(e) : r;
}

/* Octal, NUL/space terminated, or GNU base-256 when the top bit is set. */
static int parse_number(const uint8_t *f, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (f[0] & 0x80) {
		if (f[0] != 0x80)        /* negative or oversized */
			return -EBADMSG;
		for (i = 1; i < len; i++) {
			if (v >> 56)
				return -EBADMSG;
			v = v << 8 | f[i];
		}
		*out = v;
		return 0;
	}
	while (i < len && f[i] == ' ')
		i++;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 61)
			return -EBADMSG;
		v = v << 3 | (uint64_t)(f[i] - '0');
	}
	if (i < len && f[i] != '\0' && f[i] != ' ')
		return -EBADMSG;
	*out = v;
	return 0;
}

/* A header's size field, in GNU tar's range ("out of range" beyond). */
static int header_size(const struct tar_reader *t, const uint8_t *h,
		       uint64_t *size, struct khdr_err *e)
{
	if (parse_number(h + 124, 12, size) < 0)
		return err_set(e, EBADMSG, "bad size in tar header at offset %llu",
			       (unsigned long long)(t->in.offset - BLOCK));
	if (*size > SIZE_MAX_TAR)
		return err_set(e, EBADMSG,
			       "size %llu in tar header at offset %llu is out of range (at most %llu)",
			       (unsigned long long)*size,
			       (unsigned long long)(t->in.offset - BLOCK),
			       (unsigned long long)SIZE_MAX_TAR);
	return 0;
}

static bool checksum_ok(const uint8_t *h)
{
	uint64_t want;
	unsigned long usum = 0;
	long ssum = 0;

	if (parse_number(h + 148, 8, &want) < 0)
		return false;
	for (int i = 0; i < BLOCK; i++) {
		uint8_t c = (i >= 148 && i < 156) ? ' ' : h[i];

		usum += c;
		ssum += (signed char)c;
	}
	/* Some old tars summed signed chars; accept either. */
	return want == usum || (int64_t)want == ssum;
}

static bool all_zero(const uint8_t *h)
{
	for (int i = 0; i < BLOCK; i++)
		if (h[i])
			return false;
	return true;
}

/* Copy a fixed-size, maybe unterminated header field. */
static void field_copy(char *dst, const uint8_t *f, size_t len)
{
	size_t n = strnlen((const char *)f, len);

	memcpy(dst, f, n);
	dst[n] = '\0';
}

/* Read a GNU 'L'/'K' member: the data is the name. */
static int read_long_name(struct tar_reader *t, uint64_t size, char *dst,
			  struct khdr_err *e)
{
	uint64_t padded;
	bool eof;
	int r;

	if (size == 0 || size > TAR_NAME_MAX + 1)
		return err_set(e, ENAMETOOLONG,
			       "GNU long name of %llu bytes (limit %d)",
			       (unsigned long long)size, TAR_NAME_MAX);
	padded = (size + BLOCK - 1) / BLOCK * BLOCK;
	r = read_exact(t, dst, (size_t)size, &eof, e);
	if (r == 0 && eof)
		r = truncated(e);
	if (r < 0)
		return r;
	dst[size <= TAR_NAME_MAX ? size : TAR_NAME_MAX] = '\0';
	return skip(t, padded - size, e);
}

static int pax_value(const char *v, size_t n, char *dst, struct khdr_err *e)
{
	if (n > TAR_NAME_MAX - 1)
		return err_set(e, ENAMETOOLONG,
			       "pax path of %zu bytes (limit %d)", n,
			       TAR_NAME_MAX - 1);
	if (memchr(v, '\0', n))
		return err_set(e, EBADMSG, "pax path contains a NUL byte");
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

static int pax_decimal(const char *v, size_t n, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	for (i = 0; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
		if (x > (UINT64_MAX - 9) / 10)
			return -EBADMSG;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	/* mtime may carry a fraction; nothing else may follow. */
	if (i == 0 || (i < n && v[i] != '.'))
		return -EBADMSG;
	*out = x;
	return 0;
}

/*
 * GNU sparse files in pax records (formats 0.0, 0.1, 1.0): the member's
 * data is not the file, so they are refused once the member's name is
 * known (make_entry); kernel header archives have none.  Here only the
 * format is noted, and 1.0's real name.
 */
static int sparse_record(struct tar_reader *t, const char *key, size_t klen,
			 const char *v, size_t vlen, struct pending *p,
			 struct khdr_err *e)
{
#define SKEY_IS(s) (klen == sizeof(s) - 1 && memcmp(key, s, klen) == 0)
	int n = (int)(vlen < 6 ? vlen : 6);

	if (SKEY_IS("name")) {
		p->have_path = true;
		return pax_value(v, vlen, t->path, e);
	}
	if (SKEY_IS("major"))
		snprintf(p->sparse_major, sizeof(p->sparse_major), "%.*s", n, v);
	else if (SKEY_IS("minor"))
		snprintf(p->sparse_minor, sizeof(p->sparse_minor), "%.*s", n, v);
	else if (SKEY_IS("map"))
		p->sparse_map = true;
	p->sparse = true;
#undef SKEY_IS
	return 0;
}

/* Apply one "key=value" pax record. */
static int pax_record(struct tar_reader *t, const char *key, size_t klen,
		      const char *v, size_t vlen, struct pending *p,
		      struct khdr_err *e)
{
	uint64_t num;

#define KEY_IS(s) (klen == sizeof(s) - 1 && memcmp(key, s, klen) == 0)
	if (KEY_IS("path")) {
		p->have_path = true;
		return pax_value(v, vlen, t->path, e);
	}
	if (KEY_IS("linkpath")) {
		p->have_link = true;
		return pax_value(v, vlen, t->link, e);
	}
	if (KEY_IS("size")) {
		if (pax_decimal(v, vlen, &num) < 0 || memchr(v, '.', vlen))
			return err_set(e, EBADMSG, "bad pax size '%.*s'",
				       (int)(vlen > 32 ? 32 : vlen), v);
		if (num > SIZE_MAX_TAR)
			return err_set(e, EBADMSG,
				       "pax size=%.*s is out of range (at most %llu)",
				       (int)(vlen > 32 ? 32 : vlen), v,
				       (unsigned long long)SIZE_MAX_TAR);
		p->have_size = true;
		p->size = num;
	} else if (klen > 11 && memcmp(key, "GNU.sparse.", 11) == 0) {
		return sparse_record(t, key + 11, klen - 11, v, vlen, p, e);
	} else if (KEY_IS("mtime")) {
		if (vlen && v[0] != '-' && pax_decimal(v, vlen, &num) == 0 &&
		    num <= INT64_MAX) {
			p->have_mtime = true;
			p->mtime = (int64_t)num;
		}
	}
#undef KEY_IS
	return 0;
}

static int parse_pax(struct tar_reader *t, size_t size, struct pending *p,
		     struct khdr_err *e)
{
	const char *s = t->pax, *end = t->pax + size;

	while (s < end) {
		const char *sp, *eq, *rec_end;
		uint64_t len = 0;
		int r;

		for (sp = s; sp < end && *sp >= '0' && *sp <= '9'; sp++) {
			len = len * 10 + (uint64_t)(*sp - '0');
			if (len > size)
				break;
		}
		if (sp == s || sp >= end || *sp != ' ' || len > (uint64_t)(end - s) ||
		    len <= (uint64_t)(sp - s) + 1)
			return err_set(e, EBADMSG, "malformed pax header");
		rec_end = s + len;
		eq = memchr(sp + 1, '=', (size_t)(rec_end - sp - 1));
		if (!eq || rec_end[-1] != '\n')
			return err_set(e, EBADMSG, "malformed pax record");
		r = pax_record(t, sp + 1, (size_t)(eq - sp - 1), eq + 1,
			       (size_t)(rec_end - eq - 2), p, e);
		if (r < 0)
			return r;
		s = rec_end;
	}
	return 0;
}

static int read_pax(struct tar_reader *t, uint64_t size, bool global,
		    struct pending *p, struct khdr_err *e)
{
	uint64_t padded = (size + BLOCK - 1) / BLOCK * BLOCK;
	bool eof;
	int r;

	if (global)             /* 'g' only sets defaults we do not use */
		return skip(t, padded, e);
	if (size > TAR_PAX_MAX)
		return err_set(e, E2BIG, "pax header of %llu bytes (limit %u)",
			       (unsigned long long)size, TAR_PAX_MAX);
	if (!t->pax || t->pax_size < size) {
		char *n = realloc(t->pax, TAR_PAX_MAX);

		if (!n)
			return err_set(e, ENOMEM, "out of memory");
		t->pax = n;
		t->pax_size = TAR_PAX_MAX;
	}
	r = read_exact(t, t->pax, (size_t)size, &eof, e);
	if (r == 0 && eof && size)
		r = truncated(e);
	if (r < 0)
		return r;
	r = parse_pax(t, (size_t)size, p, e);
	if (r < 0)
		return r;
	return skip(t, padded - size, e);
}

static enum entry_type type_of(char flag)
{
	switch (flag) {
	case '0': case '\0': case '7':
		return ENTRY_FILE;
	case '1':
		return ENTRY_HARDLINK;
	case '2':
		return ENTRY_SYMLINK;
	case '3':
		return ENTRY_CHAR;
	case '4':
		return ENTRY_BLOCK;
	case '5':
		return ENTRY_DIR;
	case '6':
		return ENTRY_FIFO;
	default:
		return ENTRY_OTHER;
	}
}

/*
 * Sparse members are refused, never skipped: an old GNU 'S' header may be
 * followed by extension headers its size does not count, and the pax
 * formats' data is a map and fragments, not the file.  Kernel header
 * archives have none; GNU tar writes them only with --sparse.
 */
static int refuse_sparse(const struct tar_reader *t, const uint8_t *h,
			 const struct pending *p, struct khdr_err *e)
{
	char fmt[64];

	if (h[156] == 'S')
		snprintf(fmt, sizeof(fmt), "old GNU format, type 'S'%s",
			 h[482] ? ", with extension headers" : "");
	else if (p->sparse && (p->sparse_major[0] || p->sparse_minor[0]))
		snprintf(fmt, sizeof(fmt), "pax format %s.%s", p->sparse_major,
			 p->sparse_minor);
	else if (p->sparse)
		snprintf(fmt, sizeof(fmt), "pax format %s", p->sparse_map ? "0.1" : "0.0");
	else
		return 0;
	return err_set(e, ENOTSUP,
		       "refusing member '%.200s': a GNU sparse file (%s); khdr-cache does not read sparse members (kernel header archives have none)",
		       t->path, fmt);
}

/* Fill t->entry from a plain header and whatever extensions preceded it. */
/*
 * A regular file whose name ends in '/' is a directory, as GNU tar and
 * libarchive read it (the old BSD convention); its data, if any, is
 * skipped as GNU tar skips it, never written.  Sizes are at most
 * INT64_MAX (header_size), so size plus padding cannot wrap.
 */
static bool names_a_directory(const char *path)
{
	size_t n = strlen(path);

	return n && path[n - 1] == '/';
}

static int make_dir_of_file(struct tar_reader *t, struct entry *en)
{
	en->type = ENTRY_DIR;
	t->data_left = 0;
	t->pad_left = en->size + (BLOCK - en->size % BLOCK) % BLOCK;
	en->size = 0;
	return 0;
}

static int make_entry(struct tar_reader *t, const uint8_t *h,
		      const struct pending *p, struct khdr_err *e)
{
	struct entry *en = &t->entry;
	uint64_t size, mode, mtime;
	bool posix = memcmp(h + 257, "ustar\0", 6) == 0;

	int r = header_size(t, h, &size, e);

	if (r < 0)
		return r;
	if (parse_number(h + 100, 8, &mode) < 0 ||
	    parse_number(h + 136, 12, &mtime) < 0)
		return err_set(e, EBADMSG, "bad number in tar header at offset %llu",
			       (unsigned long long)(t->in.offset - BLOCK));
	if (!p->have_path) {
		if (posix && h[345]) {
			field_copy(t->path, h + 345, 155);
			strcat(t->path, "/");
			field_copy(t->path + strlen(t->path), h, 100);
		} else {
			field_copy(t->path, h, 100);
		}
	}
	if (!p->have_link)
		field_copy(t->link, h + 157, 100);
	en->path = t->path;
	en->link = t->link;
	r = refuse_sparse(t, h, p, e);
	if (r < 0)
		return r;
	en->type = type_of((char)h[156]);
	en->mode = (uint32_t)(mode & 07777);
	en->size = p->have_size ? p->size : size;
	en->mtime = p->have_mtime ? p->mtime : (int64_t)mtime;
	if (en->type == ENTRY_FILE && names_a_directory(en->path))
		return make_dir_of_file(t, en);
	/* Only regular files (and unknown types, read as files) carry data. */
	t->data_left = (en->type == ENTRY_FILE || en->type == ENTRY_OTHER)
			       ? en->size : 0;
	if (t->data_left != en->size)
		en->size = 0;
	t->pad_left = (BLOCK - t->data_left % BLOCK) % BLOCK;
	return 0;
}

int tar_next(struct tar_reader *t, const struct entry **entry,
	     struct khdr_err *e)
{
	struct pending p = { 0 };
	int r;

	r = skip(t, t->data_left + t->pad_left, e);
	if (r < 0)
		return r;
	t->data_left = t->pad_left = 0;
	for (;;) {
		uint64_t size;
		bool eof;
		char flag;

		r = read_exact(t, t->block, BLOCK, &eof, e);
		if (r < 0)
			return r;
		/* The end: two zero blocks, one, or none at all. */
		if (eof || all_zero(t->block)) {
			if (p.have_path || p.have_link || p.have_size)
				return truncated(e);
			return 0;
		}
		if (!checksum_ok(t->block))
			return err_set(e, EBADMSG,
				       "not a tar archive, or corrupt: bad header checksum at offset %llu",
				       (unsigned long long)(t->in.offset - BLOCK));
		flag = (char)t->block[156];
		r = header_size(t, t->block, &size, e);
		if (r < 0)
			return r;
		if (flag == 'L') {
			r = read_long_name(t, size, t->path, e);
			p.have_path = true;
		} else if (flag == 'K') {
			r = read_long_name(t, size, t->link, e);
			p.have_link = true;
		} else if (flag == 'x' || flag == 'X' || flag == 'g') {
			/* 'X': Solaris' extended header, read as 'x' by GNU tar. */
			r = read_pax(t, size, flag == 'g', &p, e);
		} else {
			r = make_entry(t, t->block, &p, e);
			if (r < 0)
				return r;
			*entry = &t->entry;
			return 1;
		}
		if (r < 0)
			return r;
	}
}

int tar_data(struct tar_reader *t, const uint8_t **p, size_t *n,
	     struct khdr_err *e)
{
	bool eof;
	int r;

	*n = 0;
	if (!t->data_left)
		return 0;
	r = bs_more(&t->in, &eof, e);
	if (r < 0)
		return r;
	if (eof)
		return truncated(e);
	*p = t->in.chunk;
	*n = t->in.avail < t->data_left ? t->in.avail : (size_t)t->data_left;
	bs_consume(&t->in, *n);
	t->data_left -= *n;
	return 0;
}

int tar_read_all(struct tar_reader *t, char *buf, size_t size, size_t *len,
		 struct khdr_err *e)
{
	size_t have = 0;

	for (;;) {
		const uint8_t *p;
		size_t n;
		int r = tar_data(t, &p, &n, e);

		if (r < 0)
			return r;
		if (n == 0)
			break;
		if (n > size - have)
			return err_set(e, EFBIG, "%s is larger than %zu bytes",
				       t->entry.path, size);
		memcpy(buf + have, p, n);
		have += n;
	}
	*len = have;
	return 0;
}
