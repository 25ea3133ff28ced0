/* SPDX-License-Identifier: GPL-2.0-or-later */
/* buildlink.c - lib/modules/<release>/build: read, refused when foreign, switched atomically, removed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "fs/buildlink.h"

int link_release_dir(struct cache *c, const char *release, bool create)
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
	int dirfd = link_release_dir(c, release, false), r;

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

	dirfd = link_release_dir(c, release, true);
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
	int dirfd = link_release_dir(c, release, false), r;

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
