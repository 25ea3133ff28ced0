/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kimage.h - the GNU build ID of a kernel image: a vmlinux ELF, a raw note
 * sequence (/sys/kernel/notes), or an x86 bzImage whose compressed payload
 * is decoded only as far as its PT_NOTE segment.
 */
#ifndef KHDR_KIMAGE_H
#define KHDR_KIMAGE_H

#include <stdbool.h>

#include "base/khdr.h"
#include "format/notes.h"
#include "stream/input.h"

int kimage_build_id(struct input *in, struct build_id *id,
		    struct khdr_err *e);

/*
 * The banner "Linux version <release> (<by>@<host>) (<compiler>) #..."
 * of a kernel image (the line /proc/version shows when it runs): a vmlinux
 * or any other file is scanned as it is, a bzImage's payload decompressed
 * and scanned.  The
 * first banner of release whose version part starts "#<digit>" wins (a
 * 6.1 vmlinux also holds a weak one with "# SMP", which the kernel
 * overrides), else the first banner of release.  Without one, -ENOENT,
 * and other (size bytes) names the first banner found of another release
 * ("" if none), so a wrong image can be named.
 */
#define BANNER_MAX 1024
int kimage_banner(struct input *in, const char *release, char *line,
		  size_t size, char *other, size_t osize, struct khdr_err *e);

/* The scan over bytes in memory, a window at a time; pure. */
struct banner_scan {
	const char *release;
	char *line, *other;
	size_t size, osize;
	bool found;              /* line holds a banner of release */
	bool done;               /* ... and it is the best one: stop */
};

/*
 * Look for banners starting in p[0, n), all of which must have been seen
 * when final; otherwise only those starting before n - BANNER_MAX, so
 * each is whole.  Returns how many leading bytes are done with: the
 * caller passes the rest again in front of the next bytes.
 */
size_t banner_scan(struct banner_scan *s, const uint8_t *p, size_t n, bool final);

/* Locate the compressed payload of a bzImage held in memory; pure. */
int bzimage_payload(const uint8_t *img, size_t len, const uint8_t **p,
		    size_t *n);

#endif
