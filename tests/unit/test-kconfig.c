/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-kconfig.c - the .config and autoconf.h parsers and their
 * comparison: every spelling of a value (y, m, n, strings, numbers, hex),
 * the tool chain symbols and the build's additions left out, gzip input (as /proc/config.gz), and
 * the genuine defconfig .config of the test artefacts when built.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/kconfig.h"
#include "kinfo/kconfig-src.h"
#include "unit.h"

static const char config[] =
	"#\n# Automatically generated file; DO NOT EDIT.\n# Linux/x86 6.1.192 Kernel Configuration\n#\n"
	"CONFIG_CC_VERSION_TEXT=\"gcc (Debian 12.2.0-14) 12.2.0\"\n"
	"CONFIG_CC_IS_GCC=y\n"
	"CONFIG_GCC_VERSION=120200\n"
	"CONFIG_SMP=y\n"
	"CONFIG_IKHEADERS=m\n"
	"# CONFIG_KASAN is not set\n"
	"CONFIG_NR_CPUS=64\n"
	"CONFIG_PHYSICAL_START=0x1000000\n"
	"CONFIG_LOCALVERSION=\"\"\n"
	"CONFIG_DEFAULT_HOSTNAME=\"(none)\"\n"
	"\n";

static const char autoconf[] =
	"/*\n * Automatically generated file; DO NOT EDIT.\n * Linux/x86 6.1.192 Kernel Configuration\n */\n"
	"#define CONFIG_CC_VERSION_TEXT \"gcc (Debian 12.2.0-14) 12.2.0\"\n"
	"#define CONFIG_CC_IS_GCC 1\n"
	"#define CONFIG_GCC_VERSION 120200\n"
	"#define CONFIG_SMP 1\n"
	"#define CONFIG_IKHEADERS_MODULE 1\n"
	"#define CONFIG_NR_CPUS 64\n"
	"#define CONFIG_PHYSICAL_START 0x1000000\n"
	"#define CONFIG_LOCALVERSION \"\"\n"
	"#define CONFIG_DEFAULT_HOSTNAME \"(none)\"\n";

/* text with the line starting with `from` replaced by `to` */
static char *edit(const char *text, const char *from, const char *to)
{
	const char *p = strstr(text, from), *nl;
	char *out = malloc(strlen(text) + strlen(to) + 2);

	if (!p || !out)
		abort();
	nl = strchr(p, '\n');
	sprintf(out, "%.*s%s%s", (int)(p - text), text, to, nl);
	return out;
}

static int compare(const char *ac, const char *cfg, struct kconfig_cmp *cmp)
{
	struct kconfig a, c;
	struct khdr_err e = { 0 };
	int r;

	if (kconfig_parse_autoconf(&a, ac, strlen(ac), &e) < 0) {
		printf("    autoconf: %s\n", e.msg);
		return -1;
	}
	if (kconfig_parse_config(&c, (const uint8_t *)cfg, strlen(cfg), &e) < 0) {
		printf("    config: %s\n", e.msg);
		kconfig_free(&a);
		return -1;
	}
	r = kconfig_compare(&a, &c, cmp);
	kconfig_free(&a);
	kconfig_free(&c);
	return r;
}

static int agree(void)
{
	struct kconfig_cmp cmp;

	CHECK_INT(compare(autoconf, config, &cmp), 0);
	CHECK_INT(cmp.differ, 0);
	CHECK_INT(cmp.skipped, 3);          /* CC_VERSION_TEXT, CC_IS_GCC, GCC_VERSION */
	CHECK_INT(cmp.compared, 7);         /* KASAN=n included */
	return 0;
}

