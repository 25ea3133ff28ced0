/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cache.c - the store: open, lock, staging, commit, entries, leftovers. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/log.h"
#include "fs/buildlink.h"
#include "fs/cache.h"
#include "fs/rmtree.h"

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

int cache_open(struct cache *c, const struct khdr_ctx *ctx, const char *dir,
	       bool host_dir, bool create, struct khdr_err *e)
{
	const char *root = ctx->root;
	char shown[PATH_MAX], clean[PATH_MAX];
	int r, basefd;

	c->fd = c->lockfd = -1;
	/* "/var//cache/khdr/" is shown, and keyed, as /var/cache/khdr. */
	if (path_absolute(dir, clean, sizeof(clean)) == 0)
		dir = clean;
	dir += strspn(dir, "/");
	if (path_fmt(c->dir, sizeof(c->dir), "%s", dir) < 0 ||
	    path_fmt(c->prefix, sizeof(c->prefix), "/%s/", dir) < 0)
		return err_set(e, ENAMETOOLONG, "cache directory name too long");
	snprintf(shown, sizeof(shown), "%s/%s", host_dir ? "" : ctx->prefix, dir);
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

/*
 * Who holds the flock of fd's file: /proc/locks of this machine (where the
 * lock is, whatever --procfs says of the target kernel) names the process
 * that took it.  0 when it is not found.
 */
static long lock_holder(int fd)
{
	unsigned long long ino;
	unsigned maj, min;
	char line[256], type[16];
	struct stat st;
	long pid = 0, p;
	FILE *f;

	if (fstat(fd, &st) < 0 || !(f = fopen("/proc/locks", "re")))
		return 0;
	while (!pid && fgets(line, sizeof(line), f)) {
		/* "1: FLOCK  ADVISORY  WRITE 4321 00:2d:1234 0 EOF"; "->" lines wait. */
		if (!strstr(line, "->") &&
		    sscanf(line, "%*d: %15s %*s %*s %ld %x:%x:%llu", type, &p, &maj, &min, &ino) == 5 &&
		    strcmp(type, "FLOCK") == 0 && maj == major(st.st_dev) &&
		    min == minor(st.st_dev) && ino == st.st_ino)
			pid = p;
	}
	fclose(f);
	return pid;
}

bool cache_busy(struct cache *c, long *pid)
{
	int fd = openat(c->fd, "lock", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	bool busy;

	*pid = 0;
	if (fd < 0)
		return false;
	busy = flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	if (busy)
		*pid = lock_holder(fd);
	close(fd);
	return busy;
}

int cache_lock(struct cache *c, struct khdr_err *e)
{
	long pid;

	c->lockfd = openat(c->fd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (c->lockfd < 0)
		return err_set(e, errno, "cannot open the cache lock: %s", strerror(errno));
	if (flock(c->lockfd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	/* Said once, so a wait is never taken for a hang. */
	if (errno == EWOULDBLOCK && (pid = lock_holder(c->lockfd)) > 0)
		log_warn("waiting for the cache lock held by pid %ld (another install, prune or verify)",
			 pid);
	else if (errno == EWOULDBLOCK)
		log_warn("waiting for the cache lock (held by another install, prune or verify)");
	while (flock(c->lockfd, LOCK_EX) < 0) {
		if (errno != EINTR)
			return err_set(e, errno, "cannot lock the cache: %s", strerror(errno));
	}
	return 0;
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

void cache_tidy(struct cache *c, const char *release)
{
	int dirfd = link_release_dir(c, release, false), fd = -1;
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
	char path[CACHE_KEY_MAX + sizeof(KHDR_STAMP) + 1], text[STAMP_TEXT_MAX];
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
