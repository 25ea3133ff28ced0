/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd-status.c - khdr-cache status: the running kernel, where its archive
 * would come from, the state of its build link, every cache entry, and the
 * file system holding the cache.  Reads stamps and links only.
 *
 * Exit status as systemctl is-active: 0 when the running kernel's headers
 * are installed and valid, 3 when missing or stale, 1 on error.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "fs/cache.h"
#include "fs/inventory.h"
#include "fs/stamp.h"
#include "sys/devinfo.h"
#include "kinfo/kernel.h"
#include "kinfo/source.h"
#include "kinfo/verify.h"
#include "cmd/commands.h"
#include "cmd/hint.h"

struct status {
	const struct khdr_opts *o;
	struct kernel_id k;
	struct cache cache;
	bool have_cache;
	struct source src;
	bool have_source;
	char running_key[CACHE_KEY_MAX];
	struct inventory inv;
	struct devinfo dev;
	unsigned in_progress;   /* staging dirs of a run holding the lock */
	long lock_pid;          /* that run's pid, 0 if not known */
	long long now;
	bool forced;              /* build is ours and valid, but installed with --force */
};

/* The build link's state as shown: a valid link at a forced entry is no valid one. */
static const char *build_state_shown(const struct status *s)
{
	return s->forced ? "ours-forced" : build_state_name(s->inv.running.state);
}

/* ---- JSON: strings escaped, numbers as numbers, absent values as null ---- */

static void json_key_str(const char *key, const char *val, bool comma)
{
	printf("%s\"%s\": ", comma ? ", " : "", key);
	if (val && *val)
		json_put_str(val);
	else
		fputs("null", stdout);
}

/* A path made of a prefix (the root, "" for /) and parts, escaped. */
static void json_key_path(const char *key, const char *prefix, const char *a,
			  const char *b, const char *c)
{
	char path[3 * 4096];

	snprintf(path, sizeof(path), "%s%s%s%s", prefix, a, b, c);
	printf(", \"%s\": ", key);
	json_put_str(path);
}

static void json_key_u64(const char *key, uint64_t v, bool comma)
{
	printf("%s\"%s\": %" PRIu64, comma ? ", " : "", key, v);
}

/*
 * khdr-cache(8)'s active is the running kernel's entry; the entry of a
 * --kernel-release that is not running is the target.
 */
static const char *entry_state(const struct status *s, const struct inv_entry *ent)
{
	if (ent->state == ENTRY_ACTIVE && s->k.offline)
		return "target";
	return entry_state_name(ent->state);
}

static void json_entry(const struct status *s, const struct inv_entry *ent)
{
	bool broken = ent->state == ENTRY_BROKEN;

	printf("    {");
	json_key_str("key", ent->key, false);
	json_key_path("path", s->o->ctx.prefix, s->cache.prefix, ent->key, "");
	json_key_str("state", entry_state(s, ent), true);
	json_key_str("release", broken ? NULL : ent->release, true);
	json_key_str("build_id", ent->build_id, true);
	json_key_str("verified", ent->verified, true);
	json_key_str("source", ent->source, true);
	json_key_str("config", broken || !*ent->config ? NULL : ent->config, true);
	json_key_str("layout", broken || !*ent->layout ? NULL : ent->layout, true);
	printf(", \"kbuild\": %s", broken ? "null" : ent->kbuild ? "true" : "false");
	json_key_str("kit", broken || !*ent->kit ? NULL : ent->kit, true);
	json_key_u64("files", ent->files, true);
	json_key_u64("bytes", ent->bytes, true);
	if (broken)
		printf(", \"created\": null, \"age_seconds\": null");
	else
		printf(", \"created\": %lld, \"age_seconds\": %lld", ent->created,
		       s->now - ent->created);
	json_key_str("linked_by", ent->linked_by, true);
	printf("}");
}