static int differences(void)
{
	struct kconfig_cmp cmp;
	char *c, buf[600];

	/* y against n */
	c = edit(config, "CONFIG_SMP=y", "# CONFIG_SMP is not set");
	CHECK_INT(compare(autoconf, c, &cmp), 0);
	CHECK_INT(cmp.differ, 1);
	CHECK_STR(cmp.first[0].name, "CONFIG_SMP");
	CHECK_STR(cmp.first[0].headers, "y");
	CHECK_STR(cmp.first[0].kernel, "n");
	free(c);
	/* m against y, and a number */
	c = edit(config, "CONFIG_IKHEADERS=m", "CONFIG_IKHEADERS=y");
	CHECK_INT(compare(autoconf, c, &cmp), 0);
	CHECK_INT(cmp.differ, 1);
	CHECK_STR(cmp.first[0].headers, "m");
	CHECK_STR(cmp.first[0].kernel, "y");
	free(c);
	c = edit(config, "CONFIG_NR_CPUS=64", "CONFIG_NR_CPUS=8192");
	CHECK_INT(compare(autoconf, c, &cmp), 0);
	CHECK_INT(cmp.differ, 1);
	kconfig_describe(&cmp, buf, sizeof(buf));
	CHECK_STR(buf, "CONFIG_NR_CPUS: headers 64, kernel 8192");
	free(c);
	/* a symbol only the kernel sets; a string */
	c = edit(config, "# CONFIG_KASAN is not set", "CONFIG_KASAN=y");
	CHECK_INT(compare(autoconf, c, &cmp), 0);
	CHECK_INT(cmp.differ, 1);
	CHECK_STR(cmp.first[0].headers, "n");
	free(c);
	c = edit(config, "CONFIG_LOCALVERSION=", "CONFIG_LOCALVERSION=\"-custom\"");
	CHECK_INT(compare(autoconf, c, &cmp), 0);
	CHECK_INT(cmp.differ, 1);
	CHECK_STR(cmp.first[0].kernel, "\"-custom\"");
	free(c);
	/* hex without 0x is the same number */
	c = edit(config, "CONFIG_PHYSICAL_START=", "CONFIG_PHYSICAL_START=0x01000000");
	CHECK_INT(compare(autoconf, c, &cmp), 0);
	CHECK_INT(cmp.differ, 0);
	free(c);
	/* the tool chain alone differs: no difference */
	c = edit(config, "CONFIG_GCC_VERSION=", "CONFIG_GCC_VERSION=140200");
	CHECK_INT(compare(autoconf, c, &cmp), 0);
	CHECK_INT(cmp.differ, 0);
	free(c);
	return 0;
}

/*
 * Debian's build appends its salt and module signing to the .config it
 * builds with; /boot/config-<release> is the configuration without them.
 */
static int build_additions(void)
{
	static const char added[] =
		"#define CONFIG_BUILD_SALT \"6.1.0-57-amd64\"\n"
		"#define CONFIG_MODULE_SIG_ALL 1\n"
		"#define CONFIG_MODULE_SIG_KEY \"output/signing_key.pem\"\n"
		"#define CONFIG_SYSTEM_TRUSTED_KEYS \"\"\n";
	struct kconfig_cmp cmp;
	char *ac = malloc(sizeof(autoconf) + sizeof(added));

	if (!ac)
		abort();
	sprintf(ac, "%s%s", autoconf, added);
	CHECK_INT(compare(ac, config, &cmp), 0);
	CHECK_INT(cmp.differ, 0);
	CHECK_INT(cmp.skipped, 7);
	free(ac);
	return 0;
}

static int many_differences(void)
{
	char cfg[8192] = "", ac[8192] = "", buf[600];
	struct kconfig_cmp cmp;

	for (int i = 0; i < 9; i++) {
		sprintf(cfg + strlen(cfg), "CONFIG_S%d=y\n", i);
		sprintf(ac + strlen(ac), "#define CONFIG_S%d_MODULE 1\n", i);
	}
	CHECK_INT(compare(ac, cfg, &cmp), 0);
	CHECK_INT(cmp.differ, 9);
	kconfig_describe(&cmp, buf, sizeof(buf));
	CHECK(strstr(buf, "CONFIG_S0: headers m, kernel y; ") == buf);
	CHECK(strstr(buf, "; and 4 more") != NULL);
	return 0;
}

