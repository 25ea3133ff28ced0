/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.c - the helpers declared in khdr.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/khdr.h"

int err_set(struct khdr_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (code > 0)
		code = -code;
	if (e) {
		e->code = code;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

int err_usage(struct khdr_err *e, const char *fmt, ...)
{
	va_list ap;

	e->code = -EINVAL;
	e->usage = true;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int err_wrap(struct khdr_err *e, const char *fmt, ...)
{
	char prefix[256], old[sizeof(e->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	/* Room for both: the prefix is short, the old message may be cut. */
	snprintf(e->msg, sizeof(e->msg), "%s: %.500s", prefix, old);
	return e->code;
}

void hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

int read_small_file(int dirfd, const char *path, char *buf, size_t size,
		    size_t *len)
{
	size_t got = 0;
	ssize_t n;
	int fd;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	while (got < size - 1) {
		n = read(fd, buf + got, size - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int r = -errno;
			close(fd);
			return r;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	if (len)
		*len = got;
	return 0;
}

int path_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

void json_put_str(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* mkdir -p relative to dirfd; the root's own layout (lib -> usr/lib) is trusted. */
int mkdir_p_at(int dirfd, const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (mkdirat(dirfd, buf, mode) < 0 && errno != EEXIST)
				return -errno;
			*p = c;
			if (!c)
				break;
		}
	}
	return 0;
}

const char *size_text(uint64_t bytes, char *buf)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double d = (double)bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(buf, SIZE_TEXT_MAX, "%u B", (unsigned)bytes);
		return buf;
	}
	while (d >= 1024 && u < 4) {
		d /= 1024;
		u++;
	}
	snprintf(buf, SIZE_TEXT_MAX, "%.1f %s", d, units[u]);
	return buf;
}

int path_absolute(const char *path, char *buf, size_t size)
{
	char joined[2 * PATH_MAX];
	size_t n = 0;

	if (*path == '/') {
		if (strlen(path) >= sizeof(joined))
			return -ENAMETOOLONG;
		strcpy(joined, path);
	} else {
		if (!getcwd(joined, PATH_MAX))
			return -errno;
		if (path_fmt(joined + strlen(joined), sizeof(joined) - strlen(joined),
			     "/%s", path) < 0)
			return -ENAMETOOLONG;
	}
	/* Copy component by component: no empty ones, no ".". */
	for (const char *p = joined; *p; ) {
		size_t len;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len == 0 || (len == 1 && *p == '.')) {
			p += len;
			continue;
		}
		if (n + 1 + len >= size)
			return -ENAMETOOLONG;
		buf[n++] = '/';
		memcpy(buf + n, p, len);
		n += len;
		p += len;
	}
	if (n == 0) {
		if (size < 2)
			return -ENAMETOOLONG;
		buf[n++] = '/';
	}
	buf[n] = '\0';
	return 0;
}
