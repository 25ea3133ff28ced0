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
	uint32_t name, type, link, info;
	uint64_t addr, offset, size, align, entsize;
};

#define SHT_SYMTAB   2
#define SHT_RELA     4
#define SHT_NOBITS   8
#define SHT_REL      9
#define SHN_UNDEF    0
#define SHN_LORESERVE 0xff00
#define SHN_ABS      0xfff1
#define ET_REL       1

struct elf_sym {
	uint32_t name;        /* offset in the symbol table's string table */
	uint64_t value;
	uint16_t shndx;
};

/* One relocation of a SHT_REL or SHT_RELA section (addend 0 for REL). */
struct elf_rel {
	uint64_t offset;
	uint32_t sym;
	int64_t addend;
};

bool elf_is_elf(const uint8_t *data, size_t size);

/* Validate the file header; data must hold at least the header. */
int elf_parse_header(struct elf *e, const uint8_t *data, size_t size);

/* Decode entry i of a program header table held at tab. */
void elf_decode_phdr(const struct elf *e, const uint8_t *tab, size_t i,
		     struct elf_phdr *ph);

/* Section header i, checked to lie within the file (unless SHT_NOBITS). */
int elf_section_at(const struct elf *e, size_t i, struct elf_shdr *sh);

/* The section called name: 0, -ENOENT, or -EBADMSG for a bad table. */
int elf_section(const struct elf *e, const char *name, struct elf_shdr *sh);

/* Its index, or 0 (SHN_UNDEF) when there is none. */
size_t elf_section_index(const struct elf *e, const char *name);

/* NUL-terminated string at off of string table section strndx, or NULL. */
const char *elf_string(const struct elf *e, size_t strndx, uint64_t off);

/* Symbol i of the symbol table section symtab; -EBADMSG out of range. */
int elf_symbol_at(const struct elf *e, const struct elf_shdr *symtab,
		  size_t i, struct elf_sym *sym);

/* Relocation i of the SHT_REL/SHT_RELA section rel; -EBADMSG out of range. */
int elf_relocation_at(const struct elf *e, const struct elf_shdr *rel,
		      size_t i, struct elf_rel *out);

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
