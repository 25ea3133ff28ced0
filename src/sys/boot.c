/* SPDX-License-Identifier: GPL-2.0-or-later */
/* boot.c - what install --boot adds: the command line switches, a read-only root, staging, modprobe. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/log.h"
#include "base/spawn.h"
#include "format/cmdline.h"
#include "sys/boot.h"
#include "sys/devinfo.h"

static bool read_cmdline(const struct khdr_ctx *ctx, char *line, size_t size)
{
	char path[4096];
	size_t len;

	if (ctx_path(ctx, CTX_PROCFS, path, sizeof(path), "/cmdline") < 0 ||
	    read_small_file(AT_FDCWD, path, line, size - 1, &len) < 0)
		return false;
	line[len] = '\0';
	return true;
}

bool boot_in_initramfs(void)
{
	struct statfs fs;

	/* systemd's in_initrd() test: the initramfs runs from a ramfs or tmpfs. */
	return statfs("/", &fs) == 0 &&
	       ((unsigned long)fs.f_type == RAMFS_MAGIC || (unsigned long)fs.f_type == TMPFS_MAGIC);
}

const char *boot_kmsg_path(const struct khdr_ctx *ctx)
{
	const char *asked = getenv("KHDR_KMSG");

	if (asked && *asked)
		return asked;
	if (!*ctx->prefix || boot_in_initramfs())
		return "/dev/kmsg";
	return NULL;
}

bool boot_disabled(const struct khdr_ctx *ctx)
{
	char line[4096];

	return read_cmdline(ctx, line, sizeof(line)) && cmdline_khdr_off(line);
}

const char *boot_cache_spec(const struct khdr_ctx *ctx, const char *configured,
			    char *buf, size_t size)
{
	char line[4096];

	if (read_cmdline(ctx, line, sizeof(line)) && cmdline_cache_spec(line, buf, size))
		return buf;
	return configured;
}

bool is_mount_point(const char *path)
{
	char parent[4096];
	struct stat a, b;

	return path_fmt(parent, sizeof(parent), "%s/..", path) == 0 &&
	       lstat(path, &a) == 0 && S_ISDIR(a.st_mode) && stat(parent, &b) == 0 &&
	       a.st_dev != b.st_dev;
}

static int open_run_dir(const char *run_dir, struct khdr_err *e);

int boot_mount_cache(const char *spec, const char *run_dir, const char *target,
		     struct khdr_err *e)
{
	char dev[4096], type[64];
	int r, fd;

	if ((r = devinfo_resolve(spec, dev, sizeof(dev), e)) < 0 ||
	    (r = devinfo_fstype(dev, type, sizeof(type), e)) < 0)
		return r;
	if ((fd = open_run_dir(run_dir, e)) < 0)
		return fd;
	close(fd);
	if (mkdir(target, 0755) < 0 && errno != EEXIST)
		return err_set(e, errno, "cannot create %s: %s", target, strerror(errno));
	if (!is_mount_point(target) &&
	    mount(dev, target, type, MS_NOSUID | MS_NODEV, NULL) < 0)
		return err_set(e, errno, "cannot mount %s (%s, %s) at %s: %s", dev, spec, type,
			       target, strerror(errno));
	log_info("cache device %s (%s) mounted at %s", dev, type, target);
	return 0;
}

bool root_read_only(const char *root)
{
	struct statvfs sv;

	return statvfs(root, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

/* The run dir: created 0755 by root, or refused when others could write it. */
static int open_run_dir(const char *run_dir, struct khdr_err *e)
{
	struct stat st;
	int fd;

	if (mkdir(run_dir, 0755) < 0 && errno != EEXIST)
		return err_set(e, errno, "cannot create %s: %s", run_dir, strerror(errno));
	fd = open(run_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno, "cannot open %s: %s", run_dir, strerror(errno));
	if (fstat(fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 022)) {
		close(fd);
		return err_set(e, EPERM, "refusing to stage in %s: it must be root's and writable by nobody else",
			       run_dir);
	}
	return fd;
}

static int copy_input(struct input *in, int fd)
{
	uint8_t buf[1 << 15];
	uint64_t off = 0;

	while (off < in->size) {
		size_t n = in->size - off < sizeof(buf) ? (size_t)(in->size - off) : sizeof(buf);
		int r = input_pread(in, off, buf, n);

		if (r < 0)
			return r;
		for (size_t done = 0; done < n; ) {
			ssize_t w = write(fd, buf + done, n - done);

			if (w < 0 && errno != EINTR)
				return -errno;
			done += w > 0 ? (size_t)w : 0;
		}
		off += n;
	}
	return 0;
}

int boot_stage_copy(struct input *in, const char *run_dir,
		    const char *build_id, struct khdr_err *e)
{
	char name[256], tmp[300];
	int dfd, fd, r;

	if (in->size == INPUT_SIZE_UNKNOWN)
		return err_set(e, ESPIPE, "cannot stage a copy: the archive's size is unknown");
	dfd = open_run_dir(run_dir, e);
	if (dfd < 0)
		return dfd;
	snprintf(name, sizeof(name), "%s.tar.xz", build_id);
	snprintf(tmp, sizeof(tmp), ".%s.%d", name, (int)getpid());
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		r = err_set(e, errno, "cannot create %s/%s: %s", run_dir, tmp, strerror(errno));
		close(dfd);
		return r;
	}
	r = copy_input(in, fd);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(dfd, tmp, dfd, name) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dfd, tmp, 0);
		err_set(e, r, "cannot stage %s/%s: %s", run_dir, name, strerror(-r));
	}
	close(dfd);
	return r;
}

int boot_modprobe(bool remove)
{
	char *const load[] = { "modprobe", "-q", "kheaders", NULL };
	char *const unload[] = { "modprobe", "-q", "-r", "kheaders", NULL };
	struct spawn sp = { .argv = remove ? unload : load, .quiet = true };
	int r = spawn_run(&sp, NULL, NULL);

	if (r < 0)
		return r == -ECHILD ? -ENOENT : r;
	log_info("%s the kheaders module", remove ? "unloaded" : "loaded");
	return 0;
}
