/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctx.h - the roots every path of the program derives from: the target root
 * (lib/modules, the cache, /etc, /boot), sysfs, procfs and the run dir.
 * Built once from the command line (util-linux's struct path_cxt with its
 * prefix is the model), so library code takes these and never the options.
 */
#ifndef KHDR_CTX_H
#define KHDR_CTX_H

#include <stddef.h>

struct khdr_ctx {
	const char *root;         /* as given: "/" or a directory */
	const char *prefix;       /* root before an absolute path: "" for "/" */
	const char *sysfs;        /* where /sys is */
	const char *procfs;       /* where /proc is */
	const char *run_dir;      /* staged copies, handoff markers (/run/khdr) */
};

void ctx_init(struct khdr_ctx *c, const char *root, const char *sysfs,
	      const char *procfs, const char *run_dir);

enum ctx_base { CTX_ROOT, CTX_SYSFS, CTX_PROCFS, CTX_RUN_DIR };

/*
 * The path fmt names under one of the roots: fmt begins with '/', as the
 * path does on the running system ("/boot/config-%s", "/kernel/notes").
 * -ENAMETOOLONG when it does not fit.
 */
__attribute__((format(printf, 5, 6)))
int ctx_path(const struct khdr_ctx *c, enum ctx_base base, char *buf, size_t size,
	     const char *fmt, ...);

#endif