/* The one word for the running kernel's headers, the text's and the JSON's. */
static const char *status_word(const struct status *s, int code)
{
	const struct inv_link *l = &s->inv.running;

	return code == 0 ? "valid" : s->forced ? "forced" :
	       l->state == BUILD_OURS_VALID || l->state == BUILD_OURS_STALE ? "stale" :
	       build_state_name(l->state);
}

static void print_json(const struct status *s, int code)
{
	const struct inv_link *l = &s->inv.running;

	printf("{\n  \"format\": 1");
	printf(",\n  \"status\": \"%s\"", status_word(s, code));
	printf(",\n  \"kernel\": {");
	json_key_str("release", s->k.release, false);
	json_key_str("build_id", s->k.build_id_hex, true);
	printf(", \"running\": %s", s->k.offline ? "false" : "true");
	json_key_str("image", *s->k.image ? s->k.image : NULL, true);
	printf("}");
	printf(",\n  \"archive\": {");
	json_key_str("source", s->have_source ? source_kind_name(s->src.kind) : NULL, false);
	json_key_str("path", s->have_source ? s->src.path : NULL, true);
	printf("}");
	printf(",\n  \"build\": {");
	json_key_str("state", build_state_shown(s), false);
	json_key_path("path", s->o->ctx.prefix, "/lib/modules/", s->k.release, "/build");
	json_key_str("target", l->target, true);
	json_key_str("entry", l->key, true);
	printf("}");
	printf(",\n  \"cache\": {");
	printf("\"exists\": %s", s->have_cache ? "true" : "false");
	json_key_path("path", s->o->ctx.prefix, "/", s->cache.dir, "");
	json_key_str("mountpoint", s->dev.mountpoint, true);
	json_key_str("fstype", s->dev.fstype, true);
	json_key_str("source", s->dev.source, true);
	json_key_str("device", s->dev.device, true);
	json_key_str("label", s->dev.label, true);
	json_key_str("uuid", s->dev.uuid, true);
	json_key_u64("free_bytes", s->dev.free_bytes, true);
	json_key_u64("total_bytes", s->dev.total_bytes, true);
	printf(", \"read_only\": %s", s->dev.read_only ? "true" : "false");
	json_key_u64("leftovers", s->inv.leftovers, true);
	json_key_u64("in_progress", s->in_progress, true);
	printf("}");
	printf(",\n  \"entries\": [");
	for (size_t i = 0; i < s->inv.n; i++) {
		printf(i ? ",\n" : "\n");
		json_entry(s, &s->inv.entries[i]);
	}
	printf("%s]\n}\n", s->inv.n ? "\n  " : "");
}

/* ---- text ---- */

static void human_age(long long secs, char *buf, size_t size)
{
	if (secs < 0)
		secs = 0;
	if (secs < 120)
		snprintf(buf, size, "%llds", secs);
	else if (secs < 7200)
		snprintf(buf, size, "%lldm", secs / 60);
	else if (secs < 172800)
		snprintf(buf, size, "%lldh", secs / 3600);
	else
		snprintf(buf, size, "%lldd", secs / 86400);
}

static void print_cache_line(const struct status *s)
{
	const struct devinfo *d = &s->dev;
	char free[SIZE_TEXT_MAX], cmd[4 * PATH_MAX];

	printf("cache:     %s/%s", s->o->ctx.prefix, s->cache.dir);
	if (!s->have_cache) {
		printf(" (not created yet)\n");
		return;
	}
	size_text(d->free_bytes, free);
	printf(" on %s (%s", *d->device ? d->device : *d->source ? d->source : "?",
	       *d->fstype ? d->fstype : "?");
	if (*d->label)
		printf(", LABEL=%s", d->label);
	if (*d->uuid)
		printf(", UUID=%s", d->uuid);
	printf("%s), %s free\n", d->read_only ? ", read-only" : "", free);
	if (s->in_progress && s->lock_pid)
		printf("           %u staging dir(s) in use: an install, prune or verify in progress (pid %ld)\n",
		       s->in_progress, s->lock_pid);
	else if (s->in_progress)
		printf("           %u staging dir(s) in use: an install, prune or verify in progress\n",
		       s->in_progress);
	if (s->inv.leftovers)
		printf("           %u leftover staging %s, which prune removes; run: %s\n",
		       s->inv.leftovers, plural(s->inv.leftovers, "directory", "directories"),
		       hint_command(s->o, &command_prune, &(struct hint){ 0 }, cmd, sizeof(cmd)));
}

