/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nearest.h - the closest of a list of words to a mistyped one, for "did
 * you mean" (git's help.autocorrect is the model): candidates are offered
 * one at a time, so any table can be searched without copying its names.
 */
#ifndef KHDR_NEAREST_H
#define KHDR_NEAREST_H

#include <stddef.h>

#define NEAREST_MAX_LEN 64

struct nearest {
	const char *word;       /* what was typed */
	const char *best;       /* the closest candidate so far, or NULL */
	size_t distance;        /* its edit distance from word */
};

/* The edit distance (insertions, deletions, substitutions, swaps of two
 * neighbours) of a and b; SIZE_MAX for words longer than NEAREST_MAX_LEN. */
size_t edit_distance(const char *a, const char *b);

void nearest_init(struct nearest *n, const char *word);

/* Offer one candidate; the first of equally close ones stays. */
void nearest_offer(struct nearest *n, const char *candidate);

/* The closest candidate if it is close enough to be a typo, else NULL. */
const char *nearest_best(const struct nearest *n);

#endif
