/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-tar.c - the streaming tar reader: the genuine kheaders archive, then
 * hand-made archives for each header flavour, fed in chunks of every size
 * so that headers straddle chunk boundaries. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>

#include <lzma.h>
#include <unistd.h>

#include "format/tar.h"
#include "stream/decomp.h"
#include "stream/input.h"
#include "unit.h"

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void pad(struct buf *b)
{
	static const uint8_t zero[512];

	put(b, zero, (512 - b->len % 512) % 512);
}

/* One header; gnu selects "ustar  \0" magic, else POSIX "ustar\0" "00". */
static void header(struct buf *b, const char *name, char type, uint64_t size,
		   const char *link, bool gnu, const char *prefix)
{
	uint8_t h[512] = { 0 };
	unsigned sum = 0;

	memcpy(h, name, strnlen(name, 100));
	snprintf((char *)h + 100, 8, "%07o", type == '5' ? 0755 : 0644);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size & 077777777777ULL);
	snprintf((char *)h + 136, 12, "%011o", 1700000000);
	h[156] = (uint8_t)type;
	if (link)
		memcpy(h + 157, link, strnlen(link, 100));
	memcpy(h + 257, gnu ? "ustar  " : "ustar\0" "00", 8);
	if (prefix)
		memcpy(h + 345, prefix, strlen(prefix));
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	put(b, h, 512);
}

static void file(struct buf *b, const char *name, const char *data)
{
	header(b, name, '0', strlen(data), NULL, false, NULL);
	put(b, data, strlen(data));
	pad(b);
}

static void pax(struct buf *b, const char *records)
{
	header(b, "PaxHeaders/x", 'x', strlen(records), NULL, false, NULL);
	put(b, records, strlen(records));
	pad(b);
}

/* "LEN key=value\n" with LEN counting itself. */
static const char *rec(const char *key, const char *value)
{
	static char out[4][512];
	static int next;
	char *o = out[next++ % 4];
	size_t body = strlen(key) + strlen(value) + 3, len = body + 1;

	while (snprintf(NULL, 0, "%zu", len) + body != len)
		len++;
	snprintf(o, 512, "%zu %s=%s\n", len, key, value);
	return o;
}

static void end(struct buf *b)
{
	static const uint8_t zero[1024];

	put(b, zero, sizeof(zero));
}

struct feeder {
	const uint8_t *p;
	size_t len, pos, chunk;
};

static int feed(void *ctx, const uint8_t **p, size_t *n, struct khdr_err *e)
{
	struct feeder *f = ctx;

	(void)e;
	*p = f->p + f->pos;
	*n = f->len - f->pos < f->chunk ? f->len - f->pos : f->chunk;
	f->pos += *n;
	return 0;
}

/* Read all members as "type:path[->link]:data;" into out. */
static int list(const struct buf *b, size_t chunk, char *out, size_t size,
		struct khdr_err *e)
{
	struct feeder f = { b->p, b->len, 0, chunk };
	struct tar_reader t;
	const struct entry *en;
	int r;

	out[0] = '\0';
	tar_init(&t, feed, &f);
	while ((r = tar_next(&t, &en, e)) == 1) {
		char data[256];
		size_t len = 0;
		snprintf(out + strlen(out), size - strlen(out), "%d:%s", en->type, en->path);
		if (en->type == ENTRY_SYMLINK || en->type == ENTRY_HARDLINK)
			snprintf(out + strlen(out), size - strlen(out), "->%s", en->link);
		for (;;) {
			const uint8_t *p;
			size_t n;

			r = tar_data(&t, &p, &n, e);
			if (r < 0 || n == 0)
				break;
			if (n > sizeof(data) - 1 - len)
				n = sizeof(data) - 1 - len;
			memcpy(data + len, p, n);
			len += n;
		}
		if (r < 0)
			break;
		data[len] = '\0';
		snprintf(out + strlen(out), size - strlen(out), ":%s;", data);
	}
	tar_free(&t);
	return r;
}

