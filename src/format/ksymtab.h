/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ksymtab.h - the exported symbols of a kernel image or module, as
 * Module.symvers lists them: __ksymtab and __ksymtab_gpl hold one 12-byte
 * entry per export (PREL32 offsets of its value, its name and its
 * namespace), __kcrctab and __kcrctab_gpl its CRC in the same order,
 * __ksymtab_strings the names.  A linked image (vmlinux) has the offsets
 * resolved; a module (ET_REL) has them as relocations.  Pure: bytes in
 * memory, nothing read from files.
 */
#ifndef KHDR_KSYMTAB_H
#define KHDR_KSYMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/khdr.h"
#include "format/elf.h"

#define KSYM_ENTRY 12    /* struct kernel_symbol with PREL32 relocations */

struct ksym {
	const char *name;
	const char *ns;          /* "" without a namespace */
	uint32_t crc;            /* 0 without CONFIG_MODVERSIONS */
	bool gpl;                /* EXPORT_SYMBOL_GPL */
};

typedef int (*ksym_fn)(void *ctx, const struct ksym *s);

/* The sections of a linked image the caller has read. */
struct ksym_section {
	const uint8_t *data;     /* NULL: the image has no such section */
	uint64_t addr, size;
};

struct ksym_image {
	struct ksym_section tab[2];   /* __ksymtab, __ksymtab_gpl */
	struct ksym_section crc[2];   /* __kcrctab, __kcrctab_gpl */
	struct ksym_section strings;  /* __ksymtab_strings */
	bool be;
};

extern const char *const ksym_tab_section[2], *const ksym_crc_section[2];
#define KSYM_STRINGS_SECTION "__ksymtab_strings"

/* Call fn for each export of a linked image, __ksymtab's before the GPL ones. */
int ksymtab_image(const struct ksym_image *im, ksym_fn fn, void *ctx,
		  struct khdr_err *e);

/* The same for a module, whose entries are relocations. */
int ksymtab_module(const struct elf *elf, ksym_fn fn, void *ctx,
		   struct khdr_err *e);

/* "EXPORT_SYMBOL" or "EXPORT_SYMBOL_GPL", Module.symvers's fourth column. */
const char *ksym_kind(const struct ksym *s);

#endif
