/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd-prune.c - khdr-cache prune: remove cache entries nobody needs
 * (orphaned: their release is gone, or being removed (--removed); stale:
 * older builds beyond the newest --keep of a release; broken: no intact
 * stamp), our build links that point at nothing, and leftover staging
 * directories.  Never the running kernel's entry, never an entry a build
 * link points at, never a foreign link.  Holds the lock install holds.
 *
 * --legacy also removes what BCC and older bpftrace leave in /tmp: root's
 * own kheaders-<release> directories, never through a symlink.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "fs/buildlink.h"
#include "fs/cache.h"
#include "fs/inventory.h"
#include "fs/rmtree.h"
#include "fs/stamp.h"
#include "kinfo/kernel.h"
#include "cmd/commands.h"

struct prune {
	const struct khdr_opts *o;
	struct cache cache;
	struct inventory inv;
	bool *doomed;            /* per inventory entry */
	uint64_t freed;
	unsigned removed;
};

static bool is_protected(const struct inv_entry *ent)
{
	return ent->state == ENTRY_ACTIVE || ent->linked_by[0];
}

/* How many entries of release r, newer than ent, are kept anyway. */
static unsigned kept_before(const struct prune *p, const struct inv_entry *ent)
{
	unsigned n = 0;

	for (size_t i = 0; i < p->inv.n; i++) {
		const struct inv_entry *o = &p->inv.entries[i];

		if (o == ent || o->state == ENTRY_BROKEN || o->state == ENTRY_ORPHANED ||
		    strcmp(o->release, ent->release) != 0)
			continue;
		if (is_protected(o) || o->created > ent->created ||
		    (o->created == ent->created && strcmp(o->key, ent->key) > 0))
			n++;
	}
	return n;
}

/* Orphaned and broken go; stale ones beyond the newest keep of their release. */
static void choose(struct prune *p)
{
	for (size_t i = 0; i < p->inv.n; i++) {
		const struct inv_entry *ent = &p->inv.entries[i];

		p->doomed[i] = !is_protected(ent) &&
			       (ent->state == ENTRY_ORPHANED || ent->state == ENTRY_BROKEN);
	}
	for (size_t i = 0; i < p->inv.n; i++) {
		const struct inv_entry *ent = &p->inv.entries[i];

		if (ent->state == ENTRY_STALE && !is_protected(ent) &&
		    kept_before(p, ent) >= p->o->keep)
			p->doomed[i] = true;
	}
}

static void say(const struct prune *p, const char *what, const char *name,
		const char *why, uint64_t bytes, bool known)
{
	char size[SIZE_TEXT_MAX + 2] = "";

	if (known)
		size_text(bytes, stpcpy(size, ", "));
	if (p->o->verbose >= 0)
		printf("%s%s %s (%s%s)\n", p->o->dry_run ? "would remove " : "removed ",
		       what, name, why, size);
}

static int remove_entries(struct prune *p)
{
	int r, err = 0;

	for (size_t i = 0; i < p->inv.n; i++) {
		const struct inv_entry *ent = &p->inv.entries[i];

		if (!p->doomed[i])
			continue;
		if (!p->o->dry_run && (r = cache_remove_entry(&p->cache, ent->key)) < 0) {
			log_error("cannot remove %s%s: %s", p->cache.prefix, ent->key, strerror(-r));
			err = r;
			continue;
		}
		say(p, "entry", ent->key, entry_state_name(ent->state), ent->bytes,
		    ent->state != ENTRY_BROKEN);
		p->freed += ent->bytes;
		p->removed++;
	}
	return err;
}

/* Our build links whose entry is gone; foreign ones are not ours to judge. */
static int remove_dangling_links(struct prune *p)
{
	int r, err = 0;

	for (size_t i = 0; i < p->inv.nlinks; i++) {
		const struct inv_link *l = &p->inv.links[i];
		char name[4096 + RELEASE_MAX + 32];

		if (l->state != BUILD_DANGLING || !l->key[0])
			continue;
		if (!p->o->dry_run && (r = cache_link_remove(&p->cache, l->release, l->key)) < 0) {
			log_error("cannot remove %s/lib/modules/%s/build: %s", p->o->ctx.prefix,
				  l->release, strerror(-r));
			err = r;
			continue;
		}
		snprintf(name, sizeof(name), "%s/lib/modules/%s/build", p->o->ctx.prefix,
			 l->release);
		say(p, "link", name, "dangling", 0, false);
		p->removed++;
	}
	return err;
}

