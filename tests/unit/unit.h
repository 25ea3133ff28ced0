/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unit.h - the smallest test harness that does the job: CHECK records a
 * failure with its line and goes on; TEST runs one function; unit_done
 * prints "N passed, N failed" and gives the exit status.  Tests that need
 * the genuine kernel artefacts read their directory from $KHDR_ARTEFACTS
 * and say why when they skip.
 */
#ifndef KHDR_UNIT_H
#define KHDR_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_passed, unit_failed, unit_skipped, unit_current_failed;

#define CHECK(cond) do { \
	if (!(cond)) { \
		printf("    %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
		unit_current_failed = 1; \
	} } while (0)

#define CHECK_INT(a, b) do { \
	long long _a = (long long)(a), _b = (long long)(b); \
	if (_a != _b) { \
		printf("    %s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, _a, _b); \
		unit_current_failed = 1; \
	} } while (0)

#define CHECK_STR(a, b) do { \
	const char *_a = (a), *_b = (b); \
	if (!_a || strcmp(_a, _b) != 0) { \
		printf("    %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, _a ? _a : "(null)", _b); \
		unit_current_failed = 1; \
	} } while (0)

/* A test returns 0 when it ran, 1 when it skipped (after saying why). */
#define TEST(fn) do { \
	unit_current_failed = 0; \
	int _skip = fn(); \
	if (_skip) { unit_skipped++; printf("SKIP: %s\n", #fn); } \
	else if (unit_current_failed) { unit_failed++; printf("FAIL: %s\n", #fn); } \
	else { unit_passed++; printf("PASS: %s\n", #fn); } \
	} while (0)

static inline int unit_skip(const char *why)
{
	printf("    skipped: %s\n", why);
	return 1;
}

/* Read a whole file into memory; NULL if it cannot. */
static inline unsigned char *unit_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			buf = realloc(buf, cap);
			if (!buf) { fclose(f); return NULL; }
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	fclose(f);
	*len = n;
	return buf;
}

/* $KHDR_ARTEFACTS/name, or NULL when the artefacts are not built. */
static inline const char *unit_artefact(const char *name)
{
	static char path[4096];
	const char *dir = getenv("KHDR_ARTEFACTS");

	if (!dir || !*dir)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static inline int unit_done(void)
{
	printf("%d passed, %d failed, %d skipped\n", unit_passed, unit_failed, unit_skipped);
	return unit_failed ? 1 : 0;
}

#endif
