/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * args.c - one option table for the whole program: getopt's, the bits the
 * commands accept, --help.  Options may stand before or after the command;
 * main then checks that the command accepts those given.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/nearest.h"
#include "format/conf.h"
#include "format/kversion.h"
#include "cmd/commands.h"

enum {
	LONG_ROOT = 256, LONG_SYSFS, LONG_PROCFS, LONG_RUN_DIR, LONG_TO,
	LONG_MAX_ENTRIES, LONG_MAX_BYTES, LONG_CACHE_DIR, LONG_KEEP, LONG_JSON,
	LONG_LEGACY, LONG_BOOT, LONG_NO_LINK, LONG_LOAD_MODULE, LONG_STRICT,
	LONG_SHELL, LONG_THREADS, LONG_REMOVED, LONG_LAYOUT, LONG_VERIFY_LAYOUT,
	LONG_KERNEL_IMAGE, LONG_WIDE, LONG_KIT,
};

/*
 * The one table of options: getopt's, the bits commands accept, and the
 * --help lines, in the order --help shows them.  bit 0: every command.
 */
static const struct option_def {
	const char *name;
	int has_arg;
	int key;              /* the short option, or a LONG_ value */
	unsigned bit;
	const char *help;
} options[] = {
	{ "root", required_argument, LONG_ROOT, OPT_ROOT,
	  "      --root DIR            target root (default /)" },
	{ "sysfs", required_argument, LONG_SYSFS, OPT_SYSFS,
	  "      --sysfs DIR           where sysfs is mounted (default /sys)" },
	{ "procfs", required_argument, LONG_PROCFS, OPT_PROCFS,
	  "      --procfs DIR          where procfs is mounted (default /proc)" },
	{ "run-dir", required_argument, LONG_RUN_DIR, OPT_RUN_DIR,
	  "      --run-dir DIR         staged archives, handoff markers (default <root>" KHDR_RUN_DIR ";\n"
	  "                            with --boot " KHDR_RUN_DIR " of this machine)" },
	{ "kernel-release", required_argument, 'r', OPT_RELEASE,
	  "  -r, --kernel-release R    kernel release (default: the one PROCFS/version names)" },
	{ "cache-dir", required_argument, LONG_CACHE_DIR, OPT_CACHE_DIR,
	  "      --cache-dir DIR       the cache, under --root (default " KHDR_CACHE_DIR ")" },
	{ "kernel-image", required_argument, LONG_KERNEL_IMAGE, OPT_KERNEL_IMAGE,
	  "      --kernel-image FILE   install, status, verify: R's image, for R not running\n"
	  "                            (default <root>/boot/vmlinuz-R, <root>/lib/modules/R/vmlinuz)" },
	{ "kit", required_argument, LONG_KIT, OPT_KIT,
	  "      --kit DIR             install: the kbuild kit that makes a headers-only\n"
	  "                            archive a kbuild tree (default: the one of its version in\n"
	  "                            <root>/usr/lib/khdr-cache/kbuild)" },
	{ "archive", required_argument, 'a', OPT_ARCHIVE,
	  "  -a, --archive PATH        a .tar.xz or a kheaders module (.ko[.xz|.zst|.gz])" },
	{ "to", required_argument, LONG_TO, OPT_TO,
	  "      --to DIR              extract: the directory to fill" },
	{ "boot", no_argument, LONG_BOOT, OPT_BOOT,
	  "      --boot                install: log to /dev/kmsg (stderr for a scratch --root), never fail,\n"
	  "                            stage when the root is read-only" },
	{ "no-link", no_argument, LONG_NO_LINK, OPT_NO_LINK,
	  "      --no-link             install: fill the cache, leave lib/modules alone" },
	{ "load-module", no_argument, LONG_LOAD_MODULE, OPT_LOAD_MODULE,
	  "      --load-module         install: may run 'modprobe kheaders' when nothing else is found" },
	{ "strict", no_argument, LONG_STRICT, OPT_STRICT,
	  "      --strict              install: refuse fingerprint-only verification" },
	{ "keep", required_argument, LONG_KEEP, OPT_KEEP,
	  "      --keep N              prune: builds kept per release (default 1)" },
	{ "legacy", no_argument, LONG_LEGACY, OPT_LEGACY,
	  "      --legacy              prune: also remove root's /tmp/kheaders-<release> dirs" },
	{ "removed", required_argument, LONG_REMOVED, OPT_REMOVED,
	  "      --removed RELEASE     prune: RELEASE is being uninstalled; its entries go" },
	{ "verify-layout", no_argument, LONG_VERIFY_LAYOUT, OPT_VERIFY_LAYOUT,
	  "      --verify-layout       install: also compare struct layouts with the kernel's BTF" },
	{ "layout", no_argument, LONG_LAYOUT, OPT_LAYOUT,
	  "      --layout              verify: compare struct sizes and offsets with the kernel's BTF" },
	{ "json", no_argument, LONG_JSON, OPT_JSON,
	  "      --json                status, verify --layout: one JSON document" },
	{ "wide", no_argument, LONG_WIDE, OPT_WIDE,
	  "      --wide                status: whole build IDs, not their first 12 hex digits" },
	{ "shell", no_argument, LONG_SHELL, OPT_SHELL,
	  "      --shell               env: 'export' each variable" },
	{ "force", no_argument, 'f', OPT_FORCE,
	  "  -f, --force               install even if verification fails; replace a foreign build" },
	{ "dry-run", no_argument, 'n', OPT_DRY_RUN,
	  "  -n, --dry-run             change nothing, say what would be done" },
	{ "max-entries", required_argument, LONG_MAX_ENTRIES, OPT_LIMITS,
	  "      --max-entries N       refuse archives with more members (default 1000000)" },
	{ "max-bytes", required_argument, LONG_MAX_BYTES, OPT_LIMITS,
	  "      --max-bytes N[KMG]    refuse archives that expand further (default 4G)" },
	{ "threads", required_argument, LONG_THREADS, OPT_LIMITS,
	  "      --threads N           1: decode and write in one thread; 2 to 16: decode\n"
	  "                            in other threads, N xz blocks at once (default 2)" },
	{ "verbose", no_argument, 'v', 0, "  -v, --verbose             say more" },
	{ "quiet", no_argument, 'q', 0, "  -q, --quiet               say only errors" },
	{ "help", no_argument, 'h', 0,
	  "  -h, --help                show this help (or a command's: COMMAND --help)" },
	{ "version", no_argument, 'V', 0, "  -V, --version             show the version" },
};

