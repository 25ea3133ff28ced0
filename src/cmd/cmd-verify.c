/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd-verify.c - khdr-cache verify: is the installed tree still exactly
 * what its archive holds?  The archive is read again (the one the stamp
 * names, else the release's current source, which must have the CRC64
 * the stamp recorded), extracted into a scratch staging directory of the
 * cache by the same safe extractor, and the two trees are compared.  No
 * per-file hashes are stored.  Exit 0 identical, 3 different, 1 error.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "fs/buildlink.h"
#include "fs/cache.h"
#include "fs/stamp.h"
#include "fs/stub-makefile.h"
#include "fs/treediff.h"
#include "kinfo/kbuild.h"
#include "kinfo/kconfig-src.h"
#include "kinfo/kernel.h"
#include "kinfo/layout-run.h"
#include "kinfo/source.h"
#include "kinfo/unpack.h"
#include "cmd/commands.h"
#include "cmd/hint.h"

struct verify_run {
	const struct khdr_opts *o;
	struct kernel_id k;
	struct cache cache;
	struct source src;
	char key[CACHE_KEY_MAX];
	struct stamp stamp;
	bool linked;              /* the release's build link points at the entry */
};

/*
 * The command that puts back exactly this entry: its own archive (the
 * stamp's source_path, which verify read and found to be the one), the
 * same options, --no-link for an entry no link points at.
 */
static const char *repair_hint(const struct verify_run *v, bool force, char *buf, size_t size)
{
	struct hint h = { .archive = v->src.path, .force = force, .no_link = !v->linked };

	return hint_command(v->o, &command_install, &h, buf, size);
}

/* The entry of the release: the one its build link names, else its build ID's. */
static int find_entry(struct verify_run *v, struct khdr_err *e)
{
	enum link_state state;

	if (cache_link_read(&v->cache, v->k.release, &state, v->key, sizeof(v->key)) == 0 &&
	    state == LINK_OURS && cache_entry_valid(&v->cache, v->key, v->k.release)) {
		v->linked = true;
		return 0;
	}
	if (*v->k.build_id_hex &&
	    stamp_key(v->key, sizeof(v->key), v->k.release, v->k.build_id_hex, 0) == 0 &&
	    cache_entry_valid(&v->cache, v->key, v->k.release))
		return 0;
	err_set(e, ENOENT, "no installed cache entry for %s to verify; what there is", v->k.release);
	return hint_append(e, v->o, &command_status, &(struct hint){ 0 });
}

/* The archive the entry came from, if it is still there; else today's source. */
static int open_archive(struct verify_run *v, struct khdr_err *e)
{
	const struct stamp *st = &v->stamp;

	memset(&v->src, 0, sizeof(v->src));
	v->src.in.fd = -1;
	if (*st->source && strcmp(st->source, "staged") != 0 &&
	    access(st->source_path, R_OK) == 0) {
		memcpy(v->src.path, st->source_path, sizeof(v->src.path));
		return source_open(&v->src, e);
	}
	if (source_find(&v->src, &v->o->ctx, v->o->archive, &v->k, e) < 0)
		return err_wrap(e, "the archive %s was installed from is gone", v->key);
	return source_open(&v->src, e);
}

static void report(enum tree_change what, const char *path, const char *how,
		   void *ctx)
{
	static const char *const names[] = { "missing", "changed", "extra" };

	(void)ctx;
	printf("%-8s %s%s%s%s\n", names[what], path, how ? " (" : "", how ? how : "",
	       how ? ")" : "");
}

/* The archive must be the one installed: same CRC64 as the stamp says. */
static int check_crc(struct verify_run *v, struct khdr_err *e)
{
	char want[32], got[32], cmd[4 * PATH_MAX];

	if (!v->stamp.has_crc64 || v->stamp.archive_crc64 == v->src.in.crc64)
		return 0;
	snprintf(got, sizeof(got), "%016" PRIx64, v->src.in.crc64);
	snprintf(want, sizeof(want), "%016" PRIx64, v->stamp.archive_crc64);
	/* install sees the other CRC64 and replaces the entry: no --force. */
	return err_set(e, ESTALE, "%s is not the archive %s was installed from (CRC64 %s, the stamp says %s): "
		       "nothing to compare with; to reinstall from it, run: %s",
		       v->src.path, v->key, got, want, repair_hint(v, false, cmd, sizeof(cmd)));
}

