/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kernel.c - which kernel: the running one (/proc/version, notes) or an installed one (its image). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/log.h"
#include "stream/input.h"
#include "kinfo/kernel.h"
#include "kinfo/kimage.h"

/*
 * uname -v of the release we install for: <procfs>/sys/kernel/version, or
 * the tail of <procfs>/version when that line is about the same release.
 */
static void read_uts_version(struct kernel_id *k, const struct khdr_ctx *ctx)
{
	char path[4096], line[256];
	size_t n;

	if (ctx_path(ctx, CTX_PROCFS, path, sizeof(path), "/sys/kernel/version") == 0 &&
	    read_small_file(AT_FDCWD, path, line, sizeof(line), &n) == 0) {
		line[strcspn(line, "\n")] = '\0';
		snprintf(k->uts_version, sizeof(k->uts_version), "%s", line);
		return;
	}
	if (k->have_version && strcmp(k->version.release, k->release) == 0)
		snprintf(k->uts_version, sizeof(k->uts_version), "%s",
			 k->version.uts_version);
}

static void read_build_id(struct kernel_id *k, const struct khdr_ctx *ctx)
{
	char path[4096];
	uint8_t buf[64 * 1024];
	size_t len = 0;
	int fd, r;

	if (ctx_path(ctx, CTX_SYSFS, path, sizeof(path), "/kernel/notes") < 0)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_debug("no %s: the kernel has no notes", path);
		return;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);

		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == sizeof(buf))
			break;
	}
	close(fd);
	r = notes_find_build_id_native(buf, len, &k->build_id);
	if (r == -EBADMSG)
		log_warn("%s is malformed; going on without a build ID", path);
	if (r < 0)
		k->build_id.len = 0;
	hex_encode(k->build_id.bytes, k->build_id.len, k->build_id_hex);
}

/*
 * The release asked for: -r, else the one <procfs>/version names, so that a
 * simulated --procfs is one machine with its --sysfs.  uname(2) only stands
 * in for the real /proc, never for a --procfs given.
 */
static int target_release(struct kernel_id *k, const struct kernel_query *q,
			  const char *version, struct khdr_err *e)
{
	struct utsname u;

	if (q->release) {
		snprintf(k->release, sizeof(k->release), "%s", q->release);
	} else if (k->have_version) {
		snprintf(k->release, sizeof(k->release), "%s", k->version.release);
	} else if (strcmp(q->ctx->procfs, "/proc") != 0) {
		return err_set(e, ENOENT, "cannot read the running release from %s "
			       "(no 'Linux version R ...' line there); pass --kernel-release R",
			       version);
	} else {
		if (uname(&u) < 0)
			return err_set(e, errno, "uname: %s", strerror(errno));
		snprintf(k->release, sizeof(k->release), "%s", u.release);
	}
	if (!release_valid(k->release))
		return err_set(e, EINVAL, "invalid kernel release '%s'", k->release);
	return 0;
}

int kernel_identify(struct kernel_id *k, const struct kernel_query *q,
		    struct khdr_err *e)
{
	char path[4096] = "", line[2048];
	int r;

	memset(k, 0, sizeof(*k));
	if (ctx_path(q->ctx, CTX_PROCFS, path, sizeof(path), "/version") == 0 &&
	    read_small_file(AT_FDCWD, path, line, sizeof(line), NULL) == 0)
		k->have_version = proc_version_parse(line, &k->version) == 0;
	snprintf(k->version_file, sizeof(k->version_file), "%s", path);
	r = target_release(k, q, path, e);
	if (r < 0)
		return r;
	/* The running kernel's notes say who it is; another's come from its image. */
	k->offline = kernel_is_offline(k, q);
	if (!k->offline) {
		read_build_id(k, q->ctx);
		read_uts_version(k, q->ctx);
	}
	return 0;
}

const char *kernel_against(const struct kernel_id *k, char *buf, size_t size)
{
	if (!k->offline)
		return "the running kernel";
	snprintf(buf, size, "the kernel image %s", *k->image ? k->image : "(none found)");
	return buf;
}

const char *kernel_which(const struct kernel_id *k, char *buf, size_t size)
{
	if (!k->offline)
		return "running";
	if (!*k->image)
		return "installed, not running, no image found";
	snprintf(buf, size, "installed, identified by image %s", k->image);
	return buf;
}

bool kernel_is_offline(const struct kernel_id *k, const struct kernel_query *q)
{
	if (q->image)
		return true;
	return !q->boot && k->have_version &&
	       strcmp(k->version.release, k->release) != 0;
}

int kernel_image_path(const struct kernel_id *k, const struct kernel_query *q,
		      char *buf, size_t size, struct khdr_err *e)
{
	char boot[4096], mods[4096];

	if (q->image)
		return path_fmt(buf, size, "%s", q->image) < 0
			       ? err_set(e, ENAMETOOLONG, "--kernel-image path too long") : 0;
	if (ctx_path(q->ctx, CTX_ROOT, boot, sizeof(boot), "/boot/vmlinuz-%s", k->release) < 0 ||
	    ctx_path(q->ctx, CTX_ROOT, mods, sizeof(mods), "/lib/modules/%s/vmlinuz", k->release) < 0)
		return err_set(e, ENAMETOOLONG, "--root too long");
	if (access(boot, F_OK) == 0)
		return path_fmt(buf, size, "%s", boot);
	if (access(mods, F_OK) == 0)
		return path_fmt(buf, size, "%s", mods);
	return err_set(e, ENOENT, "the image of %s is not there (looked for %s and %s); pass --kernel-image FILE",
		       k->release, boot, mods);
}

