/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verify.c - does an archive belong to the kernel: manifest, utsrelease.h, compile.h, vermagic. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/lines.h"
#include "base/log.h"
#include "base/names.h"
#include "format/kv.h"
#include "kinfo/verify.h"

#define UTSRELEASE_H "include/generated/utsrelease.h"
#define COMPILE_H    "include/generated/compile.h"

const char *verify_level_name(enum verify_level l)
{
	static const char *const names[] = {
		[VERIFY_NONE] = "none", [VERIFY_FINGERPRINT] = "fingerprint",
		[VERIFY_BUILTIN] = "builtin", [VERIFY_BUILD_ID] = "build-id",
		[VERIFY_FORCED] = "forced",
	};
	return name_of(names, ARRAY_SIZE(names), l);
}

void verify_init(struct verifier *v, const struct kernel_id *k, bool force,
		 bool builtin)
{
	memset(v, 0, sizeof(*v));
	v->k = k;
	v->force = force;
	v->builtin = builtin;
}

bool verify_wants(const struct verifier *v, const char *path)
{
	return (v->members == 0 && strcmp(path, KHDR_MANIFEST) == 0) ||
	       strcmp(path, UTSRELEASE_H) == 0 || strcmp(path, COMPILE_H) == 0 ||
	       (v->config && strcmp(path, AUTOCONF_H) == 0);
}

size_t verify_member_max(const char *path)
{
	return strcmp(path, AUTOCONF_H) == 0 ? VERIFY_AUTOCONF_MAX : VERIFY_MEMBER_MAX;
}

/* Headers of some kernel at least: --force may take them. */
static void note_include(struct verifier *v, const char *path)
{
	if (strncmp(path, "include/", 8) == 0)
		v->saw_include = true;
}

void verify_count(struct verifier *v, const char *path)
{
	v->members++;
	note_include(v, path);
}

static int disagree(struct verifier *v, struct khdr_err *e, const char *what,
		    const char *expected, const char *found);

/*
 * The archive (or module) is of another release: the advice is to install
 * it for that release, never --force, which would put another kernel's
 * headers at this one's build.
 */
static int other_release(struct verifier *v, struct khdr_err *e, const char *what,
			 const char *found)
{
	char against[4200];

	if (!release_valid(found))
		return disagree(v, e, what, v->k->release, found);
	snprintf(v->named_release, sizeof(v->named_release), "%s", found);
	if (v->force) {
		log_warn("%s differs: expected '%s', found '%s' (--force: installing anyway)",
			 what, v->k->release, found);
		v->mismatch = true;
		return 0;
	}
	return err_set(e, EPERM,
		       "archive does not match %s: %s is '%s', expected '%s'; "
		       "this archive belongs to release %s: install it for that kernel with --kernel-release %s",
		       kernel_against(v->k, against, sizeof(against)), what, found,
		       v->k->release, found, found);
}

/* One disagreement: refuse, or with --force remember and warn. */
static int disagree(struct verifier *v, struct khdr_err *e, const char *what,
		    const char *expected, const char *found)
{
	char against[4200];

	if (v->force) {
		log_warn("%s differs: expected '%s', found '%s' (--force: installing anyway)",
			 what, expected, found);
		v->mismatch = true;
		return 0;
	}
	return err_set(e, EPERM,
		       "archive does not match %s: %s is '%s', expected '%s'; "
		       "this archive belongs to another build (use --force to install it anyway)",
		       kernel_against(v->k, against, sizeof(against)), what, found, expected);
}

