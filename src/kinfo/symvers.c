/* SPDX-License-Identifier: GPL-2.0-or-later */
/* symvers.c - Module.symvers from a kernel image and its module files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format/elf.h"
#include "format/ksymtab.h"
#include "stream/decomp.h"
#include "stream/input.h"
#include "kinfo/kimage.h"
#include "kinfo/symvers.h"

#define BZIMAGE_MAX  (256u << 20)   /* a compressed kernel image */
#define VMLINUX_MAX  (1ull << 30)   /* its payload, decompressed */
#define MODULE_MAX   (256u << 20)   /* one module, decompressed */
#define HEAD_SIZE    0x250          /* enough for the bzImage header */

struct writer {
	FILE *out;
	const char *module;
	size_t count;
	void (*await)(void *);   /* called before the first decompression */
	void *await_ctx;
};

static int write_line(void *ctx, const struct ksym *s)
{
	struct writer *w = ctx;

	if (fprintf(w->out, "0x%08x\t%s\t%s\t%s\t%s\n", s->crc, s->name, w->module,
		    ksym_kind(s), s->ns) < 0)
		return -EIO;
	w->count++;
	return 0;
}

/* ---- the image ---- */

struct mapping {
	void *p;
	size_t len;
};

static int map_fd(int fd, size_t len, struct mapping *m, struct khdr_err *e)
{
	m->len = len;
	m->p = mmap(NULL, len ? len : 1, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m->p == MAP_FAILED)
		return err_set(e, errno, "cannot map: %s", strerror(errno));
	return 0;
}

/*
 * The payload decompressed into an unnamed in-memory file: its section
 * headers come last, so the whole is needed, but only the few pages of
 * the export tables are then mapped in (resident memory stays small).
 */
static int spill_fd(struct khdr_err *e)
{
	int fd = memfd_create("khdr-vmlinux", MFD_CLOEXEC);

	if (fd < 0)
		fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(e, errno, "cannot make a scratch file for the payload: %s",
			       strerror(errno));
	return fd;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int decompress_payload(const uint8_t *img, size_t len, struct mapping *m,
			      struct khdr_err *e)
{
	const uint8_t *payload, *chunk;
	uint64_t total = 0;
	struct decoder d;
	struct input in;
	size_t n;
	enum comp comp;
	int fd, r;

	if (bzimage_payload(img, len, &payload, &n) < 0)
		return err_set(e, ENOEXEC, "neither a vmlinux nor a bzImage");
	if ((comp = comp_detect(payload, n)) == COMP_NONE)
		return err_set(e, ENOTSUP, "bzImage payload compression not supported (xz, gzip, zstd are)");
	if ((fd = spill_fd(e)) < 0)
		return fd;
	input_from_memory(&in, payload, n, NULL);
	r = decoder_init_embedded(&d, comp, &in, 1u << 20, e);
	while (r == 0 && (r = decoder_fill(&d, &chunk, &n, e)) == 0 && n) {
		if ((total += n) > VMLINUX_MAX)
			r = err_set(e, EFBIG, "the payload decompresses to more than %llu bytes",
				    VMLINUX_MAX);
		else if ((r = write_all(fd, chunk, n)) < 0)
			r = err_set(e, r, "cannot write the payload: %s", strerror(-r));
	}
	if (r == 0 || r != -ENOMEM)
		decoder_end(&d);
	if (r == 0)
		r = map_fd(fd, (size_t)total, m, e);
	close(fd);
	return r;
}

/* The file as it is (a vmlinux), or its payload (a bzImage). */
static int map_image(int dirfd, const char *path, struct mapping *m,
		     struct khdr_err *e)
{
	uint8_t head[4] = { 0 }, *img;
	struct input in;
	size_t len;
	struct stat st;
	int fd, r;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = err_set(e, errno, "cannot open %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return r;
	}
	if (pread(fd, head, sizeof(head), 0) == 4 && elf_is_elf(head, sizeof(head))) {
		r = map_fd(fd, (size_t)st.st_size, m, e);
		close(fd);
		return r;
	}
	input_from_fd(&in, fd, &st);
	r = input_slurp(&in, BZIMAGE_MAX, &img, &len, e);
	input_close(&in);
	if (r < 0)
		return r;
	r = decompress_payload(img, len, m, e);
	free(img);
	return r;
}

static void read_section(const struct elf *elf, const char *name, struct ksym_section *s)
{
	struct elf_shdr sh;

	memset(s, 0, sizeof(*s));
	if (elf_section(elf, name, &sh) < 0 || sh.type == SHT_NOBITS)
		return;
	s->data = elf->data + sh.offset;
	s->addr = sh.addr;
	s->size = sh.size;
}

static int image_exports(const struct mapping *m, struct build_id *id,
			 struct writer *w, struct khdr_err *e)
{
	struct ksym_image im;
	struct elf elf;

	if (elf_parse_header(&elf, m->p, m->len) < 0)
		return err_set(e, ENOEXEC, "the kernel is not an ELF file");
	if (elf.type == ET_REL)
		return err_set(e, ENOEXEC, "a relocatable object (a module?), not a kernel image");
	if (elf_build_id(&elf, id) < 0)
		id->len = 0;
	memset(&im, 0, sizeof(im));
	im.be = elf.be;
	for (int gpl = 0; gpl < 2; gpl++) {
		read_section(&elf, ksym_tab_section[gpl], &im.tab[gpl]);
		read_section(&elf, ksym_crc_section[gpl], &im.crc[gpl]);
	}
	read_section(&elf, KSYM_STRINGS_SECTION, &im.strings);
	if (!im.tab[0].data && !im.tab[1].data)
		return err_set(e, ENOENT, "the kernel has no __ksymtab: section headers stripped?");
	return ksymtab_image(&im, write_line, w, e);
}

int symvers_image(int dirfd, const char *path, struct build_id *id, FILE *out,
		  size_t *count, struct khdr_err *e)
{
	struct writer w = { .out = out, .module = "vmlinux" };
	struct mapping m;
	int r;

	r = map_image(dirfd, path, &m, e);
	if (r < 0)
		return err_wrap(e, "%s", path);
	r = image_exports(&m, id, &w, e);
	munmap(m.p, m.len ? m.len : 1);
	*count = w.count;
	return r < 0 ? err_wrap(e, "%s", path) : 0;
}

/* ---- the modules ---- */

struct paths {
	char **v;
	size_t n, cap;
};

static const char *const module_suffixes[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };

/* Length of name without its module suffix, or 0 when it is no module. */
static size_t module_stem(const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < sizeof(module_suffixes) / sizeof(*module_suffixes); i++) {
		size_t sl = strlen(module_suffixes[i]);

		if (len > sl && strcmp(name + len - sl, module_suffixes[i]) == 0)
			return len - sl;
	}
	return 0;
}

