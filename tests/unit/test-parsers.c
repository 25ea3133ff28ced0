/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-parsers.c - the small text parsers: key=value (manifest, stamp),
 * generated headers, /proc/version, the banner of a kernel image, a kbuild
 * kit's manifest; and the verifier's decisions. */
#include <errno.h>
#include <string.h>

#include "format/kit.h"
#include "format/kv.h"
#include "kinfo/kernel.h"
#include "kinfo/kimage.h"
#include "kinfo/verify.h"
#include "unit.h"

static int kv(void)
{
	const char *t = "# comment\nformat=1\nrelease=6.1.0-56-amd64\n\nbuild_id=abc\nempty=\n";
	char v[64];

	CHECK_INT(kv_validate(t, strlen(t)), 0);
	CHECK_INT(kv_get(t, strlen(t), "release", v, sizeof(v)), 0);
	CHECK_STR(v, "6.1.0-56-amd64");
	CHECK_INT(kv_get(t, strlen(t), "build_id", v, sizeof(v)), 0);
	CHECK_STR(v, "abc");
	CHECK_INT(kv_get(t, strlen(t), "empty", v, sizeof(v)), 0);
	CHECK_STR(v, "");
	CHECK_INT(kv_get(t, strlen(t), "build", v, sizeof(v)), -ENOENT);
	CHECK_INT(kv_get(t, strlen(t), "release", v, 4), -ENAMETOOLONG);
	CHECK_INT(kv_validate("no equals\n", 10), -EBADMSG);
	CHECK_INT(kv_validate("=x\n", 3), -EBADMSG);
	CHECK_INT(kv_validate("bad key=x\n", 10), -EBADMSG);
	/* no trailing newline */
	CHECK_INT(kv_get("a=1\nb=2", 7, "b", v, sizeof(v)), 0);
	CHECK_STR(v, "2");
	return 0;
}

static int defines(void)
{
	const char *compile =
		"#define UTS_MACHINE\t\t\"x86_64\"\n"
		"#define LINUX_COMPILE_BY\t\"khdr\"\n"
		"#define LINUX_COMPILER\t\t\"gcc (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld 2.40\"\n";
	char v[128];

	CHECK_INT(header_define(compile, strlen(compile), "LINUX_COMPILE_BY", v, sizeof(v)), 0);
	CHECK_STR(v, "khdr");
	CHECK_INT(header_define(compile, strlen(compile), "LINUX_COMPILER", v, sizeof(v)), 0);
	CHECK_STR(v, "gcc (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld 2.40");
	CHECK_INT(header_define(compile, strlen(compile), "LINUX_COMPILE", v, sizeof(v)), -ENOENT);
	CHECK_INT(header_define(compile, strlen(compile), "LINUX_COMPILE_HOST", v, sizeof(v)), -ENOENT);
	CHECK_INT(header_define("#define UTS_RELEASE \"6.1.192\"\n", 31, "UTS_RELEASE", v, sizeof(v)), 0);
	CHECK_STR(v, "6.1.192");
	CHECK_INT(header_define("#define UTS_RELEASE 6\n", 22, "UTS_RELEASE", v, sizeof(v)), -EBADMSG);
	return 0;
}

static int proc_version(void)
{
	struct proc_version v;

	CHECK_INT(proc_version_parse(
		"Linux version 6.1.0-27-amd64 (debian-kernel@lists.debian.org) "
		"(gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) "
		"#1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 (2024-11-01)\n", &v), 0);
	CHECK_STR(v.release, "6.1.0-27-amd64");
	CHECK_STR(v.by, "debian-kernel");
	CHECK_STR(v.host, "lists.debian.org");
	CHECK_STR(v.compiler, "gcc-12 (Debian 12.2.0-14) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40");
	CHECK_STR(v.uts_version, "#1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 (2024-11-01)");
	CHECK_INT(proc_version_parse("Linux version 6.1 (a@b) (unterminated", &v), -EBADMSG);
	CHECK_INT(proc_version_parse("Linux 6.1", &v), -EBADMSG);
	CHECK_INT(proc_version_parse("Linux version 6.1 (nohost) (gcc) #1", &v), -EBADMSG);
	return 0;
}

static int releases(void)
{
	CHECK(release_valid("6.1.0-56-amd64"));
	CHECK(!release_valid(""));
	CHECK(!release_valid(".."));
	CHECK(!release_valid("a/b"));
	CHECK(!release_valid("a@b"));
	CHECK(!release_valid("a b"));
	return 0;
}