/* The listing must not depend on how the bytes are chunked. */
static void check_all_chunkings(const struct buf *b, const char *expect, int want_r)
{
	static const size_t chunks[] = { 1, 7, 511, 512, 513, 4096, 1 << 20 };
	char out[8192];
	struct khdr_err e = { 0 };

	for (size_t i = 0; i < sizeof(chunks) / sizeof(*chunks); i++) {
		int r = list(b, chunks[i], out, sizeof(out), &e);

		CHECK_INT(r, want_r);
		if (expect)
			CHECK_STR(out, expect);
	}
}

static int ustar_basic(void)
{
	struct buf b = { 0 };

	header(&b, "./dir/", '5', 0, NULL, false, NULL);
	file(&b, "./dir/a.h", "hello");
	header(&b, "./dir/l", '2', 0, "a.h", false, NULL);
	header(&b, "./dir/h", '1', 0, "./dir/a.h", false, NULL);
	file(&b, "empty", "");
	end(&b);
	check_all_chunkings(&b, "1:./dir/:;0:./dir/a.h:hello;2:./dir/l->a.h:;3:./dir/h->./dir/a.h:;0:empty:;", 0);
	free(b.p);
	return 0;
}

static int ustar_prefix(void)
{
	struct buf b = { 0 };

	header(&b, "name.h", '0', 1, NULL, false, "some/long/prefix");
	put(&b, "x", 1);
	pad(&b);
	header(&b, "gnu.h", '0', 0, NULL, true, "ignored-in-gnu");
	end(&b);
	check_all_chunkings(&b, "0:some/long/prefix/name.h:x;0:gnu.h:;", 0);
	free(b.p);
	return 0;
}

static int gnu_long_names(void)
{
	struct buf b = { 0 };
	char longname[301], longlink[201], expect[1024];

	memset(longname, 'n', 300);
	longname[300] = '\0';
	memset(longlink, 'k', 200);
	longlink[200] = '\0';
	header(&b, "././@LongLink", 'L', 301, NULL, true, NULL);
	put(&b, longname, 301);
	pad(&b);
	file(&b, "truncated-name", "data");
	header(&b, "././@LongLink", 'K', 201, NULL, true, NULL);
	put(&b, longlink, 201);
	pad(&b);
	header(&b, "sym", '2', 0, "short", true, NULL);
	end(&b);
	snprintf(expect, sizeof(expect), "0:%s:data;2:sym->%s:;", longname, longlink);
	check_all_chunkings(&b, expect, 0);
	free(b.p);
	return 0;
}

static int pax_records(void)
{
	struct buf b = { 0 };

	char two[1024];

	pax(&b, rec("path", "a/very/long/pax/path.h"));
	file(&b, "short", "abc");
	pax(&b, rec("linkpath", "tgt"));
	header(&b, "l", '2', 0, "ignored", false, NULL);
	/* size from pax overrides the header's */
	snprintf(two, sizeof(two), "%s%s", rec("size", "4"), rec("mtime", "1.5000000"));
	pax(&b, two);
	header(&b, "sized", '0', 99, NULL, false, NULL);
	put(&b, "wxyz", 4);
	pad(&b);
	/* a global header is skipped */
	header(&b, "g", 'g', 20, NULL, false, NULL);
	put(&b, "20 comment=ignored\n\n", 20);
	pad(&b);
	file(&b, "last", "z");
	end(&b);
	check_all_chunkings(&b, "0:a/very/long/pax/path.h:abc;2:l->tgt:;0:sized:wxyz;0:last:z;", 0);
	free(b.p);
	return 0;
}

static int pax_size_beyond_data(void)
{
	struct buf b = { 0 };

	pax(&b, rec("size", "1000000"));
	header(&b, "liar", '0', 4, NULL, false, NULL);
	put(&b, "abcd", 4);
	pad(&b);
	end(&b);
	check_all_chunkings(&b, NULL, -EPIPE);
	free(b.p);
	return 0;
}