/*
 * A build ID cut to its first 12 hex digits, as git shortens a commit:
 * enough to tell entries apart, short enough for one line.  A key keeps
 * its release and any "crc64-" before the digits.
 */
static const char *short_id(const char *id, bool wide, char *buf, size_t size)
{
	const char *at = strrchr(id, '@');
	const char *hex = at ? at + 1 : id;

	if (strncmp(hex, "crc64-", 6) == 0)
		hex += 6;
	if (wide || strlen(hex) <= 12)
		return id;
	snprintf(buf, size, "%.*s%.12s", (int)(hex - id), id, hex);
	return buf;
}

static void print_entry(const struct status *s, const struct inv_entry *ent)
{
	char size[SIZE_TEXT_MAX], age[32], key[CACHE_KEY_MAX];
	const char *k = short_id(ent->key, s->o->wide, key, sizeof(key));

	size_text(ent->bytes, size);
	human_age(s->now - ent->created, age, sizeof(age));
	if (ent->state == ENTRY_BROKEN)
		printf("  %-10s %-13s %-6s %-11s %-11s %-11s %10s %5s  %s", "broken", "-", "-", "-",
		       "-", "-", "-", "-", strchr(ent->key, '@') ? k : ent->key);   /* no key: its name whole */
	else
		printf("  %-10s %-13s %-6s %-11s %-11s %-11s %10s %5s  %s",
		       entry_state(s, ent), *ent->source ? ent->source : "-",
		       *ent->kit ? "kit" : ent->kbuild ? "yes" : "no", ent->verified,
		       *ent->config ? ent->config : "-", *ent->layout ? ent->layout : "-",
		       size, age, k);
	if (ent->state == ENTRY_REFERENCED)
		printf("  (build of %s)", ent->linked_by);
	putchar('\n');
}

static void print_text(const struct status *s, int code)
{
	const struct inv_link *l = &s->inv.running;
	char id[CACHE_KEY_MAX];

	char which[sizeof(s->k.image) + 64];

	printf("status:    %s\n", status_word(s, code));
	printf("kernel:    %s, build ID %s (%s)\n", s->k.release,
	       *s->k.build_id_hex ? short_id(s->k.build_id_hex, s->o->wide, id, sizeof(id)) :
	       "none", kernel_which(&s->k, which, sizeof(which)));
	if (s->have_source)
		printf("archive:   %s %s\n", source_kind_name(s->src.kind), s->src.path);
	else
		printf("archive:   none (no CONFIG_IKHEADERS archive, no kheaders module, nothing staged)\n");
	printf("build:     %s/lib/modules/%s/build: %s%s%s\n", s->o->ctx.prefix, s->k.release,
	       build_state_shown(s), *l->target ? " -> " : "", l->target);
	if (s->forced)
		printf("           installed with --force: its headers were not verified against this kernel\n");
	print_cache_line(s);
	if (!s->inv.n) {
		printf("entries:   none\n");
		return;
	}
	printf("entries:\n  %-10s %-13s %-6s %-11s %-11s %-11s %10s %5s  %s\n", "STATE", "SOURCE",
	       "KBUILD", "VERIFIED", "CONFIG", "LAYOUT", "SIZE", "AGE", "ENTRY");
	for (size_t i = 0; i < s->inv.n; i++)
		print_entry(s, &s->inv.entries[i]);
}