static int hostile(void)
{
	struct kconfig c;
	struct khdr_err e = { 0 };
	static const uint8_t bin[] = { 'C', 'O', 'N', 0, 1, 2 };
	static const uint8_t gz_cut[] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0x4b };

	CHECK_INT(kconfig_parse_config(&c, bin, sizeof(bin), &e), -EBADMSG);
	CHECK(strstr(e.msg, "binary") != NULL);
	CHECK_INT(kconfig_parse_config(&c, (const uint8_t *)"hello world\n", 12, &e), -EBADMSG);
	CHECK(strstr(e.msg, "line 1") != NULL);
	CHECK_INT(kconfig_parse_config(&c, (const uint8_t *)"# only a comment\n", 17, &e), -EBADMSG);
	CHECK_INT(kconfig_parse_config(&c, (const uint8_t *)"CONFIG_=y\n", 10, &e), -EBADMSG);
	CHECK_INT(kconfig_parse_config(&c, (const uint8_t *)"CONFIG_A=\n", 10, &e), -EBADMSG);
	CHECK(kconfig_load(&c, gz_cut, sizeof(gz_cut), &e) < 0);
	CHECK(*e.msg);
	CHECK_INT(kconfig_parse_autoconf(&c, "int x;\n", 7, &e), -EBADMSG);
	/* the last assignment wins, as in kconfig */
	CHECK_INT(kconfig_parse_config(&c, (const uint8_t *)"CONFIG_A=y\nCONFIG_A=m\r\n", 23, &e), 0);
	CHECK_INT(c.n, 1);
	CHECK(c.n == 1 && c.syms[0].vlen == 1 && c.syms[0].val[0] == 'm');
	kconfig_free(&c);
	return 0;
}

/* gzip -c of the config, as /proc/config.gz holds it. */
static int gzipped(void)
{
	char path[] = "/tmp/test-kconfig.XXXXXX", cmd[128];
	struct kconfig a, c;
	struct kconfig_cmp cmp;
	struct khdr_err e = { 0 };
	unsigned char *gz;
	size_t len;
	int fd = mkstemp(path);
	FILE *f;

	if (fd < 0)
		return unit_skip("no temporary file");
	f = fdopen(fd, "w");
	fputs(config, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "gzip -n -f %s", path);
	if (system(cmd) != 0) {
		unlink(path);
		return unit_skip("no gzip");
	}
	snprintf(cmd, sizeof(cmd), "%s.gz", path);
	gz = unit_slurp(cmd, &len);
	unlink(cmd);
	CHECK(gz != NULL);
	if (!gz)
		return 0;
	CHECK_INT(kconfig_load(&c, gz, len, &e), 0);
	CHECK_INT(c.n, 10);
	CHECK_INT(kconfig_parse_autoconf(&a, autoconf, strlen(autoconf), &e), 0);
	CHECK_INT(kconfig_compare(&a, &c, &cmp), 0);
	CHECK_INT(cmp.differ, 0);
	kconfig_free(&a);
	kconfig_free(&c);
	free(gz);
	return 0;
}

/* The genuine defconfig: every symbol read, several thousand. */
static int genuine(void)
{
	const char *p = unit_artefact("config");
	struct kconfig c;
	struct khdr_err e = { 0 };
	unsigned char *text;
	size_t len;
	int y = 0, m = 0, n = 0;

	if (!p || !(text = unit_slurp(p, &len)))
		return unit_skip("no $KHDR_ARTEFACTS/config (tests/lib/build-artefacts.sh)");
	CHECK_INT(kconfig_parse_config(&c, text, len, &e), 0);
	CHECK(c.n > 3000);
	for (size_t i = 0; i < c.n; i++) {
		y += c.syms[i].vlen == 1 && c.syms[i].val[0] == 'y';
		m += c.syms[i].vlen == 1 && c.syms[i].val[0] == 'm';
		n += c.syms[i].vlen == 1 && c.syms[i].val[0] == 'n';
	}
	CHECK(y > 1000 && n > 1000);
	CHECK(m >= 1);                      /* IKHEADERS=m at least */
	kconfig_free(&c);
	free(text);
	return 0;
}

