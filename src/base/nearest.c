/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nearest.c - edit distance and the closest word, for "did you mean". */
#include <stdint.h>
#include <string.h>

#include "base/nearest.h"

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

/* Optimal string alignment: Levenshtein plus a swap of two neighbours,
 * the commonest slip of the fingers ("isntall"). */
size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[NEAREST_MAX_LEN + 1][NEAREST_MAX_LEN + 1];

	if (la > NEAREST_MAX_LEN || lb > NEAREST_MAX_LEN)
		return SIZE_MAX;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];

			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	}
	return d[la][lb];
}

void nearest_init(struct nearest *n, const char *word)
{
	*n = (struct nearest){ .word = word, .best = NULL, .distance = SIZE_MAX };
}

void nearest_offer(struct nearest *n, const char *candidate)
{
	size_t d = edit_distance(n->word, candidate);

	if (d < n->distance) {
		n->best = candidate;
		n->distance = d;
	}
}

/*
 * A typo is a slip of a key or two, not another word: at most two edits,
 * and no more than one in three of the word's letters ("instal" is
 * install, "ls" is nothing).
 */
const char *nearest_best(const struct nearest *n)
{
	size_t len = strlen(n->word);

	if (!n->best || n->distance == 0 || n->distance > 2 || n->distance * 3 > len)
		return NULL;
	return n->best;
}
