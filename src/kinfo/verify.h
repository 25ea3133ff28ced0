/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verify.h - does an archive belong to the running kernel?  Fed the few
 * members that can tell (khdr-manifest, include/generated/utsrelease.h and
 * compile.h) and the module's vermagic; decides the verification level.
 */
#ifndef KHDR_VERIFY_H
#define KHDR_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "base/khdr.h"
#include "format/kconfig.h"
#include "kinfo/kernel.h"

enum verify_level {
	VERIFY_NONE,
	VERIFY_FINGERPRINT,
	VERIFY_BUILTIN,
	VERIFY_BUILD_ID,
	VERIFY_FORCED,
};

#define VERIFY_MEMBER_MAX 8192   /* the members we read are tiny */
#define AUTOCONF_H "include/generated/autoconf.h"
#define VERIFY_AUTOCONF_MAX (8u << 20)   /* but autoconf.h: 53 KiB for a defconfig */

struct verifier {
	const struct kernel_id *k;
	bool force;
	bool strict;              /* verify=strict: a build ID or nothing */
	bool builtin;             /* read from sysfs, kheaders built in */
	bool manifest_build_id;   /* manifest build_id matched */
	bool kbuild;              /* manifest says kbuild=yes */
	bool saw_utsrelease, saw_compile;
	bool saw_manifest, saw_include;   /* is it a kernel headers archive at all? */
	char named_release[RELEASE_MAX];  /* the other release the archive or module names */
	bool mismatch;            /* something disagreed (only with force) */
	unsigned members;
	const struct kconfig *config;    /* the running kernel's, or NULL */
	enum kconfig_state config_state; /* what autoconf.h showed against it */
};

void verify_init(struct verifier *v, const struct kernel_id *k, bool force,
		 bool builtin);

/* Is this (clean) member one the verifier must read? */
bool verify_wants(const struct verifier *v, const char *path);

/* The most bytes of a wanted member the verifier reads. */
size_t verify_member_max(const char *path);

/*
 * Check one wanted member.  A disagreement is -EPERM with a message naming
 * the field, expected and found value; with force it is a warning.
 */
int verify_member(struct verifier *v, const char *path, const char *data,
		  size_t len, struct khdr_err *e);

/* Note any member: the manifest only counts as the first one. */
void verify_count(struct verifier *v, const char *path);

/* The vermagic of the module file the archive came from. */
int verify_vermagic(struct verifier *v, const char *vermagic,
		    struct khdr_err *e);

/*
 * After the last member: the level reached, or -EPERM if none.  An
 * archive with no include/, no utsrelease.h and no manifest is no kernel
 * headers archive: refused even with force.
 */
int verify_finish(struct verifier *v, enum verify_level *level,
		  struct khdr_err *e);

const char *verify_level_name(enum verify_level l);

/* verify-config.c: autoconf.h against v->config; like verify_member. */
int verify_config(struct verifier *v, const char *data, size_t len,
		  struct khdr_err *e);

/* Parse `#define NAME "value"` out of a generated header; pure. */
int header_define(const char *text, size_t len, const char *name, char *val,
		  size_t size);

#endif
