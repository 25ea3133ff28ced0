/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spawn.h - run a program and wait for it (modprobe, run-parts, make): one
 * fork, exec and wait, and one way of saying how the program ended.
 */
#ifndef KHDR_SPAWN_H
#define KHDR_SPAWN_H

#include <stdbool.h>

#include "base/khdr.h"

struct spawn {
	char *const *argv;         /* argv[0] is looked up in PATH */
	const char *name;          /* in messages; argv[0] when NULL */
	const char *log;           /* stdout and stderr into this file, made 0600
				      (exit status 126 when it cannot be) */
	const char *const *env;    /* "NAME=value" set in the child, NULL-ended */
	bool null_stdin;           /* stdin from /dev/null: it reads nothing of ours */
	bool quiet;                /* no "cannot run" line when exec fails */
};

/*
 * Run sp->argv and wait for it.  When exec fails the child says
 * "khdr-cache: cannot run NAME: reason" on its stderr (unless quiet) and
 * exits 127, as a shell would.
 *
 * 0 when it exited 0.  Otherwise, with code NULL: -ECHILD and
 * "<name> exited with N" or "<name> was killed by signal N" in e; with
 * code: 0, and *code its exit status, -1 when a signal killed it, for the
 * caller to judge.  A negative errno when it could not fork or wait
 * ("fork: ...", "waitpid: ...").
 */
int spawn_run(const struct spawn *sp, int *code, struct khdr_err *e);

#endif