static int strcmp_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* autoconf.h back to a .config and an auto.conf, y and 1 told apart by the numeric list. */
static int derived(void)
{
	static const char ac[] =
		"#define CONFIG_SMP 1\n"
		"#define CONFIG_IKHEADERS_MODULE 1\n"
		"#define CONFIG_SND_HDA_POWER_SAVE_DEFAULT 1\n"
		"#define CONFIG_NR_CPUS 64\n"
		"#define CONFIG_PHYSICAL_START 0x1000000\n"
		"#define CONFIG_CMDLINE \"a \\\"b\\\" \\\\c\"\n";
	static const char numeric[] =
		"CONFIG_NR_CPUS=int\nCONFIG_PHYSICAL_START=hex\n"
		"CONFIG_SND_HDA_POWER_SAVE_DEFAULT=int\n";
	static const char want_config[] =
		"#\n# Automatically generated file; DO NOT EDIT.\n# T\n#\n"
		"CONFIG_CMDLINE=\"a \\\"b\\\" \\\\c\"\n"
		"CONFIG_IKHEADERS=m\n"
		"CONFIG_NR_CPUS=64\n"
		"CONFIG_PHYSICAL_START=0x1000000\n"
		"CONFIG_SMP=y\n"
		"CONFIG_SND_HDA_POWER_SAVE_DEFAULT=1\n";
	struct kconfig a, num, d;
	struct khdr_err e = { 0 };
	char *text;
	size_t len;

	CHECK_INT(kconfig_parse_autoconf(&a, ac, strlen(ac), &e), 0);
	CHECK_INT(kconfig_parse_config(&num, (const uint8_t *)numeric, strlen(numeric), &e), 0);
	CHECK_INT(kconfig_derive(&a, &num, &d, &e), 0);
	CHECK_INT(kconfig_format(&d, KCONFIG_DOT_CONFIG, "T", &text, &len, &e), 0);
	CHECK_STR(text, want_config);
	CHECK_INT(len, strlen(want_config));
	free(text);
	CHECK_INT(kconfig_format(&d, KCONFIG_AUTO_CONF, "T", &text, &len, &e), 0);
	CHECK(strstr(text, "\nCONFIG_CMDLINE=a \"b\" \\c\n") != NULL);
	free(text);
	kconfig_free(&d);
	/* Without the list every 1 is y. */
	CHECK_INT(kconfig_derive(&a, NULL, &d, &e), 0);
	CHECK_INT(kconfig_format(&d, KCONFIG_DOT_CONFIG, "T", &text, &len, &e), 0);
	CHECK(strstr(text, "CONFIG_SND_HDA_POWER_SAVE_DEFAULT=y\n") != NULL);
	free(text);
	kconfig_free(&d);
	kconfig_free(&num);
	kconfig_free(&a);
	return 0;
}

/* The CONFIG_ lines of a text, sorted; *n of them. */
static char **config_lines(const char *text, size_t len, size_t *n)
{
	char **v = NULL;
	size_t cap = 0;

	*n = 0;
	for (const char *s = text, *end = text + len; s < end;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t l = nl ? (size_t)(nl - s) : (size_t)(end - s);

		if (l > 7 && memcmp(s, "CONFIG_", 7) == 0) {
			if (*n == cap)
				v = realloc(v, (cap = cap ? 2 * cap : 8192) * sizeof(*v));
			v[(*n)++] = strndup(s, l);
		}
		s += l + 1;
	}
	qsort(v, *n, sizeof(*v), strcmp_ptr);
	return v;
}

