/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-cmdline.c - khdr-cache's switches read from a kernel command line. */
#include <errno.h>

#include "format/cmdline.h"
#include "unit.h"

static int get(void)
{
	const char *line = "BOOT_IMAGE=/vmlinuz-6.1.0-9-amd64 root=UUID=1234 ro quiet\n";
	char v[64];

	CHECK_INT(cmdline_get(line, "root", v, sizeof(v)), 0);
	CHECK_STR(v, "UUID=1234");                /* the first '=' ends the key */
	CHECK_INT(cmdline_get(line, "BOOT_IMAGE", v, sizeof(v)), 0);
	CHECK_STR(v, "/vmlinuz-6.1.0-9-amd64");
	strcpy(v, "untouched");
	CHECK_INT(cmdline_get(line, "ro", v, sizeof(v)), -ENOENT);   /* a bare word */
	CHECK_INT(cmdline_get(line, "oot", v, sizeof(v)), -ENOENT);  /* not a suffix */
	CHECK_INT(cmdline_get(line, "roo", v, sizeof(v)), -ENOENT);  /* nor a prefix */
	CHECK_INT(cmdline_get("", "root", v, sizeof(v)), -ENOENT);
	CHECK_STR(v, "untouched");
	/* Blanks are spaces, tabs and newlines; a value may be empty. */
	CHECK_INT(cmdline_get("  quiet\tkhdr=0\nsplash", "khdr", v, sizeof(v)), 0);
	CHECK_STR(v, "0");
	CHECK_INT(cmdline_get("khdr= quiet", "khdr", v, sizeof(v)), 0);
	CHECK_STR(v, "");
	/* Cut to the buffer, still found. */
	CHECK_INT(cmdline_get("khdr=abcdef", "khdr", v, 4), 0);
	CHECK_STR(v, "abc");
	return 0;
}

/* The last occurrence wins, as the kernel and dracut read it. */
static int last_wins(void)
{
	char v[64];

	CHECK_INT(cmdline_get("khdr=1 quiet khdr=0", "khdr", v, sizeof(v)), 0);
	CHECK_STR(v, "0");
	CHECK_INT(cmdline_get("khdr=0 khdr=", "khdr", v, sizeof(v)), 0);
	CHECK_STR(v, "");
	return 0;
}

/* Quotes are not special: a quoted value with a blank is cut at the blank. */
static int quotes(void)
{
	char v[64];

	CHECK_INT(cmdline_get("rd.khdr.cache=\"LABEL=my cache\" ro", "rd.khdr.cache", v, sizeof(v)), 0);
	CHECK_STR(v, "\"LABEL=my");
	CHECK_INT(cmdline_get("\"khdr=0\"", "khdr", v, sizeof(v)), -ENOENT);
	CHECK_INT(cmdline_get("khdr=\"0\"", "khdr", v, sizeof(v)), 0);
	CHECK_STR(v, "\"0\"");
	CHECK(!cmdline_khdr_off("khdr=\"0\""));
	return 0;
}

static int khdr_off(void)
{
	CHECK(cmdline_khdr_off("khdr=0"));
	CHECK(cmdline_khdr_off("ro rd.khdr=0 quiet"));
	CHECK(cmdline_khdr_off("khdr=no"));
	CHECK(cmdline_khdr_off("rd.khdr=off"));
	CHECK(cmdline_khdr_off("khdr=false\n"));
	CHECK(!cmdline_khdr_off(""));
	CHECK(!cmdline_khdr_off("quiet"));
	CHECK(!cmdline_khdr_off("khdr=1"));
	CHECK(!cmdline_khdr_off("khdr=yes rd.khdr=on"));
	CHECK(!cmdline_khdr_off("khdr=OFF"));            /* the words are lower case */
	CHECK(!cmdline_khdr_off("khdr=00"));
	CHECK(!cmdline_khdr_off("khdr="));
	CHECK(!cmdline_khdr_off("khdr"));
	CHECK(!cmdline_khdr_off("rd.khdr.cache=0"));     /* another key */
	CHECK(!cmdline_khdr_off("xkhdr=0 rd.khdr0=0"));
	/* Each key's last value counts, and either key turns it off. */
	CHECK(!cmdline_khdr_off("khdr=0 khdr=1"));
	CHECK(cmdline_khdr_off("khdr=1 khdr=0"));
	CHECK(cmdline_khdr_off("khdr=1 rd.khdr=0"));
	CHECK(cmdline_khdr_off("khdr=0 rd.khdr=1"));
	return 0;
}

static int cache_spec(void)
{
	char buf[64];

	CHECK_STR(cmdline_cache_spec("ro rd.khdr.cache=LABEL=khdr quiet", buf, sizeof(buf)),
		  "LABEL=khdr");
	CHECK_STR(buf, "LABEL=khdr");
	CHECK_STR(cmdline_cache_spec("rd.khdr.cache=/dev/sdb1\n", buf, sizeof(buf)), "/dev/sdb1");
	CHECK_STR(cmdline_cache_spec("rd.khdr.cache=a rd.khdr.cache=b", buf, sizeof(buf)), "b");
	CHECK(!cmdline_cache_spec("ro quiet", buf, sizeof(buf)));
	CHECK(!cmdline_cache_spec("rd.khdr.cache=", buf, sizeof(buf)));
	/* An empty last one wins too: no device. */
	CHECK(!cmdline_cache_spec("rd.khdr.cache=/dev/sdb1 rd.khdr.cache=", buf, sizeof(buf)));
	CHECK(!cmdline_cache_spec("khdr.cache=/dev/sdb1 rd.khdr=0", buf, sizeof(buf)));
	return 0;
}

int main(void)
{
	TEST(get);
	TEST(last_wins);
	TEST(quotes);
	TEST(khdr_off);
	TEST(cache_spec);
	return unit_done();
}
