/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * layout-run.c - the layout check run: a probe built against the tree, read
 * back and compared with the kernel's BTF.  The tree's Makefiles run (as DKMS
 * would run them); the scratch directory is ours and goes at the end.
 * A member the headers lack makes the compiler fail on its line: the line
 * is marked (absent, or inexpressible for another error) and the source
 * is written again without it, so a handful of builds at most.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/lines.h"
#include "base/log.h"
#include "base/spawn.h"
#include "format/btf.h"
#include "kinfo/layout-run.h"

#define MAX_BUILDS 4
#define BTF_MAX (256u << 20)

static int read_all(const char *path, char **out, size_t *len, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t have = 0, cap = 1 << 20;
	char *buf;
	ssize_t n;

	if (fd < 0)
		return -errno;
	buf = malloc(cap + 1);
	while (buf) {
		if (have == cap) {
			char *nb = cap >= max ? NULL : realloc(buf, 2 * cap + 1);

			if (!nb) {
				free(buf);
				close(fd);
				return cap >= max ? -EFBIG : -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + have, cap - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int r = n < 0 ? -errno : 0;

			close(fd);
			if (r < 0) {
				free(buf);
				return r;
			}
			buf[have] = '\0';
			*out = buf;
			*len = have;
			return 0;
		}
		have += (size_t)n;
	}
	close(fd);
	return -ENOMEM;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void remove_scratch(const char *dir)
{
	if (nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS) < 0)
		log_warn("cannot remove %s: %s", dir, strerror(errno));
}

/* The tree must be able to build a module: kbuild's own files are there. */
static int check_tree(const char *tree, struct khdr_err *e)
{
	static const char *const need[] = { "Makefile", "scripts/Makefile.build",
					    "include/generated/autoconf.h" };
	char p[PATH_MAX];

	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (path_fmt(p, sizeof(p), "%s/%s", tree, need[i]) < 0 || access(p, R_OK) < 0)
			return err_set(e, ENOEXEC,
				       "cannot tell: %s is not a kbuild tree (no %s): the layout check compiles with kbuild; "
				       "install a kbuild-complete archive (khdr-cache kernel/) or a headers package",
				       tree, need[i]);
	return 0;
}

static int write_file(const char *path, const char *text, struct khdr_err *e)
{
	FILE *f = fopen(path, "we");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		return err_set(e, errno ? errno : EIO, "cannot write %s: %s", path,
			       strerror(errno ? errno : EIO));
	return 0;
}

static int write_source(struct layout *l, const char *path, struct khdr_err *e)
{
	FILE *f = fopen(path, "we");
	int r;

	if (!f)
		return err_set(e, errno, "cannot write %s: %s", path, strerror(errno));
	r = layout_source(l, f);
	if (fclose(f) != 0 || r < 0)
		return err_set(e, EIO, "cannot write %s", path);
	return 0;
}

/* make -C tree M=dir layout.s, its output in dir/make.log; the exit status. */
static int run_make(const char *tree, const char *dir, struct khdr_err *e)
{
	static const char *const env[] = { "LC_ALL=C", NULL };  /* the errors we read, in ASCII */
	char mdir[PATH_MAX + 3], log[PATH_MAX];
	char *const argv[] = { "make", "-C", (char *)tree, mdir, "layout.s", NULL };
	struct spawn sp = { .argv = argv, .log = log, .env = env };
	int r, code;

	if (path_fmt(mdir, sizeof(mdir), "M=%s", dir) < 0 ||
	    path_fmt(log, sizeof(log), "%s/make.log", dir) < 0)
		return err_set(e, ENAMETOOLONG, "path too long");
	r = spawn_run(&sp, &code, e);
	if (r < 0)
		return r;
	return code < 0 ? 128 : code;
}

/* The first lines of make's output that say "error", for the message. */
static void first_errors(const char *log, char *buf, size_t size)
{
	const char *s, *le;
	struct line_iter it;
	size_t n = 0;

	buf[0] = '\0';
	line_iter_init(&it, log, strlen(log));
	while (n + 2 < size && line_next(&it, &s, &le)) {
		size_t len = (size_t)(le - s);

		if (memmem(s, len, "rror", 4) || memmem(s, len, "not found", 9) ||
		    memmem(s, len, "No such file", 12)) {
			int w = snprintf(buf + n, size - n, "%s%.*s", n ? " | " : "", (int)len, s);

			if (w < 0 || (size_t)w >= size - n)
				break;
			n += (size_t)w;
		}
	}
	if (!n)
		snprintf(buf, size, "%.200s", log);
}

/* Build until the assembly has every value left, a few rounds at most. */
static int build(struct layout *l, const char *tree, const char *dir,
		 struct layout_result *res, struct khdr_err *e)
{
	char src[PATH_MAX], asmf[PATH_MAX], logf[PATH_MAX], why[400];
	char *text;
	size_t len;
	int r, rc;

	if (path_fmt(src, sizeof(src), "%s/layout.c", dir) < 0 ||
	    path_fmt(asmf, sizeof(asmf), "%s/layout.s", dir) < 0 ||
	    path_fmt(logf, sizeof(logf), "%s/make.log", dir) < 0)
		return err_set(e, ENAMETOOLONG, "path too long");
	for (;;) {
		r = write_source(l, src, e);
		if (r < 0)
			return r;
		res->builds++;
		rc = run_make(tree, dir, e);
		if (rc < 0)
			return rc;
		if (read_all(logf, &text, &len, 16u << 20) < 0) {
			text = strdup("");
			len = 0;
		}
		if (rc == 0) {
			free(text);
			break;
		}
		if (rc == 127 && strstr(text, "cannot run make")) {
			free(text);
			return err_set(e, ENOEXEC, "cannot tell: make is not installed (apt-get install make gcc)");
		}
		if (res->builds >= MAX_BUILDS || layout_read_errors(l, text, len, src) == 0) {
			first_errors(text, why, sizeof(why));
			free(text);
			return err_set(e, ENOEXEC, "cannot tell: kbuild in %s failed (exit %d): %s", tree, rc, why);
		}
		free(text);
	}
	r = read_all(asmf, &text, &len, 64u << 20);
	if (r < 0)
		return err_set(e, -r, "cannot read %s: %s", asmf, strerror(-r));
	r = layout_read_asm(l, text, len);
	free(text);
	if (r < 0)
		return err_set(e, EBADMSG, "cannot tell: %s lacks values the source asked for", asmf);
	return 0;
}

static void describe(const struct layout *l, const struct layout_item *it, char *buf,
		     size_t size)
{
	const char *sn = l->structs[it->strct].name;
	char h[32];

	if (it->state == ITEM_ABSENT)
		snprintf(h, sizeof(h), "%s", it->member ? "no such member" : "no such type");
	else if (it->state == ITEM_BITFIELD)
		snprintf(h, sizeof(h), "a bitfield");
	else
		snprintf(h, sizeof(h), "%" PRIu64, it->headers);
	if (it->member)
		snprintf(buf, size, "%s.%s: headers %s, kernel %" PRIu64, sn, it->member, h, it->kernel);
	else
		snprintf(buf, size, "sizeof(%s): headers %s, kernel %" PRIu64, sn, h, it->kernel);
}

static bool differs(const struct layout_item *it)
{
	return it->state == ITEM_ABSENT || it->state == ITEM_BITFIELD ||
	       (it->state == ITEM_VALUE && it->headers != it->kernel);
}

static void print_text(const struct layout *l, const struct layout_opts *lo,
		       const struct layout_result *r)
{
	char line[512];

	/* The columns are the JSON's names (print_json), upper case. */
	printf("%-16s %12s %11s %7s %9s %13s %10s\n", "NAME", "SIZE_HEADERS", "SIZE_KERNEL",
	       "MEMBERS", "BITFIELDS", "INEXPRESSIBLE", "MISMATCHES");
	for (size_t k = 0; k < l->ns; k++) {
		const struct layout_struct *s = &l->structs[k];
		const struct layout_item *size = &l->items[s->first];
		char hs[24];

		if (size->state == ITEM_VALUE)
			snprintf(hs, sizeof(hs), "%" PRIu64, size->headers);
		else
			snprintf(hs, sizeof(hs), "-");
		printf("%-16s %12s %11" PRIu64 " %7u %9u %13u %10u\n", s->name, hs, size->kernel,
		       s->compared, s->bitfields, s->inexpressible, s->mismatches);
	}
	for (size_t i = 0; i < l->n; i++) {
		const struct layout_item *it = &l->items[i];

		if (differs(it)) {
			describe(l, it, line, sizeof(line));
			printf("%s\n", line);
		} else if (it->state == ITEM_INEXPRESSIBLE) {
			log_info("skipped %s.%s: the compiler refused its offsetof",
				 l->structs[it->strct].name, it->member ? it->member : "(size)");
		}
	}
	printf("%s: %zu members of %zu structs compared, %zu %s; not compared: %zu %s, "
	       "%zu inexpressible (the compiler refused their offsetof); %s against %s, "
	       "%u %s, %.1f s\n", r->mismatches ? "MISMATCH" : "match", r->compared,
	       r->structs, r->mismatches, plural(r->mismatches, "mismatch", "mismatches"),
	       r->bitfields, plural(r->bitfields, "bitfield", "bitfields"), r->inexpressible,
	       lo->tree, lo->btf, r->builds, plural(r->builds, "build", "builds"), r->seconds);
}

/*
 * The headers' offset of each member the compiler gave, so that a caller
 * can hold one value against what another tool measured (the guest tier's
 * module, bpftool) without parsing the table.
 */
static void print_json_offsets(const struct layout *l, const struct layout_struct *s)
{
	unsigned n = 0;

	for (size_t i = s->first + 1; i < s->first + s->count; i++) {
		const struct layout_item *it = &l->items[i];

		if (it->state != ITEM_VALUE || !it->member)
			continue;
		printf("%s", n++ ? ", " : "");
		json_put_str(it->member);
		printf(": %" PRIu64, it->headers);
	}
}

static void print_json(const struct layout *l, const struct layout_opts *lo,
		       const struct layout_result *r)
{
	printf("{\n  \"format\": 1,\n  \"result\": \"%s\",\n  \"tree\": ", r->mismatches ? "mismatch" : "match");
	json_put_str(lo->tree);
	printf(",\n  \"btf\": ");
	json_put_str(lo->btf);
	printf(",\n  \"compared\": %zu, \"mismatches\": %zu, \"bitfields\": %zu, \"inexpressible\": %zu,"
	       " \"builds\": %u, \"seconds\": %.2f,\n  \"structs\": [",
	       r->compared, r->mismatches, r->bitfields, r->inexpressible, r->builds, r->seconds);
	for (size_t k = 0; k < l->ns; k++) {
		const struct layout_struct *s = &l->structs[k];
		const struct layout_item *size = &l->items[s->first];

		printf("%s\n    {\"name\": ", k ? "," : "");
		json_put_str(s->name);
		if (size->state == ITEM_VALUE)
			printf(", \"size_headers\": %" PRIu64, size->headers);
		else
			printf(", \"size_headers\": null");
		printf(", \"size_kernel\": %" PRIu64 ", \"members\": %u, \"bitfields\": %u, "
		       "\"inexpressible\": %u, \"mismatches\": %u,\n     \"offsets\": {",
		       size->kernel, s->compared, s->bitfields, s->inexpressible, s->mismatches);
		print_json_offsets(l, s);
		printf("}}");
	}
	printf("\n  ],\n  \"differences\": [");
	for (size_t i = 0, n = 0; i < l->n; i++) {
		const struct layout_item *it = &l->items[i];

		if (!differs(it))
			continue;
		printf("%s\n    {\"struct\": ", n++ ? "," : "");
		json_put_str(l->structs[it->strct].name);
		printf(", \"member\": ");
		if (it->member)
			json_put_str(it->member);
		else
			printf("null");
		if (it->state != ITEM_VALUE)
			printf(", \"headers\": null, \"why\": \"%s\"",
			       it->state == ITEM_BITFIELD ? "bitfield" : "absent");
		else
			printf(", \"headers\": %" PRIu64, it->headers);
		printf(", \"kernel\": %" PRIu64 "}", it->kernel);
	}
	printf("\n  ]\n}\n");
}

void layout_print_unknown(const struct layout_opts *lo, const char *why)
{
	printf("{\n  \"format\": 1,\n  \"result\": \"unknown\",\n  \"tree\": ");
	json_put_str(lo->tree);
	printf(",\n  \"btf\": ");
	json_put_str(lo->btf);
	printf(",\n  \"reason\": ");
	json_put_str(why);
	printf("\n}\n");
}

static void summarise(struct layout *l, struct layout_result *r)
{
	size_t n = 0;

	r->structs = l->ns;
	r->mismatches = layout_tally(l);
	for (size_t k = 0; k < l->ns; k++) {
		r->compared += l->structs[k].compared;
		r->bitfields += l->structs[k].bitfields;
		r->inexpressible += l->structs[k].inexpressible;
	}
	r->first[0] = '\0';
	for (size_t i = 0; i < l->n && n < 3; i++)
		if (differs(&l->items[i])) {
			char line[200];
			size_t used = strlen(r->first);

			describe(l, &l->items[i], line, sizeof(line));
			snprintf(r->first + used, sizeof(r->first) - used, "%s%s", n++ ? "; " : "", line);
		}
}

static double since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static int compare(const struct layout_opts *lo, const struct btf *b,
		   struct layout_result *res, const struct timespec *t0,
		   struct khdr_err *e)
{
	char tmpl[PATH_MAX], kbuild[PATH_MAX + 8];
	const char *tmp = getenv("TMPDIR");
	struct layout l;
	int r;

	r = layout_collect(&l, b, lo->structs, lo->structs ? lo->nstructs : 0, e);
	if (r < 0)
		return r;
	if (path_fmt(tmpl, sizeof(tmpl), "%s/khdr-layout.XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0 ||
	    !mkdtemp(tmpl)) {
		layout_free(&l);
		return err_set(e, errno, "cannot make a scratch directory in %s: %s",
			       tmp && *tmp ? tmp : "/tmp", strerror(errno));
	}
	snprintf(kbuild, sizeof(kbuild), "%s/Kbuild", tmpl);
	r = write_file(kbuild, "# khdr-cache verify --layout\nobj-m := layout.o\n", e);
	if (r == 0)
		r = build(&l, lo->tree, tmpl, res, e);
	remove_scratch(tmpl);
	if (r == 0) {
		res->seconds = since(t0);
		summarise(&l, res);
		if (lo->print && lo->json)
			print_json(&l, lo, res);
		else if (lo->print)
			print_text(&l, lo, res);
	}
	layout_free(&l);
	return r < 0 ? r : res->mismatches ? KHDR_EXIT_ABSENT : 0;
}

int layout_verify(const struct layout_opts *lo, struct layout_result *res,
		  struct khdr_err *e)
{
	struct timespec t0;
	struct btf b;
	char *data;
	size_t len;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(res, 0, sizeof(*res));
	r = read_all(lo->btf, &data, &len, BTF_MAX);
	if (r < 0)
		return err_set(e, -r, "cannot tell: cannot read the kernel's BTF %s: %s%s", lo->btf,
			       strerror(-r), r == -ENOENT ? " (a kernel built without CONFIG_DEBUG_INFO_BTF)" : "");
	r = check_tree(lo->tree, e);
	if (r == 0 && (r = btf_parse(&b, (const uint8_t *)data, len, e)) < 0)
		err_wrap(e, "cannot tell: %s", lo->btf);
	if (r == 0) {
		r = compare(lo, &b, res, &t0, e);
		btf_free(&b);
	}
	free(data);
	return r;
}
