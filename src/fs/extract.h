/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * extract.h - write archive members beneath one directory, safely: every
 * name is opened relative to that directory without following symlinks,
 * links may not leave the tree, modes are masked, devices are never made.
 * It knows nothing about where the bytes come from.
 */
#ifndef KHDR_EXTRACT_H
#define KHDR_EXTRACT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/khdr.h"
#include "format/entry.h"

struct name_set {               /* regular files written, for hard links */
	char *arena;
	size_t arena_len, arena_cap;
	uint32_t *slots;        /* arena offset + 1; 0 = empty */
	size_t nslots, count;
};

struct deferred_dir {
	size_t path_off;        /* into dirs_arena */
	int64_t mtime;
};

struct extractor {
	int rootfd;
	uint64_t max_entries, max_bytes;
	/* The parent directory of the previous member, kept open. */
	int dirfd;
	char dirpath[4096];
	bool no_openat2;
	/* The regular file being written. */
	int fd;
	char name[4096];
	int64_t mtime;
	/* Directory mtimes, set last (writing children changes them). */
	struct deferred_dir *dirs;
	size_t ndirs, dirs_cap;
	char *dirs_arena;
	size_t dirs_arena_len, dirs_arena_cap;
	struct name_set files;
	struct name_set dirset;     /* directories whose mtime is deferred */
	/* What was done. */
	uint64_t entries, nfiles, ndirs_made, nlinks, bytes, skipped;
};

void extract_init(struct extractor *x, int rootfd, uint64_t max_entries,
		  uint64_t max_bytes);

/*
 * Start a member.  Returns 1 when its data is wanted (feed it to
 * extract_write, then call extract_end), 0 when the member is complete or
 * skipped, or -errno.
 */
int extract_begin(struct extractor *x, const struct entry *en,
		  struct khdr_err *e);
int extract_write(struct extractor *x, const void *p, size_t n,
		  struct khdr_err *e);
int extract_end(struct extractor *x, struct khdr_err *e);

/* After the last member: directory mtimes. */
int extract_finish(struct extractor *x, struct khdr_err *e);

void extract_free(struct extractor *x);

#endif