/* The Makefile install wrote into a headers-only tree: DKMS runs it. */
static void check_makefile(struct tree_diff *d, int efd)
{
	int r = stub_makefile_check(efd);

	if (r == -ENOENT) {
		d->missing++;
		report(TREE_MISSING, STUB_MAKEFILE, "written by install", NULL);
	} else if (r != 0) {
		d->changed++;
		report(TREE_CHANGED, STUB_MAKEFILE, "not the one install wrote", NULL);
	}
}

static int compare(struct verify_run *v, int sfd, struct khdr_err *e)
{
	/* The stamp is ours, and so is the Makefile of a headers-only tree. */
	static const char *const with_makefile[] = { KHDR_STAMP, STUB_MAKEFILE, NULL };
	static const char *const stamp_only[] = { KHDR_STAMP, NULL };
	struct tree_diff d = { .ignore = stamp_only, .report = report };
	char cmd[4 * PATH_MAX];
	int efd, r;

	if (v->stamp.stub_makefile)
		d.ignore = with_makefile;
	efd = openat(v->cache.fd, v->key, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (efd < 0)
		return err_set(e, errno, "cannot open %s%s: %s", v->cache.prefix, v->key,
			       strerror(errno));
	r = tree_compare(&d, efd, sfd);
	if (r == 0 && d.ignore == with_makefile)
		check_makefile(&d, efd);
	close(efd);
	if (r < 0)
		return err_set(e, r, "comparing %s%s: %s", v->cache.prefix, v->key, strerror(-r));
	if (d.missing + d.changed + d.extra == 0) {
		if (v->o->verbose >= 0)
			printf("%s%s%s: identical to %s (%" PRIu64 " %s)\n", v->o->ctx.prefix,
			       v->cache.prefix, v->key, v->src.path, d.files,
			       plural(d.files, "file", "files"));
		return 0;
	}
	printf("%s%s differs from %s: %" PRIu64 " missing, %" PRIu64 " changed, %" PRIu64
	       " extra; to reinstall it, run: %s\n", v->cache.prefix, v->key,
	       v->src.path, d.missing, d.changed, d.extra, repair_hint(v, true, cmd, sizeof(cmd)));
	return KHDR_EXIT_ABSENT;
}

/*
 * A stamp names paths as its install saw them: a root installed with
 * --root and verified once booted names paths that are gone.  Those are
 * found again as install finds them; what is found must make the same
 * files, or they are reported changed.
 */
static const char *still_there(const char *path)
{
	return *path == '/' && access(path, R_OK) == 0 ? path : NULL;
}

/* The config the stamp names, else the kernel's as install reads it. */
static int stamp_config(struct verify_run *v, struct kconfig *config, struct khdr_err *e)
{
	const char *from = v->stamp.config_from;
	char where[PATH_MAX];
	int r;

	if (still_there(from))
		return kconfig_read_file(from, config, e);
	r = kconfig_read_running(&v->o->ctx, &v->k, config, where, sizeof(where), e);
	if (r == -ENOENT)
		r = err_set(e, ENOENT, "%s, which its .config was made from, is gone", from);
	return r;
}

/*
 * kbuild=synthesized: the kit's files and the files of the build are made
 * again in the scratch tree, from the kit, image, modules and config the
 * stamp names, so that they compare like the headers.
 */
static int remake_kbuild(struct verify_run *v, int sfd, struct khdr_err *e)
{
	const struct stamp *st = &v->stamp;
	struct kernel_query kq = v->o->kernel;
	struct kbuild_query q = { .ctx = &v->o->ctx, .kq = &kq, .k = &v->k, .kit = still_there(st->kit),
				  .force = *st->kit_forced != '\0', .config_from = st->config_from };
	struct kbuild_made kb = { 0 };
	struct kconfig config = { 0 };
	int r = 0;

	if (strcmp(st->kbuild, "synthesized") != 0)
		return 0;
	if (still_there(st->symvers_image))
		kq.image = st->symvers_image;
	if (*st->config_from == '/') {
		r = stamp_config(v, &config, e);
		q.config = &config;
	}
	if (r == 0 && (r = kbuild_find_kit(sfd, &q, &kb, e)) == -ENOENT)
		err_set(e, ENOENT, "the kit %s, which made its kbuild files, is gone", st->kit);
	if (r == 0)
		r = kbuild_make(sfd, &q, &kb, e);
	kbuild_made_free(&kb);
	kconfig_free(&config);
	if (r < 0)
		err_wrap(e, "%s%s is a kbuild tree made with a kit: its files cannot be made again to compare",
			 v->cache.prefix, v->key);
	return r;
}

static int scratch_compare(struct verify_run *v, struct khdr_err *e)
{
	char staging[64];
	struct unpack_stats st;
	struct unpack_opts uo;
	struct progress pr;
	struct extractor x;
	int sfd, r;

	r = cache_staging(&v->cache, staging, sizeof(staging), &sfd, e);
	if (r < 0)
		return r;
	extract_init(&x, sfd, v->o->max_entries, v->o->max_bytes);
	progress_start(&pr, v->o->verbose >= 0, "reading");
	uo = unpack_opts_of(v->o, &pr);
	r = unpack_archive(&v->src.in, &x, NULL, &uo, &st, e);
	if (r < 0)
		err_wrap(e, "%s", v->src.path);
	if (r == 0)
		r = check_crc(v, e);
	if (r == 0)
		r = remake_kbuild(v, sfd, e);
	if (r == 0)
		r = compare(v, sfd, e);
	extract_free(&x);
	close(sfd);
	cache_discard(&v->cache, staging);
	return r;
}

static int verify(struct verify_run *v, struct khdr_err *e)
{
	int r = kernel_identify_installed(&v->k, &v->o->kernel, e);

	if (r == 0)
		r = cache_open(&v->cache, &v->o->ctx, v->o->cache_dir, false, false, e);
	if (r == 0)
		r = cache_lock(&v->cache, e);     /* install would remove our scratch dir */
	if (r == 0)
		r = find_entry(v, e);
	if (r == 0 && cache_read_stamp(&v->cache, v->key, &v->stamp) < 0)
		r = err_set(e, EIO, "cannot read the stamp of %s", v->key);
	if (r == 0)
		r = open_archive(v, e);
	if (r == 0)
		r = scratch_compare(v, e);
	return r;
}

/* A STRUCT operand goes into generated C: an identifier and nothing else. */
static bool c_identifier(const char *s)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789";

	return *s && !(*s >= '0' && *s <= '9') && strspn(s, chars) == strlen(s);
}

