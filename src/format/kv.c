/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kv.c - key=value lines: one value found, or each line in turn. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "base/lines.h"
#include "format/kv.h"

static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

/* Call fn on each key=value line until it returns non-zero. */
static int kv_each(const char *text, size_t len,
		   int (*fn)(const char *k, size_t kl, const char *v,
			     size_t vl, void *ctx),
		   void *ctx)
{
	const char *s, *line_end, *eq;
	struct line_iter it;

	line_iter_init(&it, text, len);
	while (line_next(&it, &s, &line_end)) {
		int r;

		if (s < line_end && *s != '#') {
			eq = memchr(s, '=', (size_t)(line_end - s));
			if (!eq || eq == s)
				return -EBADMSG;
			for (const char *k = s; k < eq; k++)
				if (!key_char(*k))
					return -EBADMSG;
			r = fn(s, (size_t)(eq - s), eq + 1,
			       (size_t)(line_end - eq - 1), ctx);
			if (r)
				return r;
		}
	}
	return 0;
}

struct lookup {
	const char *key;
	char *val;
	size_t size;
};

static int match(const char *k, size_t kl, const char *v, size_t vl, void *ctx)
{
	struct lookup *l = ctx;

	if (strlen(l->key) != kl || memcmp(k, l->key, kl) != 0)
		return 0;
	if (vl >= l->size)
		return -ENAMETOOLONG;
	memcpy(l->val, v, vl);
	l->val[vl] = '\0';
	return 1;
}

int kv_get(const char *text, size_t len, const char *key, char *val,
	   size_t size)
{
	struct lookup l = { key, val, size };
	int r = kv_each(text, len, match, &l);

	if (r == 1)
		return 0;
	return r < 0 ? r : -ENOENT;
}

static int accept_line(const char *k, size_t kl, const char *v, size_t vl,
		       void *ctx)
{
	(void)k, (void)kl, (void)ctx;
	return memchr(v, '\0', vl) ? -EBADMSG : 0;
}

int kv_validate(const char *text, size_t len)
{
	return kv_each(text, len, accept_line, NULL);
}
