/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd-install.c - khdr-cache install: find the archive, verify it against
 * the running kernel, extract it into a staging directory of the cache,
 * commit it, and point lib/modules/<release>/build at it.
 *
 * The warm path (build already points at a valid entry for this kernel)
 * runs at every boot: it reads the notes, one link and one stamp, and
 * returns without opening the archive.
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
#include "format/conf.h"
#include "fs/buildlink.h"
#include "fs/cache.h"
#include "fs/stamp.h"
#include "fs/stub-makefile.h"
#include "sys/boot.h"
#include "sys/flusher.h"
#include "sys/handoff.h"
#include "kinfo/kbuild.h"
#include "kinfo/kconfig-src.h"
#include "kinfo/kernel.h"
#include "kinfo/layout-run.h"
#include "kinfo/source.h"
#include "kinfo/unpack.h"
#include "cmd/commands.h"
#include "cmd/hint.h"

struct install {
	const struct khdr_opts *o;
	struct kernel_id k;
	struct cache cache;
	struct source src;
	char key[CACHE_KEY_MAX];
	uint64_t crc64;
	bool made_makefile;       /* headers only: we wrote the top Makefile */
	bool loaded_module;       /* --load-module: we ran modprobe kheaders */
	bool no_link;             /* --no-link, or the root cannot take a link */
	bool readonly;            /* the root is read-only (an initramfs) */
	const char *cache_dir;    /* o->cache_dir, or the cache device's mount */
	bool cache_on_host;       /* cache_dir is not under the root */
	char device_dir[PATH_MAX];
	struct kconfig kcfg;      /* the running kernel's config, if found */
	bool kcfg_read;
	char kcfg_where[PATH_MAX];
	struct kbuild_made kb;    /* a headers-only archive made kbuild-capable */
	bool synthesized;
	const char *layout;       /* the layout check's verdict; NULL: not made */
	bool replace;             /* --archive differs from the entry's archive */
	bool src_opened;          /* find_source() succeeded */
	char named_release[RELEASE_MAX]; /* refused: the archive is this release's */
	struct stamp stamp;       /* the entry of key's, when stamp_state is STAMP_VALID */
	enum { STAMP_UNREAD, STAMP_VALID, STAMP_NONE } stamp_state;
};

/* <release>@<build-id>, or <release>@crc64-<crc> without a build ID. */
static void make_key(struct install *in)
{
	stamp_key(in->key, sizeof(in->key), in->k.release, in->k.build_id_hex, in->crc64);
	in->stamp_state = STAMP_UNREAD;
}

/*
 * The stamp of the entry of key, if that entry is one of this kernel:
 * read once, so that the warm path reads one file whoever asks.  Read
 * again once the cache is locked (another install may have committed
 * meanwhile).
 */
static const struct stamp *entry_stamp(struct install *in)
{
	if (in->stamp_state == STAMP_UNREAD)
		in->stamp_state = in->cache.fd >= 0 &&
				  cache_read_stamp(&in->cache, in->key, &in->stamp) == 0 &&
				  stamp_names(&in->stamp, in->key, in->k.release) ? STAMP_VALID : STAMP_NONE;
	return in->stamp_state == STAMP_VALID ? &in->stamp : NULL;
}

static bool up_to_date(struct install *in)
{
	char key[CACHE_KEY_MAX];
	enum link_state state;

	if (in->replace)
		return false;
	if (in->no_link)
		return entry_stamp(in) != NULL;
	return in->cache.fd >= 0 &&
	       cache_link_read(&in->cache, in->k.release, &state, key, sizeof(key)) == 0 &&
	       state == LINK_OURS && strcmp(key, in->key) == 0 && entry_stamp(in) != NULL;
}

static bool installed_forced(struct install *in)
{
	const struct stamp *rec = entry_stamp(in);

	return rec && strcmp(rec->verified, verify_level_name(VERIFY_FORCED)) == 0;
}