/* --kernel-image, else the places distributions install it. */
static int find_image(struct kernel_id *k, const struct kernel_query *q,
		      struct khdr_err *e)
{
	char boot[4096], mods[4096];
	int r = kernel_image_path(k, q, k->image, sizeof(k->image), e);

	if (r == -ENOENT &&
	    ctx_path(q->ctx, CTX_ROOT, boot, sizeof(boot), "/boot/vmlinuz-%s", k->release) == 0 &&
	    ctx_path(q->ctx, CTX_ROOT, mods, sizeof(mods), "/lib/modules/%s/vmlinuz", k->release) == 0)
		err_set(e, ENOENT, "%s is not the running kernel and its image is not there to verify the archive against "
			"(looked for %s and %s); pass --kernel-image FILE", k->release, boot, mods);
	return r;
}

/* The image's build ID; an image without the note keys like a kernel without notes. */
static int image_build_id(struct kernel_id *k, struct khdr_err *e)
{
	struct input in;
	int r = input_open_file(&in, AT_FDCWD, k->image, e);

	if (r < 0)
		return r;
	r = kimage_build_id(&in, &k->build_id, e);
	input_close(&in);
	if (r == -ENOENT) {
		log_warn("%s has no GNU build ID note; the key is the archive's checksum", k->image);
		k->build_id.len = 0;
		r = 0;
	}
	if (r < 0)
		return err_wrap(e, "reading the build ID of %s", k->image);
	hex_encode(k->build_id.bytes, k->build_id.len, k->build_id_hex);
	return 0;
}

/* The image is another release's: install for that release, not with --force. */
static int wrong_image(struct kernel_id *k, const char *banner, struct khdr_err *e)
{
	struct proc_version v;

	if (proc_version_parse(banner, &v) < 0 || !release_valid(v.release))
		return err_set(e, EPERM, "%s is not the image of %s: its banner is '%s'; "
			       "nothing installed (pass the right --kernel-image)", k->image,
			       k->release, banner);
	snprintf(k->image_release, sizeof(k->image_release), "%s", v.release);
	return err_set(e, EPERM, "%s is not the image of %s: its banner is '%s'; nothing installed "
		       "(it is the image of %s: install for that kernel with --kernel-release %s)",
		       k->image, k->release, banner, v.release, v.release);
}

static int image_banner(struct kernel_id *k, const struct kernel_query *q,
			struct khdr_err *e)
{
	char line[BANNER_MAX + 1], other[BANNER_MAX + 1];
	struct input in;
	int r = input_open_file(&in, AT_FDCWD, k->image, e);

	if (r < 0)
		return r;
	r = kimage_banner(&in, k->release, line, sizeof(line), other, sizeof(other), e);
	input_close(&in);
	if (r == -ENOENT && *other && !q->force)
		return wrong_image(k, other, e);
	if (r == -ENOENT) {
		/* Only a manifest's build ID can vouch then; verify says so. */
		log_warn("no 'Linux version %s' banner in %s", k->release, k->image);
		return 0;
	}
	if (r < 0)
		return err_wrap(e, "reading the banner of %s", k->image);
	k->have_version = proc_version_parse(line, &k->version) == 0;
	snprintf(k->uts_version, sizeof(k->uts_version), "%s", k->version.uts_version);
	log_info("%s: %s", k->image, line);
	return 0;
}

int kernel_identify_image(struct kernel_id *k, const struct kernel_query *q,
			  struct khdr_err *e)
{
	int r;

	k->offline = true;
	k->have_version = false;
	k->uts_version[0] = '\0';
	k->build_id.len = 0;
	k->build_id_hex[0] = '\0';
	memset(&k->version, 0, sizeof(k->version));
	r = find_image(k, q, e);
	if (r == -ENOENT && q->force) {
		log_warn("%s (--force: installing unverified)", e->msg);
		memset(e, 0, sizeof(*e));
		return 0;
	}
	if (r < 0)
		return r;
	return image_build_id(k, e);
}

int kernel_identify_target(struct kernel_id *k, const struct kernel_query *q,
			   struct khdr_err *e)
{
	int r = kernel_identify(k, q, e);

	if (r == 0 && k->offline)
		r = kernel_identify_image(k, q, e);
	return r;
}

int kernel_identify_installed(struct kernel_id *k, const struct kernel_query *q,
			      struct khdr_err *e)
{
	int r = kernel_identify_target(k, q, e);

	/* Not found in the usual places (an explicit --kernel-image must be there). */
	if (r == -ENOENT && k->offline && !*k->image) {
		log_info("%s", e->msg);
		memset(e, 0, sizeof(*e));
		return 0;
	}
	return r;
}

int kernel_image_banner(struct kernel_id *k, const struct kernel_query *q,
			struct khdr_err *e)
{
	/* Read once, and only from an image (--force without one has none). */
	if (!k->offline || !*k->image || k->banner_read)
		return 0;
	k->banner_read = true;
	return image_banner(k, q, e);
}
