/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-extract.c - the safe extractor, fed by the tar reader as unpack.c
 * feeds it, writing into a fresh directory on tmpfs (/dev/shm) each run.
 * After each run the promises of DESIGN section 7 are checked on the file
 * system, and a broken one aborts (a "crash" for libFuzzer):
 *  - nothing appeared beside the target directory;
 *  - every symlink in the tree is relative and stays inside it;
 *  - no setuid/setgid/sticky bit, no group or world write;
 *  - no device, FIFO or socket;
 *  - every hard link of every inode in the tree is inside the tree.
 * The first input byte picks the chunking and the openat2/O_NOFOLLOW walk.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/path.h"
#include "format/tar.h"
#include "fs/cache.h"
#include "fs/extract.h"
#include "fs/rmtree.h"
#include "fuzz.h"

#define MAX_ENTRIES 2000
#define MAX_BYTES   (4u << 20)

static char jail[PATH_MAX];
static int jailfd = -1;

struct seen {
	ino_t ino;
	nlink_t nlink, count;
};
static struct seen inodes[MAX_ENTRIES + 16];
static size_t ninodes;

static void check_fail(const char *what, const char *path)
{
	fprintf(stderr, "fuzz-extract: %s: %s\n", what, path);
	__builtin_trap();
}

/* Lexically: does `target`, seen from directory `dir` (depth `depth`), stay inside? */
static int link_stays_inside(int depth, const char *target)
{
	const char *p = target;

	if (*target == '/')
		return 0;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < 0)
				return 0;
		} else if (!(n == 1 && p[0] == '.') && n) {
			depth++;
		}
		p += n;
		p += strspn(p, "/");
	}
	return 1;
}

static void walk(int dfd, const char *rel, int depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	if (!d) {
		close(dfd);
		return;
	}
	while ((de = readdir(d))) {
		char path[PATH_MAX * 2];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", rel, de->d_name);
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX + 1];
			ssize_t n = readlinkat(dirfd(d), de->d_name, target, PATH_MAX);

			if (n < 0)
				continue;
			target[n] = '\0';
			if (!link_stays_inside(depth, target))
				check_fail("symlink leaves the tree", path);
			continue;
		}
		if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
			check_fail("device, FIFO or socket created", path);
		if (st.st_mode & (S_ISUID | S_ISGID | S_ISVTX | S_IWGRP | S_IWOTH))
			check_fail("unsafe mode", path);
		if (S_ISREG(st.st_mode)) {
			size_t i;

			for (i = 0; i < ninodes && inodes[i].ino != st.st_ino; i++)
				;
			if (i == ninodes && ninodes < sizeof(inodes) / sizeof(inodes[0]))
				inodes[ninodes++] = (struct seen){ st.st_ino, st.st_nlink, 0 };
			if (i < ninodes)
				inodes[i].count++;
		}
		if (S_ISDIR(st.st_mode)) {
			int fd = openat(dirfd(d), de->d_name,
					O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (fd >= 0)
				walk(fd, path, depth + 1);
		}
	}
	closedir(d);
}

static void check_tree(void)
{
	DIR *d;
	struct dirent *de;
	int fd;

	/* nothing beside the target */
	fd = openat(jailfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fdopendir(fd);
	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    strcmp(de->d_name, "t"))
			check_fail("written beside the target", de->d_name);
	if (d)
		closedir(d);
	ninodes = 0;
	fd = openat(jailfd, "t", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		check_fail("target directory replaced", "t");
	walk(fd, "t", 0);
	for (size_t i = 0; i < ninodes; i++)
		if (inodes[i].count != inodes[i].nlink)
			check_fail("hard link to a file outside the tree", "t");
}

/* Under $KHDR_FUZZ_SHM (tests/fuzz/run makes one), else /dev/shm, else /tmp. */
static void setup(void)
{
	const char *base = getenv("KHDR_FUZZ_SHM");
	char tmpl[sizeof(jail)];

	if (!base || access(base, W_OK) < 0)
		base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	if (snprintf(tmpl, sizeof(tmpl), "%s/khdr-fuzz-extract.XXXXXX", base) >=
	    (int)sizeof(tmpl) || !mkdtemp(tmpl))
		abort();
	snprintf(jail, sizeof(jail), "%s", tmpl);
	jailfd = open(jail, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (jailfd < 0)
		abort();
}

static void cleanup(void)
{
	if (jailfd >= 0) {
		remove_tree_at(jailfd, "t");
		close(jailfd);
		rmdir(jail);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct khdr_err e = { 0 };
	const struct entry *en;
	struct extractor x;
	struct tar_reader t;
	struct chunker c;
	int rootfd, r;

	if (jailfd < 0) {
		fuzz_quiet();
		setup();
		atexit(cleanup);
	}
	if (size < 1)
		return 0;
	remove_tree_at(jailfd, "t");
	if (mkdirat(jailfd, "t", 0755) < 0)
		abort();
	rootfd = openat(jailfd, "t", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rootfd < 0)
		abort();
	chunker_init(&c, data + 1, size - 1, data[0] & 0x3f);
	tar_init(&t, chunker_fill, &c);
	extract_init(&x, rootfd, MAX_ENTRIES, MAX_BYTES);
	x.no_openat2 = data[0] & 0x40;
	while ((r = tar_next(&t, &en, &e)) == 1) {
		r = extract_begin(&x, en, &e);
		while (r == 1) {        /* as unpack.c's plain_member */
			const uint8_t *p;
			size_t n;

			r = tar_data(&t, &p, &n, &e);
			if (r == 0 && n == 0) {
				r = extract_end(&x, &e);
				break;
			}
			if (r == 0)
				r = extract_write(&x, p, n, &e);
			if (r == 0)
				r = 1;
		}
		if (r < 0)
			break;
	}
	if (r == 0)
		(void)extract_finish(&x, &e);
	extract_free(&x);
	tar_free(&t);
	close(rootfd);
	check_tree();
	return 0;
}