static void say_up_to_date(struct install *in)
{
	/* What a run killed at the last moment left behind goes now. */
	cache_tidy(&in->cache, in->k.release);
	if (installed_forced(in))
		log_result("up to date, but installed with --force (unverified): %s/lib/modules/%s/build -> %s%s",
			   in->o->ctx.prefix, in->k.release, in->cache.prefix, in->key);
	else if (in->o->verbose >= 0)
		log_result("up to date: %s/lib/modules/%s/build -> %s%s", in->o->ctx.prefix,
			   in->k.release, in->cache.prefix, in->key);
}

/* kbuild=synthesized: which kit, and where Module.symvers and .config came from. */
static int fill_stamp_kbuild(const struct kbuild_made *kb, struct stamp *rec)
{
	if (path_fmt(rec->kit, sizeof(rec->kit), "%s", kb->kit) < 0 ||
	    path_fmt(rec->kit_version, sizeof(rec->kit_version), "%s", kb->kit_m.version) < 0 ||
	    path_fmt(rec->kit_origin, sizeof(rec->kit_origin), "%s", kb->kit_m.origin) < 0 ||
	    path_fmt(rec->kit_forced, sizeof(rec->kit_forced), "%s",
		     kb->kit_forced ? kb->tree_version : "") < 0 ||
	    path_fmt(rec->symvers_image, sizeof(rec->symvers_image), "%s", kb->image) < 0 ||
	    path_fmt(rec->symvers_modules, sizeof(rec->symvers_modules), "%s", kb->modules) < 0 ||
	    path_fmt(rec->config_from, sizeof(rec->config_from), "%s", kb->config_from) < 0)
		return -ENAMETOOLONG;
	return 0;
}

/* What the stamp records of this install: -ENAMETOOLONG when a value does not fit. */
static int fill_stamp(const struct install *in, const struct extractor *x,
		      const struct unpack_stats *st, const struct verifier *v,
		      struct stamp *rec)
{
	/* Absolute (as typed otherwise: /lib stays /lib): verify reads it again from anywhere. */
	char source[PATH_MAX];

	if (path_absolute(in->src.path, source, sizeof(source)) < 0)
		snprintf(source, sizeof(source), "%s", in->src.path);
	stamp_init(rec);
	rec->archive_size = in->src.in.pos;
	rec->archive_crc64 = in->src.in.crc64;
	rec->has_crc64 = true;
	snprintf(rec->kbuild, sizeof(rec->kbuild), "%s",
		 v->kbuild ? "yes" : in->synthesized ? "synthesized" : "no");
	rec->stub_makefile = in->made_makefile;
	rec->members = st->members;
	rec->files = x->nfiles;
	rec->dirs = x->ndirs_made;
	rec->links = x->nlinks;
	rec->bytes = x->bytes;
	if (in->synthesized) {      /* and what the kit and the build added */
		rec->files += in->kb.files;
		rec->bytes += in->kb.bytes;
	}
	rec->created = (long long)time(NULL);
	if (path_fmt(rec->key, sizeof(rec->key), "%s", in->key) < 0 ||
	    path_fmt(rec->release, sizeof(rec->release), "%s", in->k.release) < 0 ||
	    path_fmt(rec->build_id, sizeof(rec->build_id), "%s", in->k.build_id_hex) < 0 ||
	    path_fmt(rec->verified, sizeof(rec->verified), "%s", verify_level_name(st->level)) < 0 ||
	    path_fmt(rec->source, sizeof(rec->source), "%s", source_kind_name(in->src.kind)) < 0 ||
	    path_fmt(rec->source_path, sizeof(rec->source_path), "%s", source) < 0 ||
	    path_fmt(rec->config, sizeof(rec->config), "%s", kconfig_state_name(v->config_state)) < 0 ||
	    path_fmt(rec->layout, sizeof(rec->layout), "%s", in->layout ? in->layout : "") < 0 ||
	    path_fmt(rec->image, sizeof(rec->image), "%s", in->k.image) < 0)
		return -ENAMETOOLONG;
	return in->synthesized ? fill_stamp_kbuild(&in->kb, rec) : 0;
}

/*
 * The running kernel's config, read once: without one (no config.gz, no
 * boot/config-<release>) the check is not made and config=unavailable.
 */
