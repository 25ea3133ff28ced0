/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kconfig.c - .config and autoconf.h parsed into sorted symbols, and compared. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/lines.h"
#include "base/names.h"
#include "format/kconfig.h"

#define PREFIX "CONFIG_"
#define PLEN (sizeof(PREFIX) - 1)

const char *kconfig_state_name(enum kconfig_state s)
{
	static const char *const names[] = {
		[KCONFIG_UNAVAILABLE] = "unavailable", [KCONFIG_MATCH] = "match",
		[KCONFIG_MISMATCH] = "mismatch",
	};
	return name_of(names, ARRAY_SIZE(names), s);
}

void kconfig_free(struct kconfig *c)
{
	free(c->syms);
	free(c->own);
	memset(c, 0, sizeof(*c));
}

static int add(struct kconfig *c, const char *name, size_t nlen, const char *val,
	       size_t vlen)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 1024;
		struct kconfig_sym *s = realloc(c->syms, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		c->syms = s;
		c->cap = cap;
	}
	c->syms[c->n++] = (struct kconfig_sym){ name, nlen, val, vlen };
	return 0;
}

static int namecmp(const char *a, size_t al, const char *b, size_t bl)
{
	int r = memcmp(a, b, al < bl ? al : bl);

	return r ? r : al < bl ? -1 : al > bl;
}

/* By name; the same name twice: in the order of the text (the last wins). */
static int symcmp(const void *pa, const void *pb)
{
	const struct kconfig_sym *a = pa, *b = pb;
	int r = namecmp(a->name, a->nlen, b->name, b->nlen);

	return r ? r : (a->name > b->name) - (a->name < b->name);
}

/* Sort, and keep only the last assignment of a symbol, as kconfig does. */
static void finish(struct kconfig *c)
{
	size_t w = 0;

	if (c->n > 1)
		qsort(c->syms, c->n, sizeof(*c->syms), symcmp);
	for (size_t i = 0; i < c->n; i++) {
		if (w && namecmp(c->syms[w - 1].name, c->syms[w - 1].nlen,
				 c->syms[i].name, c->syms[i].nlen) == 0)
			w--;
		c->syms[w++] = c->syms[i];
	}
	c->n = w;
}