static void fake_kernel(struct kernel_id *k)
{
	memset(k, 0, sizeof(*k));
	strcpy(k->release, "6.1.192");
	strcpy(k->build_id_hex, "00112233");
	k->have_version = true;
	strcpy(k->version.release, "6.1.192");
	strcpy(k->version.by, "khdr");
	strcpy(k->version.host, "host");
	strcpy(k->version.compiler, "gcc 12");
}

static const char uts[] = "#define UTS_RELEASE \"6.1.192\"\n";
static const char comp[] = "#define LINUX_COMPILE_BY \"khdr\"\n#define LINUX_COMPILE_HOST \"host\"\n"
			   "#define LINUX_COMPILER \"gcc 12\"\n";

/* The word of each level, and "?" for a value outside the table. */
static int level_names(void)
{
	CHECK_STR(verify_level_name(VERIFY_NONE), "none");
	CHECK_STR(verify_level_name(VERIFY_FORCED), "forced");
	CHECK_STR(verify_level_name((enum verify_level)(VERIFY_FORCED + 1)), "?");
	CHECK_STR(verify_level_name((enum verify_level)-1), "?");
	return 0;
}

static int verifier_levels(void)
{
	struct kernel_id k;
	struct verifier v;
	struct khdr_err e;
	enum verify_level l;
	const char *man = "format=1\nrelease=6.1.192\nbuild_id=00112233\nkbuild=yes\n";

	fake_kernel(&k);
	/* fingerprint: both headers agree */
	verify_init(&v, &k, false, false);
	CHECK_INT(verify_member(&v, "include/generated/utsrelease.h", uts, strlen(uts), &e), 0);
	CHECK_INT(verify_member(&v, "include/generated/compile.h", comp, strlen(comp), &e), 0);
	CHECK_INT(verify_finish(&v, &l, &e), 0);
	CHECK_INT(l, VERIFY_FINGERPRINT);
	/* build-id: manifest first */
	verify_init(&v, &k, false, false);
	CHECK(verify_wants(&v, "khdr-manifest"));
	CHECK_INT(verify_member(&v, "khdr-manifest", man, strlen(man), &e), 0);
	verify_count(&v, "khdr-manifest");
	CHECK(!verify_wants(&v, "khdr-manifest"));
	CHECK_INT(verify_finish(&v, &l, &e), 0);
	CHECK_INT(l, VERIFY_BUILD_ID);
	CHECK(v.kbuild);
	/* builtin: headers without the generated ones, still fine */
	verify_init(&v, &k, false, true);
	verify_count(&v, "include/linux/kconfig.h");
	CHECK_INT(verify_finish(&v, &l, &e), 0);
	CHECK_INT(l, VERIFY_BUILTIN);
	/* nothing to verify with: refused, and --force may take it */
	verify_init(&v, &k, false, false);
	verify_count(&v, "include/linux/kconfig.h");
	CHECK_INT(verify_finish(&v, &l, &e), -EPERM);
	CHECK(strstr(e.msg, "utsrelease.h") != NULL);
	verify_init(&v, &k, true, false);
	verify_count(&v, "include/linux/kconfig.h");
	CHECK_INT(verify_finish(&v, &l, &e), 0);
	CHECK_INT(l, VERIFY_FORCED);
	/* no kernel headers archive at all: refused even forced or built in */
	for (int force = 0; force < 2; force++) {
		verify_init(&v, &k, force, !force);
		verify_count(&v, "README");
		CHECK_INT(verify_finish(&v, &l, &e), -EPERM);
		CHECK(strstr(e.msg, "not a kernel headers archive") != NULL);
	}
	return 0;
}

