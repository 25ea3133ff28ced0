/* SPDX-License-Identifier: GPL-2.0-or-later */
/* copyinto.c - one file of a tree copied into another, directories made on the way, nothing replaced. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/path.h"
#include "fs/copyinto.h"

/*
 * The directory of rel in to, made where missing, one component at a time
 * without following links.  Its fd, 0-based name offset in *base; -ENOTDIR
 * when a component is something else (not ours to replace).
 */
static int open_parent(int to, const char *rel, size_t *base)
{
	char comp[NAME_MAX + 1];
	const char *p = rel, *slash;
	int dfd = dup(to), next;

	if (dfd < 0)
		return -errno;
	while ((slash = strchr(p, '/'))) {
		size_t n = (size_t)(slash - p);

		if (n == 0 || n > NAME_MAX) {
			close(dfd);
			return -EINVAL;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		if (mkdirat(dfd, comp, 0755) < 0 && errno != EEXIST) {
			next = -errno;
			close(dfd);
			return next;
		}
		next = openat(dfd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(dfd);
		if (next < 0)
			return errno == ELOOP || errno == ENOTDIR ? -ENOTDIR : -errno;
		dfd = next;
		p = slash + 1;
	}
	*base = (size_t)(p - rel);
	return dfd;
}

static int copy_bytes(int in, int out)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0; off < n; ) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));

			if (w < 0)
				return -errno;
			off += w;
		}
	return n < 0 ? -errno : 0;
}

static int copy_regular(int from, const char *rel, const struct stat *st, int dfd,
			const char *name)
{
	int in = openat(from, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), out, r;

	if (in < 0)
		return -errno;
	out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		     st->st_mode & 0755);
	if (out < 0) {
		r = errno == EEXIST ? 0 : -errno;
		close(in);
		return r;
	}
	r = copy_bytes(in, out);
	/* The umask narrowed the mode open() set: the kit's own bits. */
	if (r == 0 && fchmod(out, st->st_mode & 0755) < 0)
		r = -errno;
	if (close(out) < 0 && r == 0)
		r = -errno;
	close(in);
	if (r < 0)
		unlinkat(dfd, name, 0);
	return r < 0 ? r : 1;
}

static int copy_link(int from, const char *rel, int dfd, const char *name)
{
	char target[PATH_MAX];
	const char *why;
	ssize_t n = readlinkat(from, rel, target, sizeof(target) - 1);

	if (n < 0)
		return -errno;
	target[n] = '\0';
	/* The same rule as an archive's links: the tree stays self-contained. */
	if (path_symlink_ok(rel, target, &why) != 0)
		return -EXDEV;
	if (symlinkat(target, dfd, name) < 0)
		return errno == EEXIST ? 0 : -errno;
	return 1;
}

int copy_into(int from, int to, const char *rel, struct khdr_err *e)
{
	struct stat st;
	size_t base = 0;
	int dfd, r;

	if (fstatat(from, rel, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return err_set(e, errno, "%s: %s", rel, strerror(errno));
	if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
		return err_set(e, EINVAL, "%s: neither a file nor a symbolic link", rel);
	dfd = open_parent(to, rel, &base);
	if (dfd == -ENOTDIR)
		return 0;
	if (dfd < 0)
		return err_set(e, -dfd, "making the directory of %s: %s", rel, strerror(-dfd));
	r = S_ISREG(st.st_mode) ? copy_regular(from, rel, &st, dfd, rel + base)
				: copy_link(from, rel, dfd, rel + base);
	close(dfd);
	if (r < 0)
		return err_set(e, -r, "copying %s: %s", rel,
			       r == -EXDEV ? "a symbolic link that leaves the tree" : strerror(-r));
	return r;
}
