/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * entry.h - one archive member as the tar reader reports it and the
 * extractor consumes it.  Neither side knows the other.
 */
#ifndef KHDR_ENTRY_H
#define KHDR_ENTRY_H

#include <stdint.h>

enum entry_type {
	ENTRY_FILE,
	ENTRY_DIR,
	ENTRY_SYMLINK,
	ENTRY_HARDLINK,
	ENTRY_CHAR,
	ENTRY_BLOCK,
	ENTRY_FIFO,
	ENTRY_OTHER,     /* anything else: never created */
};

struct entry {
	const char *path;     /* as stored in the archive */
	const char *link;     /* symlink target or hard link source */
	enum entry_type type;
	uint32_t mode;        /* permission bits as stored */
	uint64_t size;        /* data bytes that follow */
	int64_t mtime;
};

#endif
