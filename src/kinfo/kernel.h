/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kernel.h - which kernel a command is about, one definition for all: the
 * release is --kernel-release, else the one <procfs>/version names; it is
 * running when <procfs>/version names it, and then identified by its GNU
 * build ID in <sysfs>/kernel/notes, else by its image's.
 */
#ifndef KHDR_KERNEL_H
#define KHDR_KERNEL_H

#include <stdbool.h>

#include "base/ctx.h"
#include "base/khdr.h"
#include "format/kversion.h"
#include "format/notes.h"

struct kernel_id {
	char release[RELEASE_MAX];
	struct build_id build_id;
	char build_id_hex[2 * BUILD_ID_MAX + 1];   /* "" when none */
	bool have_version;
	struct proc_version version;
	char version_file[4096]; /* PROCFS/version, read for it: for messages */
	char uts_version[256];   /* uname -v of this release, "" if unknown */
	/* Installed, not running: identified from its image, not from
	 * /sys/kernel/notes and /proc/version. */
	bool offline;
	char image[4096];        /* that image, "" for the running kernel */
	bool banner_read;        /* kernel_image_banner() ran */
	char image_release[RELEASE_MAX]; /* the other release the image's banner names */
};

/*
 * Which kernel a command means, as the command line says it: a release
 * (NULL: the running one), perhaps its image, and how the answer is used.
 */
struct kernel_query {
	const struct khdr_ctx *ctx;
	const char *release;     /* --kernel-release, NULL: <procfs>/version's */
	const char *image;       /* --kernel-image, NULL: looked for under the root */
	bool boot;               /* install --boot: the running kernel by definition */
	bool force;              /* an image that cannot vouch: warn and go on */
};

/* What the archive is compared with, for messages. */
const char *kernel_against(const struct kernel_id *k, char *buf, size_t size);

/* Which it is, for output: "running", or "installed, identified by image X". */
const char *kernel_which(const struct kernel_id *k, char *buf, size_t size);

/*
 * The release (see above), whether it runs (k->offline when not), and for
 * the running kernel its notes and uname -v; another is left without a
 * build ID: kernel_identify_target() reads its image.
 */
int kernel_identify(struct kernel_id *k, const struct kernel_query *q,
		    struct khdr_err *e);

/*
 * Is the release to install for another than the running one?  Yes with
 * --kernel-image, or when <procfs>/version names another release (never
 * with --boot: that is the running kernel by definition).
 */
bool kernel_is_offline(const struct kernel_id *k, const struct kernel_query *q);

/*
 * Identify k->release from its image instead (--kernel-image, else
 * <root>/boot/vmlinuz-R, else <root>/lib/modules/R/vmlinuz): the GNU build
 * ID of the image, as the running kernel's would be read once it boots.
 * No image: refused (with force: a warning, and nothing to compare with).
 */
int kernel_identify_image(struct kernel_id *k, const struct kernel_query *q,
			  struct khdr_err *e);

/*
 * The image of k->release: --kernel-image, else <root>/boot/vmlinuz-R,
 * else <root>/lib/modules/R/vmlinuz; -ENOENT (e names both) when neither.
 */
int kernel_image_path(const struct kernel_id *k, const struct kernel_query *q,
		      char *buf, size_t size, struct khdr_err *e);

/*
 * Then the fields of the image's banner, which stand for /proc/version:
 * the whole image is decompressed for it, so only when the archive is to
 * be read (not on the warm path).  An image of another release: refused.
 */
int kernel_image_banner(struct kernel_id *k, const struct kernel_query *q,
			struct khdr_err *e);

/*
 * kernel_identify(), then kernel_identify_image() for a release that is
 * installed but not running: the identity whose key install, status and
 * verify look for, so that they agree about an offline install.
 */
int kernel_identify_target(struct kernel_id *k, const struct kernel_query *q,
			   struct khdr_err *e);

/*
 * The same for reading what is installed (status, verify): a release whose
 * image is gone (a kernel being removed) is left without a build ID, never
 * given the running kernel's, and its entry is the one build points at.
 */
int kernel_identify_installed(struct kernel_id *k, const struct kernel_query *q,
			      struct khdr_err *e);

#endif
