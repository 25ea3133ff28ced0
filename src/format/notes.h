/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * notes.h - ELF note sequences, as in a PT_NOTE segment, a SHT_NOTE section
 * or /sys/kernel/notes.  Works on bytes only.
 */
#ifndef KHDR_NOTES_H
#define KHDR_NOTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUILD_ID_MAX 64   /* longer GNU build IDs are refused */

struct build_id {
	uint8_t bytes[BUILD_ID_MAX];
	size_t len;           /* 0: none */
};

/*
 * Find the GNU build ID (owner "GNU", type NT_GNU_BUILD_ID = 3) in a note
 * sequence.  Owner and type must both match: Xen's notes use type 3 too.
 * align is the note alignment (4, or 8 for segments with p_align 8).
 * Returns 0, -ENOENT when there is none, -EBADMSG when the notes are
 * malformed before one is found.
 */
int notes_find_build_id(const uint8_t *buf, size_t len, bool big_endian,
			size_t align, struct build_id *id);

/* Native byte order, 4-byte alignment: /sys/kernel/notes. */
int notes_find_build_id_native(const uint8_t *buf, size_t len,
			       struct build_id *id);

/* Parse a hex build ID ("" is a valid empty one). */
int build_id_from_hex(const char *hex, struct build_id *id);

#endif
