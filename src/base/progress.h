/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * progress.h - a one-line progress bar on standard error while an archive
 * is unpacked: bytes of the uncompressed size (from the xz index).  Only on
 * a terminal; never at boot, with --quiet, or when the size is unknown.
 */
#ifndef KHDR_PROGRESS_H
#define KHDR_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct progress {
	bool on;
	uint64_t total;
	uint64_t next_ns;        /* redraw no sooner than this */
	const char *what;
};

/* Show progress for `what` when wanted and standard error is a terminal. */
void progress_start(struct progress *p, bool wanted, const char *what);

/* The uncompressed size, once known (0: unknown, no bar). */
void progress_total(struct progress *p, uint64_t total);

void progress_update(struct progress *p, uint64_t done);

/* Clear the line. */
void progress_end(struct progress *p);

#endif
