/* SPDX-License-Identifier: GPL-2.0-or-later */
/* unpack.c - the pipeline: input, decoder, tar reader, verifier, extractor. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "format/path.h"
#include "format/tar.h"
#include "stream/decomp.h"
#include "stream/prefetch.h"
#include "stream/xz.h"
#include "stream/xzblocks.h"
#include "kinfo/unpack.h"

/* Decoded bytes handed over at a time when decoding inline (--threads 1). */
#define INLINE_CHUNK (1u << 20)
/* Tar pads to its record size (10 KiB for GNU tar's default); more bytes
 * after the end marker than this are not padding but a way to waste time. */
#define MAX_TRAILER (1u << 20)

struct feed {
	struct decoder dec;
	struct xzblocks *blocks;  /* xz blocks decoded in parallel, or */
	struct prefetch *ahead;   /* the stream decoded ahead, or neither:
				     decoded in this thread */
	uint64_t total, max_bytes;
	struct progress *progress;
};

/* The tar reader's byte supply, capped so a bomb stops early. */
static int feed_fill(void *ctx, const uint8_t **p, size_t *n,
		     struct khdr_err *e)
{
	struct feed *f = ctx;
	int r = f->blocks ? xzblocks_fill(f->blocks, p, n, e)
		: f->ahead ? prefetch_fill(f->ahead, p, n, e)
			   : decoder_fill(&f->dec, p, n, e);

	if (r < 0)
		return r;
	f->total += *n;
	progress_update(f->progress, f->total);
	if (f->total > f->max_bytes)
		return err_set(e, EFBIG,
			       "archive expands to more than %llu bytes (--max-bytes)",
			       (unsigned long long)f->max_bytes);
	return 0;
}

/*
 * Decode what follows the tar end marker (record padding) to the end of the
 * xz stream, so its integrity check is verified and the CRC64 covers all.
 */
static int drain(struct feed *f, struct khdr_err *e)
{
	uint64_t end = f->total;
	const uint8_t *p;
	size_t n;
	int r;

	do
		r = feed_fill(f, &p, &n, e);
	while (r == 0 && n && f->total - end <= MAX_TRAILER);
	if (r == 0 && n)
		r = err_set(e, EBADMSG,
			    "more than %u KiB of data after the end of the tar archive",
			    MAX_TRAILER >> 10);
	return r;
}

static int check_space(int dirfd, uint64_t need, struct khdr_err *e)
{
	struct statvfs sv;
	uint64_t avail;

	if (fstatvfs(dirfd, &sv) < 0)
		return 0;
	avail = (uint64_t)sv.f_bavail * sv.f_frsize;
	if (avail < need)
		return err_set(e, ENOSPC,
			       "not enough free space: the archive needs %llu KiB, only %llu KiB are free; free some space or move the cache",
			       (unsigned long long)(need >> 10),
			       (unsigned long long)(avail >> 10));
	return 0;
}

/* A member the verifier reads: buffer it, check it, then write it. */
static int verified_member(struct tar_reader *t, const struct entry *en,
			   const char *path, struct extractor *x,
			   struct verifier *v, struct khdr_err *e)
{
	char small[VERIFY_MEMBER_MAX], *buf = small;
	size_t len = 0, max = verify_member_max(path);
	int r = 0;

	/* autoconf.h is bigger than the others: on the heap. */
	if (max > sizeof(small) && !(buf = malloc(max)))
		return err_set(e, ENOMEM, "out of memory reading %s", path);
	if (en->type == ENTRY_FILE)
		r = tar_read_all(t, buf, max, &len, e);
	if (r == 0)
		r = verify_member(v, path, buf, len, e);
	if (r == 0 && x) {
		r = extract_begin(x, en, e);
		if (r == 1) {
			r = extract_write(x, buf, len, e);
			if (r == 0)
				r = extract_end(x, e);
		}
	}
	if (buf != small)
		free(buf);
	return r;
}

static int plain_member(struct tar_reader *t, const struct entry *en,
			struct extractor *x, struct khdr_err *e)
{
	int r = extract_begin(x, en, e);