static int malformed_headers(void)
{
	struct buf b = { 0 };
	char out[1024];
	struct khdr_err e;

	file(&b, "ok", "1");
	end(&b);
	b.p[0] ^= 1;                       /* checksum no longer matches */
	CHECK_INT(list(&b, 512, out, sizeof(out), &e), -EBADMSG);
	CHECK(strstr(e.msg, "checksum") != NULL);
	free(b.p);

	memset(&b, 0, sizeof(b));
	pax(&b, "99 path=x\n");            /* record longer than the header */
	file(&b, "f", "");
	end(&b);
	CHECK_INT(list(&b, 512, out, sizeof(out), &e), -EBADMSG);
	free(b.p);

	memset(&b, 0, sizeof(b));
	header(&b, "././@LongLink", 'L', 1 << 20, NULL, true, NULL);   /* 1 MiB name */
	end(&b);
	CHECK_INT(list(&b, 512, out, sizeof(out), &e), -ENAMETOOLONG);
	free(b.p);

	memset(&b, 0, sizeof(b));
	file(&b, "cut", "0123456789");
	b.len -= 512 - 5;                  /* data cut short */
	CHECK_INT(list(&b, 7, out, sizeof(out), &e), -EPIPE);
	free(b.p);
	return 0;
}

static int base256_size(void)
{
	struct buf b = { 0 };
	unsigned sum = 0;

	header(&b, "big", '0', 0, NULL, true, NULL);
	/* rewrite size as GNU base-256: 3 bytes of data */
	memset(b.p + 124, 0, 12);
	b.p[124] = 0x80;
	b.p[135] = 3;
	memset(b.p + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += b.p[i];
	snprintf((char *)b.p + 148, 8, "%06o", sum);
	put(&b, "xyz", 3);
	pad(&b);
	end(&b);
	check_all_chunkings(&b, "0:big:xyz;", 0);
	free(b.p);
	return 0;
}

static int missing_end_marker(void)
{
	struct buf b = { 0 };

	file(&b, "a", "1");
	check_all_chunkings(&b, "0:a:1;", 0);
	free(b.p);
	return 0;
}

/* Rewrite a header's size field as GNU base-256 and fix its checksum. */
static void set_base256_size(uint8_t *h, uint64_t size)
{
	unsigned sum = 0;

	memset(h + 124, 0, 12);
	h[124] = 0x80;
	for (int i = 0; i < 8; i++)
		h[135 - i] = (uint8_t)(size >> (8 * i));
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
}

/*
 * A size that, with its padding, reaches 2^64 wrapped to 0: the next
 * header came from the member's own data.  GNU tar: "out of range".
 */
static int size_out_of_range(void)
{
	static const uint64_t sizes[] = { UINT64_MAX - 15, UINT64_MAX, (uint64_t)INT64_MAX + 1 };
	struct khdr_err e = { 0 };
	char out[512];

	for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++) {
		struct buf b = { 0 };
		char records[64];

		header(&b, "huge", 'Z', 0, NULL, true, NULL);
		set_base256_size(b.p, sizes[i]);
		file(&b, "smuggled", "x");
		end(&b);
		check_all_chunkings(&b, NULL, -EBADMSG);
		CHECK_INT(list(&b, 512, out, sizeof(out), &e), -EBADMSG);
		CHECK(strstr(e.msg, "out of range") != NULL);
		free(b.p);

		memset(&b, 0, sizeof(b));
		snprintf(records, sizeof(records), "%s",
			 rec("size", i == 0 ? "18446744073709551600" : "9223372036854775808"));
		pax(&b, records);
		header(&b, "huge", 'Z', 0, NULL, false, NULL);
		file(&b, "smuggled", "x");
		end(&b);
		check_all_chunkings(&b, NULL, -EBADMSG);
		CHECK_INT(list(&b, 512, out, sizeof(out), &e), -EBADMSG);
		CHECK(strstr(e.msg, "pax size=") != NULL && strstr(e.msg, "out of range") != NULL);
		free(b.p);
	}
	/* The largest size in range is a size: here a truncated archive. */
	{
		struct buf b = { 0 };

		header(&b, "big", 'Z', 0, NULL, true, NULL);
		set_base256_size(b.p, (uint64_t)INT64_MAX);
		end(&b);
		check_all_chunkings(&b, NULL, -EPIPE);
		free(b.p);
	}
	return 0;
}