/*
 * The tree verify --layout checks: whatever lib/modules/<release>/build
 * is, ours or a distribution's headers package, an absolute link target
 * taken under the root as that root's own tools would see it; without a
 * build, the release's cache entry (an install --no-link).
 */
static int layout_tree(struct verify_run *v, char *tree, size_t size, struct khdr_err *e)
{
	const struct khdr_ctx *ctx = &v->o->ctx;
	char build[PATH_MAX], target[PATH_MAX];
	struct stat st;
	ssize_t n;
	int r;

	if (ctx_path(ctx, CTX_ROOT, build, sizeof(build), "/lib/modules/%s/build", v->k.release) < 0)
		return err_set(e, ENAMETOOLONG, "path too long");
	n = readlink(build, target, sizeof(target) - 1);
	if (n > 0) {
		target[n] = '\0';
		r = target[0] == '/' ? ctx_path(ctx, CTX_ROOT, tree, size, "%s", target)
				     : ctx_path(ctx, CTX_ROOT, tree, size, "/lib/modules/%s/%s",
						v->k.release, target);
		return r < 0 ? err_set(e, ENAMETOOLONG, "path too long") : 0;
	}
	if (lstat(build, &st) == 0 && S_ISDIR(st.st_mode))
		return path_fmt(tree, size, "%s", build) < 0 ? err_set(e, ENAMETOOLONG, "path too long") : 0;
	r = cache_open(&v->cache, ctx, v->o->cache_dir, false, false, e);
	if (r == -ENOENT)
		return err_set(e, ENOENT, "no headers for %s to check: no %s and no cache "
			       "(khdr-cache install, or a headers package, provides them)",
			       v->k.release, build);
	if (r == 0)
		r = find_entry(v, e);
	if (r == 0 && ctx_path(ctx, CTX_ROOT, tree, size, "%s%s", v->cache.prefix, v->key) < 0)
		r = err_set(e, ENAMETOOLONG, "path too long");
	return r;
}

