/* SPDX-License-Identifier: GPL-2.0-or-later */
/* elf.c - ELF32/ELF64 of either byte order read from memory; every offset read is checked. */
#include <errno.h>
#include <string.h>

#include "base/bytes.h"
#include "format/elf.h"

#define PT_NOTE      4
#define SHT_NOTE     7

static bool range_ok(uint64_t off, uint64_t len, size_t size)
{
	return off <= size && len <= size - off;
}

bool elf_is_elf(const uint8_t *data, size_t size)
{
	return size >= 4 && memcmp(data, "\177ELF", 4) == 0;
}

int elf_parse_header(struct elf *e, const uint8_t *d, size_t size)
{
	memset(e, 0, sizeof(*e));
	if (size < 52 || !elf_is_elf(d, size))
		return -ENOEXEC;
	if (d[4] != 1 && d[4] != 2)          /* EI_CLASS */
		return -ENOEXEC;
	if (d[5] != 1 && d[5] != 2)          /* EI_DATA */
		return -ENOEXEC;
	e->data = d;
	e->size = size;
	e->is64 = d[4] == 2;
	e->be = d[5] == 2;
	if (e->is64 && size < 64)
		return -ENOEXEC;
	e->type = get_u16(d + 16, e->be);
	if (e->is64) {
		e->phoff = get_u64(d + 32, e->be);
		e->shoff = get_u64(d + 40, e->be);
		e->phentsize = get_u16(d + 54, e->be);
		e->phnum = get_u16(d + 56, e->be);
		e->shentsize = get_u16(d + 58, e->be);
		e->shnum = get_u16(d + 60, e->be);
		e->shstrndx = get_u16(d + 62, e->be);
	} else {
		e->phoff = get_u32(d + 28, e->be);
		e->shoff = get_u32(d + 32, e->be);
		e->phentsize = get_u16(d + 42, e->be);
		e->phnum = get_u16(d + 44, e->be);
		e->shentsize = get_u16(d + 46, e->be);
		e->shnum = get_u16(d + 48, e->be);
		e->shstrndx = get_u16(d + 50, e->be);
	}
	if (e->phnum && e->phentsize < (e->is64 ? 56 : 32))
		return -ENOEXEC;
	if (e->shnum && e->shentsize < (e->is64 ? 64 : 40))
		return -ENOEXEC;
	return 0;
}

void elf_decode_phdr(const struct elf *e, const uint8_t *tab, size_t i,
		     struct elf_phdr *ph)
{
	const uint8_t *p = tab + i * e->phentsize;

	ph->type = get_u32(p, e->be);
	if (e->is64) {
		ph->offset = get_u64(p + 8, e->be);
		ph->filesz = get_u64(p + 32, e->be);
		ph->align = get_u64(p + 48, e->be);
	} else {
		ph->offset = get_u32(p + 4, e->be);
		ph->filesz = get_u32(p + 16, e->be);
		ph->align = get_u32(p + 28, e->be);
	}
}

int elf_section_at(const struct elf *e, size_t i, struct elf_shdr *sh)
{
	const uint8_t *p;

	if (i >= e->shnum ||
	    !range_ok(e->shoff, (uint64_t)e->shnum * e->shentsize, e->size))
		return -EBADMSG;
	p = e->data + e->shoff + i * e->shentsize;
	sh->name = get_u32(p, e->be);
	sh->type = get_u32(p + 4, e->be);
	if (e->is64) {
		sh->addr = get_u64(p + 16, e->be);
		sh->offset = get_u64(p + 24, e->be);
		sh->size = get_u64(p + 32, e->be);
		sh->link = get_u32(p + 40, e->be);
		sh->info = get_u32(p + 44, e->be);
		sh->align = get_u64(p + 48, e->be);
		sh->entsize = get_u64(p + 56, e->be);
	} else {
		sh->addr = get_u32(p + 12, e->be);
		sh->offset = get_u32(p + 16, e->be);
		sh->size = get_u32(p + 20, e->be);
		sh->link = get_u32(p + 24, e->be);
		sh->info = get_u32(p + 28, e->be);
		sh->align = get_u32(p + 32, e->be);
		sh->entsize = get_u32(p + 36, e->be);
	}
	if (sh->type != SHT_NOBITS && !range_ok(sh->offset, sh->size, e->size))
		return -EBADMSG;
	return 0;
}

const char *elf_string(const struct elf *e, size_t strndx, uint64_t off)
{
	struct elf_shdr st;

	if (elf_section_at(e, strndx, &st) < 0 || st.type == SHT_NOBITS ||
	    off >= st.size)
		return NULL;
	if (!memchr(e->data + st.offset + off, '\0', st.size - off))
		return NULL;
	return (const char *)e->data + st.offset + off;
}

int elf_section(const struct elf *e, const char *name, struct elf_shdr *out)
{
	for (size_t i = 1; i < e->shnum; i++) {
		const char *n;

		if (elf_section_at(e, i, out) < 0)
			return -EBADMSG;
		n = elf_string(e, e->shstrndx, out->name);
		if (n && strcmp(n, name) == 0)
			return 0;
	}
	return -ENOENT;
}

size_t elf_section_index(const struct elf *e, const char *name)
{
	struct elf_shdr sh;

	for (size_t i = 1; i < e->shnum; i++) {
		const char *n;

		if (elf_section_at(e, i, &sh) < 0)
			return SHN_UNDEF;
		n = elf_string(e, e->shstrndx, sh.name);
		if (n && strcmp(n, name) == 0)
			return i;
	}
	return SHN_UNDEF;
}