/*
 * Old GNU sparse: the size counts the data only, not the extension
 * header after the main one; skipping by it landed on the data, here a
 * header GNU tar never sees.  Pax sparse: the data is not the file.
 */
static int sparse_refused(void)
{
	static const char *const paxes[][2] = {
		{ "GNU.sparse.size", "0.0" }, { "GNU.sparse.map", "0.1" },
		{ "GNU.sparse.major", "1.0" },
	};
	struct khdr_err e = { 0 };
	struct buf b = { 0 }, inner = { 0 };
	uint8_t ext[512] = { 0 };
	char out[512];
	unsigned sum = 0;

	header(&b, "holes", 'S', 512, NULL, true, NULL);
	b.p[482] = 1;                       /* isextended */
	memset(b.p + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += b.p[i];
	snprintf((char *)b.p + 148, 8, "%06o", sum);
	put(&b, ext, sizeof(ext));          /* the extension header */
	file(&inner, "smuggled", "x");      /* the "data": a header */
	put(&b, inner.p, 512);
	file(&b, "after", "y");
	end(&b);
	check_all_chunkings(&b, NULL, -ENOTSUP);
	CHECK_INT(list(&b, 512, out, sizeof(out), &e), -ENOTSUP);
	CHECK(strstr(e.msg, "'holes'") && strstr(e.msg, "old GNU format, type 'S', with extension headers"));
	free(b.p);
	free(inner.p);

	for (size_t i = 0; i < sizeof(paxes) / sizeof(*paxes); i++) {
		char records[256], want[64];

		memset(&b, 0, sizeof(b));
		snprintf(records, sizeof(records), "%s%s", rec(paxes[i][0], "1"),
			 i == 2 ? rec("GNU.sparse.minor", "0") : "");
		pax(&b, records);
		file(&b, "holes", "data");
		end(&b);
		check_all_chunkings(&b, NULL, -ENOTSUP);
		CHECK_INT(list(&b, 512, out, sizeof(out), &e), -ENOTSUP);
		snprintf(want, sizeof(want), "pax format %s", paxes[i][1]);
		CHECK(strstr(e.msg, "'holes'") && strstr(e.msg, want));
		free(b.p);
	}
	return 0;
}

static int xz_feed(void *ctx, const uint8_t **p, size_t *n, struct khdr_err *e)
{
	return decoder_fill(ctx, p, n, e);
}

static int genuine_archive(void)
{
	const char *dir = getenv("KHDR_ARTEFACTS");
	char path[4096], count[32] = "";
	struct tar_reader t;
	const struct entry *en;
	struct decoder d;
	struct khdr_err e;
	struct input in;
	unsigned long members = 0, files = 0, links = 0;
	bool saw_uts = false;
	int r;
	FILE *f;

	if (!dir)
		return unit_skip("KHDR_ARTEFACTS not set (tests/lib/build-artefacts.sh makes it)");
	snprintf(path, sizeof(path), "%s/members", dir);
	f = fopen(path, "r");
	CHECK(f && fgets(count, sizeof(count), f));
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "%s/kheaders.tar.xz", dir);
	CHECK_INT(input_open_file(&in, AT_FDCWD, path, &e), 0);
	CHECK_INT(decoder_init(&d, COMP_XZ, &in, 1 << 16, &e), 0);
	tar_init(&t, xz_feed, &d);
	while ((r = tar_next(&t, &en, &e)) == 1) {
		members++;
		files += en->type == ENTRY_FILE;
		links += en->type == ENTRY_SYMLINK;
		if (strcmp(en->path, "./include/generated/utsrelease.h") == 0) {
			char buf[256];
			size_t len;

			saw_uts = true;
			CHECK_INT(tar_read_all(&t, buf, sizeof(buf), &len, &e), 0);
			CHECK(len > 20 && memcmp(buf, "#define UTS_RELEASE \"", 21) == 0);
		}
	}
	CHECK_INT(r, 0);
	CHECK_INT(members, strtoul(count, NULL, 10));
	CHECK(files > 1000 && links > 0);
	CHECK(saw_uts);
	tar_free(&t);
	decoder_end(&d);
	input_close(&in);
	return 0;
}

