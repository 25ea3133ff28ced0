/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd-symvers.c - khdr-cache symvers IMAGE [MODULES]: print the
 * Module.symvers of a kernel from its image and its module files, for a
 * kernel whose headers package does not carry one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

#include "kinfo/symvers.h"
#include "cmd/commands.h"

static int cmd_symvers(const struct khdr_opts *o, int argc, char **argv,
		       struct khdr_err *e)
{
	char hex[2 * BUILD_ID_MAX + 1] = "none";
	struct symvers_counts c;
	int r;

	r = symvers_write(AT_FDCWD, argv[0], argc > 1 ? argv[1] : NULL, stdout, &c, e);
	if (fflush(stdout) != 0 && r == 0)
		r = err_set(e, EIO, "cannot write the output");
	if (r < 0)
		return r;
	if (c.id.len)
		hex_encode(c.id.bytes, c.id.len, hex);
	if (o->verbose > 0)
		fprintf(stderr, "%zu exports: %zu of the image (build ID %s), %zu of %zu module files\n",
			c.image + c.modules, c.image, hex, c.modules, c.files);
	return 0;
}

const struct command command_symvers = {
	.name = "symvers", .fn = cmd_symvers, .options = 0,
	.min_operands = 1, .max_operands = 2, .operand = "FILE",
	.usage = "IMAGE [MODULES]",
	.help = "print Module.symvers made from a kernel image and its modules",
};
