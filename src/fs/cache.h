/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cache.h - the store under <root>/var/cache/khdr: entries named
 * <release>@<build-id>, each with a .khdr-stamp; staging directories and
 * the atomic commit; the lock (fs/buildlink.h: the build links that point
 * into it).  It knows nothing about tar or xz.
 */
#ifndef KHDR_CACHE_H
#define KHDR_CACHE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/ctx.h"
#include "base/khdr.h"
#include "fs/stamp.h"

#define CACHE_KEY_MAX STAMP_KEY_MAX
#define CACHE_STAGING_PREFIX ".staging-"
#define CACHE_TRASH_PREFIX ".trash-"

struct cache {
	int rootfd;
	int fd;                 /* the cache directory */
	int lockfd;
	char dir[PATH_MAX];     /* under the root, without the leading '/' */
	char prefix[PATH_MAX];  /* what build links hold: "/<dir>/" */
};

/*
 * Open (or create) <root>/<dir>; dir is absolute, as cache_dir= has it.
 * With host_dir, dir is a path of this machine, not under root (the cache
 * device mounted at /run/khdr/cache while root is read-only).
 */
int cache_open(struct cache *c, const struct khdr_ctx *ctx, const char *dir,
	       bool host_dir, bool create, struct khdr_err *e);
void cache_close(struct cache *c);

/*
 * flock(2) the cache; install, prune and verify hold it while they change
 * things.  Waiting for another, it says so once, naming the holder's pid.
 */
int cache_lock(struct cache *c, struct khdr_err *e);

/*
 * Is the lock held right now (an install or verify filling its staging
 * directory, a prune removing)?  *pid: the holder's, 0 if not known.
 * Takes nothing: a reader's look.
 */
bool cache_busy(struct cache *c, long *pid);

/* Remove staging and trash left by a run that died, logging each that
 * cannot be: the first error, or 0; *removed (if not NULL) counts the gone. */
int cache_remove_leftovers(struct cache *c, unsigned *removed);

/*
 * The warm path's tidy-up: when a run that died left staging, trash or a
 * half-made link behind, remove them if the lock is free right now (a
 * busy lock means they belong to a running install).
 */
void cache_tidy(struct cache *c, const char *release);

/* A new staging directory: its name (in name) and an fd for it. */
int cache_staging(struct cache *c, char *name, size_t size, int *fd,
		  struct khdr_err *e);

/*
 * Remove entry key for good: renamed aside first, so a half-deleted tree
 * never keeps the name (and the stamp) of a valid entry.
 */
int cache_remove_entry(struct cache *c, const char *key);

/* Remove a staging directory (or any entry) and everything in it. */
void cache_discard(struct cache *c, const char *name);

/*
 * Make a staging directory the entry `key`: write the stamp, sync, rename.
 * An existing entry of that name is renamed aside first, then removed.
 */
int cache_commit(struct cache *c, const char *staging, int sfd,
		 const char *key, const char *stamp, size_t len,
		 struct khdr_err *e);

/* Is there an entry `key` with an intact stamp for release? */
bool cache_entry_valid(struct cache *c, const char *key, const char *release);

/* Read the stamp of entry key (stamp_parse()). */
int cache_read_stamp(struct cache *c, const char *key, struct stamp *st);

#endif