static const struct kconfig *running_config(struct install *in)
{
	struct khdr_err e = { 0 };
	int r;

	if (!in->kcfg_read) {
		in->kcfg_read = true;
		r = kconfig_read_running(&in->o->ctx, &in->k, &in->kcfg, in->kcfg_where,
					 sizeof(in->kcfg_where), &e);
		if (r == 0)
			log_info("config: comparing with %s (%zu symbols)", in->kcfg_where, in->kcfg.n);
		else if (r != -ENOENT)
			log_warn("%s; the config is not compared", e.msg);
	}
	return in->kcfg.n ? &in->kcfg : NULL;
}

/*
 * Stream the archive through the verifier, and into x unless x is NULL
 * (--dry-run).  A module's vermagic is checked before the first byte.
 */
static int verify_and_unpack(struct install *in, struct extractor *x,
			     struct verifier *v, struct unpack_stats *st,
			     struct khdr_err *e)
{
	struct unpack_opts uo;
	struct progress pr;
	int r;

	verify_init(v, &in->k, in->o->force, in->src.kind == SOURCE_SYSFS_BUILTIN);
	v->strict = in->o->strict;
	v->config = running_config(in);
	r = in->src.is_module ? verify_vermagic(v, in->src.vermagic, e) : 0;
	/* No bar at boot: the console belongs to the boot. */
	progress_start(&pr, in->o->verbose >= 0 && !in->o->boot, x ? "installing" : "verifying");
	uo = unpack_opts_of(in->o, &pr);
	if (r == 0)
		r = unpack_archive(&in->src.in, x, v, &uo, st, e);
	if (r < 0 && r != -EPERM)
		err_wrap(e, "%s", in->src.path);
	if (r == -EPERM)
		memcpy(in->named_release, v->named_release, sizeof(in->named_release));
	return r;
}

/*
 * --verify-layout (verify_layout=yes): when only the fingerprint vouches
 * for the archive, compile its structs with its own kbuild in the staging
 * directory, before the commit, and compare them with the kernel's BTF.
 * A build ID or a built-in archive proves more than this can; at boot no
 * compiler runs.  A difference refuses the archive (the staging directory
 * goes, the old state stays) unless --force; "cannot tell" is a warning.
 */
static int check_layout(struct install *in, const char *staging,
			enum verify_level level, struct khdr_err *e)
{
	const struct khdr_opts *o = in->o;
	char tree[PATH_MAX], btf[PATH_MAX];
	struct layout_opts lo = { .tree = tree, .btf = btf };
	struct layout_result res;
	struct khdr_err why = { 0 };
	int r;

	if (!o->verify_layout)
		return 0;
	if (level != VERIFY_FINGERPRINT && level != VERIFY_FORCED) {
		log_info("layout check not needed: verified by %s", verify_level_name(level));
		return 0;
	}
	if (in->k.offline) {
		log_info("layout check skipped: %s is not the running kernel, whose BTF it would read",
			 in->k.release);
		return 0;
	}
	if (o->boot) {
		log_info("layout check skipped at boot: 'khdr-cache verify --layout' makes it later");
		return 0;
	}
	if (path_fmt(tree, sizeof(tree), "%s%s/%s", in->cache_on_host ? "" : o->ctx.prefix,
		     in->cache_dir, staging) < 0 ||
	    ctx_path(&o->ctx, CTX_SYSFS, btf, sizeof(btf), "/kernel/btf/vmlinux") < 0)
		return err_set(e, ENAMETOOLONG, "path too long");
	r = layout_verify(&lo, &res, &why);
	if (r == 0) {
		in->layout = "match";
		log_info("layout: %zu members of %zu structs agree with %s (%.1f s)", res.compared,
			 res.structs, btf, res.seconds);
		return 0;
	}
	if (r < 0) {
		in->layout = "unavailable";
		log_warn("layout check: %s; installing without it", why.msg);
		return 0;
	}
	in->layout = "mismatch";
	if (o->force) {
		log_warn("layout check: %zu of %zu members differ from the kernel's BTF: %s (--force: installing anyway)",
			 res.mismatches, res.compared, res.first);
		return 0;
	}
	return err_set(e, EPERM,
		       "layout check: these headers lay out %zu of %zu members differently from the running kernel's BTF (%s): %s; "
		       "nothing installed, the old state stays (--force installs anyway)",
		       res.mismatches, res.compared, btf, res.first);
}

