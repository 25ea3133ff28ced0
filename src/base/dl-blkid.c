/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dl-blkid.c - the libblkid functions devinfo.c calls, loaded on first use
 * (see dl.h).  A failed load returns what libblkid returns when it finds
 * nothing: NULL, or -1.
 */
#include <blkid.h>
#include <stddef.h>

#include "base/dl.h"

#define DL_THIS dl_blkid

#define BLKID_FUNCTIONS(FN, VOID)                                            \
	FN(NULL, blkid_probe, blkid_new_probe_from_filename,                 \
	   (const char *filename), (filename))                               \
	FN(-1, int, blkid_probe_enable_superblocks,                          \
	   (blkid_probe pr, int enable), (pr, enable))                       \
	FN(-1, int, blkid_probe_set_superblocks_flags,                       \
	   (blkid_probe pr, int flags), (pr, flags))                         \
	FN(-1, int, blkid_probe_filter_superblocks_type,                     \
	   (blkid_probe pr, int flag, char *names[]), (pr, flag, names))     \
	FN(-1, int, blkid_do_safeprobe, (blkid_probe pr), (pr))              \
	FN(-1, int, blkid_probe_lookup_value,                                \
	   (blkid_probe pr, const char *name, const char **data, size_t *len), \
	   (pr, name, data, len))                                            \
	VOID(blkid_free_probe, (blkid_probe pr), (pr))                       \
	FN(NULL, char *, blkid_devno_to_devname, (dev_t devno), (devno))     \
	FN(NULL, char *, blkid_evaluate_tag,                                 \
	   (const char *token, const char *value, blkid_cache *cache),       \
	   (token, value, cache))

DL_LIBRARY(blkid, BLKID_FUNCTIONS, BLKID_SONAME,
	   "to find and describe block devices",
	   "libblkid1 (Debian, Ubuntu) or libblkid (Fedora)");

DL_NOTE(blkid, "[{\"feature\":\"blkid\",\"description\":\"the cache's file system in status, and cache devices given as LABEL= or UUID=\",\"priority\":\"recommended\",\"soname\":[\"" BLKID_SONAME "\"]}]");