#define NOPTIONS (sizeof(options) / sizeof(options[0]))

_Static_assert(KHDR_DEFAULT_MAX_ENTRIES == 1000000, "update the --max-entries help line");

void args_print_help(FILE *out, unsigned accepted)
{
	for (size_t i = 0; i < NOPTIONS; i++)
		if (!options[i].bit || (options[i].bit & accepted))
			fprintf(out, "%s\n", options[i].help);
}

/* getopt_long's view of the table: long options and the short string. */
static void getopt_tables(struct option *longs, char *shorts)
{
	char *s = shorts;

	*s++ = ':';           /* a missing argument is ':', not '?' */
	for (size_t i = 0; i < NOPTIONS; i++) {
		longs[i] = (struct option){ options[i].name, options[i].has_arg, NULL,
					    options[i].key };
		if (options[i].key < 256) {
			*s++ = (char)options[i].key;
			if (options[i].has_arg == required_argument)
				*s++ = ':';
		}
	}
	longs[NOPTIONS] = (struct option){ NULL, 0, NULL, 0 };
	*s = '\0';
}

static unsigned option_bit(int key)
{
	for (size_t i = 0; i < NOPTIONS; i++)
		if (options[i].key == key)
			return options[i].bit;
	return 0;
}

/* An option getopt does not know: git's "did you mean" for a long one. */
static int unknown_option(const char *word, struct khdr_err *e)
{
	char name[NEAREST_MAX_LEN + 1];
	struct nearest n;
	const char *best;

	if (strncmp(word, "--", 2) || !word[2])
		return err_usage(e, "unknown option '%s'", word);
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(word + 2, "="), word + 2);
	nearest_init(&n, name);
	for (size_t i = 0; i < NOPTIONS; i++)
		nearest_offer(&n, options[i].name);
	best = nearest_best(&n);
	if (!best)
		return err_usage(e, "unknown option '%s'", word);
	return err_usage(e, "unknown option '%s'; did you mean '--%s'?", word, best);
}

/* Record option key as given: its bit, and the first key that set it. */
static void note_seen(struct args_seen *seen, int key)
{
	unsigned bit = option_bit(key);

	for (unsigned i = 0; i < 32; i++)
		if ((bit & (1u << i)) && !(seen->bits & (1u << i)))
			seen->key[i] = key;
	seen->bits |= bit;
}

const char *args_refused(const struct args_seen *seen, unsigned accepted)
{
	unsigned refused = seen->bits & ~accepted;

	for (unsigned i = 0; i < 32; i++)
		for (size_t j = 0; (refused & (1u << i)) && j < NOPTIONS; j++)
			if (options[j].key == seen->key[i])
				return options[j].name;
	return NULL;
}

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

