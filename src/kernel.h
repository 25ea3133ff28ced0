/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kernel.h - the identity of the running kernel: release (uname(2) or
 * --kernel-release), GNU build ID (<sysfs>/kernel/notes) and the compile
 * fingerprint of <procfs>/version.
 */
#ifndef KHDR_KERNEL_H
#define KHDR_KERNEL_H

#include <stdbool.h>

#include "khdr.h"
#include "notes.h"

#define RELEASE_MAX 65   /* struct utsname field size */

/* "Linux version <release> (<by>@<host>) (<compiler>) #..." */
struct proc_version {
	char release[RELEASE_MAX];
	char by[128];
	char host[128];
	char compiler[512];
	char uts_version[256];   /* "#1 SMP PREEMPT_DYNAMIC ...", "" if none */
};

struct kernel_id {
	char release[RELEASE_MAX];
	struct build_id build_id;
	char build_id_hex[2 * BUILD_ID_MAX + 1];   /* "" when none */
	bool have_version;
	struct proc_version version;
	char uts_version[256];   /* uname -v of this release, "" if unknown */
};

int kernel_identify(struct kernel_id *k, const struct khdr_opts *o,
		    struct khdr_err *e);

/* Parse a /proc/version line; pure. */
int proc_version_parse(const char *line, struct proc_version *v);

/* A release string we are willing to put into paths. */
bool release_valid(const char *release);

#endif
