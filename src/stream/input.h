/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * input.h - a source of compressed bytes: a file read in large chunks, or a
 * buffer in memory (an archive embedded in a module).  Computes the CRC64
 * of everything consumed, which keys cache entries of kernels without a
 * build ID.
 */
#ifndef KHDR_INPUT_H
#define KHDR_INPUT_H

#include <stdint.h>
#include <stddef.h>
#include <sys/stat.h>

#include "base/khdr.h"

#define INPUT_SIZE_UNKNOWN UINT64_MAX

struct input {
	int fd;                 /* -1 when reading from memory */
	const uint8_t *mem;
	size_t mem_size;
	void *owned;            /* freed by input_close() */
	uint64_t size;          /* total size, INPUT_SIZE_UNKNOWN if unknown */
	uint64_t pos;           /* bytes consumed */
	uint64_t crc64;
	uint8_t *buf;
	size_t buf_size;
};

int input_open_file(struct input *in, int dirfd, const char *path,
		    struct khdr_err *e);

/* Take an open fd of a regular file (checked with st, from fstat). */
void input_from_fd(struct input *in, int fd, const struct stat *st);

/* Take a buffer; owned (may be NULL) is freed on close. */
void input_from_memory(struct input *in, const uint8_t *p, size_t n,
		       void *owned);

/* Next chunk of bytes; *n == 0 at the end.  Returns 0 or -errno. */
int input_next(struct input *in, const uint8_t **p, size_t *n);

/* Exactly the next len bytes into buf; -EPIPE when the input ends first. */
int input_read(struct input *in, void *buf, size_t len);

/* Random access, for the xz index; -ESPIPE when the input cannot seek. */
int input_pread(struct input *in, uint64_t off, void *buf, size_t len);

/* Read the whole input into one malloc'd buffer of at most max bytes. */
int input_slurp(struct input *in, size_t max, uint8_t **data, size_t *len,
		struct khdr_err *e);

/* Consume the rest, so crc64 covers the whole input. */
int input_finish(struct input *in);

/* CRC64 of the whole input without consuming it (seekable inputs only). */
int input_crc64_whole(struct input *in, uint64_t *crc);

void input_close(struct input *in);

#endif