/*
 * verify --layout: the build tree against the kernel's BTF (layout-run.c).
 * Only reads the tree, so no lock: an install or prune meanwhile makes it
 * fail to build, which is "cannot tell", never a false verdict.
 */
static int verify_layout(struct verify_run *v, int argc, char **argv,
			 struct khdr_err *e)
{
	const struct khdr_opts *o = v->o;
	char tree[PATH_MAX], btf[PATH_MAX], which[PATH_MAX + 64];
	struct layout_opts lo = { .tree = tree, .btf = btf, .json = o->json,
				  .print = o->json || o->verbose >= 0,   /* -q: the exit status */
				  .structs = argc ? (const char *const *)argv : NULL,
				  .nstructs = (size_t)argc };
	struct layout_result res;
	/* The entry is the target kernel's; the BTF is the running kernel's. */
	int r = kernel_identify_installed(&v->k, &o->kernel, e);

	if (r == 0)
		r = layout_tree(v, tree, sizeof(tree), e);
	if (r < 0)
		return r;
	if (ctx_path(&o->ctx, CTX_SYSFS, btf, sizeof(btf), "/kernel/btf/vmlinux") < 0)
		return err_set(e, ENAMETOOLONG, "path too long");
	if (v->k.offline)
		log_warn("%s is the BTF of the running kernel, not of %s (%s)", btf,
			 v->k.release, kernel_which(&v->k, which, sizeof(which)));
	r = layout_verify(&lo, &res, e);
	if (r < 0 && o->json)
		layout_print_unknown(&lo, e->msg);
	return r;
}

static int cmd_verify(const struct khdr_opts *o, int argc, char **argv,
		      struct khdr_err *e)
{
	struct verify_run v = { .o = o, .cache = { .rootfd = -1, .fd = -1, .lockfd = -1 } };
	int r;

	if (o->layout) {
		for (int i = 0; i < argc; i++)
			if (!c_identifier(argv[i]))
				return err_usage(e, "invalid STRUCT '%s' (a C identifier: task_struct, sk_buff, ...)",
						 argv[i]);
		r = verify_layout(&v, argc, argv, e);
		cache_close(&v.cache);
		return r;
	}
	if (o->json)
		return err_usage(e, "verify takes --json only with --layout");
	if (argc > 0)
		return err_usage(e, "verify takes no operands (--kernel-release R chooses the release; STRUCT operands go with --layout)");
	v.src.in.fd = -1;
	r = verify(&v, e);
	source_close(&v.src);
	cache_close(&v.cache);
	return r;
}

const struct command command_verify = {
	.name = "verify", .fn = cmd_verify,
	.options = OPT_CONF | OPT_LIMITS | OPT_LAYOUT | OPT_JSON | OPT_KERNEL_IMAGE,
	.min_operands = 0, .max_operands = OPERANDS_ANY, .operand = "STRUCT",
	.usage = "[--kernel-release R [--kernel-image FILE]] | --layout [--json] [STRUCT...]",
	.help = "compare an installed tree with its archive, or (--layout) its structs with the kernel's BTF",
};