static int paths_add(struct paths *ps, const char *prefix, const char *name)
{
	char *p;

	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? 2 * ps->cap : 1024;
		char **v = realloc(ps->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ps->v = v;
		ps->cap = cap;
	}
	if (asprintf(&p, "%s%s%s", prefix, *prefix ? "/" : "", name) < 0)
		return -ENOMEM;
	ps->v[ps->n++] = p;
	return 0;
}

static void paths_free(struct paths *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->v[i]);
	free(ps->v);
}

/* Module files below dirfd, their paths relative to the top (rel). */
static int collect(int dirfd, const char *rel, struct paths *ps, int depth)
{
	struct dirent *de;
	DIR *d;
	int fd, r = 0;

	if (depth > 16)
		return -ELOOP;
	fd = openat(dirfd, *rel ? rel : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		return r;
	}
	while (r == 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (de->d_type == DT_DIR) {
			char *sub;

			if (asprintf(&sub, "%s%s%s", rel, *rel ? "/" : "", de->d_name) < 0)
				r = -ENOMEM;
			else
				r = collect(dirfd, sub, ps, depth + 1);
			free(sub);
		} else if ((de->d_type == DT_REG || de->d_type == DT_UNKNOWN) &&
			   module_stem(de->d_name)) {
			r = paths_add(ps, rel, de->d_name);
		}
	}
	closedir(d);
	return r;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The module's ELF image: the file mapped, or decompressed into image. */
static int load_module(int dirfd, const char *path, struct mapping *m,
		       uint8_t **image, struct khdr_err *e)
{
	uint8_t *raw;
	struct input in;
	size_t len;
	enum comp comp;
	int r;

	*image = NULL;
	if ((r = input_open_file(&in, dirfd, path, e)) < 0)
		return r;
	if (strcmp(path + strlen(path) - 3, ".ko") == 0) {
		struct stat st;

		r = fstat(in.fd, &st) < 0 ? err_set(e, errno, "cannot stat: %s", strerror(errno))
					  : map_fd(in.fd, (size_t)st.st_size, m, e);
		input_close(&in);
		return r;
	}
	r = input_slurp(&in, MODULE_MAX, &raw, &len, e);
	input_close(&in);
	if (r < 0)
		return r;
	comp = comp_detect(raw, len);
	if (comp == COMP_NONE)
		r = err_set(e, EBADMSG, "not compressed as its name says");
	else
		r = decompress_buffer(comp, raw, len, MODULE_MAX, image, &m->len, e);
	free(raw);
	m->p = *image;
	return r;
}

static int module_exports(int dirfd, const char *path, struct writer *w,
			  struct khdr_err *e)
{
	char module[PATH_MAX];
	struct mapping m = { 0 };
	uint8_t *image;
	struct elf elf;
	int r;

	snprintf(module, sizeof(module), "%.*s", (int)module_stem(path), path);
	w->module = module;
	if (w->await && strcmp(path + strlen(path) - 3, ".ko") != 0) {
		w->await(w->await_ctx);
		w->await = NULL;
	}
	if ((r = load_module(dirfd, path, &m, &image, e)) < 0)
		return r;
	if (elf_parse_header(&elf, m.p, m.len) < 0)
		r = err_set(e, ENOEXEC, "not an ELF file (truncated?)");
	else
		r = ksymtab_module(&elf, write_line, w, e);
	if (image)
		free(image);
	else
		munmap(m.p, m.len ? m.len : 1);
	return r;
}

static int modules_exports(int dirfd, const char *dir, struct writer *w,
			   size_t *files, struct khdr_err *e);

int symvers_modules(int dirfd, const char *dir, FILE *out, size_t *count,
		    size_t *files, struct khdr_err *e)
{
	struct writer w = { .out = out };
	int r = modules_exports(dirfd, dir, &w, files, e);

	*count = w.count;
	return r;
}

static int modules_exports(int dirfd, const char *dir, struct writer *w,
			   size_t *files, struct khdr_err *e)
{
	struct paths ps = { 0 };
	int top, r;

	top = openat(dirfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (top < 0)
		return err_set(e, errno, "cannot open %s: %s", dir, strerror(errno));
	r = collect(top, "", &ps, 0);
	if (r < 0)
		r = err_set(e, r, "cannot list the modules in %s: %s", dir, strerror(-r));
	if (r == 0 && ps.n > 1)
		qsort(ps.v, ps.n, sizeof(*ps.v), cmp_path);
	for (size_t i = 0; r == 0 && i < ps.n; i++)
		if ((r = module_exports(top, ps.v[i], w, e)) < 0)
			err_wrap(e, "%s/%s", dir, ps.v[i]);
	*files = ps.n;
	paths_free(&ps);
	close(top);
	return r;
}

struct image_job {
	pthread_t thread;
	bool running;
	int dirfd;
	const char *path;
	FILE *out;
	char *text;
	size_t len, count;
	struct build_id id;
	struct khdr_err err;
	int r;
};

static void *image_thread(void *arg)
{
	struct image_job *j = arg;

	j->out = open_memstream(&j->text, &j->len);
	if (!j->out) {
		j->r = err_set(&j->err, ENOMEM, "out of memory");
		return NULL;
	}
	j->r = symvers_image(j->dirfd, j->path, &j->id, j->out, &j->count, &j->err);
	if (fclose(j->out) != 0 && j->r == 0)
		j->r = err_set(&j->err, ENOMEM, "out of memory");
	return NULL;
}

static void image_join(void *arg)
{
	struct image_job *j = arg;

	if (j->running)
		pthread_join(j->thread, NULL);
	j->running = false;
}

/*
 * The image's payload takes most of the time (one xz stream: one core);
 * the modules are read meanwhile, and the image's lines still come first.
 * Compressed modules wait for the image: two decoders' dictionaries at
 * once (32 MiB for Debian's image, 8 MiB per module) would pass 64 MiB.
 */
/* fwrite's buffer may not be NULL even for no bytes: a set with no exports has none. */
static bool put_text(FILE *out, const char *text, size_t len)
{
	return len == 0 || fwrite(text, 1, len, out) == len;
}

int symvers_write(int dirfd, const char *image, const char *modules, FILE *out,
		  struct symvers_counts *c, struct khdr_err *e)
{
	struct image_job j = { .dirfd = dirfd, .path = image };
	struct writer w = { .await = image_join, .await_ctx = &j };
	char *mtext = NULL;
	size_t mlen = 0;
	int r = 0;

	memset(c, 0, sizeof(*c));
	j.running = pthread_create(&j.thread, NULL, image_thread, &j) == 0;
	if (!j.running)
		image_thread(&j);
	if (modules) {
		if (!(w.out = open_memstream(&mtext, &mlen)))
			r = err_set(e, ENOMEM, "out of memory");
		else {
			r = modules_exports(dirfd, modules, &w, &c->files, e);
			c->modules = w.count;
			if (fclose(w.out) != 0 && r == 0)
				r = err_set(e, ENOMEM, "out of memory");
		}
	}
	image_join(&j);
	if (j.r < 0) {          /* the image's error first: it is named first */
		*e = j.err;
		r = j.r;
	}
	if (r == 0 && (!put_text(out, j.text, j.len) || !put_text(out, mtext, mlen)))
		r = err_set(e, EIO, "cannot write Module.symvers: %s", strerror(errno));
	c->id = j.id;
	c->image = j.count;
	free(j.text);
	free(mtext);
	return r;
}
