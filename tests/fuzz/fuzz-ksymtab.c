/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-ksymtab.c - the export tables reader as symvers uses it: the input
 * as a module (ET_REL, entries through relocations), and as the sections
 * of a linked image laid out one after another at increasing addresses:
 * u16 entries of __ksymtab, u16 of __ksymtab_gpl, u8 flags (1: big
 * endian, 2: CRC tables), then the tables, then __ksymtab_strings.
 * Every name and namespace handed out must lie in the input.
 */
#include "format/elf.h"
#include "format/ksymtab.h"
#include "fuzz.h"

struct bounds {
	const uint8_t *p;
	size_t n;
};

/* A string handed out lies in the input and ends there. */
static bool inside(const struct bounds *b, const char *s)
{
	const char *lo = (const char *)b->p;

	return s >= lo && s < lo + b->n &&
	       memchr(s, '\0', (size_t)(lo + b->n - s)) != NULL;
}

static int check(void *ctx, const struct ksym *s)
{
	const struct bounds *b = ctx;

	/* "" for no namespace may be the reader's own literal. */
	if (!inside(b, s->name) || (s->ns[0] && !inside(b, s->ns)))
		__builtin_trap();
	return 0;
}

static void as_image(const uint8_t *data, size_t size)
{
	struct bounds b = { data, size };
	struct khdr_err e = { 0 };
	struct ksym_image im = { 0 };
	uint64_t addr = 0xffffffff82000000ull;
	size_t off = 5, n[2];

	if (size < off)
		return;
	n[0] = data[0] | data[1] << 8;
	n[1] = data[2] | data[3] << 8;
	im.be = data[4] & 1;
	for (int i = 0; i < 4; i++) {
		struct ksym_section *s = i < 2 ? &im.tab[i] : &im.crc[i - 2];
		size_t len = i < 2 ? n[i] * KSYM_ENTRY : 4 * n[i - 2];

		if (i >= 2 && !(data[4] & 2))
			break;
		if (len > size - off)
			return;
		*s = (struct ksym_section){ data + off, addr + off, len };
		off += len;
	}
	im.strings = (struct ksym_section){ data + off, addr + off, size - off };
	(void)ksymtab_image(&im, check, &b, &e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bounds b = { data, size };
	struct khdr_err e = { 0 };
	struct elf elf;

	fuzz_quiet();
	if (elf_is_elf(data, size) && elf_parse_header(&elf, data, size) == 0)
		(void)ksymtab_module(&elf, check, &b, &e);
	else
		as_image(data, size);
	return 0;
}
