/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kbuild.h - a kbuild tree made of a headers-only one (DESIGN.md §12):
 * the headers of the in-kernel archive, the kbuild kit of their upstream
 * version (kernel/mkkit: top Makefile, scripts/ with its host programs,
 * arch Makefiles, objtool, module.lds), and the files of the one build,
 * made from what the kernel itself carries: Module.symvers from its image
 * and modules, .config and include/config/auto.conf from its config (else
 * derived from the archive's autoconf.h), include/config/kernel.release.
 */
#ifndef KHDR_KBUILD_H
#define KHDR_KBUILD_H

#include <limits.h>
#include <stdbool.h>

#include "base/ctx.h"
#include "format/kconfig.h"
#include "format/kit.h"
#include "kinfo/kernel.h"
#include "kinfo/symvers.h"

/* Where kits are installed, under the root: <version>-<srcarch>/ each. */
#define KBUILD_KITS_DIR "/usr/lib/khdr-cache/kbuild"
/* Beside a kit's manifest, not copied: the int and hex symbols of its Kconfig. */
#define KBUILD_KIT_NUMERIC "kconfig-numeric"
/* The package that installs the kit of a version: khdr-kbuild-<version>. */
#define KBUILD_KIT_PACKAGE "khdr-kbuild-"

struct kbuild_query {
	const struct khdr_ctx *ctx;
	const struct kernel_query *kq;   /* for the kernel's image */
	const struct kernel_id *k;
	const char *kit;                 /* --kit DIR; NULL: the kits under the root */
	bool force;                      /* a kit of another version */
	const struct kconfig *config;    /* the kernel's, NULL: derive it */
	const char *config_from;         /* where config was read */
};

struct kbuild_made {
	char kit[PATH_MAX];              /* the kit's directory */
	char *kit_text;                  /* its manifest, malloc'd */
	size_t kit_len;
	struct kit_manifest kit_m;       /* points into kit_text */
	char tree_version[32];           /* the headers' LINUX_VERSION_CODE, as a version */
	bool kit_forced;                 /* another version's, by --force */
	unsigned long copied;            /* the kit's files copied in */
	unsigned long files;             /* all files added: the kit's and the build's */
	unsigned long long bytes;        /* and their bytes */
	char image[PATH_MAX];
	char modules[PATH_MAX];          /* "" when the kernel has none */
	struct symvers_counts symvers;
	char config_from[PATH_MAX];      /* a file, or "autoconf.h" */
	size_t config_symbols;
};

/*
 * The kit for the headers in tree (an fd): --kit's, which must be of
 * their version (-EPERM naming both, unless q->force), else the one of
 * their version and arch among the installed kits.  0 with m->kit and
 * m->kit_m set; -ENOENT (e says what to install) when there is none.
 */
int kbuild_find_kit(int tree, const struct kbuild_query *q, struct kbuild_made *m,
		    struct khdr_err *e);

/*
 * After kbuild_find_kit(): make the tree kbuild-capable.  -EPERM when the
 * image is not the kernel's (its build ID differs); the tree is a staging
 * directory, which the caller discards on error.
 */
int kbuild_make(int tree, const struct kbuild_query *q, struct kbuild_made *m,
		struct khdr_err *e);

void kbuild_made_free(struct kbuild_made *m);

#endif