	while (r == 1) {
		const uint8_t *p;
		size_t n;

		r = tar_data(t, &p, &n, e);
		if (r == 0 && n == 0)
			return extract_end(x, e);
		if (r == 0)
			r = extract_write(x, p, n, e);
		if (r == 0)
			r = 1;
	}
	return r;
}

static int each_member(struct tar_reader *t, struct extractor *x,
		       struct verifier *v, uint64_t max_entries,
		       struct unpack_stats *st, struct khdr_err *e)
{
	char path[PATH_MAX];
	const struct entry *en;
	const char *why;
	int r;

	while ((r = tar_next(t, &en, e)) == 1) {
		int c = path_clean(en->path, path, sizeof(path), &why);

		if (c < 0)
			return err_set(e, c, "refusing member '%.200s': %s",
				       en->path, why);
		if (++st->members > max_entries)
			return err_set(e, E2BIG,
				       "archive has more than %llu members (--max-entries)",
				       (unsigned long long)max_entries);
		if (c == 1) {
			r = x ? extract_begin(x, en, e) : 0;
		} else if (v && verify_wants(v, path)) {
			r = verified_member(t, en, path, x, v, e);
		} else {
			r = x ? plain_member(t, en, x, e) : 0;
		}
		if (r < 0)
			return r;
		if (v && c == 0)
			verify_count(v, path);
	}
	return r;
}

/*
 * With threads to spare, decode the blocks of a multi-block archive in
 * parallel; otherwise run the stream decoder, in a thread of its own ahead
 * of this one unless told not to.
 */
static int feed_start(struct feed *f, struct input *in, unsigned threads,
		      struct khdr_err *e)
{
	int r = xzblocks_start(&f->blocks, in, threads, e);

	if (r != 0)
		return r < 0 ? r : 0;
	r = decoder_init(&f->dec, COMP_XZ, in,
			 threads > 1 ? 4096 : INLINE_CHUNK, e);
	if (r < 0 || threads <= 1)
		return r;
	r = prefetch_start(&f->ahead, &f->dec, e);
	if (r < 0)
		decoder_end(&f->dec);
	return r;
}

int unpack_archive(struct input *in, struct extractor *x, struct verifier *v,
		   const struct unpack_opts *uo, struct unpack_stats *st,
		   struct khdr_err *e)
{
	uint64_t max_entries = uo->max_entries, max_bytes = uo->max_bytes;
	struct progress *pr = uo->progress;
	struct feed f = { .max_bytes = max_bytes, .progress = pr };
	struct tar_reader t;
	int r;

	memset(st, 0, sizeof(*st));
	if (xz_uncompressed_size(in, &st->tar_size) < 0)
		st->tar_size = 0;
	progress_total(pr, st->tar_size);
	if (st->tar_size > max_bytes)
		return err_set(e, EFBIG,
			       "archive expands to %llu bytes, over the limit of %llu (--max-bytes)",
			       (unsigned long long)st->tar_size,
			       (unsigned long long)max_bytes);
	if (x && st->tar_size) {
		r = check_space(x->rootfd, st->tar_size, e);
		if (r < 0)
			return r;
	}
	r = feed_start(&f, in, uo->threads, e);
	if (r < 0)
		return r;
	tar_init(&t, feed_fill, &f);
	r = each_member(&t, x, v, max_entries, st, e);
	tar_free(&t);
	if (r == 0)
		r = drain(&f, e);
	xzblocks_stop(f.blocks);
	prefetch_stop(f.ahead);
	progress_end(pr);
	if (r == 0 && input_finish(in) < 0)
		r = err_set(e, EIO, "read error at the end of the archive");
	decoder_end(&f.dec);
	if (r == 0 && st->members == 0)
		r = err_set(e, EBADMSG, "the archive is empty");
	if (r == -EPIPE || r == -EBADMSG || r == -EINVAL || r == -ENAMETOOLONG) {
		size_t n = strlen(e->msg);

		snprintf(e->msg + n, sizeof(e->msg) - n, "%s",
			 r == -EPIPE || r == -EBADMSG
				 ? " (a damaged archive, or no kernel headers archive)"
				 : " (an unsafe archive: do not use it)");
	}
	if (r == 0 && x)
		r = extract_finish(x, e);
	if (r == 0 && v)
		r = verify_finish(v, &st->level, e);
	return r;
}
