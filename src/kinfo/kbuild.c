/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kbuild.c - a headers-only tree made kbuild-capable: the kit of its version, the files of its build. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "fs/copyinto.h"
#include "kinfo/kbuild.h"

#define AUTOCONF_H "include/generated/autoconf.h"

/* A small text file of dir, malloc'd and NUL-terminated. */
static int read_text(int dir, const char *path, size_t max, char **text, size_t *len)
{
	char *buf = malloc(max + 1);
	int r;

	if (!buf)
		return -ENOMEM;
	r = read_small_file(dir, path, buf, max, len);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[*len] = '\0';
	*text = buf;
	return 0;
}

/* The LINUX_VERSION_CODE of the headers in tree. */
static int tree_version(int tree, unsigned long *code, struct khdr_err *e)
{
	char buf[4096];
	size_t len;
	int r = read_small_file(tree, KIT_VERSION_H, buf, sizeof(buf), &len);

	if (r < 0)
		return err_set(e, ENOENT, "the headers have no %s (%s): their version is unknown",
			       KIT_VERSION_H, strerror(-r));
	if (kit_version_code(buf, len, code) < 0)
		return err_set(e, ENOENT, "the headers' %s has no LINUX_VERSION_CODE", KIT_VERSION_H);
	return 0;
}

