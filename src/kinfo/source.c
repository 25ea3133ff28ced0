/* SPDX-License-Identifier: GPL-2.0-or-later */
/* source.c - where the archive comes from (DESIGN.md 5), and opening it, module or .tar.xz. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/names.h"
#include "format/elf.h"
#include "format/kmodule.h"
#include "stream/decomp.h"
#include "kinfo/source.h"

#define MODULE_MAX (512u << 20)
/*
 * How much of a compressed file holds_elf() reads to decode its first 64
 * bytes: xz and gzip decode as their bytes come, so 64 KiB (what input.c
 * reads first) is plenty; zstd decodes a compressed block only once all of
 * it is in, up to 128 KiB (ZSTD_BLOCKSIZE_MAX) after at most 21 bytes of
 * frame and block header.
 */
#define HEAD_STREAMED (64u << 10)
#define HEAD_ZSTD ((128u << 10) + 32)

static const char *const module_suffixes[] = { "", ".xz", ".zst", ".gz" };

/* Where depmod would put a kheaders module, most preferred first. */
static const char *const module_dirs[] = {
	"updates", "updates/dkms", "extra", "kernel/kernel",
};

const char *source_kind_name(enum source_kind k)
{
	static const char *const names[] = {
		[SOURCE_ARGUMENT] = "argument",
		[SOURCE_STAGED] = "staged",
		[SOURCE_SYSFS_BUILTIN] = "sysfs-builtin",
		[SOURCE_SYSFS_MODULE] = "sysfs-module",
		[SOURCE_MODULE_FILE] = "module-file",
	};
	return name_of(names, ARRAY_SIZE(names), k);
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Root wrote it, and nobody else can change it. */
static bool root_only(const struct stat *st)
{
	return st->st_uid == 0 && !(st->st_mode & 022);
}

/*
 * A staged copy counts only when its directory and the file itself are
 * root's alone; the checks are made on what was opened, without following
 * a symlink, so nothing can be swapped in between.  Anything else is
 * ignored with a warning (someone may be planting headers).
 */
static bool open_staged(struct source *s, const char *run_dir)
{
	struct stat st;
	int fd;

	if (lstat(run_dir, &st) < 0)
		return false;
	if (!S_ISDIR(st.st_mode) || !root_only(&st)) {
		log_warn("ignoring staged archives in %s: the directory is not root's alone",
			 run_dir);
		return false;
	}
	fd = open(s->path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno != ENOENT)
			log_warn("ignoring %s: %s", s->path, strerror(errno));
		return false;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !root_only(&st)) {
		log_warn("ignoring %s: not a regular file owned by root and writable only by root",
			 s->path);
		close(fd);
		return false;
	}
	input_from_fd(&s->in, fd, &st);
	return true;
}

static bool is_module_name(const char *name)
{
	for (size_t i = 0; i < sizeof(module_suffixes) / sizeof(*module_suffixes); i++) {
		char want[32];

		snprintf(want, sizeof(want), "kheaders.ko%s", module_suffixes[i]);
		if (strcmp(name, want) == 0)
			return true;
	}
	return false;
}

/* modules.dep names the module depmod chose: "kernel/kernel/kheaders.ko:". */
static bool module_from_dep(const char *moddir, char *out, size_t size)
{
	char path[PATH_MAX], line[4096];
	bool found = false;
	FILE *f;

	if (path_fmt(path, sizeof(path), "%s/modules.dep", moddir) < 0 ||
	    !(f = fopen(path, "re")))
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *base;

		if (!colon)
			continue;
		*colon = '\0';
		base = strrchr(line, '/');
		base = base ? base + 1 : line;
		found = is_module_name(base) && line[0] != '/' &&
			path_fmt(out, size, "%s/%s", moddir, line) == 0 &&
			exists(out);
	}
	fclose(f);
	return found;
}

static bool module_from_dirs(const char *moddir, char *out, size_t size)
{
	for (size_t d = 0; d < sizeof(module_dirs) / sizeof(*module_dirs); d++)
		for (size_t i = 0; i < sizeof(module_suffixes) / sizeof(*module_suffixes); i++)
			if (path_fmt(out, size, "%s/%s/kheaders.ko%s", moddir,
				     module_dirs[d], module_suffixes[i]) == 0 &&
			    exists(out))
				return true;
	return false;
}

/*
 * Last resort when modules.dep is missing or stale: walk the module tree,
 * never through symlinks (build, source), at most SEARCH_DEPTH deep and
 * SEARCH_ENTRIES entries in all, so a huge or looping tree cannot stall
 * the boot.
 */
#define SEARCH_DEPTH 6
#define SEARCH_ENTRIES 50000

static bool search_dir(const char *dir, int depth, long *budget, char *out,
		       size_t size)
{
	struct dirent *d;
	bool found = false;
	DIR *dp = opendir(dir);

	if (!dp)
		return false;
	while (!found && (d = readdir(dp)) && --*budget > 0) {
		char path[PATH_MAX];
		struct stat st;

		if (d->d_name[0] == '.' ||
		    path_fmt(path, sizeof(path), "%s/%s", dir, d->d_name) < 0 ||
		    lstat(path, &st) < 0)
			continue;
		if (S_ISREG(st.st_mode) && is_module_name(d->d_name))
			found = path_fmt(out, size, "%s", path) == 0;
		else if (S_ISDIR(st.st_mode) && depth < SEARCH_DEPTH)
			found = search_dir(path, depth + 1, budget, out, size);
	}
	closedir(dp);
	return found;
}

static bool module_search(const char *moddir, char *out, size_t size)
{
	long budget = SEARCH_ENTRIES;

	return search_dir(moddir, 1, &budget, out, size);
}

