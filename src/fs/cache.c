/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cache.c - see cache.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/cache.h"
#include "base/log.h"

/* mkdir -p relative to dirfd; the root's own layout (lib -> usr/lib) is trusted. */
static int mkdir_p_at(int dirfd, const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdirat(dirfd, buf, mode) < 0 && errno != EEXIST)
				return -errno;
			*p = c;
			if (!c)
				break;
		}
	}
	return 0;
}

static int check_owner(int fd, const char *what, struct khdr_err *e)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return err_set(e, errno, "%s: %s", what, strerror(errno));
	if (st.st_uid != geteuid() || (st.st_mode & 022))
		return err_set(e, EPERM,
			       "refusing cache directory %s: it must be owned by %s and writable by nobody else "
			       "(owner uid %u, mode %04o); a directory others can write lets them plant headers "
			       "(the CVE-2024-2313/2314 class of bug in BCC and bpftrace). Fix it with: chown 0:0 %s && chmod 0755 %s",
			       what, geteuid() == 0 ? "root" : "you", (unsigned)st.st_uid,
			       (unsigned)(st.st_mode & 07777), what, what);
	return 0;
}

/*
 * Every directory between the root and the cache must be safe as well: a
 * user who can write var/cache can move khdr aside and plant another.
 * Sticky directories (/var/tmp) are fine: others cannot rename our names.
 */
static int check_parents(int basefd, const char *dir, const char *shown,
			 struct khdr_err *e)
{
	char path[PATH_MAX];
	struct stat st;

