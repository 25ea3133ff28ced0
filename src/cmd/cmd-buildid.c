/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd-buildid.c - khdr-cache buildid FILE: print the GNU build ID of a
 * vmlinux, an x86 bzImage (vmlinuz) or a notes file, as lowercase hex.
 */
#include <fcntl.h>
#include <stdio.h>

#include "cmd/commands.h"
#include "kinfo/kimage.h"

int cmd_buildid(const struct khdr_opts *o, int argc, char **argv,
		struct khdr_err *e)
{
	char hex[2 * BUILD_ID_MAX + 1];
	struct build_id id;
	struct input in;
	int r;

	(void)o;
	if (argc != 1)
		return err_usage(e, "buildid takes exactly one FILE");
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
