/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * elf.h - a bounds-checked reader for ELF32/ELF64 files of either byte
 * order held in memory: build-ID notes, a symbol's byte range (the archive
 * a kheaders module embeds) and .modinfo strings.  No file system access.
 */
#ifndef KHDR_ELF_H
#define KHDR_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/notes.h"

#define ELF_EHDR_MAX 64   /* size of an ELF64 header */

struct elf {
	const uint8_t *data;
	size_t size;          /* bytes available at data */
	bool is64, be;
	uint16_t type;
	uint64_t phoff, shoff;
	uint16_t phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf_phdr {
	uint32_t type;
	uint64_t offset, filesz, align;
};

struct elf_shdr {
	uint32_t name, type, link;
	uint64_t addr, offset, size, align;
};

bool elf_is_elf(const uint8_t *data, size_t size);

/* Validate the file header; data must hold at least the header. */
int elf_parse_header(struct elf *e, const uint8_t *data, size_t size);

/* Decode entry i of a program header table held at tab. */
void elf_decode_phdr(const struct elf *e, const uint8_t *tab, size_t i,
		     struct elf_phdr *ph);

/* Build ID from PT_NOTE segments, else SHT_NOTE sections. */
int elf_build_id(const struct elf *e, struct build_id *id);

/*
 * The bytes between two symbols of the same section, e.g.
 * kernel_headers_data .. kernel_headers_data_end in kheaders.ko.
 */
int elf_symbol_range(const struct elf *e, const char *start_sym,
		     const char *end_sym, const uint8_t **p, size_t *len);

/* Value of key=value in .modinfo, copied NUL-terminated into val. */
int elf_modinfo(const struct elf *e, const char *key, char *val, size_t size);

#endif
