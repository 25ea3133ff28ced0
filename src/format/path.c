/* SPDX-License-Identifier: GPL-2.0-or-later */
/* path.c - which archive member names and link targets may be used, and in what form. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "format/path.h"

int path_clean(const char *in, char *out, size_t size, const char **why)
{
	size_t o = 0;
	const char *s = in;

	if (size > PATH_MAX)
		size = PATH_MAX;
	if (!*in) {
		*why = "empty name";
		return -EINVAL;
	}
	if (*in == '/') {
		*why = "absolute path";
		return -EINVAL;
	}
	while (*s) {
		const char *end = strchrnul(s, '/');
		size_t n = (size_t)(end - s);

		if (n == 0 || (n == 1 && s[0] == '.')) {
			/* empty or "." component: nothing to add */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			*why = "'..' component";
			return -EINVAL;
		} else if (n > PATH_NAME_MAX) {
			*why = "component longer than NAME_MAX";
			return -ENAMETOOLONG;
		} else {
			if (o + (o > 0) + n + 1 > size) {
				*why = "name longer than PATH_MAX";
				return -ENAMETOOLONG;
			}
			if (o > 0)
				out[o++] = '/';
			memcpy(out + o, s, n);
			o += n;
		}
		s = *end ? end + 1 : end;
	}
	out[o] = '\0';
	return o == 0 ? 1 : 0;
}

static size_t depth_of_parent(const char *path)
{
	size_t depth = 0;

	for (const char *p = path; *p; p++)
		depth += *p == '/';
	return depth;
}

int path_symlink_ok(const char *path, const char *target, const char **why)
{
	size_t up = 0, depth = depth_of_parent(path);
	bool descended = false;
	const char *s = target;

	if (!*target) {
		*why = "empty symlink target";
		return -EINVAL;
	}
	if (*target == '/') {
		*why = "absolute symlink target";
		return -EINVAL;
	}
	if (strlen(target) >= PATH_MAX) {
		*why = "symlink target longer than PATH_MAX";
		return -ENAMETOOLONG;
	}
	while (*s) {
		const char *end = strchrnul(s, '/');
		size_t n = (size_t)(end - s);

		if (n == 2 && s[0] == '.' && s[1] == '.') {
			/* "a/../.." would climb through a link at a: refuse. */
			if (descended || ++up > depth) {
				*why = "symlink target leaves the tree";
				return -EINVAL;
			}
		} else if (n > 0 && !(n == 1 && s[0] == '.')) {
			descended = true;
		}
		s = *end ? end + 1 : end;
	}
	return 0;
}