int header_define(const char *text, size_t len, const char *name, char *val,
		  size_t size)
{
	size_t nlen = strlen(name);
	const char *p, *le, *q;
	struct line_iter it;

	line_iter_init(&it, text, len);
	while (line_next(&it, &p, &le)) {
		if ((size_t)(le - p) < 8 || memcmp(p, "#define", 7) != 0)
			continue;
		p += 7;
		while (p < le && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(le - p) <= nlen || memcmp(p, name, nlen) != 0 ||
		    (p[nlen] != ' ' && p[nlen] != '\t'))
			continue;
		p += nlen;
		while (p < le && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= le || *p != '"')
			return -EBADMSG;
		q = memchr(p + 1, '"', (size_t)(le - p - 1));
		if (!q)
			return -EBADMSG;
		if ((size_t)(q - p - 1) >= size)
			return -ENAMETOOLONG;
		memcpy(val, p + 1, (size_t)(q - p - 1));
		val[q - p - 1] = '\0';
		return 0;
	}
	return -ENOENT;
}

static int check_manifest(struct verifier *v, const char *data, size_t len,
			  struct khdr_err *e)
{
	char release[RELEASE_MAX], id[2 * BUILD_ID_MAX + 1], kbuild[8];
	char uts[256], against[4200];
	int r;

	v->saw_manifest = true;
	if (kv_validate(data, len) < 0)
		return err_set(e, EBADMSG, "%s is malformed (expected key=value lines)",
			       KHDR_MANIFEST);
	if (kv_get(data, len, "release", release, sizeof(release)) == 0 &&
	    strcmp(release, v->k->release) != 0) {
		r = other_release(v, e, "manifest release", release);
		if (r < 0)
			return r;
	}
	v->kbuild = kv_get(data, len, "kbuild", kbuild, sizeof(kbuild)) == 0 &&
		    strcmp(kbuild, "yes") == 0;
	/* uname -v, when the packer found utsversion.h and we know ours. */
	if (kv_get(data, len, "uts_version", uts, sizeof(uts)) == 0 && *uts &&
	    *v->k->uts_version && strcmp(uts, v->k->uts_version) != 0) {
		r = disagree(v, e, "manifest uts_version (uname -v)",
			     v->k->uts_version, uts);
		if (r < 0)
			return r;
	}
	if (kv_get(data, len, "build_id", id, sizeof(id)) < 0 || !*id)
		return 0;
	if (!*v->k->build_id_hex) {
		log_info("%s has no build ID; checking the fingerprint instead",
			 kernel_against(v->k, against, sizeof(against)));
		return 0;
	}
	if (strcasecmp(id, v->k->build_id_hex) != 0)
		return disagree(v, e, "build ID", v->k->build_id_hex, id);
	v->manifest_build_id = true;
	return 0;
}

static int check_utsrelease(struct verifier *v, const char *data, size_t len,
			    struct khdr_err *e)
{
	char rel[RELEASE_MAX + 64];

	if (header_define(data, len, "UTS_RELEASE", rel, sizeof(rel)) < 0)
		return disagree(v, e, UTSRELEASE_H " UTS_RELEASE", v->k->release,
				"(unreadable)");
	v->saw_utsrelease = true;
	if (strcmp(rel, v->k->release) != 0)
		return other_release(v, e, "release (" UTSRELEASE_H ")", rel);
	return 0;
}

static int check_compile(struct verifier *v, const char *data, size_t len,
			 struct khdr_err *e)
{
	static const struct {
		const char *define;
		size_t off;
	} fields[] = {
		{ "LINUX_COMPILE_BY", offsetof(struct proc_version, by) },
		{ "LINUX_COMPILE_HOST", offsetof(struct proc_version, host) },
		{ "LINUX_COMPILER", offsetof(struct proc_version, compiler) },
	};
	const struct kernel_id *k = v->k;
	char val[512], what[128];
	int r;

