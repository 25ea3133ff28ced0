/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kit.c - a kbuild kit's manifest and a tree's LINUX_VERSION_CODE, read from text. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/lines.h"
#include "format/kit.h"
#include "format/kv.h"
#include "format/path.h"

/* The header ends at the first empty line; the list follows it. */
static size_t header_len(const char *text, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++)
		if (text[i] == '\n' && text[i + 1] == '\n')
			return i + 1;
	return len;
}

static bool number_of(const char *v, unsigned long *n)
{
	char *end;

	if (*v < '0' || *v > '9')
		return false;
	errno = 0;
	*n = strtoul(v, &end, 10);
	return !*end && !errno;
}

static int header_field(const char *h, size_t hlen, const char *key, char *val,
			size_t size, bool required, struct khdr_err *e)
{
	int r = kv_get(h, hlen, key, val, size);

	if (r == -ENOENT && !required) {
		*val = '\0';
		return 0;
	}
	if (r == -ENOENT)
		return err_set(e, EBADMSG, "no %s= in its header", key);
	if (r < 0)
		return err_set(e, EBADMSG, "its %s= is too long or its header is not key=value lines", key);
	return 0;
}

static int read_header(struct kit_manifest *m, const char *h, size_t hlen,
		       struct khdr_err *e)
{
	char fmt[16], code[32], files[32];
	unsigned long n;
	int r;

	if ((r = header_field(h, hlen, "format", fmt, sizeof(fmt), true, e)) < 0 ||
	    (r = header_field(h, hlen, "version", m->version, sizeof(m->version), true, e)) < 0 ||
	    (r = header_field(h, hlen, "version_code", code, sizeof(code), true, e)) < 0 ||
	    (r = header_field(h, hlen, "srcarch", m->srcarch, sizeof(m->srcarch), true, e)) < 0 ||
	    (r = header_field(h, hlen, "files", files, sizeof(files), true, e)) < 0 ||
	    (r = header_field(h, hlen, "origin", m->origin, sizeof(m->origin), false, e)) < 0 ||
	    (r = header_field(h, hlen, "forced", m->forced, sizeof(m->forced), false, e)) < 0)
		return r;
	if (!number_of(fmt, &n) || n != KIT_FORMAT)
		return err_set(e, EBADMSG, "format=%s, and this khdr-cache reads format %u", fmt,
			       KIT_FORMAT);
	m->format = (unsigned)n;
	if (!number_of(code, &m->version_code) || m->version_code > 0xffffff)
		return err_set(e, EBADMSG, "version_code=%s is no LINUX_VERSION_CODE", code);
	if (!number_of(files, &m->files))
		return err_set(e, EBADMSG, "files=%s is no count", files);
	if (!*m->srcarch || strchr(m->srcarch, '/') || strcmp(m->srcarch, "..") == 0 ||
	    strcmp(m->srcarch, ".") == 0)
		return err_set(e, EBADMSG, "srcarch=%s is no directory of arch/", m->srcarch);
	return 0;
}

/* Every line of the list a clean relative path, and as many as files= says. */
static int check_list(const struct kit_manifest *m, struct khdr_err *e)
{
	char path[PATH_MAX], clean[PATH_MAX];
	const char *why = "";
	unsigned long n = 0;
	size_t pos = 0;
	int r;

	while ((r = kit_next_file(m, &pos, path, sizeof(path))) == 1) {
		n++;
		if (path_clean(path, clean, sizeof(clean), &why) != 0 || strcmp(clean, path) != 0)
			return err_set(e, EBADMSG, "file %lu of its list, '%s', is not a clean relative path%s%s",
				       n, path, *why ? ": " : "", why);
	}
	if (r < 0)
		return err_set(e, EBADMSG, "file %lu of its list is too long", n + 1);
	if (n != m->files)
		return err_set(e, EBADMSG, "its header says files=%lu, its list has %lu", m->files, n);
	return 0;
}

int kit_parse(struct kit_manifest *m, const char *text, size_t len,
	      struct khdr_err *e)
{
	size_t hlen = header_len(text, len);
	int r;

	memset(m, 0, sizeof(*m));
	if (memchr(text, '\0', len))
		return err_set(e, EBADMSG, "it holds a NUL byte");
	if ((r = read_header(m, text, hlen, e)) < 0)
		return r;
	m->list = text + hlen;
	m->list_len = len - hlen;
	return check_list(m, e);
}

int kit_next_file(const struct kit_manifest *m, size_t *pos, char *path, size_t size)
{
	const char *s, *end;
	size_t n;

	for (;;) {
		if (*pos >= m->list_len)
			return 0;
		s = m->list + *pos;
		end = memchr(s, '\n', m->list_len - *pos);
		if (!end)
			end = m->list + m->list_len;
		*pos = (size_t)(end - m->list) + 1;
		n = (size_t)(end - s);
		if (n == 0)
			continue;       /* the blank line after the header */
		if (n >= size)
			return -ENAMETOOLONG;
		memcpy(path, s, n);
		path[n] = '\0';
		return 1;
	}
}

int kit_version_code(const char *text, size_t len, unsigned long *code)
{
	static const char def[] = "#define LINUX_VERSION_CODE ";
	struct line_iter it;
	const char *s, *end;
	char num[16];
	size_t n;

	line_iter_init(&it, text, len);
	while (line_next(&it, &s, &end)) {
		n = (size_t)(end - s);
		if (n <= strlen(def) || memcmp(s, def, strlen(def)) != 0)
			continue;
		n -= strlen(def);
		if (n >= sizeof(num))
			return -ENOENT;
		memcpy(num, s + strlen(def), n);
		num[n] = '\0';
		return number_of(num, code) && *code <= 0xffffff ? 0 : -ENOENT;
	}
	return -ENOENT;
}

void kit_version_name(unsigned long code, char *buf, size_t size)
{
	snprintf(buf, size, "%lu.%lu.%lu", code >> 16, (code >> 8) & 255, code & 255);
}
