/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * inventory.h - what the cache holds and who uses it, read from stamps and
 * links only (never whole trees), for status, prune and env: each entry
 * with its stamp fields and state, and each lib/modules/<release>/build.
 */
#ifndef KHDR_INVENTORY_H
#define KHDR_INVENTORY_H

#include <stdbool.h>
#include <stdint.h>

#include "format/kversion.h"
#include "format/notes.h"
#include "fs/cache.h"

enum entry_state {
	ENTRY_ACTIVE,           /* the running kernel's: its key, or its valid link's */
	ENTRY_REFERENCED,       /* another release's build link points at it */
	ENTRY_STALE,            /* unreferenced, its release still installed */
	ENTRY_ORPHANED,         /* unreferenced, its release gone */
	ENTRY_BROKEN,           /* no intact stamp (kept while a link points here) */
};

enum build_state {
	BUILD_MISSING,
	BUILD_OURS_VALID,       /* ours, at a valid entry for the running build */
	BUILD_OURS_STALE,       /* ours, at a valid entry of another build */
	BUILD_FOREIGN,          /* a headers package or someone else's link */
	BUILD_DANGLING,         /* a symlink to nothing */
};

struct inv_entry {
	char key[CACHE_KEY_MAX];
	char release[RELEASE_MAX];
	char build_id[2 * BUILD_ID_MAX + 1];
	char verified[24];
	char source[24];
	char config[16];               /* match, mismatch, unavailable; "" if not recorded */
	char layout[16];               /* match, mismatch, unavailable; "" if not checked */
	bool kbuild;              /* its tree builds modules */
	char kit[32];             /* made so with the kit of this version; "": the archive's own */
	uint64_t files, bytes;
	long long created;
	enum entry_state state;
	char linked_by[RELEASE_MAX];   /* the release whose build points here */
};

struct inv_link {
	char release[RELEASE_MAX];
	enum build_state state;
	char key[CACHE_KEY_MAX];       /* for ours */
	char target[256];              /* what the symlink holds, "" if none */
};

struct inventory {
	struct inv_entry *entries;
	size_t n;
	struct inv_link *links;        /* every lib/modules/<release>/build */
	size_t nlinks;
	unsigned leftovers;            /* staging and trash directories */
	struct inv_link running;       /* the running release's build */
};

/*
 * Read the cache (may be closed: fd < 0, then there are no entries) and
 * <root>/lib/modules.  running_key: the key the running kernel would use,
 * "" when it cannot be known without reading the archive (no build ID).
 * removed: a release counted as not installed whatever its files say (it
 * is being uninstalled), NULL for none.  Entries of the running release
 * are never orphaned, even when it is the one named.
 */
int inventory_read(struct inventory *inv, struct cache *c,
		   const char *release, const char *running_key,
		   const char *removed, struct khdr_err *e);
void inventory_free(struct inventory *inv);

/* Is <root>/lib/modules/<release>/kernel or <root>/boot/vmlinuz-<release> there? */
bool release_installed(int rootfd, const char *release);

const char *entry_state_name(enum entry_state s);
const char *build_state_name(enum build_state s);

#endif