	v->saw_compile = true;
	if (!k->have_version || strcmp(k->version.release, k->release) != 0) {
		/* Nothing to compare with: only the build ID or built-in can vouch. */
		v->saw_compile = false;
		return 0;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const char *want = (const char *)&k->version + fields[i].off;

		snprintf(what, sizeof(what), "compiler fingerprint %s (" COMPILE_H ")",
			 fields[i].define);
		if (header_define(data, len, fields[i].define, val, sizeof(val)) < 0)
			snprintf(val, sizeof(val), "(missing)");
		if (strcmp(val, want) != 0) {
			r = disagree(v, e, what, want, val);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int verify_member(struct verifier *v, const char *path, const char *data,
		  size_t len, struct khdr_err *e)
{
	note_include(v, path);
	if (strcmp(path, KHDR_MANIFEST) == 0)
		return check_manifest(v, data, len, e);
	if (strcmp(path, UTSRELEASE_H) == 0)
		return check_utsrelease(v, data, len, e);
	if (strcmp(path, AUTOCONF_H) == 0)
		return verify_config(v, data, len, e);
	return check_compile(v, data, len, e);
}

int verify_vermagic(struct verifier *v, const char *vermagic,
		    struct khdr_err *e)
{
	char rel[RELEASE_MAX];
	size_t n = strcspn(vermagic, " ");

	snprintf(rel, sizeof(rel), "%.*s", (int)n, vermagic);
	if (strcmp(rel, v->k->release) != 0)
		return other_release(v, e, "module vermagic release", rel);
	return 0;
}

int verify_finish(struct verifier *v, enum verify_level *level,
		  struct khdr_err *e)
{
	const struct kernel_id *k = v->k;

	if (!v->saw_manifest && !v->saw_utsrelease && !v->saw_include)
		return err_set(e, EPERM,
			       "not a kernel headers archive: no include/, no " UTSRELEASE_H
			       ", no khdr-manifest; nothing installed (not even with --force)");
	if (v->mismatch) {
		*level = VERIFY_FORCED;
		return 0;
	}
	if (v->manifest_build_id) {
		*level = VERIFY_BUILD_ID;
		return 0;
	}
	if (v->builtin) {
		*level = VERIFY_BUILTIN;
		return 0;
	}
	if (v->saw_utsrelease && v->saw_compile && v->strict && *k->build_id_hex && !v->force)
		return err_set(e, EPERM,
			       "verify=strict: the kernel has build ID %s but the archive carries no khdr-manifest "
			       "naming it, and only the compiler fingerprint matched; install a kheaders module "
			       "packed with its build ID (khdr-cache kernel/) or drop verify=strict",
			       k->build_id_hex);
	if (v->saw_utsrelease && v->saw_compile) {
		*level = VERIFY_FINGERPRINT;
		return 0;
	}
	if (v->force) {
		log_warn("cannot verify the archive (--force: installing anyway)");
		*level = VERIFY_FORCED;
		return 0;
	}
	if (!v->saw_utsrelease)
		return err_set(e, EPERM,
			       "cannot verify the archive: it has no " UTSRELEASE_H
			       " and no khdr-manifest with a matching build ID (use --force to install it anyway)");
	if (!k->have_version && k->offline)
		return err_set(e, EPERM,
			       "cannot verify the archive for %s: it carries no khdr-manifest naming build ID '%s', "
			       "and %s shows no 'Linux version %s' banner to compare its " COMPILE_H " with; "
			       "nothing installed (use --force to install it anyway)",
			       k->release, k->build_id_hex, *k->image ? k->image : "no kernel image",
			       k->release);
	if (!k->have_version)
		return err_set(e, EPERM,
			       "cannot verify the archive: %s holds no 'Linux version' banner (empty, unreadable or "
			       "malformed) to compare its " COMPILE_H " with; use --force to install it anyway",
			       *k->version_file ? k->version_file : "procfs version");
	if (strcmp(k->version.release, k->release) != 0)
		return err_set(e, EPERM,
			       "cannot verify the archive for %s: the running kernel is %s, so its compiler fingerprint cannot be compared (use --force to install it anyway)",
			       k->release, k->version.release);
	return err_set(e, EPERM,
		       "cannot verify the archive: it has no " COMPILE_H
		       " (use --force to install it anyway)");
}
