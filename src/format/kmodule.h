/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kmodule.h - the format of a kheaders module (upstream's kernel/kheaders.c,
 * and kernel/kheaders.c here): the .tar.xz lies between the symbols
 * kernel_headers_data and kernel_headers_data_end, and .modinfo's vermagic
 * names the release it was built for.  Pure: the image is in memory.
 */
#ifndef KHDR_KMODULE_H
#define KHDR_KMODULE_H

#include <stddef.h>
#include <stdint.h>

#include "base/khdr.h"

/* Point p, n at the archive of a decompressed module image; vermagic "" if none. */
int module_archive(const uint8_t *ko, size_t len, const uint8_t **p,
		   size_t *n, char *vermagic, size_t vsize, struct khdr_err *e);

#endif