static bool tree_has_arch(int tree, const char *srcarch)
{
	char path[128];
	struct stat st;

	return path_fmt(path, sizeof(path), "arch/%s/include", srcarch) == 0 &&
	       fstatat(tree, path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Its programs run in every module build, as root under DKMS: a kit
 * another user can change is none (the rule staged copies follow).
 */
static int kit_trusted(const char *dir, struct khdr_err *e)
{
	struct stat st;

	if (lstat(dir, &st) < 0)
		return err_set(e, errno, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return err_set(e, ENOTDIR, "%s is not a kbuild kit: not a directory", dir);
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022))
		return err_set(e, EPERM, "the kit %s is not used: it is owned by uid %u with mode %04o, "
			       "and only root may be able to change a kit",
			       dir, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
	return 0;
}

/* dir's manifest into m; -errno with e naming the file. */
static int read_kit(const char *dir, struct kbuild_made *m, struct khdr_err *e)
{
	char path[PATH_MAX];
	int r;

	if ((r = kit_trusted(dir, e)) < 0)
		return r;

	free(m->kit_text);
	m->kit_text = NULL;
	if (path_fmt(path, sizeof(path), "%s/%s", dir, KIT_MANIFEST) < 0)
		return err_set(e, ENAMETOOLONG, "path too long: %s", dir);
	r = read_text(AT_FDCWD, path, KIT_MANIFEST_MAX, &m->kit_text, &m->kit_len);
	if (r < 0)
		return err_set(e, -r, "%s is not a kbuild kit: cannot read %s: %s", dir, path,
			       strerror(-r));
	r = kit_parse(&m->kit_m, m->kit_text, m->kit_len, e);
	if (r < 0)
		return err_wrap(e, "%s", path);
	return path_fmt(m->kit, sizeof(m->kit), "%s", dir) < 0
		       ? err_set(e, ENAMETOOLONG, "path too long: %s", dir) : 0;
}

/* --kit DIR: its version must be the headers', unless forced. */
static int named_kit(int tree, unsigned long code, const struct kbuild_query *q,
		     struct kbuild_made *m, struct khdr_err *e)
{
	int r = read_kit(q->kit, m, e);

	if (r < 0)
		return r;
	if (!tree_has_arch(tree, m->kit_m.srcarch))
		return err_set(e, EPERM, "the kit %s is for arch/%s, which the headers do not have",
			       q->kit, m->kit_m.srcarch);
	if (m->kit_m.version_code == code)
		return 0;
	if (!q->force)
		return err_set(e, EPERM,
			       "the kit %s is for Linux %s, the headers for Linux %s (LINUX_VERSION_CODE %lu): "
			       "nothing installed; install " KBUILD_KIT_PACKAGE "%s, or --force to use this kit anyway",
			       q->kit, m->kit_m.version, m->tree_version, code, m->tree_version);
	log_warn("using the kit %s for Linux %s with the headers for Linux %s (--force)", q->kit,
		 m->kit_m.version, m->tree_version);
	m->kit_forced = true;
	return 0;
}

/* Among the kits under the root, the one of the headers' version and arch. */
static int installed_kit(int tree, unsigned long code, const struct kbuild_query *q,
			 struct kbuild_made *m, struct khdr_err *e)
{
	char kits[PATH_MAX], dir[PATH_MAX], others[256] = "";
	struct khdr_err why;
	struct dirent **names;
	int n, r = -ENOENT;

	if (ctx_path(q->ctx, CTX_ROOT, kits, sizeof(kits), "%s", KBUILD_KITS_DIR) < 0)
		return err_set(e, ENAMETOOLONG, "--root too long");
	n = scandir(kits, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		size_t used = strlen(others);

		if (r == -ENOENT && *names[i]->d_name != '.' &&
		    path_fmt(dir, sizeof(dir), "%s/%s", kits, names[i]->d_name) == 0) {
			if (read_kit(dir, m, &why) < 0) {
				log_warn("%s; not used", why.msg);   /* a broken kit says so once */
				snprintf(others + used, sizeof(others) - used, "%s%.64s (no kit)",
					 used ? ", " : "", names[i]->d_name);
			} else if (m->kit_m.version_code == code && tree_has_arch(tree, m->kit_m.srcarch)) {
				r = 0;
			} else {
				snprintf(others + used, sizeof(others) - used, "%s%s (%s)",
					 used ? ", " : "", m->kit_m.version, m->kit_m.srcarch);
			}
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	if (r == 0)
		return 0;
	return err_set(e, ENOENT, "no kbuild kit for Linux %s in %s%s%s: "
		       KBUILD_KIT_PACKAGE "%s makes a kbuild tree of these headers",
		       m->tree_version, kits, *others ? "; it has kits for " : "", others,
		       m->tree_version);
}

int kbuild_find_kit(int tree, const struct kbuild_query *q, struct kbuild_made *m,
		    struct khdr_err *e)
{
	unsigned long code;
	int r = tree_version(tree, &code, e);

	if (r < 0)
		return r;
	kit_version_name(code, m->tree_version, sizeof(m->tree_version));
	return q->kit ? named_kit(tree, code, q, m, e) : installed_kit(tree, code, q, m, e);
}

static void count_file(int tree, const char *path, struct kbuild_made *m)
{
	struct stat st;

	if (fstatat(tree, path, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		m->files++;
		m->bytes += S_ISREG(st.st_mode) ? (unsigned long long)st.st_size : 0;
	}
}

/* Each file the kit lists, where the headers have nothing of that name. */
static int copy_kit(int tree, struct kbuild_made *m, struct khdr_err *e)
{
	char path[PATH_MAX];
	size_t pos = 0;
	int kit, r;

	kit = open(m->kit, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (kit < 0)
		return err_set(e, errno, "cannot open the kit %s: %s", m->kit, strerror(errno));
	while ((r = kit_next_file(&m->kit_m, &pos, path, sizeof(path))) == 1) {
		r = copy_into(kit, tree, path, e);
		if (r < 0)
			break;
		if (r == 1)
			count_file(tree, path, m);
		m->copied += (unsigned long)r;
	}
	close(kit);
	if (r < 0)
		return err_wrap(e, "the kit %s", m->kit);
	return 0;
}

/* A new file of the tree, its directories made; the headers never have one. */
static int write_new(int tree, const char *path, const char *text, size_t len,
		     struct khdr_err *e)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	ssize_t w = 0;
	int fd, r = 0;

	if (slash && (size_t)(slash - path) < sizeof(dir)) {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		if ((r = mkdir_p_at(tree, dir, 0755)) < 0)
			return err_set(e, -r, "making %s: %s", dir, strerror(-r));
	}
	fd = openat(tree, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_set(e, errno, "writing %s: %s%s", path, strerror(errno),
			       errno == EEXIST ? " (the archive has one: it is no headers-only archive)" : "");
	for (size_t off = 0; off < len && w >= 0; off += (size_t)w)
		w = write(fd, text + off, len - off);
	if (w < 0)
		r = err_set(e, errno, "writing %s: %s", path, strerror(errno));
	if (close(fd) < 0 && r == 0)
		r = err_set(e, errno, "writing %s: %s", path, strerror(errno));
	return r;
}

/* The kit's manifest goes along, saying for which headers a forced kit was used. */
static int write_manifest(int tree, const struct kbuild_made *m, struct khdr_err *e)
{
	const char *list = m->kit_m.list;
	size_t head = (size_t)(list - m->kit_text);
	char *text;
	size_t len;
	FILE *f;
	int r;

	if (!m->kit_forced)
		return write_new(tree, KIT_MANIFEST, m->kit_text, m->kit_len, e);
	if (!(f = open_memstream(&text, &len)))
		return err_set(e, ENOMEM, "out of memory");
	fwrite(m->kit_text, 1, head, f);
	fprintf(f, "forced=%s\n", m->tree_version);
	fwrite(list, 1, m->kit_len - head, f);
	if (fclose(f) != 0)
		return err_set(e, ENOMEM, "out of memory");
	r = write_new(tree, KIT_MANIFEST, text, len, e);
	free(text);
	return r;
}

/* Module.symvers of the kernel's own image and modules; the image must be the kernel's. */
static int write_symvers(int tree, const struct kbuild_query *q, struct kbuild_made *m,
			 struct khdr_err *e)
{
	char have[2 * BUILD_ID_MAX + 1];
	struct stat st;
	FILE *f;
	int fd, r;

	if ((r = kernel_image_path(q->k, q->kq, m->image, sizeof(m->image), e)) < 0)
		return err_wrap(e, "Module.symvers is made from the kernel's image");
	if (ctx_path(q->ctx, CTX_ROOT, m->modules, sizeof(m->modules), "/lib/modules/%s/kernel",
		     q->k->release) < 0)
		return err_set(e, ENAMETOOLONG, "--root too long");
	if (stat(m->modules, &st) < 0 || !S_ISDIR(st.st_mode))
		*m->modules = '\0';     /* a kernel without modules: the image's exports */
	fd = openat(tree, "Module.symvers", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		r = err_set(e, errno, "writing Module.symvers: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return r;
	}
	r = symvers_write(AT_FDCWD, m->image, *m->modules ? m->modules : NULL, f, &m->symvers, e);
	if (fclose(f) != 0 && r == 0)
		r = err_set(e, errno, "writing Module.symvers: %s", strerror(errno));
	if (r < 0)
		return r;
	if (q->k->build_id.len && (m->symvers.id.len != q->k->build_id.len ||
				   memcmp(m->symvers.id.bytes, q->k->build_id.bytes, q->k->build_id.len))) {
		hex_encode(m->symvers.id.bytes, m->symvers.id.len, have);
		return err_set(e, EPERM, "%s is not the image of this kernel: its build ID is %s, the kernel's %s; "
			       "its exports would not be the kernel's (pass the right --kernel-image)",
			       m->image, m->symvers.id.len ? have : "none", q->k->build_id_hex);
	}
	return 0;
}

/*
 * The configuration autoconf.h was made from; numeric->n is 0 when the kit
 * has no list of int and hex symbols (a number 1 then reads as y).
 */
static int derive_config(int tree, const struct kbuild_made *m, struct kconfig *autoconf,
			 struct kconfig *numeric, struct kconfig *out, struct khdr_err *e)
{
	char *text, path[PATH_MAX];
	size_t len;
	int r = read_text(tree, AUTOCONF_H, KCONFIG_MAX, &text, &len);

	if (r < 0)
		return err_set(e, -r, "cannot read the headers' %s: %s", AUTOCONF_H, strerror(-r));
	r = kconfig_parse_autoconf(autoconf, text, len, e);
	autoconf->own = text;   /* the parse cleared it; kconfig_free() frees it */
	if (r < 0)
		return err_wrap(e, "%s", AUTOCONF_H);
	if (path_fmt(path, sizeof(path), "%s/%s", m->kit, KBUILD_KIT_NUMERIC) == 0 &&
	    read_text(AT_FDCWD, path, KCONFIG_MAX, &text, &len) == 0) {
		r = kconfig_parse_config(numeric, (const uint8_t *)text, len, e);
		numeric->own = text;
		if (r < 0)
			return err_wrap(e, "%s", path);
	}
	return kconfig_derive(autoconf, numeric->n ? numeric : NULL, out, e);
}

static int write_formatted(int tree, const char *path, const struct kconfig *c,
			   enum kconfig_style style, const struct kbuild_made *m,
			   struct khdr_err *e)
{
	char title[128], *text;
	size_t len;
	int r;

	snprintf(title, sizeof(title), "Linux/%s %s Kernel Configuration", m->kit_m.srcarch,
		 m->tree_version);
	if ((r = kconfig_format(c, style, title, &text, &len, e)) < 0)
		return r;
	r = write_new(tree, path, text, len, e);
	free(text);
	return r;
}

/*
 * .config: the kernel's own (config.gz, boot/config-R) as it is, else the
 * one autoconf.h was made from.  auto.conf: what autoconf.h says, which is
 * the build's own configuration: distributions strip symbols of the build
 * (CONFIG_BUILD_SALT, CONFIG_MODULE_SIG_KEY, ...) from boot/config-R.  Only
 * a kit without its list of int and hex symbols takes the kernel's config.
 */
static int write_config(int tree, const struct kbuild_query *q, struct kbuild_made *m,
			struct khdr_err *e)
{
	struct kconfig autoconf = { 0 }, numeric = { 0 }, derived = { 0 };
	const struct kconfig *c = q->config;
	int r = derive_config(tree, m, &autoconf, &numeric, &derived, e);

	if (r == 0 && c)
		kconfig_spell_as(&derived, c);
	if (r == 0 && c) {
		snprintf(m->config_from, sizeof(m->config_from), "%s", q->config_from);
		r = write_new(tree, ".config", c->own, c->own_len, e);
	} else if (r == 0) {
		snprintf(m->config_from, sizeof(m->config_from), "%s", AUTOCONF_H);
		r = write_formatted(tree, ".config", &derived, KCONFIG_DOT_CONFIG, m, e);
	}
	if (r == 0 && !numeric.n && c)
		log_warn("the kit %s has no %s: auto.conf is made of %s", m->kit, KBUILD_KIT_NUMERIC,
			 q->config_from);
	else if (r == 0 && !numeric.n)
		log_warn("the kit %s has no %s: int and hex symbols set to 1 read as y", m->kit,
			 KBUILD_KIT_NUMERIC);
	if (r == 0)
		r = write_formatted(tree, "include/config/auto.conf", numeric.n || !c ? &derived : c,
				    KCONFIG_AUTO_CONF, m, e);
	m->config_symbols = derived.n;
	kconfig_free(&derived);
	kconfig_free(&numeric);
	kconfig_free(&autoconf);
	return r;
}

/* What the tree gained, for the stamp's counts: the kit's files and the build's. */
static void count_added(int tree, struct kbuild_made *m)
{
	static const char *const made[] = { KIT_MANIFEST, "Module.symvers", ".config",
					     "include/config/auto.conf",
					     "include/config/kernel.release" };

	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
		count_file(tree, made[i], m);
}

int kbuild_make(int tree, const struct kbuild_query *q, struct kbuild_made *m,
		struct khdr_err *e)
{
	char release[RELEASE_MAX + 1];
	int r;

	snprintf(release, sizeof(release), "%s\n", q->k->release);
	if ((r = copy_kit(tree, m, e)) < 0 ||
	    (r = write_manifest(tree, m, e)) < 0 ||
	    (r = write_symvers(tree, q, m, e)) < 0 ||
	    (r = write_config(tree, q, m, e)) < 0 ||
	    (r = write_new(tree, "include/config/kernel.release", release, strlen(release), e)) < 0)
		return r;
	count_added(tree, m);
	return 0;
}

void kbuild_made_free(struct kbuild_made *m)
{
	free(m->kit_text);
	m->kit_text = NULL;
}
