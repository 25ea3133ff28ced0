/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * args.c - one option table for the whole program.  Options may stand
 * before or after the command; each command then checks which it accepts.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "format/conf.h"
#include "kinfo/kernel.h"

enum {
	LONG_ROOT = 256, LONG_SYSFS, LONG_PROCFS, LONG_RUN_DIR, LONG_TO,
	LONG_MAX_ENTRIES, LONG_MAX_BYTES, LONG_CACHE_DIR, LONG_KEEP, LONG_JSON,
	LONG_LEGACY, LONG_BOOT, LONG_NO_LINK, LONG_LOAD_MODULE, LONG_STRICT,
	LONG_SHELL, LONG_THREADS, LONG_REMOVED, LONG_LAYOUT, LONG_VERIFY_LAYOUT,
	LONG_KERNEL_IMAGE,
};

static const struct option long_options[] = {
	{ "root", required_argument, NULL, LONG_ROOT },
	{ "sysfs", required_argument, NULL, LONG_SYSFS },
	{ "procfs", required_argument, NULL, LONG_PROCFS },
	{ "run-dir", required_argument, NULL, LONG_RUN_DIR },
	{ "kernel-release", required_argument, NULL, 'r' },
	{ "archive", required_argument, NULL, 'a' },
	{ "kernel-image", required_argument, NULL, LONG_KERNEL_IMAGE },
	{ "to", required_argument, NULL, LONG_TO },
	{ "force", no_argument, NULL, 'f' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "max-entries", required_argument, NULL, LONG_MAX_ENTRIES },
	{ "max-bytes", required_argument, NULL, LONG_MAX_BYTES },
	{ "threads", required_argument, NULL, LONG_THREADS },
	{ "cache-dir", required_argument, NULL, LONG_CACHE_DIR },
	{ "keep", required_argument, NULL, LONG_KEEP },
	{ "json", no_argument, NULL, LONG_JSON },
	{ "legacy", no_argument, NULL, LONG_LEGACY },
	{ "removed", required_argument, NULL, LONG_REMOVED },
	{ "boot", no_argument, NULL, LONG_BOOT },
	{ "no-link", no_argument, NULL, LONG_NO_LINK },
	{ "load-module", no_argument, NULL, LONG_LOAD_MODULE },
	{ "strict", no_argument, NULL, LONG_STRICT },
	{ "shell", no_argument, NULL, LONG_SHELL },
	{ "layout", no_argument, NULL, LONG_LAYOUT },
	{ "verify-layout", no_argument, NULL, LONG_VERIFY_LAYOUT },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* A size with an optional K, M, G suffix (powers of 1024). */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -EINVAL;
	switch (*end) {
	case 'G': v <<= 10; /* fall through */
	case 'M': v <<= 10; /* fall through */
	case 'K': v <<= 10; end++; break;
	default: break;
	}
	if (*end || v == 0)
		return -EINVAL;
	*out = v;
	return 0;
}

/* A count from 1 to max: digits only (no sign, space or size suffix). */
static int parse_count(const char *s, unsigned max, unsigned *out)
{
	uint64_t n;

	if (!isdigit((unsigned char)*s) || parse_size(s, &n) < 0 ||
	    !isdigit((unsigned char)s[strlen(s) - 1]) || n > max)
		return -EINVAL;
	*out = (unsigned)n;
	return 0;
}