static int verifier_mismatches(void)
{
	struct kernel_id k;
	struct verifier v;
	struct khdr_err e;
	enum verify_level l;
	const char *man = "release=6.1.192\nbuild_id=ffff\n";

	fake_kernel(&k);
	verify_init(&v, &k, false, false);
	CHECK_INT(verify_member(&v, "khdr-manifest", man, strlen(man), &e), -EPERM);
	CHECK(strstr(e.msg, "build ID") && strstr(e.msg, "ffff") && strstr(e.msg, "00112233"));

	strcpy(k.version.compiler, "clang 16");
	verify_init(&v, &k, false, false);
	CHECK_INT(verify_member(&v, "include/generated/compile.h", comp, strlen(comp), &e), -EPERM);
	CHECK(strstr(e.msg, "LINUX_COMPILER") && strstr(e.msg, "clang 16") && strstr(e.msg, "gcc 12"));

	verify_init(&v, &k, false, false);
	CHECK_INT(verify_vermagic(&v, "6.1.193 SMP mod_unload ", &e), -EPERM);
	CHECK(strstr(e.msg, "--kernel-release 6.1.193") != NULL && !strstr(e.msg, "--force"));
	CHECK(strcmp(v.named_release, "6.1.193") == 0);

	/* uname -v recorded by the packer must be ours, when we know ours */
	man = "release=6.1.192\nbuild_id=00112233\nuts_version=#1 SMP Debian 6.1.192-1\n";
	strcpy(k.uts_version, "#1 SMP Debian 6.1.192-2");
	verify_init(&v, &k, false, false);
	CHECK_INT(verify_member(&v, "khdr-manifest", man, strlen(man), &e), -EPERM);
	CHECK(strstr(e.msg, "uts_version") && strstr(e.msg, "6.1.192-1") && strstr(e.msg, "6.1.192-2"));
	strcpy(k.uts_version, "#1 SMP Debian 6.1.192-1");
	verify_init(&v, &k, false, false);
	CHECK_INT(verify_member(&v, "khdr-manifest", man, strlen(man), &e), 0);
	k.uts_version[0] = '\0';
	verify_init(&v, &k, false, false);
	CHECK_INT(verify_member(&v, "khdr-manifest", man, strlen(man), &e), 0);

	/* --force: a warning, and the level says so */
	verify_init(&v, &k, true, false);
	CHECK_INT(verify_member(&v, "include/generated/compile.h", comp, strlen(comp), &e), 0);
	CHECK_INT(verify_finish(&v, &l, &e), 0);
	CHECK_INT(l, VERIFY_FORCED);

	/* /proc/version of another release: the fingerprint cannot be compared */
	fake_kernel(&k);
	strcpy(k.version.release, "6.18.0");
	verify_init(&v, &k, false, false);
	CHECK_INT(verify_member(&v, "include/generated/utsrelease.h", uts, strlen(uts), &e), 0);
	CHECK_INT(verify_member(&v, "include/generated/compile.h", comp, strlen(comp), &e), 0);
	CHECK_INT(verify_finish(&v, &l, &e), -EPERM);
	CHECK(strstr(e.msg, "6.18.0") != NULL);
	return 0;
}

/*
 * The banner scan, over bytes laid out as in a 6.1 vmlinux: a weak banner
 * with "# SMP" first, the real one later, a banner of another release and
 * a format string between.  Fed whole, and split at every point as
 * kimage.c feeds it (what is not done with comes again, in front).
 */
static int banner(void)
{
	static const char *const parts[] = {
		"Linux version 6.1.0-9 (a@b) (gcc (Debian 12) 12.2.0) # SMP",
		"%s version %s (%s@%s) (%s) %s\n",
		"Linux version 6.0.0 (c@d) (gcc) #2 SMP",
		"Linux version is what this says",
		"Linux version 6.1.0-9 (a@b) (gcc (Debian 12) 12.2.0) #1 SMP PREEMPT",
	};
	uint8_t buf[8192];
	char line[BANNER_MAX + 1], other[BANNER_MAX + 1];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(parts) / sizeof(*parts); i++) {
		memset(buf + n, 0x90, 1200);     /* far apart: more than BANNER_MAX */
		n += 1200;
		memcpy(buf + n, parts[i], strlen(parts[i]) + 1);
		n += strlen(parts[i]) + 1;
	}
	for (size_t k = 0; k <= n; k++) {
		struct banner_scan sc = { .release = "6.1.0-9", .line = line, .other = other,
					  .size = sizeof(line), .osize = sizeof(other) };
		size_t used;

		line[0] = other[0] = '\0';
		used = banner_scan(&sc, buf, k, k == n);
		CHECK(used <= k);
		if (k < n)
			banner_scan(&sc, buf + used, n - used, true);
		CHECK(sc.found && sc.done);
		if (strcmp(line, parts[4]) != 0 || strcmp(other, parts[2]) != 0) {
			CHECK_STR(line, parts[4]);
			CHECK_STR(other, parts[2]);
			break;
		}
	}
	/* Only the weak banner: it is taken, and the scan goes to the end. */
	{
		struct banner_scan sc = { .release = "6.1.0-9", .line = line, .other = other,
					  .size = sizeof(line), .osize = sizeof(other) };

		line[0] = other[0] = '\0';
		CHECK_INT(banner_scan(&sc, (const uint8_t *)parts[0], strlen(parts[0]) + 1, true),
			  strlen(parts[0]) + 1);
		CHECK(sc.found && !sc.done);
		CHECK_STR(line, parts[0]);
		sc.release = "6.2";
		sc.found = false;
		line[0] = '\0';
		banner_scan(&sc, (const uint8_t *)parts[0], strlen(parts[0]) + 1, true);
		CHECK(!sc.found);
		CHECK_STR(other, parts[0]);
	}
	/* A banner without its end within BANNER_MAX is none. */
	{
		struct banner_scan sc = { .release = "6.1.0-9", .line = line, .other = other,
					  .size = sizeof(line), .osize = sizeof(other) };

		memcpy(buf, parts[4], strlen(parts[4]));
		memset(buf + strlen(parts[4]), 'x', 2000);
		banner_scan(&sc, buf, strlen(parts[4]) + 2000, true);
		CHECK(!sc.found);
	}
	return 0;
}

