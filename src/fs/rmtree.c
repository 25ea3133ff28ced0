/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rmtree.c - a directory tree removed beneath a dir fd, never through a symlink, in bounded fds. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/rmtree.h"

/*
 * Removing a tree holds at most RM_OPEN directories open, however deep it
 * is: a tree deeper than the descriptor limit (1024 is the usual soft
 * limit of services) must go as well as any.  Each level keeps its name
 * and identity; a level whose stream was closed to stay within the budget
 * is opened again through its child's "..", checked to be the same
 * directory, and read from its start (what was removed is gone).
 */
#define RM_OPEN 32

struct rm_level {
	DIR *dir;                 /* NULL: closed, to stay within RM_OPEN */
	dev_t dev;
	ino_t ino;
	char *name;               /* in the parent level */
};

struct rm_walk {
	struct rm_level *lv;
	size_t depth, cap, open;  /* levels, allocated, with a stream */
};

static void rm_close(struct rm_walk *w, size_t i)
{
	if (w->lv[i].dir) {
		closedir(w->lv[i].dir);
		w->lv[i].dir = NULL;
		w->open--;
	}
}

/* Open name below fd as a new deepest level. */
static int rm_push(struct rm_walk *w, int fd, const char *name)
{
	struct rm_level *l;
	struct stat st;
	int cfd;

	if (w->depth == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct rm_level *n = realloc(w->lv, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		w->lv = n;
		w->cap = cap;
	}
	/* Make room first: the oldest open level is the one needed last. */
	for (size_t i = 0; w->open >= RM_OPEN && i < w->depth; i++)
		rm_close(w, i);
	cfd = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cfd < 0)
		return -errno;
	l = &w->lv[w->depth];
	*l = (struct rm_level){ .name = strdup(name) };
	if (!l->name || fstat(cfd, &st) < 0 || !(l->dir = fdopendir(cfd))) {
		int r = l->name ? -errno : -ENOMEM;

		free(l->name);
		close(cfd);
		return r;
	}
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	w->open++;
	w->depth++;
	return 0;
}

/* Give the parent of the deepest level a stream again, through "..". */
static int rm_reopen_parent(struct rm_walk *w)
{
	struct rm_level *p = &w->lv[w->depth - 2];
	struct stat st;
	int fd = openat(dirfd(w->lv[w->depth - 1].dir), "..",
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_dev != p->dev || st.st_ino != p->ino) {
		close(fd);
		return -ESTALE;       /* moved while we were below it */
	}
	p->dir = fdopendir(fd);
	if (!p->dir) {
		close(fd);
		return -errno;
	}
	w->open++;
	return 0;
}

/* The deepest level is empty: remove it from its parent (or from top). */
static int rm_pop(struct rm_walk *w, int top)
{
	struct rm_level *l = &w->lv[w->depth - 1];
	int r = 0, parent;

	if (w->depth >= 2 && !w->lv[w->depth - 2].dir)
		r = rm_reopen_parent(w);
	rm_close(w, w->depth - 1);
	if (r == 0) {
		parent = w->depth >= 2 ? dirfd(w->lv[w->depth - 2].dir) : top;
		if (unlinkat(parent, l->name, AT_REMOVEDIR) < 0 && errno != ENOENT)
			r = -errno;
	}
	free(l->name);
	w->depth--;
	return r;
}

/* One entry of the deepest level: remove it, or descend into it. */
static int rm_entry(struct rm_walk *w, struct dirent *d)
{
	int fd = dirfd(w->lv[w->depth - 1].dir), r;

	if (d->d_type != DT_DIR) {
		if (unlinkat(fd, d->d_name, 0) == 0 || errno == ENOENT)
			return 0;
		/* DT_UNKNOWN (some file systems) may be a directory. */
		if (d->d_type != DT_UNKNOWN || (errno != EISDIR && errno != EPERM))
			return -errno;
	}
	/* An empty directory goes at once; a full one is entered. */
	if (unlinkat(fd, d->d_name, AT_REMOVEDIR) == 0 || errno == ENOENT)
		return 0;
	if (errno != ENOTEMPTY && errno != EEXIST)
		return -errno;
	r = rm_push(w, fd, d->d_name);
	return r == -ENOENT ? 0 : r;
}

int remove_tree_at(int dirfd, const char *name)
{
	struct rm_walk w = { 0 };
	int r;

	if (unlinkat(dirfd, name, 0) == 0)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return errno == ENOENT ? 0 : -errno;
	r = rm_push(&w, dirfd, name);
	while (r == 0 && w.depth) {
		struct dirent *d;

		errno = 0;
		d = readdir(w.lv[w.depth - 1].dir);
		if (!d && errno)
			r = -errno;
		else if (!d)
			r = rm_pop(&w, dirfd);
		else if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			r = rm_entry(&w, d);
	}
	while (w.depth) {             /* after an error */
		rm_close(&w, w.depth - 1);
		free(w.lv[--w.depth].name);
	}
	free(w.lv);
	return r;
}