/* CONFIG_ and then letters, digits and underscores, at least one. */
static size_t name_len(const char *s, const char *end)
{
	const char *p = s + PLEN;

	if ((size_t)(end - s) <= PLEN || memcmp(s, PREFIX, PLEN) != 0)
		return 0;
	while (p < end && (*p == '_' || (*p >= 'A' && *p <= 'Z') ||
			   (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
		p++;
	return p == s + PLEN ? 0 : (size_t)(p - s);
}

/* One line of a .config: 1 a symbol, 0 nothing, -EBADMSG not config. */
static int config_line(struct kconfig *c, const char *s, const char *le)
{
	static const char not_set[] = " is not set";
	const size_t ns = sizeof(not_set) - 1;
	size_t nl;

	if (s == le)
		return 0;
	if (*s == '#') {
		const char *p = s + 1;

		while (p < le && *p == ' ')
			p++;
		nl = name_len(p, le);
		if (nl && (size_t)(le - p) == nl + ns && memcmp(p + nl, not_set, ns) == 0)
			return add(c, p, nl, "n", 1) < 0 ? -ENOMEM : 1;
		return 0;                       /* a comment */
	}
	nl = name_len(s, le);
	if (!nl || s + nl >= le || s[nl] != '=' || s + nl + 1 == le)
		return -EBADMSG;
	return add(c, s, nl, s + nl + 1, (size_t)(le - s - nl - 1)) < 0 ? -ENOMEM : 1;
}

static int parse_config_text(struct kconfig *c, const char *text, size_t len,
			     struct khdr_err *e)
{
	const char *s, *le;
	struct line_iter it;

	if (memchr(text, '\0', len))
		return err_set(e, EBADMSG, "not a kernel config: it holds binary data");
	line_iter_init(&it, text, len);
	while (line_next(&it, &s, &le)) {
		int r;

		if (le > s && le[-1] == '\r')
			le--;
		r = config_line(c, s, le);
		if (r == -ENOMEM)
			return err_set(e, ENOMEM, "out of memory reading the kernel config");
		if (r < 0)
			return err_set(e, EBADMSG,
				       "not a kernel config: line %u is neither CONFIG_NAME=value nor a comment",
				       it.no);
	}
	if (!c->n)
		return err_set(e, EBADMSG, "not a kernel config: no CONFIG_ symbol in it");
	finish(c);
	return 0;
}

int kconfig_parse_config(struct kconfig *c, const uint8_t *p, size_t n,
			 struct khdr_err *e)
{
	int r;

	memset(c, 0, sizeof(*c));
	r = parse_config_text(c, (const char *)p, n, e);
	if (r < 0)
		kconfig_free(c);
	return r;
}

int kconfig_parse_autoconf(struct kconfig *c, const char *text, size_t len,
			   struct khdr_err *e)
{
	const char *s, *le, *p, *v;
	struct line_iter it;

	memset(c, 0, sizeof(*c));
	line_iter_init(&it, text, len);
	while (line_next(&it, &s, &le)) {
		size_t n;

		if (le - s < (ptrdiff_t)(8 + PLEN + 1) || memcmp(s, "#define ", 8) != 0)
			continue;
		p = s + 8;
		n = name_len(p, le);
		if (!n || p + n >= le || p[n] != ' ')
			continue;
		for (v = p + n; v < le && (*v == ' ' || *v == '\t'); v++)
			;
		while (le > v && (le[-1] == ' ' || le[-1] == '\t' || le[-1] == '\r'))
			le--;
		if (v == le)
			continue;
		if (add(c, p, n, v, (size_t)(le - v)) < 0) {
			kconfig_free(c);
			return err_set(e, ENOMEM, "out of memory reading autoconf.h");
		}
	}
	if (!c->n)
		return err_set(e, EBADMSG, "autoconf.h has no #define CONFIG_ line");
	finish(c);
	return 0;
}

/*
 * Version numbers and names of the compiler, assembler, linker, pahole and
 * Rust tools: they describe what built the kernel, which the compiler
 * fingerprint (compile.h) checks already, and a rebuilt tool chain of the
 * same make changes them without changing one line of the configuration.
 * What the tool chain can do (CC_HAS_*, AS_HAS_*, ...) is compared: code
 * and layout follow it.
 *
 * And what the build itself adds to the configuration it was given: its
 * build-ID salt and how it signs modules.  Debian's build appends them to
 * the .config it builds with (so autoconf.h and the headers package have
 * them) but its linux-image package ships the configuration as given, as
 * /boot/config-<release>, without them; they change no code a module or a
 * BPF program is built from (the salt is a note, the rest Makefile input).
 */
bool kconfig_build_symbol(const char *name, size_t len)
{
	static const char *const exact[] = {
		"CC_VERSION_TEXT", "GCC_VERSION", "CLANG_VERSION", "AS_VERSION",
		"LD_VERSION", "LLD_VERSION", "PAHOLE_VERSION", "RUSTC_VERSION",
		"RUSTC_VERSION_TEXT", "RUSTC_LLVM_VERSION", "BINDGEN_VERSION_TEXT",
		"BUILD_SALT", "MODULE_SIG_ALL", "MODULE_SIG_KEY", "SYSTEM_TRUSTED_KEYS",
	};
	static const char *const prefix[] = { "CC_IS_", "AS_IS_", "LD_IS_" };

	if (len <= PLEN || memcmp(name, PREFIX, PLEN) != 0)
		return false;
	name += PLEN;
	len -= PLEN;
	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strlen(exact[i]) == len && memcmp(exact[i], name, len) == 0)
			return true;
	for (size_t i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++)
		if (len > strlen(prefix[i]) && memcmp(prefix[i], name, strlen(prefix[i])) == 0)
			return true;
	return false;
}

static const struct kconfig_sym *find(const struct kconfig *c, const char *name,
				      size_t nlen)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = namecmp(c->syms[mid].name, c->syms[mid].nlen, name, nlen);

		if (r == 0)
			return &c->syms[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static bool is(const char *v, size_t n, const char *s)
{
	return n == strlen(s) && memcmp(v, s, n) == 0;
}

/* A kconfig int or hex: decimal, or 0x and hex digits (hex may lack 0x). */
static bool number(const char *v, size_t n, unsigned long long *out)
{
	char buf[32], *end;

	if (!n || n >= sizeof(buf) || *v == '"')
		return false;
	memcpy(buf, v, n);
	buf[n] = '\0';
	errno = 0;
	*out = strtoull(buf, &end, n > 2 && buf[0] == '0' && (buf[1] | 0x20) == 'x' ? 16 : 10);
	return !errno && *end == '\0' && buf[0] != '-' && buf[0] != '+' && buf[0] != ' ';
}

/* autoconf.h says 1 for y and for the number 1; n is no define at all. */
static bool same(const char *h, size_t hl, const char *k, size_t kl)
{
	unsigned long long a, b;

	if (hl == kl && memcmp(h, k, hl) == 0)
		return true;
	if (is(h, hl, "1") && is(k, kl, "y"))
		return true;
	return number(h, hl, &a) && number(k, kl, &b) && a == b;
}

static void note(struct kconfig_cmp *out, const char *name, size_t nlen,
		 const char *h, size_t hl, const char *k, size_t kl)
{
	struct kconfig_diff *d;

	if (out->differ++ >= KCONFIG_SHOWN)
		return;
	d = &out->first[out->differ - 1];
	if (is(h, hl, "1") && (is(k, kl, "y") || is(k, kl, "m") || is(k, kl, "n")))
		h = "y", hl = 1;
	snprintf(d->name, sizeof(d->name), "%.*s", (int)nlen, name);
	snprintf(d->headers, sizeof(d->headers), "%.*s", (int)hl, h);
	snprintf(d->kernel, sizeof(d->kernel), "%.*s", (int)kl, k);
}

/*
 * The archive's defines, as symbols: CONFIG_FOO_MODULE 1 is CONFIG_FOO=m
 * (unless the kernel has a symbol of that very name); with numeric, 1 of
 * a symbol not in it is y.
 */
static int headers_view(const struct kconfig *autoconf, const struct kconfig *config,
			const struct kconfig *numeric, struct kconfig *h)
{
	static const char mod[] = "_MODULE";
	const size_t ml = sizeof(mod) - 1;

	memset(h, 0, sizeof(*h));
	for (size_t i = 0; i < autoconf->n; i++) {
		struct kconfig_sym s = autoconf->syms[i];

		if (s.nlen > PLEN + ml && memcmp(s.name + s.nlen - ml, mod, ml) == 0 &&
		    is(s.val, s.vlen, "1") && !(config && find(config, s.name, s.nlen))) {
			s.nlen -= ml;
			s.val = "m";
			s.vlen = 1;
		} else if (numeric && is(s.val, s.vlen, "1") &&
			   !find(numeric, s.name, s.nlen)) {
			s.val = "y";
		}
		if (add(h, s.name, s.nlen, s.val, s.vlen) < 0) {
			kconfig_free(h);
			return -ENOMEM;
		}
	}
	finish(h);
	return 0;
}

int kconfig_compare(const struct kconfig *autoconf, const struct kconfig *config,
		    struct kconfig_cmp *out)
{
	struct kconfig h;
	size_t i = 0, j = 0;

	memset(out, 0, sizeof(*out));
	if (headers_view(autoconf, config, NULL, &h) < 0)
		return -ENOMEM;
	while (i < h.n || j < config->n) {
		const struct kconfig_sym *a = i < h.n ? &h.syms[i] : NULL;
		const struct kconfig_sym *b = j < config->n ? &config->syms[j] : NULL;
		int r = !a ? 1 : !b ? -1 : namecmp(a->name, a->nlen, b->name, b->nlen);
		const struct kconfig_sym *s = r <= 0 ? a : b;
		const char *hv = r <= 0 ? a->val : "n", *kv = r >= 0 ? b->val : "n";
		size_t hl = r <= 0 ? a->vlen : 1, kl = r >= 0 ? b->vlen : 1;

		i += r <= 0;
		j += r >= 0;
		if (kconfig_build_symbol(s->name, s->nlen)) {
			out->skipped++;
			continue;
		}
		out->compared++;
		if (!same(hv, hl, kv, kl))
			note(out, s->name, s->nlen, hv, hl, kv, kl);
	}
	kconfig_free(&h);
	return 0;
}

void kconfig_describe(const struct kconfig_cmp *cmp, char *buf, size_t size)
{
	size_t n = 0, shown = cmp->differ < KCONFIG_SHOWN ? cmp->differ : KCONFIG_SHOWN;

	buf[0] = '\0';
	for (size_t i = 0; i < shown && n < size; i++) {
		int w = snprintf(buf + n, size - n, "%s%s: headers %s, kernel %s", i ? "; " : "",
				 cmp->first[i].name, cmp->first[i].headers, cmp->first[i].kernel);

		if (w < 0)
			break;
		n += (size_t)w;
	}
	if (cmp->differ > shown && n < size)
		snprintf(buf + n, size - n, "; and %zu more", cmp->differ - shown);
}

int kconfig_derive(const struct kconfig *autoconf, const struct kconfig *numeric,
		   struct kconfig *out, struct khdr_err *e)
{
	static const struct kconfig none;

	if (headers_view(autoconf, NULL, numeric ? numeric : &none, out) < 0)
		return err_set(e, ENOMEM, "out of memory");
	return 0;
}

void kconfig_spell_as(struct kconfig *derived, const struct kconfig *config)
{
	unsigned long long a, b;

	for (size_t i = 0; i < derived->n; i++) {
		struct kconfig_sym *s = &derived->syms[i];
		const struct kconfig_sym *k = find(config, s->name, s->nlen);

		if (k && number(s->val, s->vlen, &a) && number(k->val, k->vlen, &b) && a == b) {
			s->val = k->val;
			s->vlen = k->vlen;
		}
	}
}

/* A .config string ("a\"b") as auto.conf has it: a"b. */
static void put_unquoted(FILE *f, const char *v, size_t n)
{
	for (size_t i = 1; i + 1 < n; i++) {
		if (v[i] == '\\' && i + 2 < n)
			i++;
		fputc(v[i], f);
	}
}

int kconfig_format(const struct kconfig *c, enum kconfig_style style,
		   const char *title, char **text, size_t *len, struct khdr_err *e)
{
	FILE *f = open_memstream(text, len);

	if (!f)
		return err_set(e, ENOMEM, "out of memory");
	fprintf(f, "#\n# Automatically generated file; DO NOT EDIT.\n# %s\n#\n", title);
	for (size_t i = 0; i < c->n; i++) {
		const struct kconfig_sym *s = &c->syms[i];

		if (s->vlen == 1 && *s->val == 'n') {
			if (style == KCONFIG_DOT_CONFIG)
				fprintf(f, "# %.*s is not set\n", (int)s->nlen, s->name);
			continue;
		}
		fprintf(f, "%.*s=", (int)s->nlen, s->name);
		if (style == KCONFIG_AUTO_CONF && s->vlen >= 2 && s->val[0] == '"')
			put_unquoted(f, s->val, s->vlen);
		else
			fwrite(s->val, 1, s->vlen, f);
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		free(*text);
		*text = NULL;
		return err_set(e, ENOMEM, "out of memory");
	}
	return 0;
}
