/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * writetree - the file system's share of an extraction, for bench/run.
 *
 *   writetree SRC DST
 *
 * Reads the tree SRC (an archive already extracted, on tmpfs) into memory,
 * then writes it again at DST with the calls khdr-cache's extractor makes
 * for each member and nothing else: mkdirat; openat(O_CREAT|O_EXCL) with
 * the final mode, one write, futimens, close; symlinkat and its mtime.  No
 * decoding, no tar, no directory mtimes (a floor may leave work out, never
 * add any).  One thread, in SRC's order (directories before their contents,
 * as in the archives).  Then one syncfs, as before install's commit.
 *
 * Prints "write_ms cpu_ms sync_ms machine_ms": wall and user+sys CPU of
 * the writing alone (reading SRC is not counted), the wall time of the
 * syncfs, and the CPU time the whole machine was busy from the first write
 * to the end of the syncfs (/proc/stat): writeback, the journal and a loop
 * device's work run in kernel threads, not in this process, but they take
 * cores all the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct member {
	char *name;             /* relative to the tree's top */
	char type;              /* 'd', 'f' or 'l' */
	mode_t mode;
	struct timespec mtime;
	char *data;             /* contents, or a symlink's target */
	size_t len;
};

static struct {
	struct member *m;
	size_t n, cap;
	size_t top_len;
} tree;

static void die(const char *what, const char *name)
{
	fprintf(stderr, "writetree: %s %s: %s\n", what, name, strerror(errno));
	exit(1);
}

static char *slurp(const char *path, size_t len)
{
	char *buf = malloc(len ? len : 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (!buf || fd < 0)
		die("cannot read", path);
	while (got < len) {
		ssize_t r = read(fd, buf + got, len - got);
		if (r <= 0)
			die("cannot read", path);
		got += (size_t)r;
	}
	close(fd);
	return buf;
}

static int add(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	struct member *m;

	if (ftw->level == 0)
		return 0;
	if (tree.n == tree.cap) {
		tree.cap = tree.cap ? 2 * tree.cap : 4096;
		tree.m = realloc(tree.m, tree.cap * sizeof(*tree.m));
		if (!tree.m)
			die("out of memory at", path);
	}
	m = &tree.m[tree.n++];
	*m = (struct member){ .name = strdup(path + tree.top_len + 1),
			      .mode = st->st_mode & 07777, .mtime = st->st_mtim };
	if (flag == FTW_D) {
		m->type = 'd';
	} else if (flag == FTW_SL) {
		m->type = 'l';
		m->data = calloc(1, PATH_MAX);
		if (!m->data || readlink(path, m->data, PATH_MAX - 1) < 0)
			die("cannot read the link", path);
	} else if (flag == FTW_F && S_ISREG(st->st_mode)) {
		m->type = 'f';
		m->len = (size_t)st->st_size;
		m->data = slurp(path, m->len);
	} else {
		errno = EINVAL;
		die("neither a directory, a file nor a symlink:", path);
	}
	return 0;
}

static void write_member(int top, const struct member *m)
{
	const struct timespec times[2] = { { .tv_nsec = UTIME_OMIT }, m->mtime };
	int fd;

	switch (m->type) {
	case 'd':
		if (mkdirat(top, m->name, 0700 | m->mode) < 0)
			die("mkdirat", m->name);
		return;
	case 'l':
		if (symlinkat(m->data, top, m->name) < 0)
			die("symlinkat", m->name);
		if (utimensat(top, m->name, times, AT_SYMLINK_NOFOLLOW) < 0)
			die("utimensat", m->name);
		return;
	}
	fd = openat(top, m->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    m->mode);
	if (fd < 0)
		die("openat", m->name);
	if (m->len && write(fd, m->data, m->len) != (ssize_t)m->len)
		die("write", m->name);
	if (futimens(fd, times) < 0)
		die("futimens", m->name);
	close(fd);
}

/* Busy time of all CPUs so far, in seconds: user, nice, system, irq,
 * softirq (neither idle, iowait nor time stolen by a hypervisor). */
static double machine_busy(void)
{
	unsigned long long v[7] = { 0 };
	FILE *f = fopen("/proc/stat", "re");
	long hz = sysconf(_SC_CLK_TCK);

	if (!f || fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
			 &v[2], &v[3], &v[4], &v[5], &v[6]) != 7)
		die("cannot read", "/proc/stat");
	fclose(f);
	return (double)(v[0] + v[1] + v[2] + v[5] + v[6]) / (double)hz;
}

static double seconds(clockid_t clock)
{
	struct timespec t;

	clock_gettime(clock, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double t0, c0, m0, t1, c1;
	int top;

	if (argc != 3) {
		fprintf(stderr, "usage: writetree SRC DST\n");
		return 2;
	}
	tree.top_len = strlen(argv[1]);
	if (nftw(argv[1], add, 64, FTW_PHYS) != 0)
		die("cannot walk", argv[1]);
	if (mkdir(argv[2], 0755) < 0 ||
	    (top = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		die("cannot make", argv[2]);

	m0 = machine_busy();
	t0 = seconds(CLOCK_MONOTONIC);
	c0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
	for (size_t i = 0; i < tree.n; i++)
		write_member(top, &tree.m[i]);
	t1 = seconds(CLOCK_MONOTONIC);
	c1 = seconds(CLOCK_PROCESS_CPUTIME_ID);
	if (syncfs(top) < 0)
		die("syncfs", argv[2]);
	printf("%.1f %.1f %.1f %.0f\n", (t1 - t0) * 1e3, (c1 - c0) * 1e3,
	       (seconds(CLOCK_MONOTONIC) - t1) * 1e3, (machine_busy() - m0) * 1e3);
	close(top);
	for (size_t i = 0; i < tree.n; i++) {
		free(tree.m[i].name);
		free(tree.m[i].data);
	}
	free(tree.m);
	return 0;
}
