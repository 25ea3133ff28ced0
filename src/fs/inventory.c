/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inventory.c - what the cache holds and who uses it, from stamps and links alone. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/names.h"
#include "fs/buildlink.h"
#include "fs/inventory.h"

const char *entry_state_name(enum entry_state s)
{
	static const char *const names[] = {
		[ENTRY_ACTIVE] = "active", [ENTRY_REFERENCED] = "referenced",
		[ENTRY_STALE] = "stale", [ENTRY_ORPHANED] = "orphaned",
		[ENTRY_BROKEN] = "broken",
	};
	return name_of(names, ARRAY_SIZE(names), s);
}

const char *build_state_name(enum build_state s)
{
	static const char *const names[] = {
		[BUILD_MISSING] = "missing", [BUILD_OURS_VALID] = "ours-valid",
		[BUILD_OURS_STALE] = "ours-stale", [BUILD_FOREIGN] = "foreign",
		[BUILD_DANGLING] = "dangling",
	};
	return name_of(names, ARRAY_SIZE(names), s);
}

bool release_installed(int rootfd, const char *release)
{
	char path[PATH_MAX];

	return (path_fmt(path, sizeof(path), "lib/modules/%s/kernel", release) == 0 &&
		faccessat(rootfd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0) ||
	       (path_fmt(path, sizeof(path), "boot/vmlinuz-%s", release) == 0 &&
		faccessat(rootfd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0);
}

/*
 * kernel-install runs its plugins when a release's package is being removed,
 * on some distributions (Fedora's %preun) before its files go: the release
 * being removed counts as gone whatever lib/modules and /boot still hold.
 */
static bool release_kept(int rootfd, const char *release, const char *removed)
{
	return !(removed && strcmp(release, removed) == 0) &&
	       release_installed(rootfd, release);
}

/* Fill e from its stamp; false when the stamp is missing or not ours. */
static bool read_entry(struct cache *c, struct inv_entry *ent)
{
	struct stamp st;

	if (cache_read_stamp(c, ent->key, &st) < 0 || !stamp_names(&st, ent->key, st.release))
		return false;
	snprintf(ent->release, sizeof(ent->release), "%s", st.release);
	snprintf(ent->build_id, sizeof(ent->build_id), "%s", st.build_id);
	snprintf(ent->verified, sizeof(ent->verified), "%s", st.verified);
	snprintf(ent->source, sizeof(ent->source), "%s", st.source);
	snprintf(ent->config, sizeof(ent->config), "%s", st.config);
	snprintf(ent->layout, sizeof(ent->layout), "%s", st.layout);
	ent->kbuild = strcmp(st.kbuild, "yes") == 0 || strcmp(st.kbuild, "synthesized") == 0;
	snprintf(ent->kit, sizeof(ent->kit), "%s", st.kit_version);
	ent->files = st.files;
	ent->bytes = st.bytes;
	ent->created = st.created;
	return true;
}

static bool is_leftover(const char *name)
{
	return strncmp(name, CACHE_STAGING_PREFIX, strlen(CACHE_STAGING_PREFIX)) == 0 ||
	       strncmp(name, CACHE_TRASH_PREFIX, strlen(CACHE_TRASH_PREFIX)) == 0;
}

/*
 * Every directory of the cache is an entry, broken unless its stamp names
 * it: one named like no key ("6.1.0-foo", a tree copied in by hand) too, so
 * status shows it and prune removes it.  A cache device's lost+found is
 * the file system's, not ours.
 */
static bool is_entry_dir(int dirfd, const struct dirent *d)
{
	struct stat st;

	if (strcmp(d->d_name, "lost+found") == 0)
		return false;
	if (d->d_type != DT_UNKNOWN)
		return d->d_type == DT_DIR;
	return fstatat(dirfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

static int add_entry(struct inventory *inv, size_t *cap, const char *name)
{
	struct inv_entry *ent;

	if (inv->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		void *p = realloc(inv->entries, ncap * sizeof(*inv->entries));

		if (!p)
			return -ENOMEM;
		inv->entries = p;
		*cap = ncap;
	}
	ent = &inv->entries[inv->n++];
	memset(ent, 0, sizeof(*ent));
	snprintf(ent->key, sizeof(ent->key), "%s", name);
	return 0;
}

static int read_entries(struct inventory *inv, struct cache *c)
{
	size_t cap = 0;
	struct dirent *d;
	DIR *dir;
	int fd = openat(c->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = 0;

	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while (r == 0 && (d = readdir(dir))) {
		if (d->d_name[0] == '.') {
			inv->leftovers += is_leftover(d->d_name);
			continue;
		}
		if (!is_entry_dir(c->fd, d))
			continue;     /* the lock file */
		if (strlen(d->d_name) >= CACHE_KEY_MAX || (r = add_entry(inv, &cap, d->d_name)) < 0)
			continue;
		if (!read_entry(c, &inv->entries[inv->n - 1]))
			inv->entries[inv->n - 1].state = ENTRY_BROKEN;
	}
	closedir(dir);
	return r;
}

static struct inv_entry *find_entry(struct inventory *inv, const char *key)
{
	for (size_t i = 0; i < inv->n; i++)
		if (strcmp(inv->entries[i].key, key) == 0)
			return &inv->entries[i];
	return NULL;
}

/* Does the build symlink resolve, inside the root? */
static bool link_resolves(int rootfd, const char *release)
{
	char path[PATH_MAX];
	struct stat st;

	return path_fmt(path, sizeof(path), "lib/modules/%s/build", release) == 0 &&
	       fstatat(rootfd, path, &st, 0) == 0;
}

static void classify(struct inventory *inv, struct cache *c, struct inv_link *l,
		     const char *running_key)
{
	enum link_state ls;
	char path[PATH_MAX];
	ssize_t n;

	memset(l->key, 0, sizeof(l->key));
	l->target[0] = '\0';
	if (path_fmt(path, sizeof(path), "lib/modules/%s/build", l->release) == 0 &&
	    (n = readlinkat(c->rootfd, path, l->target, sizeof(l->target) - 1)) > 0)
		l->target[n] = '\0';
	if (cache_link_read(c, l->release, &ls, l->key, sizeof(l->key)) < 0 ||
	    ls == LINK_MISSING) {
		l->state = BUILD_MISSING;
		return;
	}
	if (ls == LINK_FOREIGN) {
		/* Absolute targets are resolved against the host's /, as tools would. */
		l->state = (*l->target && !link_resolves(c->rootfd, l->release))
				   ? BUILD_DANGLING : BUILD_FOREIGN;
		return;
	}
	const struct inv_entry *ent = find_entry(inv, l->key);

	if (!ent || ent->state == ENTRY_BROKEN || strcmp(ent->release, l->release) != 0)
		l->state = ent ? BUILD_OURS_STALE : BUILD_DANGLING;
	else if (*running_key ? strcmp(l->key, running_key) == 0 : true)
		l->state = BUILD_OURS_VALID;
	else
		l->state = BUILD_OURS_STALE;
}

static int read_links(struct inventory *inv, struct cache *c, const char *running_key)
{
	size_t cap = 0;
	struct dirent *d;
	DIR *dir;
	int fd = openat(c->rootfd, "lib/modules", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((d = readdir(dir))) {
		struct inv_link *l;

		if (d->d_name[0] == '.' || strlen(d->d_name) >= RELEASE_MAX ||
		    !release_valid(d->d_name) ||
		    faccessat(fd, d->d_name, F_OK, 0) < 0)
			continue;
		if (inv->nlinks == cap) {
			void *p = realloc(inv->links, (cap = cap ? cap * 2 : 16) * sizeof(*l));

			if (!p) {
				closedir(dir);
				return -ENOMEM;
			}
			inv->links = p;
		}
		l = &inv->links[inv->nlinks];
		memcpy(l->release, d->d_name, strlen(d->d_name) + 1);
		classify(inv, c, l, running_key);
		if (l->state == BUILD_MISSING)
			continue;
		inv->nlinks++;
	}
	closedir(dir);
	return 0;
}

/*
 * Active: the running kernel's own (its key, or without a build ID the
 * target of its valid link).  Referenced: the build link of a release
 * other than the running one points at it.  The rest are stale while their
 * release is running (an old build of the running release may still be its
 * stale link's target) or installed and not being removed, else orphaned.
 * Every entry remembers the link pointing at it, broken ones too: prune
 * never removes those.
 */
static void mark_entries(struct inventory *inv, int rootfd, const char *release,
			 const char *running_key, const char *removed)
{
	const char *active = *running_key ? running_key :
			     inv->running.state == BUILD_OURS_VALID ? inv->running.key : "";

	for (size_t i = 0; i < inv->nlinks; i++) {
		const struct inv_link *l = &inv->links[i];
		struct inv_entry *ent = l->key[0] ? find_entry(inv, l->key) : NULL;

		if (!ent || (l->state != BUILD_OURS_VALID && l->state != BUILD_OURS_STALE))
			continue;
		snprintf(ent->linked_by, sizeof(ent->linked_by), "%s", l->release);
	}
	for (size_t i = 0; i < inv->n; i++) {
		struct inv_entry *ent = &inv->entries[i];

		if (ent->state == ENTRY_BROKEN)
			continue;
		if (*active && strcmp(ent->key, active) == 0)
			ent->state = ENTRY_ACTIVE;
		else if (ent->linked_by[0] && strcmp(ent->linked_by, release) != 0)
			ent->state = ENTRY_REFERENCED;   /* another kernel's link */
		else if (strcmp(ent->release, release) == 0 ||
			 release_kept(rootfd, ent->release, removed))
			ent->state = ENTRY_STALE;
		else
			ent->state = ENTRY_ORPHANED;
	}
}

int inventory_read(struct inventory *inv, struct cache *c,
		   const char *release, const char *running_key,
		   const char *removed, struct khdr_err *e)
{
	int r;

	memset(inv, 0, sizeof(*inv));
	snprintf(inv->running.release, sizeof(inv->running.release), "%s", release);
	if (c->fd >= 0 && (r = read_entries(inv, c)) < 0)
		return err_set(e, r, "reading the cache %s: %s", c->prefix, strerror(-r));
	if (c->rootfd >= 0 && (r = read_links(inv, c, running_key)) < 0)
		return err_set(e, r, "reading lib/modules: %s", strerror(-r));
	if (c->rootfd >= 0)
		classify(inv, c, &inv->running, running_key);
	mark_entries(inv, c->rootfd, release, running_key, removed);
	return 0;
}

void inventory_free(struct inventory *inv)
{
	free(inv->entries);
	free(inv->links);
	memset(inv, 0, sizeof(*inv));
}
