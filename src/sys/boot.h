/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * boot.h - what install --boot needs beyond install: the kernel command
 * line switches, the read-only root test, the staged copy for the late
 * service, and modprobe for --load-module.
 */
#ifndef KHDR_BOOT_H
#define KHDR_BOOT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/ctx.h"
#include "base/khdr.h"
#include "stream/input.h"

/* khdr=0 or rd.khdr=0 on <procfs>/cmdline. */
bool boot_disabled(const struct khdr_ctx *ctx);

/*
 * The kernel log --boot writes to, that of the machine it runs on:
 * $KHDR_KMSG when set (asked for: the tests' stand-in), /dev/kmsg when the
 * root is this machine's ("/", or any root from an initramfs, whose own /
 * is a ramfs or tmpfs); NULL for a scratch --root: its messages go to
 * stderr, never into the host's kernel log unasked.
 */
const char *boot_kmsg_path(const struct khdr_ctx *ctx);

/* Does this process run in an initramfs (its / a ramfs or tmpfs)? */
bool boot_in_initramfs(void);

/* statvfs says ST_RDONLY (an initramfs before the remount). */
bool root_read_only(const char *root);

/*
 * Copy the archive bytes of in to <run_dir>/<build_id>.tar.xz, atomically
 * (temporary file, then rename), in a directory only root can write.
 */
int boot_stage_copy(struct input *in, const char *run_dir,
		    const char *build_id, struct khdr_err *e);

/*
 * The cache device: rd.khdr.cache= on the command line, else configured
 * (cache_device= of the configuration); NULL when neither names one.
 */
const char *boot_cache_spec(const struct khdr_ctx *ctx, const char *configured,
			    char *buf, size_t size);

/* Mount the device spec names (libblkid tag or path) at target. */
int boot_mount_cache(const char *spec, const char *run_dir, const char *target,
		     struct khdr_err *e);

/* Is path the root of a mount (the cache device already mounted)? */
bool is_mount_point(const char *path);

/* modprobe [-r] kheaders; 0 when it ran and succeeded. */
int boot_modprobe(bool remove);

#endif
