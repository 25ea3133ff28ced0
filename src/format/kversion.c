/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kversion.c - release strings and the /proc/version banner, parsed from text alone. */
#include <errno.h>
#include <string.h>

#include "format/kversion.h"

bool release_valid(const char *r)
{
	size_t n = strlen(r);

	if (n == 0 || n >= RELEASE_MAX || strcmp(r, ".") == 0 ||
	    strcmp(r, "..") == 0)
		return false;
	for (; *r; r++)
		if (*r == '/' || *r == '@' || (unsigned char)*r <= ' ')
			return false;
	return true;
}

static int copy_span(char *dst, size_t size, const char *s, size_t n)
{
	if (n >= size)
		return -ENAMETOOLONG;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

int proc_version_parse(const char *line, struct proc_version *v)
{
	static const char prefix[] = "Linux version ";
	const char *s = line, *end, *at;
	int depth;

	if (strncmp(s, prefix, sizeof(prefix) - 1) != 0)
		return -EBADMSG;
	s += sizeof(prefix) - 1;
	end = strchr(s, ' ');
	if (!end || copy_span(v->release, sizeof(v->release), s, (size_t)(end - s)))
		return -EBADMSG;
	s = end + 1;
	/* (by@host) */
	if (*s != '(' || !(end = strchr(s, ')')) || !(at = memchr(s, '@', (size_t)(end - s))))
		return -EBADMSG;
	if (copy_span(v->by, sizeof(v->by), s + 1, (size_t)(at - s - 1)) ||
	    copy_span(v->host, sizeof(v->host), at + 1, (size_t)(end - at - 1)))
		return -EBADMSG;
	s = end + 1;
	if (*s++ != ' ' || *s != '(')
		return -EBADMSG;
	/* (compiler): may hold parentheses of its own, "gcc-12 (Debian ...)". */
	depth = 0;
	for (end = s; *end; end++) {
		if (*end == '(')
			depth++;
		else if (*end == ')' && --depth == 0)
			break;
	}
	if (!*end || copy_span(v->compiler, sizeof(v->compiler), s + 1,
			       (size_t)(end - s - 1)))
		return -EBADMSG;
	/* The rest is UTS_VERSION (uname -v). */
	s = end + 1;
	s += strspn(s, " ");
	end = s + strcspn(s, "\n");
	while (end > s && end[-1] == ' ')
		end--;
	if (copy_span(v->uts_version, sizeof(v->uts_version), s, (size_t)(end - s)))
		v->uts_version[0] = '\0';
	return 0;
}
