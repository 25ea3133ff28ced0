/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cmdline.c - khdr=, rd.khdr= and rd.khdr.cache= read from a kernel command line's text. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "format/cmdline.h"

int cmdline_get(const char *cmdline, const char *key, char *val, size_t size)
{
	size_t kl = strlen(key);
	const char *p = cmdline;
	int found = -ENOENT;

	/* The last occurrence wins, as the kernel and dracut read it. */
	while (*p) {
		size_t n;

		p += strspn(p, " \t\n");
		n = strcspn(p, " \t\n");
		if (n > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
			snprintf(val, size, "%.*s", (int)(n - kl - 1), p + kl + 1);
			found = 0;
		}
		p += n;
	}
	return found;
}

static bool is_off(const char *v)
{
	return strcmp(v, "0") == 0 || strcmp(v, "no") == 0 || strcmp(v, "off") == 0 ||
	       strcmp(v, "false") == 0;
}

bool cmdline_khdr_off(const char *cmdline)
{
	char val[16];

	return (cmdline_get(cmdline, "khdr", val, sizeof(val)) == 0 && is_off(val)) ||
	       (cmdline_get(cmdline, "rd.khdr", val, sizeof(val)) == 0 && is_off(val));
}

const char *cmdline_cache_spec(const char *cmdline, char *buf, size_t size)
{
	return cmdline_get(cmdline, "rd.khdr.cache", buf, size) == 0 && *buf ? buf : NULL;
}
