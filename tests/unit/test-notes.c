/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-notes.c - the ELF note walker, on Debian's genuine kernel notes and
 * on hand-made sequences for what real kernels do not show. */
#include <errno.h>
#include <stdint.h>

#include "base/khdr.h"
#include "format/notes.h"
#include "unit.h"

/* Append one note in the given byte order and alignment. */
static size_t put_note(uint8_t *buf, size_t pos, bool be, size_t align,
		       const char *name, uint32_t type, const void *desc,
		       uint32_t descsz)
{
	uint32_t namesz = (uint32_t)strlen(name) + 1, words[3] = { namesz, descsz, type };

	for (int i = 0; i < 3; i++)
		for (int b = 0; b < 4; b++)
			buf[pos + 4 * i + b] = (uint8_t)(be ? words[i] >> (24 - 8 * b)
							    : words[i] >> (8 * b));
	pos += 12;
	memcpy(buf + pos, name, namesz);
	pos = (pos + namesz + align - 1) & ~(align - 1);
	memcpy(buf + pos, desc, descsz);
	return (pos + descsz + align - 1) & ~(align - 1);
}

static const uint8_t id20[20] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6,
				  7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static int genuine_debian_notes(void)
{
	const char *path;
	char expect[256] = "", hex[2 * BUILD_ID_MAX + 1];
	struct build_id id;
	unsigned char *buf;
	size_t len, elen;
	FILE *f;

	path = getenv("KHDR_DEBIAN_KERNEL");
	if (!path)
		return unit_skip("KHDR_DEBIAN_KERNEL not set (tests/lib/debian-kernel.sh makes it)");
	char p[4096];
	snprintf(p, sizeof(p), "%s/notes", path);
	buf = unit_slurp(p, &len);
	snprintf(p, sizeof(p), "%s/build-id", path);
	f = fopen(p, "r");
	CHECK(buf && f);
	if (!buf || !f)
		return 0;
	elen = fread(expect, 1, sizeof(expect) - 1, f);
	fclose(f);
	expect[elen] = '\0';
	expect[strcspn(expect, "\n")] = '\0';
	CHECK_INT(notes_find_build_id_native(buf, len, &id), 0);
	hex_encode(id.bytes, id.len, hex);
	CHECK_STR(hex, expect);
	free(buf);
	return 0;
}

static int xen_type3_is_not_gnu(void)
{
	uint8_t buf[256];
	struct build_id id;
	size_t n = 0;
	uint64_t xen = 0xffffffff80000000ull;

	n = put_note(buf, n, false, 4, "Xen", 3, &xen, 8);
	CHECK_INT(notes_find_build_id(buf, n, false, 4, &id), -ENOENT);
	n = put_note(buf, n, false, 4, "GNU", 3, id20, 20);
	CHECK_INT(notes_find_build_id(buf, n, false, 4, &id), 0);
	CHECK_INT(id.len, 20);
	CHECK(memcmp(id.bytes, id20, 20) == 0);
	return 0;
}

static int gnu_other_type_skipped(void)
{
	uint8_t buf[256], prop[16] = { 0 };
	struct build_id id;
	size_t n = 0;

	n = put_note(buf, n, false, 4, "GNU", 5, prop, 16);   /* property note */
	n = put_note(buf, n, false, 4, "GNU", 3, id20, 8);
	CHECK_INT(notes_find_build_id(buf, n, false, 4, &id), 0);
	CHECK_INT(id.len, 8);
	return 0;
}

static int big_endian_and_align8(void)
{
	uint8_t buf[256];
	struct build_id id;
	size_t n;

	n = put_note(buf, 0, true, 4, "GNU", 3, id20, 20);
	CHECK_INT(notes_find_build_id(buf, n, true, 4, &id), 0);
	CHECK_INT(id.len, 20);
	CHECK_INT(notes_find_build_id(buf, n, false, 4, &id) < 0, 1);

	n = put_note(buf, 0, false, 8, "Linux", 1, "abc", 3);
	n = put_note(buf, n, false, 8, "GNU", 3, id20, 20);
	CHECK_INT(notes_find_build_id(buf, n, false, 8, &id), 0);
	CHECK(memcmp(id.bytes, id20, 20) == 0);
	return 0;
}

static int malformed(void)
{
	uint8_t buf[256];
	struct build_id id;
	size_t n = put_note(buf, 0, false, 4, "GNU", 3, id20, 20);

	/* Every truncation either finds nothing or reports malformed input. */
	for (size_t cut = 0; cut < n; cut++) {
		int r = notes_find_build_id(buf, cut, false, 4, &id);
		CHECK(r == -ENOENT || r == -EBADMSG);
	}
	/* descsz far beyond the buffer */
	buf[4] = 0xff; buf[5] = 0xff; buf[6] = 0xff; buf[7] = 0x7f;
	CHECK_INT(notes_find_build_id(buf, n, false, 4, &id), -EBADMSG);
	/* a build ID longer than we accept */
	uint8_t big[200];
	memset(big, 7, sizeof(big));
	n = put_note(buf, 0, false, 4, "GNU", 3, big, 100);
	CHECK_INT(notes_find_build_id(buf, n, false, 4, &id), -EBADMSG);
	CHECK_INT(notes_find_build_id(buf, 0, false, 4, &id), -ENOENT);
	return 0;
}

static int hex_round_trip(void)
{
	struct build_id id;
	char hex[2 * BUILD_ID_MAX + 1];

	CHECK_INT(build_id_from_hex("00ff10Ab", &id), 0);
	CHECK_INT(id.len, 4);
	hex_encode(id.bytes, id.len, hex);
	CHECK_STR(hex, "00ff10ab");
	CHECK_INT(build_id_from_hex("abc", &id), -EINVAL);
	CHECK_INT(build_id_from_hex("zz", &id), -EINVAL);
	CHECK_INT(build_id_from_hex("", &id), 0);
	CHECK_INT(id.len, 0);
	return 0;
}

int main(void)
{
	TEST(genuine_debian_notes);
	TEST(xen_type3_is_not_gnu);
	TEST(gnu_other_type_skipped);
	TEST(big_endian_and_align8);
	TEST(malformed);
	TEST(hex_round_trip);
	return unit_done();
}
