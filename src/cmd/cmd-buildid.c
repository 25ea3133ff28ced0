/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd-buildid.c - khdr-cache buildid FILE: print the GNU build ID of a
 * vmlinux, an x86 bzImage (vmlinuz) or a notes file, as lowercase hex.
 */
#include <fcntl.h>
#include <stdio.h>

#include "kinfo/kimage.h"
#include "cmd/commands.h"

static int cmd_buildid(const struct khdr_opts *o, int argc, char **argv,
		       struct khdr_err *e)
{
	char hex[2 * BUILD_ID_MAX + 1];
	struct build_id id;
	struct input in;
	int r;

	(void)o;
	(void)argc;
	r = input_open_file(&in, AT_FDCWD, argv[0], e);
	if (r < 0)
		return r;
	r = kimage_build_id(&in, &id, e);
	input_close(&in);
	if (r < 0)
		return err_wrap(e, "%s", argv[0]);
	hex_encode(id.bytes, id.len, hex);
	printf("%s\n", hex);
	return 0;
}

const struct command command_buildid = {
	.name = "buildid", .fn = cmd_buildid, .options = 0,
	.min_operands = 1, .max_operands = 1, .operand = "FILE",
	.usage = "FILE",
	.help = "print the GNU build ID of a vmlinux, bzImage or notes file",
};
