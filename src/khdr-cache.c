/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * khdr-cache - install the running kernel's in-kernel headers archive
 * (CONFIG_IKHEADERS) as /lib/modules/<release>/build, verified and safely.
 *
 * This file holds the command table and main(): options are parsed once,
 * the command runs, and its error, if any, is printed here and only here.
 */

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "log.h"

static const struct command commands[] = {
	{ "install", cmd_install,
	  OPT_KERNEL | OPT_ARCHIVE | OPT_FORCE | OPT_DRY_RUN | OPT_LIMITS,
	  "[--root DIR] [--archive PATH] [--force] [--dry-run]",
	  "verify the headers archive and install it as lib/modules/<release>/build" },
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
		"  -f, --force               install even if verification fails; replace a foreign build\n"
		"  -n, --dry-run             read and verify, change nothing\n"
		"      --max-entries N       refuse archives with more members (default %llu)\n"
		"      --max-bytes N[KMG]    refuse archives that expand further (default 4G)\n"
		"  -v, --verbose             say more\n"
		"  -q, --quiet               say only errors\n"
		"  -h, --help                show this help (or a command's: COMMAND --help)\n"
		"  -V, --version             show the version\n"
		"\n"
		"Exit status: 0 success, 1 failure, 2 usage error.\n"
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

static int run(int argc, char **argv, struct khdr_err *e)
{
	struct khdr_opts o = {
		.root = "/", .sysfs = "/sys", .procfs = "/proc",
		.max_entries = KHDR_DEFAULT_MAX_ENTRIES,
		.max_bytes = KHDR_DEFAULT_MAX_BYTES,
	};
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
	return c->fn(&o, argc - operand - 1, argv + operand + 1, e);
}

int main(int argc, char **argv)
{
	struct khdr_err e = { 0 };
	int r = run(argc, argv, &e);

	if (r >= 0)
		return KHDR_EXIT_OK;
	log_error("%s", e.msg[0] ? e.msg : strerror(-r));
	if (e.usage) {
		fprintf(stderr, "Try 'khdr-cache --help'.\n");
		return KHDR_EXIT_USAGE;
	}
	return KHDR_EXIT_FAILURE;
}
