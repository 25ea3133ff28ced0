/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-path.c - which member names and symlink targets are accepted. */
#include <errno.h>
#include <limits.h>

#include "format/path.h"
#include "unit.h"

static int clean_accepts(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "a", "a" },
		{ "./a", "a" },
		{ "././a//b/", "a/b" },
		{ "a/./b", "a/b" },
		{ "./include/linux/kconfig.h", "include/linux/kconfig.h" },
		{ "a..b/..c", "a..b/..c" },
		{ "...", "..." },
	};
	char out[PATH_MAX];
	const char *why;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		CHECK_INT(path_clean(cases[i].in, out, sizeof(out), &why), 0);
		CHECK_STR(out, cases[i].out);
	}
	CHECK_INT(path_clean("./", out, sizeof(out), &why), 1);
	CHECK_INT(path_clean(".", out, sizeof(out), &why), 1);
	return 0;
}

static int clean_refuses(void)
{
	static const char *const bad[] = {
		"", "/etc/passwd", "..", "../x", "a/../b", "a/..", "./..//x", "//x",
	};
	char out[PATH_MAX], longname[PATH_MAX + 10], comp[300];
	const char *why = NULL;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		why = NULL;
		CHECK(path_clean(bad[i], out, sizeof(out), &why) < 0);
		CHECK(why != NULL);
	}
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	for (size_t i = 100; i < sizeof(longname) - 1; i += 100)
		longname[i] = '/';
	CHECK_INT(path_clean(longname, out, sizeof(out), &why), -ENAMETOOLONG);
	memset(comp, 'c', 256);
	comp[256] = '\0';
	CHECK_INT(path_clean(comp, out, sizeof(out), &why), -ENAMETOOLONG);
	comp[255] = '\0';
	CHECK_INT(path_clean(comp, out, sizeof(out), &why), 0);
	return 0;
}

static int symlinks(void)
{
	static const struct { const char *path, *target; int ok; } cases[] = {
		{ "include/dt-bindings/input/linux-event-codes.h",
		  "../../uapi/linux/input-event-codes.h", 1 },
		{ "include/dt-bindings/clock/a.h", "b.h", 1 },
		{ "a/b/c", "../../x", 1 },
		{ "a/b/c", "../../../x", 0 },          /* leaves the tree */
		{ "top", "..", 0 },
		{ "top", "sub/dir", 1 },
		{ "a/l", "./x", 1 },
		{ "a/l", "/etc/passwd", 0 },
		{ "a/l", "", 0 },
		{ "a/b/l", "x/../../..", 0 },          /* .. after a name */
		{ "a/b/l", "x/..", 0 },
	};
	const char *why;

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int r = path_symlink_ok(cases[i].path, cases[i].target, &why);

		if ((r == 0) != cases[i].ok)
			printf("    %s -> %s\n", cases[i].path, cases[i].target);
		CHECK_INT(r == 0, cases[i].ok);
	}
	return 0;
}

int main(void)
{
	TEST(clean_accepts);
	TEST(clean_refuses);
	TEST(symlinks);
	return unit_done();
}
