/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * khdr.h - what every unit of khdr-cache shares: its fixed names and limits,
 * the error record that carries one message from where a failure is
 * understood to the edge where it is printed, and a few small helpers.
 */
#ifndef KHDR_H
#define KHDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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

/*
 * One failure, described once.  Functions that can fail take a
 * struct khdr_err * and return a negative errno; the message is written
 * where the details are known and printed at the edge (main).
 */
struct khdr_err {
	int code;
	bool usage;              /* a command-line mistake: exit 2 */
	char msg[2048];       /* room for a hint naming a whole command */
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

/* mkdir -p of path relative to dirfd; the root's own layout (lib -> usr/lib) is trusted. */
int mkdir_p_at(int dirfd, const char *path, mode_t mode);

/* snprintf that reports truncation as -ENAMETOOLONG. */
__attribute__((format(printf, 3, 4)))
int path_fmt(char *buf, size_t size, const char *fmt, ...);

/*
 * A byte count as every message of the program prints it: IEC units with
 * one decimal and a space, "512 B", "28.9 MiB" (JSON carries exact bytes).
 * buf must hold SIZE_TEXT_MAX bytes.
 */
#define SIZE_TEXT_MAX 32
const char *size_text(uint64_t bytes, char *buf);

/* The word for a count: plural(1, "file", "files") is "file". */
static inline const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/*
 * path as an absolute path, the way messages print it: a relative one
 * joined to the working directory, "//" and "/./" squeezed, no trailing
 * '/' (so "root/" before "/lib" is not "root//lib").  Symlinks and ".."
 * are left as typed.  -ENAMETOOLONG, or getcwd's error.
 */
int path_absolute(const char *path, char *buf, size_t size);

/* s as a JSON string on stdout: quotes, backslashes and controls escaped. */
void json_put_str(const char *s);

#endif