int args_parse(int argc, char **argv, struct khdr_opts *o, unsigned *seen,
	       int *operand, bool *help, bool *version, struct khdr_err *e)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:a:fnvqhV", long_options, NULL)) != -1) {
		switch (c) {
		case LONG_ROOT: o->root = optarg; *seen |= OPT_ROOT; break;
		case LONG_SYSFS: o->sysfs = optarg; *seen |= OPT_SYSFS; break;
		case LONG_PROCFS: o->procfs = optarg; *seen |= OPT_PROCFS; break;
		case LONG_RUN_DIR: o->run_dir = optarg; *seen |= OPT_RUN_DIR; break;
		case 'r': o->release = optarg; *seen |= OPT_RELEASE; break;
		case 'a': o->archive = optarg; *seen |= OPT_ARCHIVE; break;
		case LONG_KERNEL_IMAGE:
			o->kernel_image = optarg;
			*seen |= OPT_KERNEL_IMAGE;
			break;
		case LONG_TO: o->to = optarg; *seen |= OPT_TO; break;
		case 'f': o->force = true; *seen |= OPT_FORCE; break;
		case 'n': o->dry_run = true; *seen |= OPT_DRY_RUN; break;
		case LONG_MAX_ENTRIES:
			*seen |= OPT_LIMITS;
			if (parse_size(optarg, &o->max_entries) < 0)
				return err_usage(e, "invalid --max-entries '%s'", optarg);
			break;
		case LONG_MAX_BYTES:
			*seen |= OPT_LIMITS;
			if (parse_size(optarg, &o->max_bytes) < 0)
				return err_usage(e, "invalid --max-bytes '%s' (a number, K/M/G suffix allowed)", optarg);
			break;
		case LONG_THREADS:
			*seen |= OPT_LIMITS;
			if (parse_count(optarg, KHDR_MAX_THREADS, &o->threads) < 0)
				return err_usage(e, "invalid --threads '%s' (1 to %u)",
						 optarg, KHDR_MAX_THREADS);
			break;
		case LONG_CACHE_DIR:
			*seen |= OPT_CACHE_DIR;
			if (!conf_dir_valid(optarg))
				return err_usage(e, "invalid --cache-dir '%s' (an absolute directory under --root, no '.' or '..')", optarg);
			o->cache_dir = optarg;
			break;
		case LONG_KEEP:
			*seen |= OPT_KEEP;
			if (parse_count(optarg, 1000, &o->keep) < 0)
				return err_usage(e, "invalid --keep '%s' (a number from 1 to 1000)", optarg);
			break;
		case LONG_JSON: o->json = true; *seen |= OPT_JSON; break;
		case LONG_LEGACY: o->legacy = true; *seen |= OPT_LEGACY; break;
		case LONG_REMOVED:
			*seen |= OPT_REMOVED;
			if (!release_valid(optarg))
				return err_usage(e, "invalid --removed '%s' (a kernel release, as uname -r prints it)", optarg);
			o->removed = optarg;
			break;
		case LONG_BOOT: o->boot = true; *seen |= OPT_BOOT; break;
		case LONG_NO_LINK: o->no_link = true; *seen |= OPT_NO_LINK; break;
		case LONG_LOAD_MODULE: o->load_module = true; *seen |= OPT_LOAD_MODULE; break;
		case LONG_STRICT: o->strict = true; *seen |= OPT_STRICT; break;
		case LONG_SHELL: o->shell = true; *seen |= OPT_SHELL; break;
		case LONG_LAYOUT: o->layout = true; *seen |= OPT_LAYOUT; break;
		case LONG_VERIFY_LAYOUT:
			o->verify_layout = true;
			*seen |= OPT_VERIFY_LAYOUT;
			break;
		case 'v': o->verbose++; break;
		case 'q': o->verbose--; break;
		case 'h': *help = true; break;
		case 'V': *version = true; break;
		case ':':
			return err_usage(e, "option '%s' needs an argument", argv[optind - 1]);
		default:
			return err_usage(e, "unknown option '%s'", argv[optind - 1]);
		}
	}
	*operand = optind;
	return 0;
}

int args_finish(struct khdr_opts *o, char *run_dir, size_t size, struct khdr_err *e)
{
	ctx_init(&o->ctx, o->root, o->sysfs, o->procfs, NULL);
	/*
	 * Staged copies live in the run dir of the target root by default; at
	 * boot in this machine's /run (the initramfs's, moved into the root at
	 * switch_root), since the target root may well be read-only.
	 */
	if (!o->run_dir && o->boot)
		o->run_dir = KHDR_RUN_DIR;
	else if (!o->run_dir && ctx_path(&o->ctx, CTX_ROOT, run_dir, size, "%s", KHDR_RUN_DIR) < 0)
		return err_usage(e, "--root too long");
	else if (!o->run_dir)
		o->run_dir = run_dir;
	o->ctx.run_dir = o->run_dir;
	o->kernel = (struct kernel_query){ .ctx = &o->ctx, .release = o->release,
					   .image = o->kernel_image, .boot = o->boot,
					   .force = o->force };
	return 0;
}