int elf_symbol_at(const struct elf *e, const struct elf_shdr *symtab,
		  size_t i, struct elf_sym *sym)
{
	size_t entsize = e->is64 ? 24 : 16;
	const uint8_t *p;

	if (symtab->type == SHT_NOBITS || i >= symtab->size / entsize)
		return -EBADMSG;
	p = e->data + symtab->offset + i * entsize;
	sym->name = get_u32(p, e->be);
	if (e->is64) {
		sym->shndx = get_u16(p + 6, e->be);
		sym->value = get_u64(p + 8, e->be);
	} else {
		sym->value = get_u32(p + 4, e->be);
		sym->shndx = get_u16(p + 14, e->be);
	}
	return 0;
}

int elf_relocation_at(const struct elf *e, const struct elf_shdr *rel,
		      size_t i, struct elf_rel *out)
{
	bool rela = rel->type == SHT_RELA;
	size_t entsize = (e->is64 ? 16 : 8) + (rela ? (e->is64 ? 8 : 4) : 0);
	const uint8_t *p;

	if ((rel->type != SHT_REL && !rela) || i >= rel->size / entsize)
		return -EBADMSG;
	p = e->data + rel->offset + i * entsize;
	if (e->is64) {
		out->offset = get_u64(p, e->be);
		out->sym = (uint32_t)(get_u64(p + 8, e->be) >> 32);
		out->addend = rela ? (int64_t)get_u64(p + 16, e->be) : 0;
	} else {
		out->offset = get_u32(p, e->be);
		out->sym = get_u32(p + 4, e->be) >> 8;
		out->addend = rela ? (int32_t)get_u32(p + 8, e->be) : 0;
	}
	return 0;
}

int elf_build_id(const struct elf *e, struct build_id *id)
{
	int r = -ENOENT;

	if (e->phnum &&
	    range_ok(e->phoff, (uint64_t)e->phnum * e->phentsize, e->size)) {
		for (size_t i = 0; i < e->phnum; i++) {
			struct elf_phdr ph;

			elf_decode_phdr(e, e->data + e->phoff, i, &ph);
			if (ph.type != PT_NOTE ||
			    !range_ok(ph.offset, ph.filesz, e->size))
				continue;
			r = notes_find_build_id(e->data + ph.offset, ph.filesz,
						e->be, ph.align, id);
			if (r == 0)
				return 0;
		}
	}
	for (size_t i = 1; i < e->shnum; i++) {
		struct elf_shdr sh;

		if (elf_section_at(e, i, &sh) < 0)
			return -EBADMSG;
		if (sh.type != SHT_NOTE)
			continue;
		r = notes_find_build_id(e->data + sh.offset, sh.size, e->be,
					sh.align, id);
		if (r == 0)
			return 0;
	}
	return r == -EBADMSG ? r : -ENOENT;
}

static int find_symbol(const struct elf *e, const struct elf_shdr *symtab,
		       const char *name, struct elf_sym *sym)
{
	for (size_t i = 0; elf_symbol_at(e, symtab, i, sym) == 0; i++) {
		const char *n = elf_string(e, symtab->link, sym->name);

		if (n && strcmp(n, name) == 0)
			return 0;
	}
	return -ENOENT;
}

int elf_symbol_range(const struct elf *e, const char *start_sym,
		     const char *end_sym, const uint8_t **p, size_t *len)
{
	struct elf_shdr symtab, sec;
	struct elf_sym a, b;
	uint64_t base;
	size_t i;

	for (i = 1; i < e->shnum; i++) {
		if (elf_section_at(e, i, &symtab) < 0)
			return -EBADMSG;
		if (symtab.type == SHT_SYMTAB)
			break;
	}
	if (i >= e->shnum)
		return -ENOENT;
	if (find_symbol(e, &symtab, start_sym, &a) < 0 ||
	    find_symbol(e, &symtab, end_sym, &b) < 0)
		return -ENOENT;
	if (a.shndx != b.shndx || a.shndx == SHN_UNDEF ||
	    a.shndx >= SHN_LORESERVE || b.value < a.value)
		return -EBADMSG;
	if (elf_section_at(e, a.shndx, &sec) < 0 || sec.type == SHT_NOBITS)
		return -EBADMSG;
	/* Relocatable objects (.ko) hold section offsets, others addresses. */
	base = e->type == ET_REL ? 0 : sec.addr;
	if (a.value < base || b.value - base > sec.size)
		return -EBADMSG;
	*p = e->data + sec.offset + (a.value - base);
	*len = (size_t)(b.value - a.value);
	return 0;
}

int elf_modinfo(const struct elf *e, const char *key, char *val, size_t size)
{
	struct elf_shdr sh;
	size_t klen = strlen(key);
	const char *s, *end;

	if (elf_section(e, ".modinfo", &sh) < 0 || sh.type == SHT_NOBITS)
		return -ENOENT;
	s = (const char *)e->data + sh.offset;
	end = s + sh.size;
	while (s < end) {
		const char *nul = memchr(s, '\0', (size_t)(end - s));
		size_t n = nul ? (size_t)(nul - s) : (size_t)(end - s);

		if (n > klen && memcmp(s, key, klen) == 0 && s[klen] == '=') {
			if (n - klen - 1 >= size)
				return -ENAMETOOLONG;
			memcpy(val, s + klen + 1, n - klen - 1);
			val[n - klen - 1] = '\0';
			return 0;
		}
		s += n + 1;
	}
	return -ENOENT;
}
