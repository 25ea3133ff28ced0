/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ksymtab.c - exported symbols, CRCs and namespaces of an image or module, bounds-checked. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "format/ksymtab.h"

const char *const ksym_tab_section[2] = { "__ksymtab", "__ksymtab_gpl" };
const char *const ksym_crc_section[2] = { "__kcrctab", "__kcrctab_gpl" };

const char *ksym_kind(const struct ksym *s)
{
	return s->gpl ? "EXPORT_SYMBOL_GPL" : "EXPORT_SYMBOL";
}

/* A NUL-terminated string at off of a section's bytes, or NULL. */
static const char *string_at(const uint8_t *data, uint64_t size, uint64_t off)
{
	if (off >= size || !memchr(data + off, '\0', size - off))
		return NULL;
	return (const char *)data + off;
}

/* The CRC table must have one entry per symbol, or be absent altogether. */
static int check_crc_count(uint64_t tab_size, bool have_crc, uint64_t crc_size,
			   const char *tab, struct khdr_err *e)
{
	if (tab_size % KSYM_ENTRY)
		return err_set(e, EBADMSG, "%s is %llu bytes, not a multiple of %d",
			       tab, (unsigned long long)tab_size, KSYM_ENTRY);
	if (have_crc && crc_size / 4 != tab_size / KSYM_ENTRY)
		return err_set(e, EBADMSG, "%llu CRCs for %llu symbols in %s",
			       (unsigned long long)crc_size / 4,
			       (unsigned long long)tab_size / KSYM_ENTRY, tab);
	return 0;
}

/* ---- a linked image: the offsets are resolved ---- */

/* The string a PREL32 field at address field_addr points at. */
static const char *prel32_string(const struct ksym_image *im, const uint8_t *field,
				 uint64_t field_addr)
{
	int32_t rel = (int32_t)get_u32(field, im->be);
	uint64_t target = field_addr + (uint64_t)(int64_t)rel;

	if (target < im->strings.addr)
		return NULL;
	return string_at(im->strings.data, im->strings.size, target - im->strings.addr);
}

static int image_table(const struct ksym_image *im, int gpl, ksym_fn fn,
		       void *ctx, struct khdr_err *e)
{
	const struct ksym_section *t = &im->tab[gpl], *c = &im->crc[gpl];
	uint64_t n = t->size / KSYM_ENTRY;
	int r;

	if (!t->data)
		return 0;
	r = check_crc_count(t->size, c->data != NULL, c->size, ksym_tab_section[gpl], e);
	for (uint64_t i = 0; r == 0 && i < n; i++) {
		const uint8_t *ent = t->data + i * KSYM_ENTRY;
		uint64_t addr = t->addr + i * KSYM_ENTRY;
		struct ksym s = { .gpl = gpl, .ns = "" };

		s.name = prel32_string(im, ent + 4, addr + 4);
		if (get_u32(ent + 8, im->be))   /* 0: no namespace */
			s.ns = prel32_string(im, ent + 8, addr + 8);
		if (!s.name || !s.ns)
			return err_set(e, EBADMSG, "entry %llu of %s points outside %s",
				       (unsigned long long)i, ksym_tab_section[gpl],
				       KSYM_STRINGS_SECTION);
		if (c->data)
			s.crc = get_u32(c->data + 4 * i, im->be);
		r = fn(ctx, &s);
	}
	return r;
}

int ksymtab_image(const struct ksym_image *im, ksym_fn fn, void *ctx,
		  struct khdr_err *e)
{
	int r = 0;

	if (!im->strings.data && (im->tab[0].data || im->tab[1].data))
		return err_set(e, EBADMSG, "exports without %s", KSYM_STRINGS_SECTION);
	for (int gpl = 0; r == 0 && gpl < 2; gpl++)
		r = image_table(im, gpl, fn, ctx, e);
	return r;
}

/* ---- a module: each field is a relocation against a symbol ---- */

struct module_table {
	const struct elf *elf;
	struct elf_shdr tab, rel, symtab, crc, crc_rel;
	bool have_rel, have_crc, have_crc_rel;
	const char **names, **nss;
};

/* The relocation section that applies to section index target. */
static bool find_relocations(const struct elf *elf, size_t target, struct elf_shdr *rel)
{
	for (size_t i = 1; i < elf->shnum; i++)
		if (elf_section_at(elf, i, rel) == 0 &&
		    (rel->type == SHT_RELA || rel->type == SHT_REL) && rel->info == target)
			return true;
	return false;
}

/* Where relocation r points: a string in its symbol's section. */
static const char *relocated_string(const struct module_table *m, const struct elf_rel *r)
{
	struct elf_shdr sec;
	struct elf_sym sym;
	const uint8_t *place;

	if (elf_symbol_at(m->elf, &m->symtab, r->sym, &sym) < 0 ||
	    sym.shndx == SHN_UNDEF || sym.shndx >= SHN_LORESERVE ||
	    elf_section_at(m->elf, sym.shndx, &sec) < 0 || sec.type == SHT_NOBITS)
		return NULL;
	/* A REL field holds its addend in place. */
	place = m->elf->data + m->tab.offset + r->offset;
	int64_t addend = m->rel.type == SHT_RELA ? r->addend
			 : (int32_t)get_u32(place, m->elf->be);
	return string_at(m->elf->data + sec.offset, sec.size,
			 sym.value + (uint64_t)addend);
}

