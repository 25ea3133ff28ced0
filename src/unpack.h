/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unpack.h - the pipeline: xz input -> decoder -> tar reader -> verifier ->
 * extractor.  Without an extractor it only reads and verifies (--dry-run).
 */
#ifndef KHDR_UNPACK_H
#define KHDR_UNPACK_H

#include "extract.h"
#include "input.h"
#include "khdr.h"
#include "progress.h"
#include "verify.h"

struct unpack_stats {
	uint64_t tar_size;        /* from the xz index, 0 if unknown */
	uint64_t members;
	enum verify_level level;
};

/* pr: where to show progress, NULL for nowhere. */
int unpack_archive(struct input *in, struct extractor *x, struct verifier *v,
		   uint64_t max_entries, uint64_t max_bytes, struct progress *pr,
		   struct unpack_stats *st, struct khdr_err *e);

#endif
