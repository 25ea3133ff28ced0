/* SPDX-License-Identifier: GPL-2.0-or-later */
/* devinfo.c - the file system under a directory: mount, device, label, UUID, free space. */
#include <blkid.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>

#include "base/dl.h"
#include "sys/devinfo.h"

/* mountinfo escapes blanks as \040 and the like. */
static void unescape(const char *s, size_t n, char *out, size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < size; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			out[o++] = (char)(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) |
					  (s[i + 3] - '0'));
			i += 3;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
}

/* The next blank-separated field of *p; its length, 0 at the end. */
static size_t field(const char **p, const char **start)
{
	size_t n;

	*p += strspn(*p, " \n");
	*start = *p;
	n = strcspn(*p, " \n");
	*p += n;
	return n;
}

int mountinfo_match(const char *line, unsigned major, unsigned minor,
		    struct devinfo *d)
{
	const char *p = line, *f, *mp = NULL;
	size_t n, mpn = 0;
	unsigned ma, mi;

	/* id parent major:minor root mountpoint options [optional...] - fstype source super */
	for (int i = 0; i < 5; i++) {
		if (!(n = field(&p, &f)))
			return -EINVAL;
		if (i == 2 && sscanf(f, "%u:%u", &ma, &mi) != 2)
			return -EINVAL;
		if (i == 4)
			mp = f, mpn = n;
	}
	do {
		if (!(n = field(&p, &f)))
			return -EINVAL;
	} while (!(n == 1 && *f == '-'));
	if (ma != major || mi != minor)
		return 0;
	unescape(mp, mpn, d->mountpoint, sizeof(d->mountpoint));
	if (!(n = field(&p, &f)))
		return -EINVAL;
	unescape(f, n, d->fstype, sizeof(d->fstype));
	if ((n = field(&p, &f)))
		unescape(f, n, d->source, sizeof(d->source));
	return 1;
}

/* Our own mount table: --procfs describes the kernel, not our namespace. */
static void read_mountinfo(dev_t dev, struct devinfo *d)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return;
	/* The last match is the one on top. */
	while (fgets(line, sizeof(line), f)) {
		struct devinfo m = { 0 };

		if (mountinfo_match(line, major(dev), minor(dev), &m) == 1) {
			memcpy(d->mountpoint, m.mountpoint, sizeof(d->mountpoint));
			memcpy(d->fstype, m.fstype, sizeof(d->fstype));
			memcpy(d->source, m.source, sizeof(d->source));
		}
	}
	fclose(f);
}

/*
 * Probe for the superblocks of `type` only (NULL: of every type libblkid
 * knows, which reads about 1 MiB of the device).  1 when found.
 */
static int probe_superblock(struct devinfo *d, const char *type)
{
	char *only[] = { (char *)type, NULL };
	const char *v;
	blkid_probe pr = blkid_new_probe_from_filename(d->device);
	int found;

	if (!pr)
		return 0;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_LABEL | BLKID_SUBLKS_UUID |
					  BLKID_SUBLKS_TYPE);
	if (type)
		blkid_probe_filter_superblocks_type(pr, BLKID_FLTR_ONLYIN, only);
	found = blkid_do_safeprobe(pr) == 0;
	if (found) {
		if (blkid_probe_lookup_value(pr, "LABEL", &v, NULL) == 0)
			snprintf(d->label, sizeof(d->label), "%s", v);
		if (blkid_probe_lookup_value(pr, "UUID", &v, NULL) == 0)
			snprintf(d->uuid, sizeof(d->uuid), "%s", v);
		if (!*d->fstype && blkid_probe_lookup_value(pr, "TYPE", &v, NULL) == 0)
			snprintf(d->fstype, sizeof(d->fstype), "%s", v);
	}
	blkid_free_probe(pr);
	return found;
}

/*
 * Label and UUID from the superblock; needs read access to the device.
 * The mount table names the type, which libblkid mostly calls the same
 * (ext4, xfs, btrfs, vfat); when it does not, every type is tried.
 */
static void probe_device(struct devinfo *d)
{
	if (!*d->fstype || !probe_superblock(d, d->fstype))
		probe_superblock(d, NULL);
}

void devinfo_read(int fd, struct devinfo *d)
{
	struct statvfs sv;
	struct stat st;
	char *name;

	memset(d, 0, sizeof(*d));
	if (fstatvfs(fd, &sv) == 0) {
		d->free_bytes = (uint64_t)sv.f_bavail * sv.f_frsize;
		d->total_bytes = (uint64_t)sv.f_blocks * sv.f_frsize;
		d->read_only = sv.f_flag & ST_RDONLY;
	}
	if (fstat(fd, &st) < 0)
		return;
	read_mountinfo(st.st_dev, d);
	/*
	 * Anonymous devices (tmpfs, overlay, btrfs subvolumes) have none.
	 * Without libblkid, status shows what mountinfo says, no label or UUID.
	 */
	if (!major(st.st_dev) || dl_require(DL_BLKID, NULL) < 0)
		return;
	name = blkid_devno_to_devname(st.st_dev);
	if (name) {
		snprintf(d->device, sizeof(d->device), "%s", name);
		free(name);
		probe_device(d);
	}
}

int devinfo_resolve(const char *spec, char *dev, size_t size,
		    struct khdr_err *e)
{
	char *name;
	int r = dl_require(DL_BLKID, e);

	if (r < 0)
		return r;
	name = blkid_evaluate_tag(spec, NULL, NULL);
	if (!name)
		return err_set(e, ENODEV, "no device matches '%s' (a path, or LABEL=, UUID=, PARTLABEL=, PARTUUID=)",
			       spec);
	snprintf(dev, size, "%s", name);
	free(name);
	return 0;
}

int devinfo_fstype(const char *dev, char *type, size_t size, struct khdr_err *e)
{
	blkid_probe pr;
	const char *v;
	int r = dl_require(DL_BLKID, e);

	if (r < 0)
		return r;
	r = -ENODEV;
	pr = blkid_new_probe_from_filename(dev);
	if (!pr)
		return err_set(e, errno ? errno : EACCES, "cannot probe %s: %s", dev,
			       strerror(errno ? errno : EACCES));
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
	if (blkid_do_safeprobe(pr) == 0 && blkid_probe_lookup_value(pr, "TYPE", &v, NULL) == 0) {
		snprintf(type, size, "%s", v);
		r = 0;
	}
	blkid_free_probe(pr);
	return r < 0 ? err_set(e, ENODEV, "no file system found on %s", dev) : 0;
}
