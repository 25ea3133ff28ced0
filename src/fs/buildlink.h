/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * buildlink.h - <root>/lib/modules/<release>/build, the link every tool
 * looks for: ours when it is a symlink into the cache, foreign otherwise
 * (a distribution's headers), switched by a temporary symlink renamed over
 * it, so a crash leaves the old link or the new one.
 */
#ifndef KHDR_BUILDLINK_H
#define KHDR_BUILDLINK_H

#include <stdbool.h>
#include <stddef.h>

#include "base/khdr.h"
#include "fs/cache.h"

enum link_state {
	LINK_MISSING,           /* no build */
	LINK_OURS,              /* a symlink into the cache: key is set */
	LINK_FOREIGN,           /* anything else: a headers package, a tree */
};

/* An fd of <root>/lib/modules/<release> (created with create), or -errno. */
int link_release_dir(struct cache *c, const char *release, bool create);

/* The state of <root>/lib/modules/<release>/build. */
int cache_link_read(struct cache *c, const char *release,
		    enum link_state *state, char *key, size_t size);

/* Refuse (-EEXIST) a foreign build unless force: before any work. */
int cache_link_check(struct cache *c, const char *release, bool force,
		     struct khdr_err *e);

/* Point build at entry key (atomically: symlink + rename). */
int cache_link_switch(struct cache *c, const char *release, const char *key,
		      bool force, struct khdr_err *e);

/* Remove lib/modules/<release>/build if it is our symlink to key. */
int cache_link_remove(struct cache *c, const char *release, const char *key);

#endif
