/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kmodule.c - the headers archive and vermagic read out of a kheaders module's ELF image. */
#include <errno.h>

#include "format/elf.h"
#include "format/kmodule.h"

int module_archive(const uint8_t *ko, size_t len, const uint8_t **p,
		   size_t *n, char *vermagic, size_t vsize, struct khdr_err *e)
{
	struct elf elf;

	if (elf_parse_header(&elf, ko, len) < 0)
		return err_set(e, ENOEXEC, "not an ELF module");
	if (elf_symbol_range(&elf, "kernel_headers_data",
			     "kernel_headers_data_end", p, n) < 0)
		return err_set(e, EBADMSG,
			       "not a kheaders module: no valid kernel_headers_data .. kernel_headers_data_end range");
	if (elf_modinfo(&elf, "vermagic", vermagic, vsize) < 0)
		vermagic[0] = '\0';
	return 0;
}