/* Bytes under dir/name, never following symlinks. */
static uint64_t tree_bytes(int dirfd, const char *name)
{
	struct dirent *d;
	struct stat st;
	uint64_t n = 0;
	DIR *dir;
	int fd;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if (!S_ISDIR(st.st_mode))
		return (uint64_t)st.st_blocks * 512;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((d = readdir(dir)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
			n += tree_bytes(fd, d->d_name);
	closedir(dir);
	return n + (uint64_t)st.st_blocks * 512;
}

/* root's own real kheaders-* directories in tmp (BCC's /tmp/kheaders-<release>). */
static void prune_legacy_in(struct prune *p, const char *tmp)
{
	struct dirent *d;
	DIR *dir;
	int fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((d = readdir(dir))) {
		char shown[PATH_MAX];
		struct stat st;
		uint64_t bytes;
		int r;

		if (strncmp(d->d_name, "kheaders-", 9) != 0 || !release_valid(d->d_name + 9) ||
		    fstatat(fd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		snprintf(shown, sizeof(shown), "%s/%s", tmp, d->d_name);
		if (!S_ISDIR(st.st_mode) || st.st_uid != 0) {
			log_warn("leaving %s alone: not a real directory owned by root", shown);
			continue;
		}
		bytes = tree_bytes(fd, d->d_name);
		if (!p->o->dry_run && (r = remove_tree_at(fd, d->d_name)) < 0) {
			log_error("cannot remove %s: %s", shown, strerror(-r));
			continue;
		}
		say(p, "legacy", shown, "left by BCC or bpftrace", bytes, true);
		p->freed += bytes;
		p->removed++;
	}
	closedir(dir);
}

static void prune_legacy(struct prune *p)
{
	const char *tmpdir = getenv("TMPDIR");
	char tmp[PATH_MAX];

	ctx_path(&p->o->ctx, CTX_ROOT, tmp, sizeof(tmp), "/tmp");
	prune_legacy_in(p, tmp);
	/* $TMPDIR is this machine's, so only with the real root. */
	if (tmpdir && *tmpdir == '/' && !*p->o->ctx.prefix &&
	    strcmp(tmpdir, "/tmp") && strcmp(tmpdir, "/tmp/"))
		prune_legacy_in(p, tmpdir);
}

static int prune_cache(struct prune *p, struct khdr_err *e)
{
	char key[CACHE_KEY_MAX] = "";
	struct kernel_id k;
	int r, left = 0;

	r = kernel_identify_installed(&k, &p->o->kernel, e);
	if (r < 0)
		return r;
	if (*k.build_id_hex)
		stamp_key(key, sizeof(key), k.release, k.build_id_hex, 0);
	if (!p->o->dry_run && (r = cache_lock(&p->cache, e)) < 0)
		return r;
	r = inventory_read(&p->inv, &p->cache, k.release, key, p->o->removed, e);
	if (r < 0)
		return r;
	p->doomed = calloc(p->inv.n + 1, sizeof(*p->doomed));
	if (!p->doomed)
		return err_set(e, ENOMEM, "out of memory");
	choose(p);
	if (p->inv.leftovers) {
		unsigned gone = p->inv.leftovers;

		/* Only what is gone is said to be: a failure is logged. */
		if (!p->o->dry_run)
			left = cache_remove_leftovers(&p->cache, &gone);
		if (p->o->verbose >= 0 && gone)
			printf("%s %u leftover staging %s\n",
			       p->o->dry_run ? "would remove" : "removed", gone,
			       plural(gone, "directory", "directories"));
		p->removed += gone;
	}
	r = remove_entries(p);
	if (remove_dangling_links(p) < 0 && r == 0)
		r = -EIO;
	if (left < 0 && r == 0)
		r = left;
	return r < 0 ? err_set(e, -r, "some entries could not be removed (see above)") : 0;
}

static int prune(struct prune *p, struct khdr_err *e)
{
	int r = cache_open(&p->cache, &p->o->ctx, p->o->cache_dir, false, false, e);

	if (r == 0)
		r = prune_cache(p, e);
	else if (r == -ENOENT)
		r = 0;     /* nothing cached yet; --legacy may still have work */
	if (r == 0 && p->o->legacy)
		prune_legacy(p);
	if (r == 0 && p->o->verbose >= 0) {
		char size[SIZE_TEXT_MAX];

		if (p->removed)
			printf("%s %u %s, %s\n", p->o->dry_run ? "would free:" : "freed:",
			       p->removed, plural(p->removed, "item", "items"),
			       size_text(p->freed, size));
		else
			printf("nothing to prune\n");
	}
	return r;
}

static int cmd_prune(const struct khdr_opts *o, int argc, char **argv,
		     struct khdr_err *e)
{
	struct prune p = { .o = o, .cache = { .rootfd = -1, .fd = -1, .lockfd = -1 } };
	int r;

	(void)argc;
	(void)argv;
	r = prune(&p, e);
	free(p.doomed);
	inventory_free(&p.inv);
	cache_close(&p.cache);
	return r;
}

const struct command command_prune = {
	.name = "prune", .fn = cmd_prune,
	.options = OPT_CONF | OPT_KEEP | OPT_DRY_RUN | OPT_LEGACY | OPT_REMOVED,
	.usage = "[--keep N] [--dry-run] [--legacy] [--removed RELEASE]",
	.help = "remove orphaned and stale cache entries, dangling links and leftovers",
};