/*
 * input_read() and input_next() share one position: bytes come in order
 * whichever is called, the CRC64 covers them all once, and reading past
 * the end is -EPIPE.  A file (read in chunks) and a buffer in memory.
 */
static void read_in_order(struct input *in, const uint8_t *want, size_t size)
{
	uint8_t got[100000], *rest = malloc(size + 1);
	const uint8_t *p;
	size_t n, pos = 0;

	CHECK_INT(input_read(in, got, 3), 0);
	CHECK(memcmp(got, want, 3) == 0);
	pos += 3;
	CHECK_INT(input_next(in, &p, &n), 0);
	CHECK(n > 0 && n <= size - pos && memcmp(p, want + pos, n) == 0);
	pos += n;
	CHECK_INT(input_read(in, got, sizeof(got)), 0);
	CHECK(memcmp(got, want + pos, sizeof(got)) == 0);
	pos += sizeof(got);
	CHECK_INT(in->pos, pos);
	CHECK_INT(input_read(in, rest, size - pos + 1), -EPIPE);
	free(rest);
}

static int input_read_and_next(void)
{
	char path[] = "/tmp/test-input.XXXXXX";
	size_t size = 700000;
	uint8_t *data = malloc(size);
	struct khdr_err e;
	struct input in;
	int fd = mkstemp(path);

	CHECK(data && fd >= 0);
	for (size_t i = 0; i < size; i++)
		data[i] = (uint8_t)(i * 2654435761u >> 13);
	CHECK_INT(write(fd, data, size), size);
	close(fd);

	CHECK_INT(input_open_file(&in, AT_FDCWD, path, &e), 0);
	read_in_order(&in, data, size);
	CHECK(lzma_crc64(data, (size_t)in.pos, 0) == in.crc64);
	CHECK_INT(input_finish(&in), 0);
	CHECK_INT(in.pos, size);
	CHECK(lzma_crc64(data, size, 0) == in.crc64);
	input_close(&in);

	input_from_memory(&in, data, size, NULL);
	read_in_order(&in, data, size);
	CHECK(lzma_crc64(data, (size_t)in.pos, 0) == in.crc64);
	CHECK_INT(input_finish(&in), 0);
	CHECK(lzma_crc64(data, size, 0) == in.crc64);
	input_close(&in);
	unlink(path);
	free(data);
	return 0;
}

/*
 * Two members GNU tar 1.34 and libarchive read otherwise than a plain
 * ustar reader would (found by fuzz-difftar): a regular file named with a
 * trailing '/' is a directory (its data skipped, never written), and a
 * Solaris 'X' extended header is a pax header.
 */
static int file_as_directory_and_solaris_x(void)
{
	struct buf b = { 0 };

	file(&b, "dir/", "data that is skipped");
	header(&b, "nul-type/", '\0', 0, NULL, false, NULL);
	file(&b, "after.h", "y");
	end(&b);
	check_all_chunkings(&b, "1:dir/:;1:nul-type/:;0:after.h:y;", 0);
	free(b.p);

	memset(&b, 0, sizeof(b));
	header(&b, "PaxHeaders/x", 'X', strlen(rec("path", "from-x.h")), NULL, false, NULL);
	put(&b, rec("path", "from-x.h"), strlen(rec("path", "from-x.h")));
	pad(&b);
	file(&b, "plain.h", "z");
	end(&b);
	check_all_chunkings(&b, "0:from-x.h:z;", 0);
	free(b.p);
	return 0;
}

int main(void)
{
	TEST(ustar_basic);
	TEST(ustar_prefix);
	TEST(gnu_long_names);
	TEST(pax_records);
	TEST(pax_size_beyond_data);
	TEST(malformed_headers);
	TEST(base256_size);
	TEST(missing_end_marker);
	TEST(size_out_of_range);
	TEST(sparse_refused);
	TEST(file_as_directory_and_solaris_x);
	TEST(genuine_archive);
	TEST(input_read_and_next);
	return unit_done();
}
