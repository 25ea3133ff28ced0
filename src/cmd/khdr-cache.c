/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * khdr-cache - install the running kernel's in-kernel headers archive
 * (CONFIG_IKHEADERS) as /lib/modules/<release>/build, verified and safely.
 *
 * This file holds the command table and main(): options are parsed once,
 * the command runs, and its error, if any, is printed here and only here.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/commands.h"
#include "format/conf.h"
#include "base/log.h"

static const struct command commands[] = {
	{ "install", cmd_install,
	  OPT_CONF | OPT_ARCHIVE | OPT_FORCE | OPT_DRY_RUN | OPT_LIMITS | OPT_BOOT |
	  OPT_NO_LINK | OPT_LOAD_MODULE | OPT_STRICT | OPT_VERIFY_LAYOUT | OPT_KERNEL_IMAGE,
	  "[--root DIR] [--kernel-release R [--kernel-image FILE]] [--archive PATH] [--force] [--dry-run] [--boot] [--no-link] [--strict] [--load-module] [--verify-layout]",
	  "verify the headers archive and install it as lib/modules/<release>/build" },
	{ "handoff", cmd_handoff, OPT_CONF,
	  "[--kernel-release R]",
	  "run /etc/kernel/header_postinst.d for each new tree install left a marker for" },
	{ "status", cmd_status, OPT_CONF | OPT_JSON | OPT_KERNEL_IMAGE,
	  "[--kernel-release R [--kernel-image FILE]] [--json]",
	  "show the running kernel, its archive, its build link and every cache entry" },
	{ "prune", cmd_prune, OPT_CONF | OPT_KEEP | OPT_DRY_RUN | OPT_LEGACY | OPT_REMOVED,
	  "[--keep N] [--dry-run] [--legacy] [--removed RELEASE]",
	  "remove orphaned and stale cache entries, dangling links and leftovers" },
	{ "env", cmd_env, OPT_CONF | OPT_SHELL,
	  "[--shell]",
	  "print BCC_KERNEL_SOURCE, BPFTRACE_KERNEL_SOURCE and KERNEL_HEADERS for eval" },
	{ "verify", cmd_verify, OPT_CONF | OPT_LIMITS | OPT_LAYOUT | OPT_JSON | OPT_KERNEL_IMAGE,
	  "[--kernel-release R [--kernel-image FILE]] | --layout [--json] [STRUCT...]",
	  "compare an installed tree with its archive, or (--layout) its structs with the kernel's BTF" },
	{ "extract", cmd_extract,
	  OPT_KERNEL | OPT_ARCHIVE | OPT_TO | OPT_LIMITS,
	  "--to DIR [--archive PATH]",
	  "extract the archive into DIR (no cache, no verification; works unprivileged)" },
	{ "buildid", cmd_buildid, 0,
	  "FILE",
	  "print the GNU build ID of a vmlinux, bzImage or notes file" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* One line per option; a command's --help shows those it accepts. */
static const struct option_help {
	unsigned option;      /* OPT_*; 0: every command */
	const char *text;
} option_help[] = {
	{ OPT_ROOT, "      --root DIR            target root (default /)" },
	{ OPT_SYSFS, "      --sysfs DIR           where sysfs is mounted (default /sys)" },
	{ OPT_PROCFS, "      --procfs DIR          where procfs is mounted (default /proc)" },
	{ OPT_RUN_DIR, "      --run-dir DIR         staged archives (default " KHDR_RUN_DIR ")" },
	{ OPT_RELEASE, "  -r, --kernel-release R    kernel release (default: uname -r)" },
	{ OPT_CACHE_DIR, "      --cache-dir DIR       the cache, under --root (default " KHDR_CACHE_DIR ")" },
	{ OPT_KERNEL_IMAGE, "      --kernel-image FILE   install, status, verify: R's image, for R not running\n"
			       "                            (default <root>/boot/vmlinuz-R, <root>/lib/modules/R/vmlinuz)" },
	{ OPT_ARCHIVE, "  -a, --archive PATH        a .tar.xz or a kheaders module (.ko[.xz|.zst|.gz])" },
	{ OPT_TO, "      --to DIR              extract: the directory to fill" },
	{ OPT_BOOT, "      --boot                install: log to /dev/kmsg, never fail, stage when the root is read-only" },
	{ OPT_NO_LINK, "      --no-link             install: fill the cache, leave lib/modules alone" },
	{ OPT_LOAD_MODULE, "      --load-module         install: may run 'modprobe kheaders' when nothing else is found" },
	{ OPT_STRICT, "      --strict              install: refuse fingerprint-only verification" },
	{ OPT_KEEP, "      --keep N              prune: builds kept per release (default 1)" },
	{ OPT_LEGACY, "      --legacy              prune: also remove root's /tmp/kheaders-<release> dirs" },
	{ OPT_REMOVED, "      --removed RELEASE     prune: RELEASE is being uninstalled; its entries go" },
	{ OPT_VERIFY_LAYOUT, "      --verify-layout       install: also compare struct layouts with the kernel's BTF" },
	{ OPT_LAYOUT, "      --layout              verify: compare struct sizes and offsets with the kernel's BTF" },
	{ OPT_JSON, "      --json                status, verify --layout: one JSON document" },
	{ OPT_SHELL, "      --shell               env: 'export' each variable" },
	{ OPT_FORCE, "  -f, --force               install even if verification fails; replace a foreign build" },
	{ OPT_DRY_RUN, "  -n, --dry-run             change nothing, say what would be done" },
	{ OPT_LIMITS, "      --max-entries N       refuse archives with more members (default 1000000)" },
	{ OPT_LIMITS, "      --max-bytes N[KMG]    refuse archives that expand further (default 4G)" },
	{ OPT_LIMITS, "      --threads N           1: decode and write in one thread; 2 to 16: decode\n"
			  "                            in other threads, N xz blocks at once (default 2)" },
	{ 0, "  -v, --verbose             say more" },
	{ 0, "  -q, --quiet               say only errors" },
	{ 0, "  -h, --help                show this help (or a command's: COMMAND --help)" },
	{ 0, "  -V, --version             show the version" },
};

_Static_assert(KHDR_DEFAULT_MAX_ENTRIES == 1000000, "update the --max-entries help line");

static void print_options(FILE *out, unsigned accepted)
{
	for (size_t i = 0; i < sizeof(option_help) / sizeof(option_help[0]); i++)
		if (!option_help[i].option || (option_help[i].option & accepted))
			fprintf(out, "%s\n", option_help[i].text);
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: khdr-cache [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Install the running kernel's headers (CONFIG_IKHEADERS) as\n"
		"/lib/modules/<release>/build, and manage the cache that holds them.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\nOptions:\n");
	print_options(out, ~0u);
	fprintf(out,
		"\n"
		"Exit status: 0 success, 1 failure, 2 usage error;\n"
		"status, env and verify: 3 when headers are missing, stale or differ.\n"
		"See khdr-cache(8).\n");
}

static void command_usage(const struct command *c)
{
	printf("Usage: khdr-cache %s %s\n\n%s.\n\nOptions:\n", c->name, c->usage, c->help);
	print_options(stdout, c->options);
	printf("\nSee khdr-cache(8).\n");
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/*
 * <root>/etc/khdr-cache.conf fills what the command line left unset; a
 * missing file is fine, a broken one an error naming the line.
 */
static int load_conf(const char *cmd, struct khdr_opts *o, unsigned seen,
		     struct khdr_conf *c, struct khdr_err *e)
{
	char path[4096], buf[65536];
	size_t len;
	int r;

	if (ctx_path(&o->ctx, CTX_ROOT, path, sizeof(path), "/%s", KHDR_CONF_FILE) < 0)
		return err_set(e, ENAMETOOLONG, "--root too long");
	r = read_small_file(AT_FDCWD, path, buf, sizeof(buf), &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return err_set(e, r, "cannot read %s: %s%s%s%s", path, strerror(-r),
			       r == -EACCES ? " (" : "", r == -EACCES ? cmd : "",
			       r == -EACCES ? " needs root)" : "");
	r = conf_parse(buf, len, c, e);
	if (r < 0)
		return err_wrap(e, "%s", path);
	if ((c->set & CONF_CACHE_DIR) && !(seen & OPT_CACHE_DIR))
		o->cache_dir = c->cache_dir;
	if ((c->set & CONF_KEEP) && !(seen & OPT_KEEP))
		o->keep = c->keep;
	if (c->set & CONF_CACHE_DEVICE)
		o->cache_device = c->cache_device;
	if (!(seen & OPT_STRICT))
		o->strict = c->strict;
	if (!(seen & OPT_LOAD_MODULE))
		o->load_module = c->load_module;
	if (!(seen & OPT_VERIFY_LAYOUT))
		o->verify_layout = c->verify_layout;
	if (c->set & CONF_HANDOFF)
		o->handoff = c->handoff;
	return 0;
}

static int run(int argc, char **argv, struct khdr_opts *opts, struct khdr_err *e)
{
	struct khdr_opts o = {
		.root = "/", .sysfs = "/sys", .procfs = "/proc",
		.cache_dir = KHDR_CACHE_DIR, .keep = 1,
		.max_entries = KHDR_DEFAULT_MAX_ENTRIES,
		.max_bytes = KHDR_DEFAULT_MAX_BYTES,
		.threads = 2, .handoff = true,
	};
	struct khdr_conf conf;
	char run_dir[4096];
	const struct command *c;
	bool help = false, version = false;
	unsigned seen = 0;
	int operand, r;

	r = args_parse(argc, argv, &o, &seen, &operand, &help, &version, e);
	if (r < 0)
		return r;
	log_set_level(o.verbose);
	if (version) {
		printf("khdr-cache %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (operand >= argc) {
		if (help) {
			usage(stdout);
			return 0;
		}
		return err_usage(e, "no command given");
	}
	c = find_command(argv[operand]);
	if (!c)
		return err_usage(e, "unknown command '%s'", argv[operand]);
	if (help) {
		command_usage(c);
		return 0;
	}
	if (seen & ~c->options)
		return err_usage(e, "an option given does not apply to '%s' (usage: khdr-cache %s %s)",
				 c->name, c->name, c->usage);
	r = args_finish(&o, run_dir, sizeof(run_dir), e);
	if (r < 0)
		return r;
	umask(022);
	*opts = o;
	/* At boot the kernel log is where anyone will look, errors included.
	 * KHDR_KMSG names a file standing in for /dev/kmsg, for the tests. */
	if (o.boot)
		log_to_kmsg(getenv("KHDR_KMSG") ? getenv("KHDR_KMSG") : "/dev/kmsg");
	if ((c->options & OPT_CACHE_DIR) && (r = load_conf(c->name, &o, seen, &conf, e)) < 0)
		return r;
	*opts = o;
	return c->fn(&o, argc - operand - 1, argv + operand + 1, e);
}

int main(int argc, char **argv)
{
	struct khdr_opts o = { .boot = false };
	struct khdr_err e = { 0 };
	int r = run(argc, argv, &o, &e);

	if (r >= 0)
		return r;     /* 0, or KHDR_EXIT_ABSENT from status, env, verify */
	/* At boot nothing is worth failing the boot for: say why, exit 0. */
	if (o.boot) {
		log_error("%s; nothing installed (the boot goes on)",
			  e.msg[0] ? e.msg : strerror(-r));
		return KHDR_EXIT_OK;
	}
	log_error("%s", e.msg[0] ? e.msg : strerror(-r));
	if (e.usage) {
		fprintf(stderr, "Try 'khdr-cache --help'.\n");
		return KHDR_EXIT_USAGE;
	}
	return KHDR_EXIT_FAILURE;
}