int source_find(struct source *s, const struct khdr_ctx *ctx, const char *archive,
		const struct kernel_id *k, struct khdr_err *e)
{
	char moddir[PATH_MAX], module[PATH_MAX];

	memset(s, 0, sizeof(*s));
	s->in.fd = -1;
	if (archive) {
		s->kind = SOURCE_ARGUMENT;
		return path_fmt(s->path, sizeof(s->path), "%s", archive) < 0
			       ? err_set(e, ENAMETOOLONG, "--archive path too long")
			       : 0;
	}
	/* Staged copies and sysfs are the running kernel's. */
	if (!k->offline && *k->build_id_hex &&
	    ctx_path(ctx, CTX_RUN_DIR, s->path, sizeof(s->path), "/%s.tar.xz",
		     k->build_id_hex) == 0 &&
	    open_staged(s, ctx->run_dir)) {
		s->kind = SOURCE_STAGED;
		return 0;
	}
	if (!k->offline &&
	    ctx_path(ctx, CTX_SYSFS, s->path, sizeof(s->path), "/kernel/kheaders.tar.xz") == 0 &&
	    exists(s->path)) {
		char modpath[PATH_MAX];

		ctx_path(ctx, CTX_SYSFS, modpath, sizeof(modpath), "/module/kheaders");
		s->kind = exists(modpath) ? SOURCE_SYSFS_MODULE : SOURCE_SYSFS_BUILTIN;
		return 0;
	}
	if (ctx_path(ctx, CTX_ROOT, moddir, sizeof(moddir), "/lib/modules/%s",
		     k->release) == 0 &&
	    (module_from_dep(moddir, module, sizeof(module)) ||
	     module_from_dirs(moddir, module, sizeof(module)) ||
	     module_search(moddir, module, sizeof(module)))) {
		s->kind = SOURCE_MODULE_FILE;
		memcpy(s->path, module, sizeof(s->path));
		return 0;
	}
	if (k->offline)
		return err_set(e, ENOENT, "no headers archive for %s: no kheaders module in %s; "
			       "pass --archive FILE", k->release, moddir);
	return err_set(e, ENOENT,
		       "no headers archive: kernel built without CONFIG_IKHEADERS "
		       "(no %s/kernel/kheaders.tar.xz) and no kheaders module in %s; "
		       "pass --archive FILE",
		       ctx->sysfs, moddir);
}

/* Load a module file, decompress it, and point s->in at its archive. */
static int open_module(struct source *s, enum comp comp, struct khdr_err *e)
{
	uint8_t *file = NULL, *ko;
	size_t file_len, ko_len, n;
	const uint8_t *p;
	int r;

	r = input_slurp(&s->in, MODULE_MAX, &file, &file_len, e);
	input_close(&s->in);
	if (r < 0)
		return r;
	if (comp != COMP_NONE) {
		r = decompress_buffer(comp, file, file_len, MODULE_MAX, &ko,
				      &ko_len, e);
		free(file);
		if (r < 0)
			return r;
	} else {
		ko = file;
		ko_len = file_len;
	}
	r = module_archive(ko, ko_len, &p, &n, s->vermagic, sizeof(s->vermagic), e);
	if (r < 0) {
		free(ko);
		return r;
	}
	s->is_module = true;
	input_from_memory(&s->in, p, n, ko);
	return 0;
}

/* Does the compressed file hold an ELF image?  Decodes a copy of its head. */
static bool holds_elf(struct input *file, enum comp comp)
{
	size_t len = comp == COMP_ZSTD ? HEAD_ZSTD : HEAD_STREAMED;
	uint8_t *head;
	struct input in;
	struct decoder d;
	const uint8_t *p;
	size_t n = 0;
	bool elf = false;

	if (len > file->size)
		len = (size_t)file->size;       /* a short file: what is there */
	head = malloc(len);
	if (!head || input_pread(file, 0, head, len) < 0) {
		free(head);
		return false;
	}
	input_from_memory(&in, head, len, head);
	if (decoder_init(&d, comp, &in, 64, NULL) == 0) {
		elf = decoder_fill(&d, &p, &n, NULL) == 0 && elf_is_elf(p, n);
		decoder_end(&d);
	}
	input_close(&in);
	return elf;
}

int source_open(struct source *s, struct khdr_err *e)
{
	uint8_t magic[8];
	enum comp comp;
	int r;

	/* A staged copy was opened (and checked) when it was chosen. */
	r = s->in.fd >= 0 ? 0 : input_open_file(&s->in, AT_FDCWD, s->path, e);
	if (r < 0)
		return r;
	if (input_pread(&s->in, 0, magic, sizeof(magic)) < 0) {
		input_close(&s->in);
		return err_set(e, EBADMSG, "%s is too short to be an archive or a module",
			       s->path);
	}
	comp = comp_detect(magic, sizeof(magic));
	if (elf_is_elf(magic, sizeof(magic)))
		r = open_module(s, COMP_NONE, e);
	else if (comp != COMP_NONE && !comp_supported(comp))
		r = err_set(e, ENOTSUP, "%s-compressed, but khdr-cache was built without %s support",
			    comp_name(comp), comp_name(comp));
	else if (comp != COMP_NONE && holds_elf(&s->in, comp))
		r = open_module(s, comp, e);
	else if (comp == COMP_XZ)
		r = 0;                  /* the .tar.xz itself */
	else
		r = err_set(e, EBADMSG,
			    "unrecognised format: neither a .tar.xz archive nor a kheaders module (.ko, .ko.xz, .ko.zst, .ko.gz)");
	if (r < 0) {
		input_close(&s->in);
		return err_wrap(e, "%s", s->path);
	}
	return 0;
}

void source_close(struct source *s)
{
	input_close(&s->in);
}
