/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-kconfig.c - the config parsers (.config, plain or gzip as
 * /proc/config.gz, and autoconf.h) and their comparison.  The input is
 * autoconf.h text, a NUL, then the config bytes (without a NUL: the whole
 * input is both).  Promises: a parsed config has sorted, distinct symbol
 * names starting with CONFIG_, inside the text; every refusal says why;
 * the comparison counts what it names and its message is terminated.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "format/kconfig.h"
#include "kinfo/kconfig-src.h"

static void check_parsed(const struct kconfig *c, const char *lo, const char *hi)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct kconfig_sym *s = &c->syms[i];

		if (s->nlen <= 7 || memcmp(s->name, "CONFIG_", 7) != 0 || !s->vlen)
			__builtin_trap();
		if (lo && (s->name < lo || s->name + s->nlen > hi))
			__builtin_trap();
		if (i && (memcmp(c->syms[i - 1].name, s->name,
				 s->nlen < c->syms[i - 1].nlen ? s->nlen : c->syms[i - 1].nlen) > 0))
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t alen = nul ? (size_t)(nul - data) : size;
	const uint8_t *cfg = nul ? nul + 1 : data;
	size_t clen = nul ? size - alen - 1 : size;
	struct khdr_err e = { 0 };
	struct kconfig a, c;
	struct kconfig_cmp cmp;
	char msg[600];
	int ra, rc;

	fuzz_quiet();
	ra = kconfig_parse_autoconf(&a, (const char *)data, alen, &e);
	if (ra < 0 && (!*e.msg || strnlen(e.msg, sizeof(e.msg)) == sizeof(e.msg)))
		__builtin_trap();
	if (ra == 0)
		check_parsed(&a, (const char *)data, (const char *)data + alen);
	e.msg[0] = '\0';
	rc = kconfig_load(&c, cfg, clen, &e);
	if (rc < 0 && (!*e.msg || strnlen(e.msg, sizeof(e.msg)) == sizeof(e.msg)))
		__builtin_trap();
	if (rc == 0)
		check_parsed(&c, c.own ? NULL : (const char *)cfg, (const char *)cfg + clen);
	if (ra == 0 && rc == 0 && kconfig_compare(&a, &c, &cmp) == 0) {
		if (cmp.differ > cmp.compared)
			__builtin_trap();
		kconfig_describe(&cmp, msg, sizeof(msg));
		if (strnlen(msg, sizeof(msg)) == sizeof(msg) || (cmp.differ && !*msg))
			__builtin_trap();
	}
	if (ra == 0)
		kconfig_free(&a);
	if (rc == 0)
		kconfig_free(&c);
	(void)kconfig_build_symbol((const char *)data, alen);
	return 0;
}