/*
 * A headers-only archive and the kbuild kit of its version make a kbuild
 * tree (kinfo/kbuild.h), but never in the initramfs: no compiler runs
 * there and the boot would wait for Module.symvers; khdr-cache.service
 * makes it later.  Without a kit the tree stays headers only; a kit that
 * is there and cannot be used refuses the install, the old state kept.
 */
static int make_kbuild(struct install *in, int sfd, struct khdr_err *e)
{
	const struct khdr_opts *o = in->o;
	struct kbuild_query q = { .ctx = &o->ctx, .kq = &o->kernel, .k = &in->k, .kit = o->kit,
				  .force = o->force };
	struct khdr_err why = { 0 };
	int r;

	if (o->boot && boot_in_initramfs()) {
		log_info("headers only in the initramfs: khdr-cache.service makes the kbuild tree");
		return 0;
	}
	/* kit_upgrade found it in the entry of the same build: the same headers. */
	r = in->kb.kit_text ? 0 : kbuild_find_kit(sfd, &q, &in->kb, &why);
	if (r == -ENOENT && !o->kit) {
		log_info("headers only: %s", why.msg);
		return 0;
	}
	if (r < 0) {
		*e = why;
		return r;
	}
	q.config = running_config(in);
	q.config_from = in->kcfg_where;
	r = kbuild_make(sfd, &q, &in->kb, e);
	if (r < 0)
		return err_wrap(e, "making a kbuild tree with the kit %s", in->kb.kit);
	in->synthesized = true;
	log_info("kbuild tree: the kit for Linux %s (%lu %s), Module.symvers of %s and %zu module %s "
		 "(%zu exports), config from %s", in->kb.kit_m.version, in->kb.copied,
		 plural(in->kb.copied, "file", "files"), in->kb.image, in->kb.symvers.files,
		 plural(in->kb.symvers.files, "file", "files"),
		 in->kb.symvers.image + in->kb.symvers.modules, in->kb.config_from);
	return 0;
}

/*
 * Writing back what is extracted every so often overlaps the disk's work
 * with the extractor's, and leaves the final syncfs little to wait for;
 * bench/RESULTS.md ("The writeback period") has the figures behind 50 ms.
 */
#define FLUSH_PERIOD_MS 50

/* Extract into staging, verify on the way, commit as in->key. */
static int extract_entry(struct install *in, struct khdr_err *e)
{
	char staging[64], stamp[STAMP_TEXT_MAX], size[SIZE_TEXT_MAX];
	struct stamp rec;
	struct unpack_stats st;
	struct extractor x;
	struct verifier v;
	struct flusher *fl;
	int sfd, r, n;

	r = cache_staging(&in->cache, staging, sizeof(staging), &sfd, e);
	if (r < 0)
		return r;
	extract_init(&x, sfd, in->o->max_entries, in->o->max_bytes);
	fl = in->o->threads > 1 ? flusher_start(sfd, FLUSH_PERIOD_MS) : NULL;
	r = verify_and_unpack(in, &x, &v, &st, e);
	flusher_stop(fl);
	if (r == 0 && !v.kbuild)
		r = make_kbuild(in, sfd, e);
	if (r == 0 && !v.kbuild && !in->synthesized) {
		r = stub_makefile_write(sfd, e);
		in->made_makefile = r == 1;
		r = r < 0 ? r : 0;
	}
	if (r == 0)
		r = check_layout(in, staging, st.level, e);
	if (r == 0 && in->layout && strcmp(in->layout, "mismatch") == 0)
		st.level = VERIFY_FORCED;       /* installed only because of --force */
	if (r == 0) {
		n = fill_stamp(in, &x, &st, &v, &rec);
		if (n == 0)
			n = stamp_format(&rec, stamp, sizeof(stamp));
		r = n < 0 ? err_set(e, n, "stamp too long")
			  : cache_commit(&in->cache, staging, sfd, in->key, stamp,
					 (size_t)n, e);
	}
	extract_free(&x);
	close(sfd);
	if (r < 0) {
		cache_discard(&in->cache, staging);
		return r;
	}
	log_info("extracted %" PRIu64 " %s, %s (verified: %s)", x.nfiles,
		 plural(x.nfiles, "file", "files"), size_text(x.bytes, size),
		 verify_level_name(st.level));
	return 0;
}

