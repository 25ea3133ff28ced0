/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ctx.c - paths under the target root, sysfs, procfs and the run dir. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/ctx.h"

void ctx_init(struct khdr_ctx *c, const char *root, const char *sysfs,
	      const char *procfs, const char *run_dir)
{
	c->root = root;
	c->prefix = strcmp(root, "/") ? root : "";
	c->sysfs = sysfs;
	c->procfs = procfs;
	c->run_dir = run_dir;
}

static const char *base_dir(const struct khdr_ctx *c, enum ctx_base base)
{
	switch (base) {
	case CTX_SYSFS:
		return c->sysfs;
	case CTX_PROCFS:
		return c->procfs;
	case CTX_RUN_DIR:
		return c->run_dir;
	default:
		return c->prefix;
	}
}

int ctx_path(const struct khdr_ctx *c, enum ctx_base base, char *buf, size_t size,
	     const char *fmt, ...)
{
	const char *dir = base_dir(c, base);
	size_t n = strlen(dir);
	va_list ap;
	int r;

	if (n >= size)
		return -ENAMETOOLONG;
	memcpy(buf, dir, n);
	va_start(ap, fmt);
	r = vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
	return r < 0 || (size_t)r >= size - n ? -ENAMETOOLONG : 0;
}