/* Active first, then by release (as sort -V), the newest build of each first. */
static int entry_order(const void *a, const void *b)
{
	const struct inv_entry *x = a, *y = b;
	int r;

	if ((x->state == ENTRY_ACTIVE) != (y->state == ENTRY_ACTIVE))
		return x->state == ENTRY_ACTIVE ? -1 : 1;
	r = strverscmp(*x->release ? x->release : x->key, *y->release ? y->release : y->key);
	if (r)
		return r;
	if (x->created != y->created)
		return x->created > y->created ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int open_cache(struct status *s, struct khdr_err *e)
{
	int r = cache_open(&s->cache, &s->o->ctx, s->o->cache_dir, false, false, e);

	if (r == 0) {
		s->have_cache = true;
		devinfo_read(s->cache.fd, &s->dev);
		return 0;
	}
	if (r != -ENOENT)
		return r;
	/* No cache yet: still show the link and the file system of the root. */
	s->cache.rootfd = open(s->o->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->cache.rootfd < 0)
		return err_set(e, errno, "cannot open root %s: %s", s->o->root, strerror(errno));
	devinfo_read(s->cache.rootfd, &s->dev);
	return 0;
}

static bool linked_forced(const struct status *s)
{
	for (size_t i = 0; i < s->inv.n; i++)
		if (strcmp(s->inv.entries[i].key, s->inv.running.key) == 0)
			return strcmp(s->inv.entries[i].verified,
				      verify_level_name(VERIFY_FORCED)) == 0;
	return false;
}

static int status(struct status *s, struct khdr_err *e)
{
	struct khdr_err ignored = { 0 };
	int r;

	r = kernel_identify_installed(&s->k, &s->o->kernel, e);
	if (r < 0)
		return r;
	if (*s->k.build_id_hex)
		stamp_key(s->running_key, sizeof(s->running_key), s->k.release,
			  s->k.build_id_hex, 0);
	s->have_source = source_find(&s->src, &s->o->ctx, s->o->archive, &s->k, &ignored) == 0;
	r = open_cache(s, e);
	if (r < 0)
		return r;
	r = inventory_read(&s->inv, &s->cache, s->k.release, s->running_key, NULL, e);
	if (r < 0)
		return r;
	/* Staging under a held lock is an extraction under way, not a leftover. */
	if (s->inv.leftovers && s->have_cache && cache_busy(&s->cache, &s->lock_pid)) {
		s->in_progress = s->inv.leftovers;
		s->inv.leftovers = 0;
	}
	s->forced = s->inv.running.state == BUILD_OURS_VALID && linked_forced(s);
	r = s->inv.running.state == BUILD_OURS_VALID && !s->forced ? 0 : KHDR_EXIT_ABSENT;
	if (s->inv.n > 1)        /* qsort's base may not be NULL, even for none */
		qsort(s->inv.entries, s->inv.n, sizeof(*s->inv.entries), entry_order);
	if (s->o->json)
		print_json(s, r);
	else if (s->o->verbose >= 0)    /* -q: the exit status says it */
		print_text(s, r);
	return r;
}

static int cmd_status(const struct khdr_opts *o, int argc, char **argv,
		      struct khdr_err *e)
{
	struct status s = { .o = o, .cache = { .rootfd = -1, .fd = -1, .lockfd = -1 },
			    .now = (long long)time(NULL) };
	int r;

	(void)argc;
	(void)argv;
	s.src.in.fd = -1;
	r = status(&s, e);
	fflush(stdout);
	inventory_free(&s.inv);
	source_close(&s.src);
	cache_close(&s.cache);
	return r;
}

const struct command command_status = {
	.name = "status", .fn = cmd_status,
	.options = OPT_CONF | OPT_JSON | OPT_KERNEL_IMAGE | OPT_WIDE,
	.usage = "[--kernel-release R [--kernel-image FILE]] [--json] [--wide]",
	.help = "show the running kernel, its archive, its build link and every cache entry",
};