/* The CRC of entry i: in the table, or the absolute symbol a relocation names. */
static int module_crc(const struct module_table *m, uint64_t i, uint32_t *crc)
{
	const uint8_t *p = m->elf->data + m->crc.offset + 4 * i;

	*crc = get_u32(p, m->elf->be);
	if (!m->have_crc_rel)
		return 0;
	for (size_t k = 0;; k++) {
		struct elf_rel r;
		struct elf_sym sym;

		if (elf_relocation_at(m->elf, &m->crc_rel, k, &r) < 0)
			return 0;
		if (r.offset != 4 * i)
			continue;
		if (elf_symbol_at(m->elf, &m->symtab, r.sym, &sym) < 0 || sym.shndx != SHN_ABS)
			return -EBADMSG;
		*crc = (uint32_t)(sym.value + (uint64_t)r.addend);
		return 0;
	}
}

static int module_fields(struct module_table *m, uint64_t n, const char *tab,
			 struct khdr_err *e)
{
	struct elf_rel r;

	for (size_t k = 0; elf_relocation_at(m->elf, &m->rel, k, &r) == 0; k++) {
		uint64_t i = r.offset / KSYM_ENTRY, field = r.offset % KSYM_ENTRY;
		const char *s;

		if (field == 0)
			continue;   /* the value: not part of Module.symvers */
		if (r.offset >= n * KSYM_ENTRY || (field != 4 && field != 8))
			return err_set(e, EBADMSG, "a relocation of %s at %llu is out of range",
				       tab, (unsigned long long)r.offset);
		if (!(s = relocated_string(m, &r)))
			return err_set(e, EBADMSG, "entry %llu of %s names no string",
				       (unsigned long long)i, tab);
		if (field == 4)
			m->names[i] = s;
		else
			m->nss[i] = s;
	}
	return 0;
}

static int module_table_walk(struct module_table *m, int gpl, ksym_fn fn,
			     void *ctx, struct khdr_err *e)
{
	const char *tab = ksym_tab_section[gpl];
	uint64_t n = m->tab.size / KSYM_ENTRY;
	int r;

	r = check_crc_count(m->tab.size, m->have_crc, m->crc.size, tab, e);
	if (r < 0)
		return r;
	if (!m->have_rel)
		return n ? err_set(e, EBADMSG, "%s has no relocations", tab) : 0;
	m->names = calloc(n ? n : 1, sizeof(*m->names));
	m->nss = calloc(n ? n : 1, sizeof(*m->nss));
	if (!m->names || !m->nss)
		r = err_set(e, ENOMEM, "out of memory");
	if (r == 0)
		r = module_fields(m, n, tab, e);
	for (uint64_t i = 0; r == 0 && i < n; i++) {
		struct ksym s = { .name = m->names[i], .ns = m->nss[i] ? m->nss[i] : "",
				  .gpl = gpl };

		if (!s.name)
			r = err_set(e, EBADMSG, "entry %llu of %s has no name",
				    (unsigned long long)i, tab);
		else if (m->have_crc && module_crc(m, i, &s.crc) < 0)
			r = err_set(e, EBADMSG, "the CRC of %s is no absolute symbol", s.name);
		else
			r = fn(ctx, &s);
	}
	free(m->names);
	free(m->nss);
	return r;
}

static int symbol_table(const struct elf *elf, struct elf_shdr *symtab)
{
	for (size_t i = 1; i < elf->shnum; i++)
		if (elf_section_at(elf, i, symtab) == 0 && symtab->type == SHT_SYMTAB)
			return 0;
	return -ENOENT;
}

int ksymtab_module(const struct elf *elf, ksym_fn fn, void *ctx,
		   struct khdr_err *e)
{
	struct module_table m = { .elf = elf };
	int r = 0;

	if (elf->type != ET_REL)
		return err_set(e, ENOEXEC, "not a relocatable ELF object (a module is one)");
	/* A cut file would otherwise lose its exports without a word. */
	for (size_t i = 0; i < elf->shnum; i++)
		if (elf_section_at(elf, i, &m.tab) < 0)
			return err_set(e, EBADMSG, "section %zu lies beyond the end of the file (truncated?)", i);
	if (elf->shnum == 0)
		return err_set(e, EBADMSG, "no section headers (truncated?)");
	for (int gpl = 0; r == 0 && gpl < 2; gpl++) {
		size_t ti = elf_section_index(elf, ksym_tab_section[gpl]);
		size_t ci = elf_section_index(elf, ksym_crc_section[gpl]);

		if (ti == SHN_UNDEF)
			continue;
		if (symbol_table(elf, &m.symtab) < 0)
			return err_set(e, EBADMSG, "exports but no symbol table");
		if (elf_section_at(elf, ti, &m.tab) < 0 || m.tab.type == SHT_NOBITS)
			return err_set(e, EBADMSG, "%s lies outside the file", ksym_tab_section[gpl]);
		m.have_rel = find_relocations(elf, ti, &m.rel);
		m.have_crc = ci != SHN_UNDEF && elf_section_at(elf, ci, &m.crc) == 0 &&
			     m.crc.type != SHT_NOBITS;
		if (ci != SHN_UNDEF && !m.have_crc)
			return err_set(e, EBADMSG, "%s lies outside the file", ksym_crc_section[gpl]);
		m.have_crc_rel = m.have_crc && find_relocations(elf, ci, &m.crc_rel);
		r = module_table_walk(&m, gpl, fn, ctx, e);
	}
	return r;
}
