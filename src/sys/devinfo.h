/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * devinfo.h - the file system holding a directory: its mount (from
 * mountinfo), the block device and its label and UUID (libblkid), and the
 * free space (statvfs).  For status, and for rd.khdr.cache= at boot.
 */
#ifndef KHDR_DEVINFO_H
#define KHDR_DEVINFO_H

#include <stdint.h>

#include "base/khdr.h"

struct devinfo {
	char mountpoint[256];
	char fstype[32];
	char source[256];       /* the mount source: /dev/sda2, tmpfs, overlay */
	char device[256];       /* the block device, "" when none (tmpfs) */
	char label[128];
	char uuid[64];
	uint64_t free_bytes;
	uint64_t total_bytes;
	bool read_only;
};

/*
 * One line of /proc/self/mountinfo; pure.  Fills mountpoint, fstype and
 * source when its major:minor is dev's; returns 1 on a match, 0 if not,
 * -EINVAL for a line that is not mountinfo.
 */
int mountinfo_match(const char *line, unsigned major, unsigned minor,
		    struct devinfo *d);

/* Describe the file system of fd (a directory). */
void devinfo_read(int fd, struct devinfo *d);

/* A device path or a LABEL=/UUID=/PARTLABEL=/PARTUUID= tag, as a path. */
int devinfo_resolve(const char *spec, char *dev, size_t size,
		    struct khdr_err *e);

/* The file system type libblkid finds on dev ("ext4"). */
int devinfo_fstype(const char *dev, char *type, size_t size, struct khdr_err *e);

#endif
