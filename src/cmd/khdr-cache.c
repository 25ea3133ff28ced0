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

#include "base/log.h"
#include "base/nearest.h"
#include "format/conf.h"
#include "sys/boot.h"
#include "cmd/commands.h"

static const struct command *const commands[] = {
	&command_install, &command_handoff, &command_status, &command_prune,
	&command_env, &command_verify, &command_extract, &command_buildid,
	&command_symvers,
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

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
		fprintf(out, "  %-9s %s\n", commands[i]->name, commands[i]->help);
	fprintf(out, "\nOptions:\n");
	args_print_help(out, ~0u);
	fprintf(out,
		"\n"
		"Exit status: 0 success, 1 failure, 2 usage error;\n"
		"status, env and verify: 3 when headers are missing, stale or differ.\n"
		"See khdr-cache(8).\n");
}

static void command_usage(const struct command *c)
{
	printf("Usage: khdr-cache %s %s\n\n%s.\n\nOptions:\n", c->name, c->usage, c->help);
	args_print_help(stdout, c->options);
	printf("\nSee khdr-cache(8).\n");
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

/* No command of that name: the nearest, as git suggests one. */
static int unknown_command(const char *name, struct khdr_err *e)
{
	struct nearest n;

	nearest_init(&n, name);
	for (size_t i = 0; i < NCOMMANDS; i++)
		nearest_offer(&n, commands[i]->name);
	if (!nearest_best(&n))
		return err_usage(e, "unknown command '%s'", name);
	return err_usage(e, "unknown command '%s'; did you mean '%s'?", name, nearest_best(&n));
}

/* The operand count the table gives, checked once for every command. */
static int check_operands(const struct command *c, int n, struct khdr_err *e)
{
	if (c->max_operands == OPERANDS_ANY || (n >= c->min_operands && n <= c->max_operands))
		return 0;
	if (c->max_operands == 0)
		return err_usage(e, "%s takes no operands", c->name);
	if (c->min_operands == 1 && c->max_operands == 1)
		return err_usage(e, "%s takes exactly one %s", c->name, c->operand);
	return err_usage(e, "%s takes %d to %d operands (%s)", c->name, c->min_operands,
			 c->max_operands, c->operand);
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
	struct args_paths paths;    /* o's paths point here */
	const struct command *c;
	const char *kmsg;
	bool help = false, version = false;
	struct args_seen seen = { 0 };
	const char *refused;
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
		return unknown_command(argv[operand], e);
	if (help) {
		command_usage(c);
		return 0;
	}
	refused = args_refused(&seen, c->options);
	if (refused)
		return err_usage(e, "--%s does not apply to '%s' (usage: khdr-cache %s %s)",
				 refused, c->name, c->name, c->usage);
	opts->boot = o.boot;    /* an error from here on does not fail the boot */
	r = args_finish(&o, &paths, e);
	if (r < 0)
		return r;
	umask(022);
	*opts = o;
	/* At boot the kernel log is where anyone will look, errors included;
	 * a scratch root's install is no boot of this machine: stderr. */
	kmsg = o.boot ? boot_kmsg_path(&o.ctx) : NULL;
	if (o.boot && !log_to_kmsg(kmsg) && !kmsg)
		log_info("install --boot: messages go to stderr, not to the kernel log "
			 "(--root %s is not this machine's root; KHDR_KMSG=/dev/kmsg asks for it)",
			 o.root);
	if ((c->options & OPT_CONF_FILE) && (r = load_conf(c->name, &o, seen.bits, &conf, e)) < 0)
		return r;
	*opts = o;
	r = check_operands(c, argc - operand - 1, e);
	if (r < 0)
		return r;
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