int args_parse(int argc, char **argv, struct khdr_opts *o, struct args_seen *seen,
	       int *operand, bool *help, bool *version, struct khdr_err *e)
{
	struct option longs[NOPTIONS + 1];
	char shorts[2 * NOPTIONS + 2];
	int c;

	getopt_tables(longs, shorts);
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		note_seen(seen, c);
		switch (c) {
		case LONG_ROOT: o->root = optarg; break;
		case LONG_SYSFS: o->sysfs = optarg; break;
		case LONG_PROCFS: o->procfs = optarg; break;
		case LONG_RUN_DIR: o->run_dir = optarg; break;
		case 'r': o->release = optarg; break;
		case 'a': o->archive = optarg; break;
		case LONG_KERNEL_IMAGE: o->kernel_image = optarg; break;
		case LONG_KIT: o->kit = optarg; break;
		case LONG_TO: o->to = optarg; break;
		case 'f': o->force = true; break;
		case 'n': o->dry_run = true; break;
		case LONG_MAX_ENTRIES:
			if (parse_size(optarg, &o->max_entries) < 0)
				return err_usage(e, "invalid --max-entries '%s'", optarg);
			break;
		case LONG_MAX_BYTES:
			if (parse_size(optarg, &o->max_bytes) < 0)
				return err_usage(e, "invalid --max-bytes '%s' (a number, K/M/G suffix allowed)", optarg);
			break;
		case LONG_THREADS:
			if (parse_count(optarg, KHDR_MAX_THREADS, &o->threads) < 0)
				return err_usage(e, "invalid --threads '%s' (1 to %u)",
						 optarg, KHDR_MAX_THREADS);
			break;
		case LONG_CACHE_DIR:
			if (!conf_dir_valid(optarg))
				return err_usage(e, "invalid --cache-dir '%s' (an absolute directory under --root, no '.' or '..')", optarg);
			o->cache_dir = optarg;
			break;
		case LONG_KEEP:
			if (parse_count(optarg, 1000, &o->keep) < 0)
				return err_usage(e, "invalid --keep '%s' (a number from 1 to 1000)", optarg);
			break;
		case LONG_JSON: o->json = true; break;
		case LONG_WIDE: o->wide = true; break;
		case LONG_LEGACY: o->legacy = true; break;
		case LONG_REMOVED:
			if (!release_valid(optarg))
				return err_usage(e, "invalid --removed '%s' (a kernel release, as uname -r prints it)", optarg);
			o->removed = optarg;
			break;
		case LONG_BOOT: o->boot = true; break;
		case LONG_NO_LINK: o->no_link = true; break;
		case LONG_LOAD_MODULE: o->load_module = true; break;
		case LONG_STRICT: o->strict = true; break;
		case LONG_SHELL: o->shell = true; break;
		case LONG_LAYOUT: o->layout = true; break;
		case LONG_VERIFY_LAYOUT: o->verify_layout = true; break;
		case 'v': o->verbose++; break;
		case 'q': o->verbose--; break;
		case 'h': *help = true; break;
		case 'V': *version = true; break;
		case ':':
			return err_usage(e, "option '%s' needs an argument", argv[optind - 1]);
		default:
			return unknown_option(argv[optind - 1], e);
		}
	}
	*operand = optind;
	return 0;
}

/*
 * The target root must be a directory, whatever the command: a typo in
 * --root otherwise reads as an empty machine ("nothing to prune", "no
 * kernel headers") or fails later on some file beneath it.
 */
static int check_root(const char *root, struct khdr_err *e)
{
	struct stat st;
	int r;

	/* Another error (EACCES: "install needs root") is the command's to word. */
	if (stat(root, &st) < 0) {
		r = -errno;
		return r == -ENOENT || r == -ENOTDIR ?
		       err_set(e, r, "--root %s: %s (the target root must exist)", root, strerror(-r)) : 0;
	}
	if (!S_ISDIR(st.st_mode))
		return err_set(e, ENOTDIR, "--root %s is not a directory", root);
	return 0;
}

/* One path of the command line, made absolute in buf. */
static int absolute(const char **path, char *buf, size_t size, const char *option,
		    struct khdr_err *e)
{
	int r = path_absolute(*path, buf, size);

	if (r < 0)
		return err_usage(e, "invalid %s '%s': %s", option, *path, strerror(-r));
	*path = buf;
	return 0;
}

int args_finish(struct khdr_opts *o, struct args_paths *p, struct khdr_err *e)
{
	int r;

	if ((r = absolute(&o->root, p->root, sizeof(p->root), "--root", e)) < 0 ||
	    (r = absolute(&o->sysfs, p->sysfs, sizeof(p->sysfs), "--sysfs", e)) < 0 ||
	    (r = absolute(&o->procfs, p->procfs, sizeof(p->procfs), "--procfs", e)) < 0 ||
	    (o->run_dir && (r = absolute(&o->run_dir, p->run_dir, sizeof(p->run_dir),
					 "--run-dir", e)) < 0) ||
	    (o->to && (r = absolute(&o->to, p->to, sizeof(p->to), "--to", e)) < 0) ||
	    (r = check_root(o->root, e)) < 0)
		return r;
	ctx_init(&o->ctx, o->root, o->sysfs, o->procfs, NULL);
	/*
	 * Staged copies live in the run dir of the target root by default; at
	 * boot in this machine's /run (the initramfs's, moved into the root at
	 * switch_root), since the target root may well be read-only.
	 */
	if (!o->run_dir && o->boot)
		o->run_dir = KHDR_RUN_DIR;
	else if (!o->run_dir && ctx_path(&o->ctx, CTX_ROOT, p->run_dir, sizeof(p->run_dir),
					 "%s", KHDR_RUN_DIR) < 0)
		return err_usage(e, "--root too long");
	else if (!o->run_dir)
		o->run_dir = p->run_dir;
	o->ctx.run_dir = o->run_dir;
	o->kernel = (struct kernel_query){ .ctx = &o->ctx, .release = o->release,
					   .image = o->kernel_image, .boot = o->boot,
					   .force = o->force };
	return 0;
}
