/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * commands.h - the command table.  Each command lives in its own
 * cmd-<name>.c, takes the parsed options and its operands, and returns 0 or
 * a negative errno with the reason in e; main turns that into a message.
 */
#ifndef KHDR_COMMANDS_H
#define KHDR_COMMANDS_H

#include "base/khdr.h"
#include "cmd/args.h"

/* Options, as bits, so each command can say which it accepts. */
enum {
	OPT_ROOT = 1u << 0,
	OPT_SYSFS = 1u << 1,
	OPT_PROCFS = 1u << 2,
	OPT_RUN_DIR = 1u << 3,
	OPT_RELEASE = 1u << 4,
	OPT_ARCHIVE = 1u << 5,
	OPT_TO = 1u << 6,
	OPT_FORCE = 1u << 7,
	OPT_DRY_RUN = 1u << 8,
	OPT_LIMITS = 1u << 9,
	OPT_CACHE_DIR = 1u << 10,
	OPT_KEEP = 1u << 11,
	OPT_JSON = 1u << 12,
	OPT_LEGACY = 1u << 13,
	OPT_BOOT = 1u << 14,
	OPT_NO_LINK = 1u << 15,
	OPT_LOAD_MODULE = 1u << 16,
	OPT_STRICT = 1u << 17,
	OPT_SHELL = 1u << 18,
	OPT_REMOVED = 1u << 19,
	OPT_LAYOUT = 1u << 20,
	OPT_VERIFY_LAYOUT = 1u << 21,
	OPT_KERNEL_IMAGE = 1u << 22,
};

#define OPT_KERNEL (OPT_ROOT | OPT_SYSFS | OPT_PROCFS | OPT_RUN_DIR | OPT_RELEASE)
/* Commands that read <root>/etc/khdr-cache.conf. */
#define OPT_CONF   (OPT_KERNEL | OPT_CACHE_DIR)

struct command {
	const char *name;
	int (*fn)(const struct khdr_opts *o, int argc, char **argv,
		  struct khdr_err *e);
	unsigned options;     /* OPT_* accepted */
	const char *usage;    /* operands and options, one line */
	const char *help;     /* what it does, one line */
};

int cmd_install(const struct khdr_opts *o, int argc, char **argv,
		struct khdr_err *e);
int cmd_extract(const struct khdr_opts *o, int argc, char **argv,
		struct khdr_err *e);
int cmd_status(const struct khdr_opts *o, int argc, char **argv,
	       struct khdr_err *e);
int cmd_prune(const struct khdr_opts *o, int argc, char **argv,
	      struct khdr_err *e);
int cmd_env(const struct khdr_opts *o, int argc, char **argv,
	    struct khdr_err *e);
int cmd_verify(const struct khdr_opts *o, int argc, char **argv,
	       struct khdr_err *e);
int cmd_handoff(const struct khdr_opts *o, int argc, char **argv,
		struct khdr_err *e);
int cmd_buildid(const struct khdr_opts *o, int argc, char **argv,
		struct khdr_err *e);

#endif