/*
 * The root is read-only (an initramfs before the remount): verify the
 * archive completely, then leave a copy in the run dir, where the late
 * service's install finds it as a staged source.
 */
static int stage_for_later(struct install *in, struct khdr_err *e)
{
	struct unpack_stats st;
	struct verifier v;
	int r;

	if (!*in->k.build_id_hex) {
		log_result("the root is read-only and the kernel has no build ID to name a staged copy: nothing done");
		return 0;
	}
	if (in->src.kind == SOURCE_STAGED) {
		log_result("the root is read-only; %s stays for the late service", in->src.path);
		return 0;
	}
	r = verify_and_unpack(in, NULL, &v, &st, e);
	if (r < 0)
		return r;
	r = boot_stage_copy(&in->src.in, in->o->run_dir, in->k.build_id_hex, e);
	if (r < 0)
		return r;
	log_result("the root is read-only: staged the verified archive (%s) as %s/%s.tar.xz for the late service",
		   verify_level_name(st.level), in->o->run_dir, in->k.build_id_hex);
	return 0;
}

/* --dry-run: read and verify everything, write nothing. */
static int dry_run(struct install *in, struct khdr_err *e)
{
	struct unpack_stats st;
	struct verifier v;
	int r = verify_and_unpack(in, NULL, &v, &st, e);

	if (r < 0)
		return r;
	if (in->o->verbose >= 0)
		printf("would install %s from %s %s (verified: %s, %" PRIu64 " archive %s)\n",
		       in->key, source_kind_name(in->src.kind), in->src.path,
		       verify_level_name(st.level), st.members,
		       plural(st.members, "member", "members"));
	return 0;
}

/*
 * build is a new tree: leave the marker that "khdr-cache handoff" takes
 * (the postinst hook's next step, or khdr-cache-handoff.service after the
 * boot's install).  A marker that cannot be written costs the handoff,
 * not the install.
 */
static void mark_for_handoff(const struct install *in)
{
	struct khdr_err e = { 0 };
	int r;

	if (!in->o->handoff || in->o->dry_run)
		return;
	r = handoff_mark(in->o->run_dir, in->k.release, in->key, &e);
	if (r == -ENOENT)
		log_info("no parent directory for %s: the new tree is not marked for handoff",
			 in->o->run_dir);
	else if (r < 0)
		log_warn("%s; the new tree is not handed on to header_postinst.d", e.msg);
	else
		log_info("marked %s for handoff (%s/handoff/%s)", in->key, in->o->run_dir,
			 in->k.release);
}

static int locked_install(struct install *in, struct khdr_err *e)
{
	int r = cache_lock(&in->cache, e);

	if (r < 0)
		return r;
	/* Another install may have finished while we waited. */
	in->stamp_state = STAMP_UNREAD;
	if (!in->o->force && up_to_date(in)) {
		say_up_to_date(in);
		return 0;
	}
	cache_remove_leftovers(&in->cache, NULL);   /* what fails is logged */
	if (in->o->force || in->replace || !entry_stamp(in)) {
		r = extract_entry(in, e);
		if (r < 0)
			return r;
	}
	if (in->no_link) {
		if (in->o->verbose >= 0)
			log_result("cached %s in %s%s (lib/modules left alone%s)", in->key,
				   in->o->ctx.prefix, in->cache.prefix,
				   in->o->no_link ? ": --no-link" :
				   ": the root is read-only; the late service links it");
		return 0;
	}
	r = cache_link_switch(&in->cache, in->k.release, in->key, in->o->force, e);
	if (r < 0)
		return r;
	if (in->o->verbose >= 0)
		log_result("installed %s: %s/lib/modules/%s/build -> %s%s", in->key,
			   in->o->ctx.prefix, in->k.release, in->cache.prefix, in->key);
	mark_for_handoff(in);
	return 0;
}

