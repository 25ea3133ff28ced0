/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-notes.c - ELF note sequences (/sys/kernel/notes, PT_NOTE, SHT_NOTE)
 * in both byte orders and both alignments, and hex build IDs.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "format/notes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct build_id id;
	char *hex;

	fuzz_quiet();
	for (int be = 0; be < 2; be++)
		for (size_t align = 4; align <= 8; align += 4)
			if (notes_find_build_id(data, size, be, align, &id) == 0 &&
			    id.len > BUILD_ID_MAX)
				__builtin_trap();
	if (notes_find_build_id_native(data, size, &id) == 0 &&
	    id.len > BUILD_ID_MAX)
		__builtin_trap();
	hex = malloc(size + 1);
	if (!hex)
		return 0;
	memcpy(hex, data, size);
	hex[size] = '\0';
	if (build_id_from_hex(hex, &id) == 0 && id.len > BUILD_ID_MAX)
		__builtin_trap();
	free(hex);
	return 0;
}
