/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-kv.c - the key=value text of khdr-manifest and .khdr-stamp, and the
 * small text parsers next to it: the manifest check of the verifier,
 * `#define NAME "value"` in utsrelease.h/compile.h, a /proc/version line;
 * and the stamp as fs/stamp.c reads it: what it reads, it writes in a form
 * that reads back to the same text.  And a kbuild kit's khdr-kit: what
 * kit_parse accepts lists as many clean relative paths as files= says.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "format/kit.h"
#include "format/kv.h"
#include "format/path.h"
#include "fs/stamp.h"
#include "kinfo/verify.h"

static const char *const keys[] = {
	/* manifest */
	"format", "release", "build_id", "kbuild", "uts_version", "arch",
	/* stamp */
	"key", "source", "archive", "archive_size", "crc64", "verified",
	"files", "bytes", "tool", "time",
};

/* format(parse(text)) is a fixed point: parsing it and formatting again gives it back. */
static void stamp_round_trip(const char *text, size_t size)
{
	static struct stamp st;
	static char once[16384], twice[16384];
	int n, m;

	if (stamp_parse(text, size, &st) < 0)
		return;
	n = stamp_format(&st, once, sizeof(once));
	if (n < 0 || stamp_parse(once, (size_t)n, &st) < 0)
		__builtin_trap();
	m = stamp_format(&st, twice, sizeof(twice));
	if (m != n || memcmp(once, twice, (size_t)n) != 0)
		__builtin_trap();
}

/* Every path a kit copies into a tree is clean and relative, and there are files= of them. */
static void kit_list(const char *text, size_t size)
{
	static char path[PATH_MAX], clean[PATH_MAX];
	struct kit_manifest m;
	struct khdr_err e = { 0 };
	unsigned long code, n = 0;
	const char *why;
	size_t pos = 0;
	char name[32];

	if (kit_parse(&m, text, size, &e) == 0) {
		while (kit_next_file(&m, &pos, path, sizeof(path)) == 1) {
			if (path_clean(path, clean, sizeof(clean), &why) != 0 || strcmp(clean, path) != 0 ||
			    *path == '/')
				__builtin_trap();
			n++;
		}
		if (n != m.files)
			__builtin_trap();
	} else if (!*e.msg) {
		__builtin_trap();       /* a refusal names what was wrong */
	}
	if (kit_version_code(text, size, &code) == 0) {
		kit_version_name(code, name, sizeof(name));
		(void)strlen(name);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kernel_id k;
	static int ready;
	const char *text = (const char *)data;
	struct proc_version pv;
	struct khdr_err e = { 0 };
	struct verifier v;
	char val[256], tiny[2], *line;

	if (!ready) {
		fuzz_quiet();
		fuzz_kernel(&k);
		ready = 1;
	}
	(void)kv_validate(text, size);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (kv_get(text, size, keys[i], val, sizeof(val)) == 0)
			(void)strlen(val);
		if (kv_get(text, size, keys[i], tiny, sizeof(tiny)) == 0 &&
		    tiny[1] != '\0' && tiny[0] != '\0')
			__builtin_trap();
	}
	(void)kv_get(text, size, "", val, sizeof(val));
	if (header_define(text, size, "UTS_RELEASE", val, sizeof(val)) == 0)
		(void)strlen(val);
	(void)header_define(text, size, "LINUX_COMPILER", tiny, sizeof(tiny));
	/* the verifier's reading of the three members it cares about */
	if (size <= VERIFY_MEMBER_MAX) {
		static const char *const members[] = {
			KHDR_MANIFEST, "include/generated/utsrelease.h",
			"include/generated/compile.h",
		};
		for (int i = 0; i < 3; i++) {
			verify_init(&v, &k, i == 2, false);
			(void)verify_member(&v, members[i], text, size, &e);
			(void)strlen(e.msg);
		}
	}
	stamp_round_trip(text, size);
	kit_list(text, size);
	line = malloc(size + 1);
	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (proc_version_parse(line, &pv) == 0)
		(void)strlen(pv.compiler);
	free(line);
	return 0;
}
