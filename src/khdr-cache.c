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
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "conf.h"
#include "log.h"

static const struct command commands[] = {
	{ "install", cmd_install,
	  OPT_CONF | OPT_ARCHIVE | OPT_FORCE | OPT_DRY_RUN | OPT_LIMITS | OPT_BOOT |
	  OPT_NO_LINK | OPT_LOAD_MODULE | OPT_STRICT,
	  "[--root DIR] [--archive PATH] [--force] [--dry-run] [--boot] [--no-link]",
	  "verify the headers archive and install it as lib/modules/<release>/build" },
	{ "status", cmd_status, OPT_CONF | OPT_JSON,
	  "[--json]",
	  "show the running kernel, its archive, its build link and every cache entry" },
	{ "prune", cmd_prune, OPT_CONF | OPT_KEEP | OPT_DRY_RUN | OPT_LEGACY,
	  "[--keep N] [--dry-run] [--legacy]",
	  "remove orphaned and stale cache entries, dangling links and leftovers" },
	{ "env", cmd_env, OPT_CONF | OPT_SHELL,
	  "[--shell]",
	  "print BCC_KERNEL_SOURCE, BPFTRACE_KERNEL_SOURCE and KERNEL_HEADERS for eval" },
	{ "verify", cmd_verify, OPT_CONF | OPT_LIMITS,
	  "[--kernel-release R]",
	  "compare an installed tree with the archive it came from" },
	{ "extract", cmd_extract,
	  OPT_KERNEL | OPT_ARCHIVE | OPT_TO | OPT_LIMITS,
	  "--to DIR [--archive PATH]",
	  "extract the archive into DIR (no cache, no verification; works unprivileged)" },
	{ "buildid", cmd_buildid, 0,
	  "FILE",
	  "print the GNU build ID of a vmlinux, bzImage or notes file" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: khdr-cache [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Install the running kernel's headers (CONFIG_IKHEADERS) as\n"
		"/lib/modules/<release>/build.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(out,
		"\n"
		"Options:\n"
		"      --root DIR            target root (default /)\n"
		"      --sysfs DIR           where sysfs is mounted (default /sys)\n"
		"      --procfs DIR          where procfs is mounted (default /proc)\n"
		"      --run-dir DIR         staged archives (default " KHDR_RUN_DIR ")\n"
		"  -r, --kernel-release R    kernel release (default: uname -r)\n"
		"  -a, --archive PATH        a .tar.xz or a kheaders module (.ko[.xz|.zst|.gz])\n"
		"      --to DIR              extract: the directory to fill\n"
		"      --cache-dir DIR       the cache, under --root (default " KHDR_CACHE_DIR ")\n"
		"      --boot                install: log to /dev/kmsg, never fail, stage when the root is read-only\n"
		"      --no-link             install: fill the cache, leave lib/modules alone\n"
		"      --load-module         install: may run 'modprobe kheaders' when nothing else is found\n"
		"      --strict              install: refuse fingerprint-only verification\n"
		"      --keep N              prune: builds kept per release (default 1)\n"
		"      --legacy              prune: also remove root's /tmp/kheaders-<release> dirs\n"
		"      --json                status: one JSON document\n"
		"      --shell               env: 'export' each variable\n"
		"  -f, --force               install even if verification fails; replace a foreign build\n"
		"  -n, --dry-run             read and verify, change nothing\n"
		"      --max-entries N       refuse archives with more members (default %llu)\n"
		"      --max-bytes N[KMG]    refuse archives that expand further (default 4G)\n"
		"  -v, --verbose             say more\n"
		"  -q, --quiet               say only errors\n"
		"  -h, --help                show this help (or a command's: COMMAND --help)\n"
		"  -V, --version             show the version\n"
		"\n"
		"Exit status: 0 success, 1 failure, 2 usage error;\n"
		"status, env and verify: 3 when headers are missing, stale or differ.\n"
		"See khdr-cache(8).\n",
		KHDR_DEFAULT_MAX_ENTRIES);
}

static void command_usage(const struct command *c)
{
	printf("Usage: khdr-cache %s %s\n\n%s.\nSee khdr-cache(8) and khdr-cache --help for the options.\n",
	       c->name, c->usage, c->help);
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

	if (path_fmt(path, sizeof(path), "%s/%s", strcmp(o->root, "/") ? o->root : "",
		     KHDR_CONF_FILE) < 0)
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
	return 0;
}

static int run(int argc, char **argv, struct khdr_opts *opts, struct khdr_err *e)
{
	struct khdr_opts o = {
		.root = "/", .sysfs = "/sys", .procfs = "/proc",
		.cache_dir = KHDR_CACHE_DIR, .keep = 1,
		.max_entries = KHDR_DEFAULT_MAX_ENTRIES,
		.max_bytes = KHDR_DEFAULT_MAX_BYTES,
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
	/* Staged copies live in the run dir of the target root by default. */
	if (!o.run_dir) {
		snprintf(run_dir, sizeof(run_dir), "%s%s",
			 strcmp(o.root, "/") ? o.root : "", KHDR_RUN_DIR);
		o.run_dir = run_dir;
	}
	umask(022);
	*opts = o;
	if ((c->options & OPT_ROOT) && (r = load_conf(c->name, &o, seen, &conf, e)) < 0)
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