	for (const char *p = strchr(dir, '/'); p; p = strchr(p + 1, '/')) {
		snprintf(path, sizeof(path), "%.*s", (int)(p - dir), dir);
		if (fstatat(basefd, path, &st, 0) < 0) {
			if (errno == ENOENT)
				return 0;     /* the rest will be made by us, 0755 */
			return err_set(e, errno, "%s: %s", path, strerror(errno));
		}
		if ((st.st_uid != 0 && st.st_uid != geteuid()) ||
		    ((st.st_mode & 022) && !(st.st_mode & S_ISVTX)))
			return err_set(e, EPERM,
				       "refusing cache directory %s: its parent %s can be changed by others "
				       "(owner uid %u, mode %04o), who could swap the cache for their own; "
				       "fix it with: chown 0:0 DIR && chmod go-w DIR",
				       shown, path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
	}
	return 0;
}

int cache_open(struct cache *c, const char *root, const char *dir,
	       bool host_dir, bool create, struct khdr_err *e)
{
	char shown[PATH_MAX];
	int r, basefd;

	c->fd = c->lockfd = -1;
	dir += strspn(dir, "/");
	if (path_fmt(c->dir, sizeof(c->dir), "%s", dir) < 0 ||
	    path_fmt(c->prefix, sizeof(c->prefix), "/%s/", dir) < 0)
		return err_set(e, ENAMETOOLONG, "cache directory name too long");
	snprintf(shown, sizeof(shown), "%s/%s", strcmp(root, "/") && !host_dir ? root : "", dir);
	c->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->rootfd < 0) {
		r = -errno;
		return err_set(e, r, "cannot open root %s: %s%s", root, strerror(-r),
			       r == -EACCES ? " (install needs root)" : "");
	}
	basefd = host_dir ? -1 : c->rootfd;
	if (host_dir && (basefd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = -errno;
		cache_close(c);
		return err_set(e, r, "cannot open /: %s", strerror(-r));
	}
	r = check_parents(basefd, c->dir, shown, e);
	if (r < 0) {
		if (host_dir)
			close(basefd);
		cache_close(c);
		return r;
	}
	r = create ? mkdir_p_at(basefd, c->dir, 0755) : 0;
	c->fd = r < 0 ? -1 : openat(basefd, c->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (r == 0 && c->fd < 0)
		r = -errno;
	if (host_dir)
		close(basefd);
	if (r < 0 && create && c->fd < 0 && r != -ELOOP && r != -ENOTDIR && r != -ENOENT) {
		cache_close(c);
		return err_set(e, r, "cannot create %s: %s%s", shown, strerror(-r),
			       r == -EACCES || r == -EPERM ? " (install needs root)" : "");
	}
	if (r < 0) {
		cache_close(c);
		if (r == -ELOOP || r == -ENOTDIR)
			return err_set(e, r, "refusing cache directory %s: it is a symlink or not a directory",
				       shown);
		return err_set(e, r, "cannot open %s: %s", shown, strerror(-r));
	}
	r = check_owner(c->fd, shown, e);
	if (r < 0)
		cache_close(c);
	return r;
}

void cache_close(struct cache *c)
{
	if (c->lockfd >= 0)
		close(c->lockfd);
	if (c->fd >= 0)
		close(c->fd);
	if (c->rootfd >= 0)
		close(c->rootfd);
	c->fd = c->lockfd = c->rootfd = -1;
}

int cache_lock(struct cache *c, struct khdr_err *e)
{
	c->lockfd = openat(c->fd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (c->lockfd < 0)
		return err_set(e, errno, "cannot open the cache lock: %s", strerror(errno));
	while (flock(c->lockfd, LOCK_EX) < 0) {
		if (errno != EINTR)
			return err_set(e, errno, "cannot lock the cache: %s", strerror(errno));
	}
	return 0;
}

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

int cache_remove_leftovers(struct cache *c, unsigned *removed)
{
	struct dirent *d;
	DIR *dir;
	/* A fresh open, not dup(): a dup shares the directory offset. */
	int fd = openat(c->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (removed)
		*removed = 0;
	if (fd < 0 || !(dir = fdopendir(fd))) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		return r;
	}
	while ((d = readdir(dir))) {
		int e;

		if (strncmp(d->d_name, CACHE_STAGING_PREFIX, strlen(CACHE_STAGING_PREFIX)) &&
		    strncmp(d->d_name, CACHE_TRASH_PREFIX, strlen(CACHE_TRASH_PREFIX)))
			continue;
		log_info("removing leftover %s", d->d_name);
		e = remove_tree_at(c->fd, d->d_name);
		if (e < 0) {
			log_warn("cannot remove the leftover %s%s: %s", c->prefix,
				  d->d_name, strerror(-e));
			r = r ? r : e;
		} else if (removed) {
			++*removed;
		}
	}
	closedir(dir);
	return r;
}

static bool has_leftovers(struct cache *c)
{
	struct dirent *d;
	bool found = false;
	DIR *dir;
	int fd = openat(c->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	while (!found && (d = readdir(dir)))
		found = !strncmp(d->d_name, CACHE_STAGING_PREFIX, strlen(CACHE_STAGING_PREFIX)) ||
			!strncmp(d->d_name, CACHE_TRASH_PREFIX, strlen(CACHE_TRASH_PREFIX));
	closedir(dir);
	return found;
}

static int open_release_dir(struct cache *c, const char *release, bool create);

void cache_tidy(struct cache *c, const char *release)
{
	int dirfd = open_release_dir(c, release, false), fd = -1;
	bool half_link = dirfd >= 0 &&
			 faccessat(dirfd, ".build.khdr-new", F_OK, AT_SYMLINK_NOFOLLOW) == 0;

	if (!half_link && !has_leftovers(c))
		goto out;
	if (c->lockfd < 0) {
		fd = openat(c->fd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
			goto out;
	}
	cache_remove_leftovers(c, NULL);
	if (half_link)
		unlinkat(dirfd, ".build.khdr-new", 0);
out:
	if (fd >= 0)
		close(fd);
	if (dirfd >= 0)
		close(dirfd);
}

/* A fresh name "<prefix>XXXXXXXX" that does not exist yet (checked by mkdir). */
static void random_name(char *name, size_t size, const char *prefix)
{
	uint32_t v;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v))
		v = (uint32_t)getpid() ^ (uint32_t)(uintptr_t)name;
	snprintf(name, size, "%s%08x", prefix, v);
}

int cache_staging(struct cache *c, char *name, size_t size, int *fd,
		  struct khdr_err *e)
{
	for (int tries = 0; tries < 100; tries++) {
		random_name(name, size, CACHE_STAGING_PREFIX);
		if (mkdirat(c->fd, name, 0755) == 0) {
			*fd = openat(c->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (*fd < 0)
				return err_set(e, errno, "cannot open %s: %s", name, strerror(errno));
			return 0;
		}
		if (errno != EEXIST)
			return err_set(e, errno, "cannot create a staging directory in the cache: %s",
				       strerror(errno));
	}
	return err_set(e, EEXIST, "cannot find a free staging directory name");
}

void cache_discard(struct cache *c, const char *name)
{
	int r = remove_tree_at(c->fd, name);

	if (r < 0)
		log_warn("cannot remove %s: %s", name, strerror(-r));
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int write_stamp(int sfd, const char *stamp, size_t len)
{
	int fd = openat(sfd, KHDR_STAMP, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	int r;

	if (fd < 0)
		return -errno;
	r = write_all(fd, stamp, len);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

int cache_commit(struct cache *c, const char *staging, int sfd,
		 const char *key, const char *stamp, size_t len,
		 struct khdr_err *e)
{
	char trash[64];
	bool replaced = false;
	int r;

	r = write_stamp(sfd, stamp, len);
	if (r < 0)
		return err_set(e, r, "cannot write the stamp: %s", strerror(-r));
	/* One syncfs for everything written: the rename must not outrun the data. */
	if (syncfs(sfd) < 0)
		return err_set(e, errno, "syncfs: %s", strerror(errno));
	/* At boot a kernel log record: where the syncfs ended (tests/powercut). */
	log_info("written and synced %s; committing it as %s", staging, key);
	/*
	 * Replacing (--force): swap the two in one step, so build never points
	 * at nothing; the staging name then holds the old tree.
	 */
	if (renameat2(c->fd, staging, c->fd, key, RENAME_EXCHANGE) == 0) {
		fsync(c->fd);
		cache_discard(c, staging);
		return 0;
	}
	if (errno != ENOENT && errno != EINVAL && errno != ENOSYS)
		return err_set(e, errno, "cannot commit entry %s: %s", key, strerror(errno));
	if (faccessat(c->fd, key, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		/* A file system without RENAME_EXCHANGE: two renames. */
		random_name(trash, sizeof(trash), CACHE_TRASH_PREFIX);
		if (renameat(c->fd, key, c->fd, trash) < 0)
			return err_set(e, errno, "cannot move the old entry %s aside: %s",
				       key, strerror(errno));
		replaced = true;
	}
	if (renameat(c->fd, staging, c->fd, key) < 0) {
		r = err_set(e, errno, "cannot commit entry %s: %s", key, strerror(errno));
		if (replaced)
			renameat(c->fd, trash, c->fd, key);
		return r;
	}
	fsync(c->fd);
	if (replaced)
		cache_discard(c, trash);
	return 0;
}

int cache_remove_entry(struct cache *c, const char *key)
{
	char trash[64];

	random_name(trash, sizeof(trash), CACHE_TRASH_PREFIX);
	if (renameat(c->fd, key, c->fd, trash) < 0)
		return -errno;
	fsync(c->fd);
	return remove_tree_at(c->fd, trash);
}

int cache_read_stamp(struct cache *c, const char *key, struct stamp *st)
{
	char path[CACHE_KEY_MAX + sizeof(KHDR_STAMP) + 1], text[4096];
	size_t len;
	int r;

	if (path_fmt(path, sizeof(path), "%s/%s", key, KHDR_STAMP) < 0)
		return -ENAMETOOLONG;
	r = read_small_file(c->fd, path, text, sizeof(text), &len);
	return r < 0 ? r : stamp_parse(text, len, st);
}

bool cache_entry_valid(struct cache *c, const char *key, const char *release)
{
	struct stamp st;

	return cache_read_stamp(c, key, &st) == 0 && stamp_names(&st, key, release);
}

static int open_release_dir(struct cache *c, const char *release, bool create)
{
	char path[PATH_MAX];
	int r;

	if (path_fmt(path, sizeof(path), "lib/modules/%s", release) < 0)
		return -ENAMETOOLONG;
	if (create && (r = mkdir_p_at(c->rootfd, path, 0755)) < 0)
		return r;
	r = openat(c->rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return r < 0 ? -errno : r;
}

static void classify_link(const struct cache *c, const char *target,
			  enum link_state *state, char *key, size_t size)
{
	size_t n = strlen(c->prefix);
	const char *k = target + n;

	*state = LINK_FOREIGN;
	if (strncmp(target, c->prefix, n) != 0 ||
	    !*k || strchr(k, '/') || *k == '.' || strlen(k) >= size)
		return;
	strcpy(key, k);
	*state = LINK_OURS;
}

static int read_link_at(const struct cache *c, int dirfd,
			enum link_state *state, char *key, size_t size)
{
	char target[PATH_MAX];
	struct stat st;
	ssize_t n;

	n = readlinkat(dirfd, "build", target, sizeof(target) - 1);
	if (n < 0) {
		if (errno == ENOENT) {
			*state = LINK_MISSING;
			return 0;
		}
		if (errno == EINVAL) {          /* exists, not a symlink */
			*state = LINK_FOREIGN;
			return 0;
		}
		return -errno;
	}
	target[n] = '\0';
	classify_link(c, target, state, key, size);
	/* A link someone else planted is not ours, whatever it says. */
	if (*state == LINK_OURS &&
	    (fstatat(dirfd, "build", &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	     st.st_uid != geteuid()))
		*state = LINK_FOREIGN;
	return 0;
}

int cache_link_read(struct cache *c, const char *release,
		    enum link_state *state, char *key, size_t size)
{
	int dirfd = open_release_dir(c, release, false), r;

	if (dirfd == -ENOENT) {
		*state = LINK_MISSING;
		return 0;
	}
	if (dirfd < 0)
		return dirfd;
	r = read_link_at(c, dirfd, state, key, size);
	close(dirfd);
	return r;
}

static int foreign_error(const char *release, struct khdr_err *e)
{
	return err_set(e, EEXIST,
		       "lib/modules/%s/build exists and is not ours (a distribution headers package?); "
		       "leaving it alone (use --force to replace it)", release);
}

int cache_link_check(struct cache *c, const char *release, bool force,
		     struct khdr_err *e)
{
	char key[CACHE_KEY_MAX];
	enum link_state state;

	if (!force && cache_link_read(c, release, &state, key, sizeof(key)) == 0 &&
	    state == LINK_FOREIGN)
		return foreign_error(release, e);
	return 0;
}

/* With --force, a foreign directory is kept, renamed, never deleted. */
static int move_foreign_dir(int dirfd, const char *release, struct khdr_err *e)
{
	struct stat st;

	if (fstatat(dirfd, "build", &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	if (renameat(dirfd, "build", dirfd, "build.khdr-orig") < 0)
		return err_set(e, errno, "cannot move the existing lib/modules/%s/build aside to build.khdr-orig: %s",
			       release, strerror(errno));
	log_warn("moved the existing directory lib/modules/%s/build to build.khdr-orig", release);
	return 0;
}

int cache_link_switch(struct cache *c, const char *release, const char *key,
		      bool force, struct khdr_err *e)
{
	char target[PATH_MAX], oldkey[CACHE_KEY_MAX];
	enum link_state state;
	int dirfd, r;

	dirfd = open_release_dir(c, release, true);
	if (dirfd < 0)
		return err_set(e, dirfd, "cannot open lib/modules/%s: %s", release,
			       strerror(-dirfd));
	r = read_link_at(c, dirfd, &state, oldkey, sizeof(oldkey));
	if (r == 0 && state == LINK_FOREIGN && !force)
		r = foreign_error(release, e);
	if (r == 0 && state == LINK_FOREIGN)
		r = move_foreign_dir(dirfd, release, e);
	if (r == 0 && path_fmt(target, sizeof(target), "%s%s", c->prefix, key) < 0)
		r = err_set(e, ENAMETOOLONG, "cache key too long");
	if (r == 0) {
		unlinkat(dirfd, ".build.khdr-new", 0);
		if (symlinkat(target, dirfd, ".build.khdr-new") < 0 ||
		    renameat(dirfd, ".build.khdr-new", dirfd, "build") < 0) {
			r = err_set(e, errno, "cannot point lib/modules/%s/build at the cache: %s",
				    release, strerror(errno));
			unlinkat(dirfd, ".build.khdr-new", 0);
		} else {
			fsync(dirfd);
		}
	}
	close(dirfd);
	return r;
}

int cache_link_remove(struct cache *c, const char *release, const char *key)
{
	char oldkey[CACHE_KEY_MAX];
	enum link_state state;
	int dirfd = open_release_dir(c, release, false), r;

	if (dirfd < 0)
		return dirfd;
	r = read_link_at(c, dirfd, &state, oldkey, sizeof(oldkey));
	if (r == 0 && (state != LINK_OURS || strcmp(oldkey, key) != 0))
		r = -ESTALE;    /* changed since it was read: leave it */
	if (r == 0 && unlinkat(dirfd, "build", 0) < 0)
		r = -errno;
	close(dirfd);
	return r;
}
