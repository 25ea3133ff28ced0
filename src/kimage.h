/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kimage.h - the GNU build ID of a kernel image: a vmlinux ELF, a raw note
 * sequence (/sys/kernel/notes), or an x86 bzImage whose compressed payload
 * is decoded only as far as its PT_NOTE segment.
 */
#ifndef KHDR_KIMAGE_H
#define KHDR_KIMAGE_H

#include "input.h"
#include "khdr.h"
#include "notes.h"

int kimage_build_id(struct input *in, struct build_id *id,
		    struct khdr_err *e);

/* Locate the compressed payload of a bzImage held in memory; pure. */
int bzimage_payload(const uint8_t *img, size_t len, const uint8_t **p,
		    size_t *n);

#endif
