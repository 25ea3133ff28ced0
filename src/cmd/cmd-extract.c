/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd-extract.c - khdr-cache extract --to DIR: a one-off extraction of the
 * archive with the same safety rules as install, no cache, no verification.
 * Works unprivileged; refuses a DIR that is a symlink.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kinfo/kernel.h"
#include "kinfo/source.h"
#include "kinfo/unpack.h"
#include "cmd/commands.h"

/* Create DIR if needed; never follow a symlink planted at DIR. */
static int open_target(const char *arg, struct khdr_err *e)
{
	char dir[PATH_MAX];
	size_t n = strlen(arg);
	int fd;

	/* "link/" resolves the link whatever O_NOFOLLOW says: drop the slashes. */
	while (n > 1 && arg[n - 1] == '/')
		n--;
	if (n >= sizeof(dir))
		return err_set(e, ENAMETOOLONG, "--to path too long");
	memcpy(dir, arg, n);
	dir[n] = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return err_set(e, errno, "cannot create %s: %s", dir, strerror(errno));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
		return err_set(e, errno, "refusing %s: it is a symlink or not a directory", dir);
	if (fd < 0)
		return err_set(e, errno, "cannot open %s: %s", dir, strerror(errno));
	return fd;
}

static int cmd_extract(const struct khdr_opts *o, int argc, char **argv,
		       struct khdr_err *e)
{
	struct unpack_stats st;
	struct unpack_opts uo;
	struct progress pr;
	struct extractor x;
	struct kernel_id k;
	struct source src;
	char size[SIZE_TEXT_MAX];
	int fd, r;

	(void)argc;
	(void)argv;
	if (!o->to)
		return err_usage(e, "extract needs --to DIR");
	r = kernel_identify(&k, &o->kernel, e);
	if (r == 0)
		r = source_find(&src, &o->ctx, o->archive, &k, e);
	if (r < 0)
		return r;
	r = source_open(&src, e);
	if (r < 0)
		return r;
	fd = open_target(o->to, e);
	if (fd < 0) {
		source_close(&src);
		return fd;
	}
	extract_init(&x, fd, o->max_entries, o->max_bytes);
	progress_start(&pr, o->verbose >= 0, "extracting");
	uo = unpack_opts_of(o, &pr);
	r = unpack_archive(&src.in, &x, NULL, &uo, &st, e);
	if (r < 0)
		err_wrap(e, "%s", src.path);
	if (r == 0 && o->verbose >= 0)
		printf("extracted %" PRIu64 " %s, %s from %s into %s\n", x.nfiles,
		       plural(x.nfiles, "file", "files"), size_text(x.bytes, size), src.path,
		       o->to);
	extract_free(&x);
	close(fd);
	source_close(&src);
	return r;
}

const struct command command_extract = {
	.name = "extract", .fn = cmd_extract,
	.options = OPT_KERNEL | OPT_ARCHIVE | OPT_TO | OPT_LIMITS,
	.usage = "--to DIR [--archive PATH]",
	.help = "extract the archive into DIR (no cache, no verification; works unprivileged)",
};
