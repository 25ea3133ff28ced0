/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * args.h - the command line: every option parsed into one struct, and what
 * the commands hand on to library code (paths, the kernel asked for, the
 * limits of an unpack); nothing below cmd/ sees the options themselves.
 */
#ifndef KHDR_ARGS_H
#define KHDR_ARGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/ctx.h"
#include "base/khdr.h"
#include "kinfo/kernel.h"
#include "kinfo/unpack.h"

/* Options, as bits, so each command can say which it accepts. */
enum {
	OPT_ROOT = 1u << 0,
	OPT_SYSFS = 1u << 1,
	OPT_PROCFS = 1u << 2,
	OPT_RUN_DIR = 1u << 3,
	OPT_RELEASE = 1u << 4,
	OPT_ARCHIVE = 1u << 5,
	OPT_TO = 1u << 6,
	OPT_FORCE = 1u << 7,
	OPT_DRY_RUN = 1u << 8,
	OPT_LIMITS = 1u << 9,
	OPT_CACHE_DIR = 1u << 10,
	OPT_KEEP = 1u << 11,
	OPT_JSON = 1u << 12,
	OPT_LEGACY = 1u << 13,
	OPT_BOOT = 1u << 14,
	OPT_NO_LINK = 1u << 15,
	OPT_LOAD_MODULE = 1u << 16,
	OPT_STRICT = 1u << 17,
	OPT_SHELL = 1u << 18,
	OPT_REMOVED = 1u << 19,
	OPT_LAYOUT = 1u << 20,
	OPT_VERIFY_LAYOUT = 1u << 21,
	OPT_KERNEL_IMAGE = 1u << 22,
	OPT_WIDE = 1u << 23,
	OPT_KIT = 1u << 24,
	/* No option: the command reads <root>/etc/khdr-cache.conf. */
	OPT_CONF_FILE = 1u << 30,
};

#define OPT_KERNEL (OPT_ROOT | OPT_SYSFS | OPT_PROCFS | OPT_RUN_DIR | OPT_RELEASE)
/* Commands that read <root>/etc/khdr-cache.conf. */
#define OPT_CONF   (OPT_KERNEL | OPT_CACHE_DIR | OPT_CONF_FILE)

/* Everything the command line can set; nothing else is global. */
struct khdr_opts {
	const char *root;        /* target root: lib/modules, var/cache/khdr */
	const char *sysfs;       /* where /sys is */
	const char *procfs;      /* where /proc is */
	const char *run_dir;     /* staged verified copies (/run/khdr) */
	struct khdr_ctx ctx;     /* the four above, as library code takes them */
	struct kernel_query kernel; /* -r, --kernel-image, --boot, --force: which kernel */
	const char *release;     /* --kernel-release, else uname(2) */
	const char *archive;     /* --archive PATH */
	const char *kernel_image; /* --kernel-image FILE: install for that kernel */
	const char *kit;         /* --kit DIR: the kbuild kit of a headers-only archive */
	const char *to;          /* extract --to DIR */
	const char *cache_dir;   /* under root, absolute: /var/cache/khdr */
	const char *cache_device; /* conf cache_device or rd.khdr.cache= */
	const char *removed;     /* prune --removed RELEASE */
	uint64_t max_entries;
	uint64_t max_bytes;
	unsigned threads;        /* 1: decode inline; more: up to this many
				    xz blocks at once (unpack.h) */
	unsigned keep;           /* prune: builds kept per release */
	bool force;
	bool dry_run;
	bool boot;               /* install --boot: kmsg, never fail */
	bool no_link;            /* install --no-link: cache only */
	bool strict;             /* refuse fingerprint when a build ID could be had */
	bool load_module;        /* may modprobe kheaders */
	bool json;               /* status --json */
	bool wide;               /* status --wide: whole build IDs */
	bool legacy;             /* prune --legacy */
	bool shell;              /* env --shell */
	bool layout;             /* verify --layout: headers against BTF */
	bool verify_layout;      /* install --verify-layout, verify_layout=yes */
	bool handoff;            /* handoff=yes: new trees go on to header_postinst.d */
	int verbose;             /* -v: more, -q: less */
};

/* The options given: their bits, and for each bit the option that set it first. */
struct args_seen {
	unsigned bits;
	int key[32];
};

/* args.c: parse the whole command line (options may follow the command). */
int args_parse(int argc, char **argv, struct khdr_opts *o, struct args_seen *seen,
	       int *operand, bool *help, bool *version, struct khdr_err *e);

/* The long name of an option given that accepted leaves out, or NULL. */
const char *args_refused(const struct args_seen *seen, unsigned accepted);

/* The --help lines of the options in accepted (and of those every command takes). */
void args_print_help(FILE *out, unsigned accepted);

/*
 * The paths of the command line made absolute (messages print them, and a
 * relative one would name another file once the working directory changes).
 */
struct args_paths {
	char root[4096], sysfs[4096], procfs[4096], run_dir[4096], to[4096];
};

/*
 * What library code takes from the options, made once they are parsed: the
 * roots, absolute, in p (o->ctx, the run dir defaulting to <root>/run/khdr) and
 * the kernel asked for (o->kernel, which points at o->ctx: o must not move).
 */
int args_finish(struct khdr_opts *o, struct args_paths *p, struct khdr_err *e);

/* The command line's limits and threads, and where to show progress. */
static inline struct unpack_opts unpack_opts_of(const struct khdr_opts *o,
						struct progress *pr)
{
	return (struct unpack_opts){ o->max_entries, o->max_bytes, o->threads, pr };
}

#endif
