/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf.c - /etc/khdr-cache.conf parsed: key=value lines, each key checked. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/lines.h"
#include "format/conf.h"

struct line {
	unsigned no;
	char key[32];
	const char *val;         /* trimmed, NUL-terminated copy in buf */
	char buf[PATH_MAX];
};

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Trim [*s, *end) in place of blanks on both sides. */
static void trim(const char **s, const char **end)
{
	while (*s < *end && blank(**s))
		(*s)++;
	while (*end > *s && blank((*end)[-1]))
		(*end)--;
}

bool conf_dir_valid(const char *dir)
{
	const char *p = dir;

	if (*dir != '/' || strlen(dir) >= PATH_MAX)
		return false;
	while (*p) {
		const char *c = p + strspn(p, "/"), *n = c + strcspn(c, "/");

		if ((n - c == 1 && c[0] == '.') ||
		    (n - c == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		p = n;
	}
	return strcmp(dir, "/") != 0;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "1", "on" };
	static const char *const no[] = { "no", "false", "0", "off" };

	for (size_t i = 0; i < 4; i++) {
		if (strcmp(v, yes[i]) == 0)
			return *out = true, 0;
		if (strcmp(v, no[i]) == 0)
			return *out = false, 0;
	}
	return -EINVAL;
}

static int bad(struct khdr_err *e, const struct line *l, const char *want)
{
	return err_set(e, EINVAL, "line %u: bad value '%s' for %s: %s",
		       l->no, l->val, l->key, want);
}

static int apply(const struct line *l, struct khdr_conf *c, struct khdr_err *e)
{
	const char *v = l->val;
	char *end;

	if (strcmp(l->key, "cache_dir") == 0) {
		if (!conf_dir_valid(v))
			return bad(e, l, "an absolute directory without '.' or '..' components");
		strcpy(c->cache_dir, v);
		c->set |= CONF_CACHE_DIR;
	} else if (strcmp(l->key, "keep") == 0) {
		unsigned long n;

		errno = 0;
		n = strtoul(v, &end, 10);
		if (errno || end == v || *end || *v == '-' || n < 1 || n > 1000)
			return bad(e, l, "a number from 1 to 1000");
		c->keep = (unsigned)n;
		c->set |= CONF_KEEP;
	} else if (strcmp(l->key, "cache_device") == 0) {
		if (!*v || strlen(v) >= sizeof(c->cache_device))
			return bad(e, l, "a device path or a LABEL=, UUID=, PARTLABEL= or PARTUUID= tag");
		strcpy(c->cache_device, v);
		c->set |= CONF_CACHE_DEVICE;
	} else if (strcmp(l->key, "verify") == 0) {
		if (strcmp(v, "strict") && strcmp(v, "default"))
			return bad(e, l, "'strict' or 'default'");
		c->strict = strcmp(v, "strict") == 0;
		c->set |= CONF_VERIFY;
	} else if (strcmp(l->key, "load_module") == 0) {
		if (parse_bool(v, &c->load_module) < 0)
			return bad(e, l, "yes or no");
		c->set |= CONF_LOAD_MODULE;
	} else if (strcmp(l->key, "verify_layout") == 0) {
		if (parse_bool(v, &c->verify_layout) < 0)
			return bad(e, l, "yes or no");
		c->set |= CONF_VERIFY_LAYOUT;
	} else if (strcmp(l->key, "handoff") == 0) {
		if (parse_bool(v, &c->handoff) < 0)
			return bad(e, l, "yes or no");
		c->set |= CONF_HANDOFF;
	} else {
		return err_set(e, EINVAL, "line %u: unknown key '%s' "
			       "(known: cache_dir, keep, cache_device, verify, load_module, verify_layout, handoff)",
			       l->no, l->key);
	}
	return 0;
}

/* Split one line into key and value; 0 for a blank or comment line, 1 for a pair. */
static int split(const char *s, const char *end, struct line *l,
		 struct khdr_err *e)
{
	const char *eq, *ks = s, *ke, *vs, *ve = end;

	trim(&ks, &ve);
	if (ks == ve || *ks == '#')
		return 0;
	eq = memchr(ks, '=', (size_t)(ve - ks));
	if (!eq)
		return err_set(e, EINVAL, "line %u: expected key=value", l->no);
	ke = eq;
	vs = eq + 1;
	trim(&ks, &ke);
	trim(&vs, &ve);
	if (ke == ks || (size_t)(ke - ks) >= sizeof(l->key))
		return err_set(e, EINVAL, "line %u: expected key=value", l->no);
	if ((size_t)(ve - vs) >= sizeof(l->buf) || memchr(vs, '\0', (size_t)(ve - vs)))
		return err_set(e, EINVAL, "line %u: value too long or not text", l->no);
	memcpy(l->key, ks, (size_t)(ke - ks));
	l->key[ke - ks] = '\0';
	memcpy(l->buf, vs, (size_t)(ve - vs));
	l->buf[ve - vs] = '\0';
	l->val = l->buf;
	return 1;
}

int conf_parse(const char *data, size_t len, struct khdr_conf *c,
	       struct khdr_err *e)
{
	const char *s, *le;
	struct line l = { 0 };
	struct line_iter it;
	int r;

	memset(c, 0, sizeof(*c));
	line_iter_init(&it, data, len);
	while (line_next(&it, &s, &le)) {
		l.no = it.no;
		r = split(s, le, &l, e);
		if (r < 0)
			return r;
		if (r == 1 && (r = apply(&l, c, e)) < 0)
			return r;
	}
	return 0;
}
