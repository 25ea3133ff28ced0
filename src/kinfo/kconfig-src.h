/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kconfig-src.h - where the running kernel's configuration is read from:
 * PROCFS/config.gz (CONFIG_IKCONFIG_PROC) when PROCFS/version names the
 * release being installed, else ROOT/boot/config-<release>.
 */
#ifndef KHDR_KCONFIG_SRC_H
#define KHDR_KCONFIG_SRC_H

#include "base/khdr.h"
#include "format/kconfig.h"
#include "kinfo/kernel.h"

/* A .config, plain or gzip-compressed as /proc/config.gz is (zlib: base/dl.h). */
int kconfig_load(struct kconfig *c, const uint8_t *p, size_t n, struct khdr_err *e);

/* A config file (plain or gzip): 0, -ENOENT when absent, or an error with e set. */
int kconfig_read_file(const char *path, struct kconfig *c, struct khdr_err *e);

/*
 * 0 with c filled and where naming the file; -ENOENT when there is
 * neither; another error, with a message, when one is there but unreadable
 * or not a config.
 */
int kconfig_read_running(const struct khdr_ctx *ctx, const struct kernel_id *k,
			 struct kconfig *c, char *where, size_t wsize,
			 struct khdr_err *e);

#endif
