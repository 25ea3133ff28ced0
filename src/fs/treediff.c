/* SPDX-License-Identifier: GPL-2.0-or-later */
/* treediff.c - an installed tree against a fresh extraction: missing, changed, extra. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/treediff.h"

static void note(struct tree_diff *d, enum tree_change what, const char *path,
		 const char *how)
{
	uint64_t *count[] = { &d->missing, &d->changed, &d->extra };

	(*count[what])++;
	d->report(what, path, how, d->ctx);
}

static bool ignored(const struct tree_diff *d, const char *rel)
{
	for (const char *const *p = d->ignore; p && *p; p++)
		if (strcmp(*p, rel) == 0)
			return true;
	return false;
}

static int same_content(int afd, int bfd, const char *name, bool *same)
{
	char a[1 << 15], b[1 << 15];
	int fa = openat(afd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int fb = openat(bfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int r = 0;

	*same = true;
	if (fa < 0 || fb < 0)
		r = -errno;
	while (r == 0) {
		ssize_t na = read(fa, a, sizeof(a)), nb;

		if (na < 0) {
			r = -errno;
			break;
		}
		/* Read exactly as much of b; sizes were compared already. */
		for (nb = 0; nb < na; ) {
			ssize_t n = read(fb, b + nb, (size_t)(na - nb));

			if (n <= 0)
				break;
			nb += n;
		}
		if (nb != na || memcmp(a, b, (size_t)na) != 0) {
			*same = false;
			break;
		}
		if (na == 0)
			break;
	}
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return r;
}

static int compare_dirs(struct tree_diff *d, int afd, int bfd, const char *rel);

/* One name present in the reference (b): compare it with the installed one (a). */
static int compare_one(struct tree_diff *d, int afd, int bfd, const char *name,
		       const char *rel)
{
	struct stat sa, sb;
	bool same;
	int r;

	if (fstatat(bfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (fstatat(afd, name, &sa, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			return -errno;
		note(d, TREE_MISSING, rel, NULL);
		return 0;
	}
	d->compared++;
	d->files += S_ISREG(sb.st_mode);
	if ((sa.st_mode & S_IFMT) != (sb.st_mode & S_IFMT)) {
		note(d, TREE_CHANGED, rel, "type");
		return 0;
	}
	if (!S_ISLNK(sb.st_mode) && (sa.st_mode & 07777) != (sb.st_mode & 07777)) {
		char how[48];

		snprintf(how, sizeof(how), "mode %04o, expected %04o",
			 (unsigned)(sa.st_mode & 07777), (unsigned)(sb.st_mode & 07777));
		note(d, TREE_CHANGED, rel, how);
	}
	if (S_ISDIR(sb.st_mode)) {
		int ca = openat(afd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int cb = openat(bfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

		r = ca < 0 || cb < 0 ? -errno : compare_dirs(d, ca, cb, rel);
		if (ca >= 0)
			close(ca);
		if (cb >= 0)
			close(cb);
		return r;
	}
	if (S_ISLNK(sb.st_mode)) {
		char ta[PATH_MAX], tb[PATH_MAX];
		ssize_t na = readlinkat(afd, name, ta, sizeof(ta));
		ssize_t nb = readlinkat(bfd, name, tb, sizeof(tb));

		if (na != nb || na < 0 || memcmp(ta, tb, (size_t)na) != 0)
			note(d, TREE_CHANGED, rel, "link target");
		return 0;
	}
	if (sa.st_size != sb.st_size) {
		note(d, TREE_CHANGED, rel, "size");
		return 0;
	}
	r = same_content(afd, bfd, name, &same);
	if (r == 0 && !same)
		note(d, TREE_CHANGED, rel, "content");
	return r;
}

/* Names of dirfd, sorted, so reports come in a stable order. */
static int list_dir(int dirfd, char ***names, size_t *n)
{
	size_t cap = 0;
	struct dirent *de;
	DIR *dir;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	*names = NULL;
	*n = 0;
	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while ((de = readdir(dir))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (*n == cap) {
			char **p = realloc(*names, (cap = cap ? 2 * cap : 64) * sizeof(*p));

			if (!p) {
				r = -ENOMEM;
				break;
			}
			*names = p;
		}
		if (!((*names)[*n] = strdup(de->d_name))) {
			r = -ENOMEM;
			break;
		}
		(*n)++;
	}
	closedir(dir);
	return r;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int compare_dirs(struct tree_diff *d, int afd, int bfd, const char *rel)
{
	char **a, **b, path[PATH_MAX];
	size_t na, nb;
	int r = list_dir(afd, &a, &na);

	if (r < 0) {
		free_names(a, na);
		return r;
	}
	if ((r = list_dir(bfd, &b, &nb)) < 0) {
		free_names(a, na);
		free_names(b, nb);
		return r;
	}
	/* An empty directory has no list at all: qsort must not see NULL. */
	if (na)
		qsort(a, na, sizeof(*a), by_name);
	if (nb)
		qsort(b, nb, sizeof(*b), by_name);
	for (size_t i = 0; r == 0 && i < nb; i++) {
		snprintf(path, sizeof(path), "%s%s%s", rel, *rel ? "/" : "", b[i]);
		r = compare_one(d, afd, bfd, b[i], path);
	}
	for (size_t i = 0; r == 0 && i < na; i++) {
		snprintf(path, sizeof(path), "%s%s%s", rel, *rel ? "/" : "", a[i]);
		if ((!nb || !bsearch(&a[i], b, nb, sizeof(*b), by_name)) && !ignored(d, path))
			note(d, TREE_EXTRA, path, NULL);
	}
	free_names(a, na);
	free_names(b, nb);
	return r;
}

int tree_compare(struct tree_diff *d, int installed, int reference)
{
	return compare_dirs(d, installed, reference, "");
}
