/* SPDX-License-Identifier: GPL-2.0-or-later */
/* input.c - compressed bytes from a file or memory, and the CRC64 of what was read. */
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stream/input.h"

#define INPUT_CHUNK (256u << 10)
/*
 * The first read of a file is small: telling a module from an archive
 * (source.c) decodes a few bytes, and filling a fresh megabyte costs a page
 * fault per 4 KiB first (bench/RESULTS.md, "Small costs named in the code").
 */
#define INPUT_FIRST_CHUNK (64u << 10)

int input_open_file(struct input *in, int dirfd, const char *path,
		    struct khdr_err *e)
{
	struct stat st;

	memset(in, 0, sizeof(*in));
	in->fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (in->fd < 0)
		return err_set(e, errno, "cannot open %s: %s", path,
			       strerror(errno));
	if (fstat(in->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(in->fd);
		in->fd = -1;
		return err_set(e, EINVAL, "%s is not a regular file", path);
	}
	input_from_fd(in, in->fd, &st);
	return 0;
}

void input_from_fd(struct input *in, int fd, const struct stat *st)
{
	memset(in, 0, sizeof(*in));
	in->fd = fd;
	/* sysfs reports the true size of kheaders.tar.xz too. */
	in->size = st->st_size > 0 ? (uint64_t)st->st_size : INPUT_SIZE_UNKNOWN;
}

void input_from_memory(struct input *in, const uint8_t *p, size_t n,
		       void *owned)
{
	memset(in, 0, sizeof(*in));
	in->fd = -1;
	in->mem = p;
	in->mem_size = n;
	in->owned = owned;
	in->size = n;
}

static void consumed(struct input *in, const uint8_t *p, size_t n)
{
	in->crc64 = lzma_crc64(p, n, in->crc64);
	in->pos += n;
}

int input_next(struct input *in, const uint8_t **p, size_t *n)
{
	ssize_t got;

	if (in->fd < 0) {
		size_t left = in->mem_size - (size_t)in->pos;

		*n = left < INPUT_CHUNK ? left : INPUT_CHUNK;
		*p = in->mem + in->pos;
		consumed(in, *p, *n);
		return 0;
	}
	if (!in->buf) {
		in->buf = malloc(INPUT_CHUNK);
		if (!in->buf)
			return -ENOMEM;
		in->buf_size = INPUT_CHUNK;
	}
	do
		got = read(in->fd, in->buf, in->pos ? in->buf_size : INPUT_FIRST_CHUNK);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return -errno;
	*p = in->buf;
	*n = (size_t)got;
	consumed(in, *p, *n);
	return 0;
}

int input_read(struct input *in, void *buf, size_t len)
{
	uint8_t *p = buf;

	if (in->fd < 0) {
		if (len > in->mem_size - (size_t)in->pos)
			return -EPIPE;
		memcpy(p, in->mem + in->pos, len);
		consumed(in, p, len);
		return 0;
	}
	while (len) {
		ssize_t got = read(in->fd, p, len);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return got < 0 ? -errno : -EPIPE;
		consumed(in, p, (size_t)got);
		p += got;
		len -= (size_t)got;
	}
	return 0;
}

int input_pread(struct input *in, uint64_t off, void *buf, size_t len)
{
	size_t done = 0;

	if (in->size == INPUT_SIZE_UNKNOWN || off > in->size ||
	    len > in->size - off)
		return -ESPIPE;
	if (in->fd < 0) {
		memcpy(buf, in->mem + off, len);
		return 0;
	}
	while (done < len) {
		ssize_t r = pread(in->fd, (uint8_t *)buf + done, len - done,
				  (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		done += (size_t)r;
	}
	return 0;
}

int input_slurp(struct input *in, size_t max, uint8_t **data, size_t *len,
		struct khdr_err *e)
{
	size_t cap = in->size != INPUT_SIZE_UNKNOWN && in->size <= max
			     ? (size_t)in->size + 1 : INPUT_CHUNK;
	uint8_t *buf = malloc(cap), *nb;
	size_t have = 0;
	int r;

	if (!buf)
		return err_set(e, ENOMEM, "out of memory");
	for (;;) {
		const uint8_t *p;
		size_t n;

		r = input_next(in, &p, &n);
		if (r < 0) {
			free(buf);
			return err_set(e, r, "read error: %s", strerror(-r));
		}
		if (n == 0)
			break;
		if (n > max - have) {
			free(buf);
			return err_set(e, EFBIG, "file larger than %zu bytes", max);
		}
		if (have + n > cap) {
			cap = (have + n) * 2 < max ? (have + n) * 2 : max;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return err_set(e, ENOMEM, "out of memory");
			}
			buf = nb;
		}
		memcpy(buf + have, p, n);
		have += n;
	}
	*data = buf;
	*len = have;
	return 0;
}

int input_finish(struct input *in)
{
	const uint8_t *p;
	size_t n;
	int r;

	do
		r = input_next(in, &p, &n);
	while (r == 0 && n);
	return r;
}

int input_crc64_whole(struct input *in, uint64_t *crc)
{
	uint8_t buf[64 * 1024];
	uint64_t off = 0, c = 0;

	if (in->fd < 0) {
		*crc = lzma_crc64(in->mem, in->mem_size, 0);
		return 0;
	}
	for (;;) {
		ssize_t n = pread(in->fd, buf, sizeof(buf), (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		c = lzma_crc64(buf, (size_t)n, c);
		off += (uint64_t)n;
	}
	*crc = c;
	return 0;
}

void input_close(struct input *in)
{
	if (in->fd >= 0)
		close(in->fd);
	free(in->buf);
	free(in->owned);
	memset(in, 0, sizeof(*in));
	in->fd = -1;
}
