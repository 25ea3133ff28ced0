/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * names.h - the word for an enum value, from its table, bounds-checked.
 */
#ifndef KHDR_NAMES_H
#define KHDR_NAMES_H

#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* names[v], or "?" for a value the table does not name: a bad value prints as one. */
static inline const char *name_of(const char *const *names, size_t n, unsigned v)
{
	return v < n && names[v] ? names[v] : "?";
}

#endif