/* As kernel/mkkit writes it: header, blank line, the list. */
#define KIT_HEAD "format=1\nversion=6.1.192\nversion_code=393664\nsrcarch=x86\n" \
		 "origin=Debian linux-source-6.1 6.1.192-3\n"

static int kit_manifest(void)
{
	static const char good[] = KIT_HEAD "files=2\ncreated_by=khdr-cache mkkit 0.1.0\n\n"
				   "Makefile\nscripts/mod/modpost\n";
	static const char *const bad[][2] = {
		{ KIT_HEAD "files=1\n\n/etc/passwd\n", "not a clean relative path" },
		{ KIT_HEAD "files=1\n\nscripts/../../x\n", "not a clean relative path" },
		{ KIT_HEAD "files=1\n\n./Makefile\n", "not a clean relative path" },
		{ KIT_HEAD "files=3\n\nMakefile\n", "files=3, its list has 1" },
		{ "format=2\nversion=6.1.192\nversion_code=1\nsrcarch=x86\nfiles=0\n", "format=2" },
		{ "format=1\nversion=6.1.192\nsrcarch=x86\nfiles=0\n", "no version_code=" },
		{ "format=1\nversion=6.1.192\nversion_code=1\nsrcarch=..\nfiles=0\n", "srcarch=.." },
		{ "format=1\nversion=6.1.192\nversion_code=1\nsrcarch=x/y\nfiles=0\n", "srcarch=x/y" },
		{ "format=1\nversion=6.1.192\nversion_code=x\nsrcarch=x86\nfiles=0\n", "version_code=x" },
		{ "not a manifest\n", "not key=value" },
	};
	struct kit_manifest m;
	struct khdr_err e;
	char path[64];
	size_t pos = 0;

	CHECK_INT(kit_parse(&m, good, strlen(good), &e), 0);
	CHECK_STR(m.version, "6.1.192");
	CHECK(m.version_code == 393664);
	CHECK_STR(m.srcarch, "x86");
	CHECK_STR(m.origin, "Debian linux-source-6.1 6.1.192-3");
	CHECK_STR(m.forced, "");
	CHECK_INT(kit_next_file(&m, &pos, path, sizeof(path)), 1);
	CHECK_STR(path, "Makefile");
	CHECK_INT(kit_next_file(&m, &pos, path, sizeof(path)), 1);
	CHECK_STR(path, "scripts/mod/modpost");
	CHECK_INT(kit_next_file(&m, &pos, path, sizeof(path)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&e, 0, sizeof(e));
		CHECK_INT(kit_parse(&m, bad[i][0], strlen(bad[i][0]), &e), -EBADMSG);
		CHECK(strstr(e.msg, bad[i][1]) != NULL);
	}
	return 0;
}

static int version_code(void)
{
	static const char vh[] = "#define LINUX_VERSION_CODE 393664\n"
				 "#define KERNEL_VERSION(a,b,c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))\n";
	unsigned long code = 0;
	char name[32];

	CHECK_INT(kit_version_code(vh, strlen(vh), &code), 0);
	CHECK(code == 393664);
	kit_version_name(code, name, sizeof(name));
	CHECK_STR(name, "6.1.192");
	CHECK_INT(kit_version_code("#define LINUX_VERSION_CODE \n", 28, &code), -ENOENT);
	CHECK_INT(kit_version_code("#define LINUX_VERSION_MAJOR 6\n", 30, &code), -ENOENT);
	/* 4.14.256 and later: the sublevel saturates, and is named so. */
	kit_version_name(0x040eff, name, sizeof(name));
	CHECK_STR(name, "4.14.255");
	return 0;
}

int main(void)
{
	TEST(kv);
	TEST(defines);
	TEST(proc_version);
	TEST(releases);
	TEST(banner);
	TEST(level_names);
	TEST(verifier_levels);
	TEST(verifier_mismatches);
	TEST(kit_manifest);
	TEST(version_code);
	return unit_done();
}
