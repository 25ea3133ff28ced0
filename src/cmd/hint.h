/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hint.h - the exact khdr-cache command a message suggests: the command
 * with the roots, cache and release this run was given (absolute, quoted
 * for a shell) and what repairs the entry at hand, so that pasting it
 * acts on the same machine and restores what was there.
 */
#ifndef KHDR_HINT_H
#define KHDR_HINT_H

#include <stddef.h>

#include "cmd/commands.h"

/* What the suggested command changes; NULL or false: as this run was given. */
struct hint {
	const char *release;     /* -r instead of the one given */
	const char *archive;     /* --archive PATH: the entry's own source */
	bool force;              /* --force */
	bool no_link;            /* --no-link */
	bool no_image;           /* leave out the --kernel-image given (another release's) */
};

/*
 * "khdr-cache <c->name> [--root DIR] [--sysfs DIR] [--procfs DIR]
 * [--run-dir DIR] [--cache-dir DIR] [-r R] [--kernel-image FILE] ...",
 * with only the options c accepts, in buf (cut short when it does not
 * fit, which a PATH_MAX-sized buffer never is for paths that fit).
 */
const char *hint_command(const struct khdr_opts *o, const struct command *c,
			 const struct hint *h, char *buf, size_t size);

/* As hint_command(), as the end of e's message: "<msg>; run: <command>". */
int hint_append(struct khdr_err *e, const struct khdr_opts *o, const struct command *c,
		const struct hint *h);

#endif