/* Lines equal, or a hex symbol's value the same number (autoconf.h adds 0x). */
static bool same_line(const char *a, const char *b, const char *numeric)
{
	const char *ea = strchr(a, '='), *eb = strchr(b, '=');
	char key[128];

	if (strcmp(a, b) == 0)
		return true;
	if (!ea || !eb || ea - a != eb - b || memcmp(a, b, (size_t)(ea - a)) ||
	    (size_t)(ea - a) + 6 > sizeof(key))
		return false;
	snprintf(key, sizeof(key), "\n%.*s=hex\n", (int)(ea - a), a);
	return strstr(numeric, key + (strncmp(numeric, key + 1, strlen(key) - 1) == 0)) &&
	       strtoull(ea + 1, NULL, 16) == strtoull(eb + 1, NULL, 16);
}

/*
 * Debian's autoconf.h derives Debian's .config, every symbol it sets,
 * and its auto.conf (tests/run sets both variables: Debian's headers
 * unpacked, and kernel/kconfig-numeric of linux-source-6.1).
 */
static int derived_debian(void)
{
	const char *hdrs = getenv("KHDR_DEBIAN_HEADERS_TREE");
	const char *numeric = getenv("KHDR_KCONFIG_NUMERIC");
	const char *names[] = { "include/generated/autoconf.h", ".config",
				"include/config/auto.conf" };
	unsigned char *text[3] = { NULL }, *ntext;
	struct kconfig a, num, d;
	struct khdr_err e = { 0 };
	size_t len[3], nlen;
	char path[4096];

	if (!hdrs || !numeric || !(ntext = unit_slurp(numeric, &nlen)))
		return unit_skip("no $KHDR_DEBIAN_HEADERS_TREE or $KHDR_KCONFIG_NUMERIC (tests/run sets them)");
	ntext = realloc(ntext, nlen + 1);
	ntext[nlen] = '\0';
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", hdrs, names[i]);
		text[i] = unit_slurp(path, &len[i]);
		CHECK(text[i] != NULL);
		if (!text[i])
			return 0;
	}
	CHECK_INT(kconfig_parse_autoconf(&a, (char *)text[0], len[0], &e), 0);
	CHECK_INT(kconfig_parse_config(&num, ntext, nlen, &e), 0);
	CHECK_INT(kconfig_derive(&a, &num, &d, &e), 0);
	for (int style = 0; style < 2; style++) {
		char *out, **want, **got;
		size_t olen, nw, ng, bad = 0;

		CHECK_INT(kconfig_format(&d, style, "T", &out, &olen, &e), 0);
		want = config_lines((char *)text[1 + style], len[1 + style], &nw);
		got = config_lines(out, olen, &ng);
		CHECK(nw > 6000);
		CHECK_INT(ng, nw);
		for (size_t i = 0; i < nw && i < ng; i++)
			if (!same_line(want[i], got[i], (char *)ntext) && bad++ < 3)
				printf("    %s: %s, derived %s\n", names[1 + style], want[i], got[i]);
		CHECK_INT(bad, 0);
		for (size_t i = 0; i < nw; i++)
			free(want[i]);
		for (size_t i = 0; i < ng; i++)
			free(got[i]);
		free(want);
		free(got);
		free(out);
	}
	kconfig_free(&d);
	kconfig_free(&num);
	kconfig_free(&a);
	for (int i = 0; i < 3; i++)
		free(text[i]);
	free(ntext);
	return 0;
}

int main(void)
{
	TEST(agree);
	TEST(differences);
	TEST(build_additions);
	TEST(many_differences);
	TEST(hostile);
	TEST(gzipped);
	TEST(genuine);
	TEST(derived);
	TEST(derived_debian);
	return unit_done();
}
