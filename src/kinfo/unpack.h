/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unpack.h - the pipeline: xz input -> decoder -> tar reader -> verifier ->
 * extractor.  Without an extractor it only reads and verifies (--dry-run).
 */
#ifndef KHDR_UNPACK_H
#define KHDR_UNPACK_H

#include "base/khdr.h"
#include "base/progress.h"
#include "stream/input.h"
#include "fs/extract.h"
#include "kinfo/verify.h"

struct unpack_stats {
	uint64_t tar_size;        /* from the xz index, 0 if unknown */
	uint64_t members;
	enum verify_level level;
};

struct unpack_opts {
	uint64_t max_entries;     /* members, before anything is refused */
	uint64_t max_bytes;       /* bytes the stream may expand to */
	unsigned threads;         /* 1: decode inline; more: up to this many
				     xz blocks at once, or one decoder thread
				     ahead for an archive of one block */
	struct progress *progress; /* NULL: show none */
};

int unpack_archive(struct input *in, struct extractor *x, struct verifier *v,
		   const struct unpack_opts *uo, struct unpack_stats *st,
		   struct khdr_err *e);

#endif
