/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kconfig.h - the kernel's configuration in its two spellings, and how two
 * of them compare: a .config (CONFIG_FOO=y, =m, ="str", =123, "# CONFIG_FOO
 * is not set"; kinfo/kconfig-src.h gunzips /proc/config.gz first), and the
 * include/generated/autoconf.h kbuild makes of it (#define CONFIG_FOO 1,
 * CONFIG_FOO_MODULE 1, strings and numbers; n is no line at all).
 * Pure text work: the bytes come from the caller.
 */
#ifndef KHDR_KCONFIG_H
#define KHDR_KCONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/khdr.h"

/* A decompressed config bigger than this is not a kernel config. */
#define KCONFIG_MAX (16u << 20)

/* What the stamp records: config=match|mismatch|unavailable. */
enum kconfig_state { KCONFIG_UNAVAILABLE, KCONFIG_MATCH, KCONFIG_MISMATCH };

struct kconfig_sym {
	const char *name;         /* "CONFIG_FOO", not terminated */
	size_t nlen;
	const char *val;          /* .config: y, m, n, "str", 123; autoconf.h: as defined */
	size_t vlen;
};

struct kconfig {
	struct kconfig_sym *syms; /* sorted by name once parsed */
	size_t n, cap;
	char *own;                /* the decompressed text, when we made it */
	size_t own_len;
};

/* A .config as text; the symbols point into p, which must outlive c. */
int kconfig_parse_config(struct kconfig *c, const uint8_t *p, size_t n,
			 struct khdr_err *e);

/* An autoconf.h; the symbols point into text, which must outlive c. */
int kconfig_parse_autoconf(struct kconfig *c, const char *text, size_t len,
			   struct khdr_err *e);

void kconfig_free(struct kconfig *c);

/*
 * Symbols that only describe the tool chain, or what the build added (its
 * salt, its module signing), left out of the comparison.
 */
bool kconfig_build_symbol(const char *name, size_t len);

#define KCONFIG_SHOWN 5          /* differences named in a message */

struct kconfig_diff {
	char name[80];
	char headers[80];         /* the value as a .config would say it */
	char kernel[80];
};

struct kconfig_cmp {
	size_t compared, differ, skipped;
	struct kconfig_diff first[KCONFIG_SHOWN];
};

/*
 * Compare the archive's autoconf.h with the running kernel's .config,
 * symbol by symbol (n and absent are the same); 0 or -ENOMEM.
 */
int kconfig_compare(const struct kconfig *autoconf, const struct kconfig *config,
		    struct kconfig_cmp *out);

/* "CONFIG_A: headers y, kernel m; CONFIG_B: ..." of the first few. */
void kconfig_describe(const struct kconfig_cmp *cmp, char *buf, size_t size);

const char *kconfig_state_name(enum kconfig_state s);

/*
 * The configuration an autoconf.h was made from, for a kernel that carries
 * no .config: CONFIG_FOO_MODULE 1 is FOO=m, 1 is y, strings and numbers as
 * they are.  autoconf.h spells y and the number 1 alike: numeric (a
 * .config-style list of the int and hex symbols, CONFIG_FOO=int, from the
 * kit of the kernel's version; may be NULL) says which is which.  out's
 * symbols point into autoconf's text.
 */
int kconfig_derive(const struct kconfig *autoconf, const struct kconfig *numeric,
		   struct kconfig *out, struct khdr_err *e);

/*
 * A number the way config spells it where both mean the same (autoconf.h
 * writes a hex symbol's 0 as 0x0): derived's values then point into config.
 */
void kconfig_spell_as(struct kconfig *derived, const struct kconfig *config);

/* How a configuration is written: .config, or include/config/auto.conf
 * (strings unquoted, as kconfig writes it since Linux 5.18). */
enum kconfig_style { KCONFIG_DOT_CONFIG, KCONFIG_AUTO_CONF };

/*
 * c as text, under kconfig's own header naming title; malloc'd into *text.
 * A symbol set to n is "# CONFIG_FOO is not set" in a .config and no line
 * in auto.conf, as kconfig writes them.
 */
int kconfig_format(const struct kconfig *c, enum kconfig_style style,
		   const char *title, char **text, size_t *len, struct khdr_err *e);

#endif
