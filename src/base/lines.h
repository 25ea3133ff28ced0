/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lines.h - the lines of a text buffer, one at a time, for the parsers.
 */
#ifndef KHDR_LINES_H
#define KHDR_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/*
 * A line ends at '\n' (not part of it) or at the end of the buffer: a
 * last line without '\n' counts, a '\n' at the very end starts none.
 * '\r' is left to the caller.  Stops at end, not at '\0'.
 */
struct line_iter {
	const char *p, *end;
	unsigned no;              /* of the line line_next gave last, from 1 */
};

static inline void line_iter_init(struct line_iter *it, const char *text, size_t len)
{
	it->p = text;
	it->end = text + len;
	it->no = 0;
}

/* The next line in [*s, *e); false when there is none. */
static inline bool line_next(struct line_iter *it, const char **s, const char **e)
{
	const char *nl;

	if (it->p >= it->end)
		return false;
	nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	*s = it->p;
	*e = nl ? nl : it->end;
	it->p = nl ? nl + 1 : it->end;
	it->no++;
	return true;
}

#endif
