/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * treediff.h - compare an installed tree with a fresh extraction of its
 * archive: missing, changed (type, mode, content, link target) and extra
 * paths.  Walks both with *at() calls and O_NOFOLLOW only.
 */
#ifndef KHDR_TREEDIFF_H
#define KHDR_TREEDIFF_H

#include <stdint.h>

enum tree_change { TREE_MISSING, TREE_CHANGED, TREE_EXTRA };

struct tree_diff {
	/* Top-level names the installed tree may hold beyond the archive. */
	const char *const *ignore;
	void (*report)(enum tree_change what, const char *path, const char *how,
		       void *ctx);
	void *ctx;
	uint64_t missing, changed, extra, compared;
	uint64_t files;                /* of compared, the regular files */
};

/* Compare installed (fd) with reference (fd); -errno when a walk fails. */
int tree_compare(struct tree_diff *d, int installed, int reference);

#endif
