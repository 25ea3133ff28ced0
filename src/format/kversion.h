/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kversion.h - the kernel's names for itself as text: a release string fit
 * for paths, and the "Linux version ..." banner of /proc/version (and of an
 * image) with its compile fingerprint.  Pure: the bytes come from the caller.
 */
#ifndef KHDR_KVERSION_H
#define KHDR_KVERSION_H

#include <stdbool.h>

#define RELEASE_MAX 65   /* struct utsname field size */

/* "Linux version <release> (<by>@<host>) (<compiler>) #..." */
struct proc_version {
	char release[RELEASE_MAX];
	char by[128];
	char host[128];
	char compiler[512];
	char uts_version[256];   /* "#1 SMP PREEMPT_DYNAMIC ...", "" if none */
};

/* Parse a /proc/version line. */
int proc_version_parse(const char *line, struct proc_version *v);

/* A release string we are willing to put into paths. */
bool release_valid(const char *release);

#endif
