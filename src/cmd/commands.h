/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * commands.h - the commands.  Each lives in its own cmd-<name>.c, which
 * exports its struct command; fn takes the parsed options and the operands
 * and returns 0 or a negative errno with the reason in e, which main turns
 * into a message.
 */
#ifndef KHDR_COMMANDS_H
#define KHDR_COMMANDS_H

#include "base/khdr.h"
#include "cmd/args.h"

#define OPERANDS_ANY (-1)

/* What main needs to know of a command before it runs (kmod's kmod_cmd, systemd's Verb). */
struct command {
	const char *name;
	int (*fn)(const struct khdr_opts *o, int argc, char **argv,
		  struct khdr_err *e);
	unsigned options;     /* OPT_* accepted */
	int min_operands;     /* checked before fn runs; both 0 (left out): none */
	int max_operands;     /* OPERANDS_ANY: fn checks them itself */
	const char *operand;  /* what one operand is, for the message: "FILE" */
	const char *usage;    /* operands and options, one line */
	const char *help;     /* what it does, one line */
};

/* One per cmd-<name>.c, in the order --help lists them. */
extern const struct command command_install, command_handoff, command_status,
	command_prune, command_env, command_verify, command_extract, command_buildid,
	command_symvers;

#endif