/* The late service installed from the copy the initramfs left: drop it. */
static void remove_staged_copy(const struct install *in)
{
	if (in->src.kind != SOURCE_STAGED)
		return;
	if (unlink(in->src.path) < 0)
		log_warn("cannot remove the staged copy %s: %s", in->src.path,
			 strerror(errno));
	else
		log_info("removed the staged copy %s", in->src.path);
}

/* Find the archive; with --load-module, modprobe kheaders as a last resort. */
static int find_source(struct install *in, struct khdr_err *e);

/*
 * A staged copy that fails verification here (--strict: a copy of a
 * built-in archive can only show its fingerprint) would fail every later
 * run too: drop it and use the next source.
 */
static int retry_without_staged_copy(struct install *in, struct khdr_err *e)
{
	log_warn("%s; removing the staged copy %s and trying the next source", e->msg,
		 in->src.path);
	remove_staged_copy(in);
	source_close(&in->src);
	in->src_opened = false;
	memset(e, 0, sizeof(*e));
	if (find_source(in, e) < 0)
		return -ENOENT;
	return locked_install(in, e);
}

static int find_source(struct install *in, struct khdr_err *e)
{
	int r;

	if (in->src_opened)
		return 0;
	r = source_find(&in->src, &in->o->ctx, in->o->archive, &in->k, e);

	if (r == -ENOENT && in->o->load_module && !in->o->archive) {
		in->loaded_module = boot_modprobe(false) == 0;
		if (in->loaded_module)
			r = source_find(&in->src, &in->o->ctx, in->o->archive, &in->k, e);
	}
	if (r == 0)
		r = source_open(&in->src, e);
	in->src_opened = r == 0;
	return r;
}

/*
 * At boot, a cache device (rd.khdr.cache=, cache_device=) holds the cache
 * while the root is read-only: mounted at <run dir>/cache, filled there,
 * and found still mounted by the late service, which links build to it.
 */
static void choose_cache(struct install *in)
{
	const struct khdr_opts *o = in->o;
	char spec[256];
	struct khdr_err e = { 0 };

	in->cache_dir = o->cache_dir;
	if (!o->boot || !boot_cache_spec(&o->ctx, o->cache_device, spec, sizeof(spec)) ||
	    path_fmt(in->device_dir, sizeof(in->device_dir), "%s/cache", o->run_dir) < 0)
		return;
	if (in->readonly && boot_mount_cache(boot_cache_spec(&o->ctx, o->cache_device, spec, sizeof(spec)),
					     o->run_dir, in->device_dir, &e) < 0) {
		log_warn("%s; staging the archive instead", e.msg);
		return;
	}
	if (!in->readonly && !is_mount_point(in->device_dir))
		return;       /* root writable, no device mounted: the usual cache */
	in->cache_dir = in->device_dir;
	in->cache_on_host = true;
	in->no_link = in->no_link || in->readonly;
	in->readonly = false;
}

/* The entry is there already (a new link, or the late service): no archive needed. */
static bool entry_ready(struct install *in)
{
	return *in->k.build_id_hex && !in->o->force && !in->replace && entry_stamp(in);
}

/*
 * --archive names what to install.  An entry of this key made from other
 * bytes (the headers-only archive of sysfs, say, where the one named is
 * kbuild-complete) is replaced, not taken as up to date: the CRC64 of the
 * compressed archive, which the stamp records, tells the two apart.  Not
 * with --boot: the initramfs hooks name their copy of the module only to
 * say where it is, and every boot's warm path reads no archive.
 */
