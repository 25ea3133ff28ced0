/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-elf.c - the ELF reader as install uses it on a kheaders module file
 * (header, symbol range of the embedded archive, .modinfo vermagic) and as
 * buildid uses it on a kernel image (build-ID notes of a vmlinux, streamed
 * through the kimage reader; a bzImage payload; a raw note sequence).
 */
#include "format/elf.h"
#include "format/kmodule.h"
#include "stream/input.h"
#include "kinfo/kimage.h"
#include "kinfo/source.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct khdr_err e = { 0 };
	struct build_id id;
	struct input in;
	struct elf elf;
	const uint8_t *p;
	size_t n;
	char vermagic[256], val[64];

	fuzz_quiet();
	if (elf_is_elf(data, size) && elf_parse_header(&elf, data, size) == 0) {
		if (elf_build_id(&elf, &id) == 0 && id.len > BUILD_ID_MAX)
			__builtin_trap();
		if (elf_symbol_range(&elf, "kernel_headers_data",
				     "kernel_headers_data_end", &p, &n) == 0 &&
		    (p < data || n > size || (size_t)(p - data) > size - n))
			__builtin_trap();   /* a range outside the file */
		if (elf_modinfo(&elf, "vermagic", vermagic, sizeof(vermagic)) == 0)
			(void)strlen(vermagic);
		/* a tiny buffer: truncation must be refused, not overrun */
		(void)elf_modinfo(&elf, "license", val, 4);
	}
	if (module_archive(data, size, &p, &n, vermagic, sizeof(vermagic), &e) == 0 &&
	    (p < data || n > size || (size_t)(p - data) > size - n))
		__builtin_trap();
	(void)bzimage_payload(data, size, &p, &n);
	input_from_memory(&in, data, size, NULL);
	if (kimage_build_id(&in, &id, &e) == 0 && id.len > BUILD_ID_MAX)
		__builtin_trap();
	input_close(&in);
	return 0;
}
