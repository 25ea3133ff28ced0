/* SPDX-License-Identifier: GPL-2.0-or-later */
/* notes.c - walk a sequence of ELF notes. */
#include <errno.h>
#include <string.h>

#include "base/bytes.h"
#include "format/notes.h"

#define NT_GNU_BUILD_ID 3

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int notes_find_build_id(const uint8_t *buf, size_t len, bool big_endian,
			size_t align, struct build_id *id)
{
	size_t pos = 0;

	if (align != 4 && align != 8)
		align = 4;
	/* Each note: namesz, descsz, type (4-byte words), name, desc. */
	while (len - pos >= 12) {
		uint32_t namesz = get_u32(buf + pos, big_endian);
		uint32_t descsz = get_u32(buf + pos + 4, big_endian);
		uint32_t type = get_u32(buf + pos + 8, big_endian);
		size_t name_off = pos + 12, desc_off, next;

		if (namesz > len - name_off)
			return -EBADMSG;
		desc_off = align_up(name_off + namesz, align);
		if (desc_off > len || descsz > len - desc_off)
			return -EBADMSG;
		next = align_up(desc_off + descsz, align);

		if (type == NT_GNU_BUILD_ID && namesz == 4 &&
		    memcmp(buf + name_off, "GNU", 4) == 0) {
			if (descsz == 0 || descsz > BUILD_ID_MAX)
				return -EBADMSG;
			memcpy(id->bytes, buf + desc_off, descsz);
			id->len = descsz;
			return 0;
		}
		if (next >= len)
			break;
		pos = next;
	}
	return -ENOENT;
}

int notes_find_build_id_native(const uint8_t *buf, size_t len,
			       struct build_id *id)
{
	return notes_find_build_id(buf, len, __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__,
				   4, id);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int build_id_from_hex(const char *hex, struct build_id *id)
{
	size_t n = strlen(hex);

	if (n % 2 || n / 2 > BUILD_ID_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		id->bytes[i] = (uint8_t)(hi << 4 | lo);
	}
	id->len = n / 2;
	return 0;
}