static int compare_named_archive(struct install *in, struct khdr_err *e)
{
	const struct stamp *rec = entry_stamp(in);
	char val[32] = "", crc[17];
	uint64_t c;
	int r;

	if (!in->o->archive || in->o->boot || in->o->force || !rec)
		return 0;
	r = find_source(in, e);
	if (r < 0)
		return r;
	r = input_crc64_whole(&in->src.in, &c);
	if (r < 0)
		return err_set(e, r, "reading %s: %s", in->src.path, strerror(-r));
	snprintf(crc, sizeof(crc), "%016" PRIx64, c);
	if (rec->has_crc64) {
		if (rec->archive_crc64 == c)
			return 0;
		snprintf(val, sizeof(val), "%016" PRIx64, rec->archive_crc64);
	}
	in->replace = true;
	log_notice("%s%s was made from another archive (CRC64 %s, %s has %s): replacing it",
		 in->cache.prefix, in->key, *val ? val : "unknown", in->src.path, crc);
	return 0;
}

/*
 * The entry holds headers only, and now a kit of their version is
 * installed (or --kit names one): make it again, kbuild-capable, replacing
 * it in one step.  Not in the initramfs, which never makes kbuild trees.
 */
static void kit_upgrade(struct install *in)
{
	const struct khdr_opts *o = in->o;
	struct kbuild_query q = { .ctx = &o->ctx, .kq = &o->kernel, .k = &in->k, .kit = o->kit,
				  .force = o->force };
	struct khdr_err why = { 0 };
	struct kbuild_made kb = { 0 };
	const struct stamp *rec;
	bool found;
	int efd;

	if (o->force || in->replace || (o->boot && boot_in_initramfs()) || !(rec = entry_stamp(in)) ||
	    strcmp(rec->kbuild, "no") != 0)
		return;
	efd = openat(in->cache.fd, in->key, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (efd < 0)
		return;
	found = kbuild_find_kit(efd, &q, &kb, &why) == 0;
	if (found || o->kit) {
		in->replace = true;
		log_notice("%s%s holds headers only and %s%s: making it a kbuild tree", in->cache.prefix,
			   in->key, found ? "the kit " : "--kit names ", found ? kb.kit : o->kit);
	}
	close(efd);
	if (found) {
		in->kb = kb;            /* make_kbuild takes it, its manifest read once */
		return;
	}
	kbuild_made_free(&kb);
}

static int install(struct install *in, struct khdr_err *e)
{
	const struct khdr_opts *o = in->o;
	int r;

	r = kernel_identify_target(&in->k, &o->kernel, e);
	if (r < 0)
		return r;
	if (o->boot && boot_disabled(&o->ctx)) {
		log_result("disabled on the kernel command line (khdr=0 or rd.khdr=0): nothing to do");
		return 0;
	}
	in->readonly = o->boot && root_read_only(o->root);
	choose_cache(in);
	/* Opened, not made: a run that finds no archive leaves no cache behind. */
	r = cache_open(&in->cache, &o->ctx, in->cache_dir, in->cache_on_host,
		       false, e);
	if (r < 0 && r != -ENOENT)
		return r;
	memset(e, 0, sizeof(*e));
	if (*in->k.build_id_hex) {
		make_key(in);
		r = compare_named_archive(in, e);
		if (r < 0)
			return r;
		kit_upgrade(in);
		if (!o->force && up_to_date(in)) {
			say_up_to_date(in);
			return 0;
		}
	}
	if (!(entry_ready(in) && !o->dry_run && !in->readonly)) {
		r = kernel_image_banner(&in->k, &o->kernel, e);
		if (r < 0)
			return r;
		r = find_source(in, e);
		if (r < 0)
			return r;
		log_info("archive: %s (%s)", in->src.path, source_kind_name(in->src.kind));
	}
	if (!*in->k.build_id_hex) {
		/* No build ID: the archive's own checksum tells builds apart. */
		r = input_crc64_whole(&in->src.in, &in->crc64);
		if (r < 0)
			return err_set(e, r, "reading %s: %s", in->src.path, strerror(-r));
		make_key(in);
		if (!o->force && up_to_date(in)) {
			say_up_to_date(in);
			return 0;
		}
	}
	if (o->dry_run)
		return dry_run(in, e);
	if (in->readonly)
		return stage_for_later(in, e);
	if (in->cache.fd < 0) {
		r = cache_open(&in->cache, &o->ctx, in->cache_dir,
			       in->cache_on_host, true, e);
		if (r == -EROFS && o->boot)
			return stage_for_later(in, e);
		if (r < 0)
			return r;
	}
	/* A foreign build is refused before anything is extracted. */
	if (!in->no_link && (r = cache_link_check(&in->cache, in->k.release, o->force, e)) < 0)
		return r;
	r = locked_install(in, e);
	if (r == -EPERM && in->src.kind == SOURCE_STAGED)
		r = retry_without_staged_copy(in, e);
	if (r == -EROFS && o->boot)
		return stage_for_later(in, e);    /* the root went read-only under us */
	if (r == 0)
		remove_staged_copy(in);
	return r;
}

/*
 * Refused because the image or the archive is another release's: the
 * command that installs it for that release, from the same archive.
 */
static void suggest_release(const struct install *in, struct khdr_err *e)
{
	struct hint h = { .archive = in->o->archive };

	if (*in->k.image_release) {
		h.release = in->k.image_release;
	} else if (*in->named_release) {
		h.release = in->named_release;
		h.no_image = true;       /* the image was R's: that release's is found */
	} else {
		return;
	}
	if (!h.archive && in->src_opened && in->src.kind == SOURCE_MODULE_FILE)
		h.archive = in->src.path;
	hint_append(e, in->o, &command_install, &h);
}

/*
 * A read-only file system where the cache or the link must go: say what
 * works there instead of leaving "Read-only file system" to be puzzled over.
 */
static int readonly_hint(const struct khdr_opts *o, int r, struct khdr_err *e)
{
	size_t n = strlen(e->msg);

	if (r != -EROFS || o->boot)
		return r;
	snprintf(e->msg + n, sizeof(e->msg) - n,
		 "; on a read-only root, install --boot stages the verified archive in the run dir "
		 "for khdr-cache.service to install once the root is writable, or cache_dir= in "
		 "%s/%s can name a writable directory under the root (install --no-link then fills it)",
		 o->ctx.prefix, KHDR_CONF_FILE);
	return r;
}

static int cmd_install(const struct khdr_opts *o, int argc, char **argv,
		       struct khdr_err *e)
{
	struct install in = { .o = o, .cache = { .rootfd = -1, .fd = -1, .lockfd = -1 },
			      .no_link = o->no_link };
	int r;

	(void)argc;
	(void)argv;
	if (o->kernel_image && o->boot)
		return err_usage(e, "--kernel-image is for a kernel that is not running; --boot installs for the running one");
	in.src.in.fd = -1;
	if (o->boot)
		log_info("install --boot: starting");
	r = readonly_hint(o, install(&in, e), e);
	if (r == -EPERM && !o->boot)
		suggest_release(&in, e);
	source_close(&in.src);
	cache_close(&in.cache);
	kconfig_free(&in.kcfg);
	kbuild_made_free(&in.kb);
	if (in.loaded_module)
		boot_modprobe(true);
	if (o->boot && r == 0)
		log_info("install --boot: done");
	return r;
}

const struct command command_install = {
	.name = "install", .fn = cmd_install,
	.options = OPT_CONF | OPT_ARCHIVE | OPT_FORCE | OPT_DRY_RUN | OPT_LIMITS | OPT_BOOT |
		    OPT_NO_LINK | OPT_LOAD_MODULE | OPT_STRICT | OPT_VERIFY_LAYOUT | OPT_KERNEL_IMAGE | OPT_KIT,
	.usage = "[--root DIR] [--kernel-release R [--kernel-image FILE]] [--archive PATH] [--force] [--dry-run] [--boot] [--no-link] [--strict] [--load-module] [--verify-layout] [--kit DIR]",
	.help = "verify the headers archive and install it as lib/modules/<release>/build",
};
