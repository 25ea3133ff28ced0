/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * khdr.h - what every unit of khdr-cache shares: the parsed options, the
 * error record that carries one message from where a failure is understood
 * to the edge where it is printed, and a few small helpers.
 */
#ifndef KHDR_H
#define KHDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KHDR_CACHE_DIR  "/var/cache/khdr"  /* under --root; cache_dir= changes it */
#define KHDR_RUN_DIR    "/run/khdr"
#define KHDR_MANIFEST   "khdr-manifest"

#define KHDR_DEFAULT_MAX_ENTRIES 1000000ULL
#define KHDR_DEFAULT_MAX_BYTES   (4ULL << 30)

/* Exit codes shared by every command. */
enum {
	KHDR_EXIT_OK = 0,
	KHDR_EXIT_FAILURE = 1,
	KHDR_EXIT_USAGE = 2,
	KHDR_EXIT_ABSENT = 3,    /* status/env/verify: missing, stale, differs */
};

/* --threads: more buys nothing on a kernel headers archive, and costs memory. */
#define KHDR_MAX_THREADS 16u

/* Everything the command line can set; nothing else is global. */
struct khdr_opts {
	const char *root;        /* target root: lib/modules, var/cache/khdr */
	const char *sysfs;       /* where /sys is */
	const char *procfs;      /* where /proc is */
	const char *run_dir;     /* staged verified copies (/run/khdr) */
	const char *release;     /* --kernel-release, else uname(2) */
	const char *archive;     /* --archive PATH */
	const char *kernel_image; /* --kernel-image FILE: install for that kernel */
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
	bool legacy;             /* prune --legacy */
	bool shell;              /* env --shell */
	bool layout;             /* verify --layout: headers against BTF */
	bool verify_layout;      /* install --verify-layout, verify_layout=yes */
	bool handoff;            /* handoff=yes: new trees go on to header_postinst.d */
	int verbose;             /* -v: more, -q: less */
};

/*
 * One failure, described once.  Functions that can fail take a
 * struct khdr_err * and return a negative errno; the message is written
 * where the details are known and printed at the edge (main).
 */
struct khdr_err {
	int code;
	bool usage;              /* a command-line mistake: exit 2 */
	char msg[768];
};

__attribute__((format(printf, 3, 4)))
int err_set(struct khdr_err *e, int code, const char *fmt, ...);

/* A usage error: printed with a pointer to --help, exit status 2. */
__attribute__((format(printf, 2, 3)))
int err_usage(struct khdr_err *e, const char *fmt, ...);

/* Prepend context to an existing message: "reading X: <old message>". */
__attribute__((format(printf, 2, 3)))
int err_wrap(struct khdr_err *e, const char *fmt, ...);

/* Hex encoding of a build ID; out must hold 2 * len + 1 bytes. */
void hex_encode(const uint8_t *in, size_t len, char *out);

/* Read a whole small file relative to dirfd (AT_FDCWD for a path). */
int read_small_file(int dirfd, const char *path, char *buf, size_t size,
		    size_t *len);

/* snprintf that reports truncation as -ENAMETOOLONG. */
__attribute__((format(printf, 3, 4)))
int path_fmt(char *buf, size_t size, const char *fmt, ...);

/* s as a JSON string on stdout: quotes, backslashes and controls escaped. */
void json_put_str(const char *s);

#endif
