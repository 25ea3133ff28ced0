/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hint.c - the exact command a message suggests, built from the options this run was given. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/hint.h"

struct line {
	char *buf;
	size_t size, n;
};

static void put(struct line *l, const char *s)
{
	size_t len = strlen(s);

	if (l->n + len >= l->size)
		len = l->n + 1 < l->size ? l->size - l->n - 1 : 0;
	memcpy(l->buf + l->n, s, len);
	l->n += len;
	l->buf[l->n] = '\0';
}

/* One word, in single quotes unless it is plain (a shell takes it as is). */
static void put_word(struct line *l, const char *w)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789_./@:=+,-";
	char q[2] = { 0 };

	put(l, " ");
	if (*w && strspn(w, plain) == strlen(w)) {
		put(l, w);
		return;
	}
	put(l, "'");
	for (; *w; w++) {
		q[0] = *w;
		put(l, *w == '\'' ? "'\\''" : q);
	}
	put(l, "'");
}

/* An option and its path, absolute: the command is pasted elsewhere. */
static void put_path(struct line *l, const char *opt, const char *path)
{
	char abs[PATH_MAX];

	put(l, " ");
	put(l, opt);
	put_word(l, path_absolute(path, abs, sizeof(abs)) == 0 ? abs : path);
}

/* The run dir unless it is the default one args_finish() chose. */
static bool run_dir_given(const struct khdr_opts *o)
{
	char def[PATH_MAX];

	if (!o->run_dir || strcmp(o->run_dir, KHDR_RUN_DIR) == 0)
		return false;
	return ctx_path(&o->ctx, CTX_ROOT, def, sizeof(def), "%s", KHDR_RUN_DIR) < 0 ||
	       strcmp(o->run_dir, def) != 0;
}

const char *hint_command(const struct khdr_opts *o, const struct command *c,
			 const struct hint *h, char *buf, size_t size)
{
	struct line l = { buf, size, 0 };
	const char *release = h->release ? h->release : o->release;

	buf[0] = '\0';
	put(&l, "khdr-cache ");
	put(&l, c->name);
	if ((c->options & OPT_ROOT) && strcmp(o->root, "/") != 0)
		put_path(&l, "--root", o->root);
	if ((c->options & OPT_SYSFS) && strcmp(o->sysfs, "/sys") != 0)
		put_path(&l, "--sysfs", o->sysfs);
	if ((c->options & OPT_PROCFS) && strcmp(o->procfs, "/proc") != 0)
		put_path(&l, "--procfs", o->procfs);
	if ((c->options & OPT_RUN_DIR) && run_dir_given(o))
		put_path(&l, "--run-dir", o->run_dir);
	/* Under the root, as given (from the command line or the root's own conf). */
	if ((c->options & OPT_CACHE_DIR) && strcmp(o->cache_dir, KHDR_CACHE_DIR) != 0) {
		put(&l, " --cache-dir");
		put_word(&l, o->cache_dir);
	}
	if ((c->options & OPT_RELEASE) && release) {
		put(&l, " -r");
		put_word(&l, release);
	}
	if ((c->options & OPT_KERNEL_IMAGE) && o->kernel_image && !h->no_image)
		put_path(&l, "--kernel-image", o->kernel_image);
	if ((c->options & OPT_KIT) && o->kit)
		put_path(&l, "--kit", o->kit);
	if ((c->options & OPT_ARCHIVE) && h->archive)
		put_path(&l, "--archive", h->archive);
	if ((c->options & OPT_NO_LINK) && h->no_link)
		put(&l, " --no-link");
	if ((c->options & OPT_FORCE) && h->force)
		put(&l, " --force");
	return buf;
}

int hint_append(struct khdr_err *e, const struct khdr_opts *o, const struct command *c,
		const struct hint *h)
{
	char cmd[sizeof(e->msg)];
	size_t n = strlen(e->msg);

	hint_command(o, c, h, cmd, sizeof(cmd));
	snprintf(e->msg + n, sizeof(e->msg) - n, "; run: %s", cmd);
	return e->code;
}
