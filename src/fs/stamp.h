/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stamp.h - the .khdr-stamp of a cache entry, the one place that knows its
 * keys, their order and the entry's key (<release>@<build-id>): what
 * install records, and what status, prune, env, verify and the warm path
 * read back.  Text only: the cache reads and writes the file.
 */
#ifndef KHDR_STAMP_H
#define KHDR_STAMP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/kversion.h"
#include "format/notes.h"

#define KHDR_STAMP      ".khdr-stamp"   /* in each entry, beside the tree */
#define STAMP_FORMAT    1u
#define STAMP_KEY_MAX   256
#define STAMP_TEXT_MAX  16384   /* the most a stamp holds (one of 1 KiB is usual) */

/*
 * What a stamp records.  The verification level, the source kind and the
 * config and layout verdicts are the names the verifier, the source finder
 * and the checks give them (verify_level_name() and the like): the stamp
 * keeps what was written, whatever a later tool calls it.
 */
struct stamp {
	unsigned format;                        /* STAMP_FORMAT; 0: unreadable */
	char key[STAMP_KEY_MAX];                /* the entry's name, stamp_key() */
	char release[RELEASE_MAX];
	char build_id[2 * BUILD_ID_MAX + 1];    /* hex, "" when the kernel has none */
	char verified[24];                      /* build-id, builtin, fingerprint, forced */
	char source[24];                        /* argument, staged, sysfs-builtin, ... */
	char source_path[PATH_MAX];
	uint64_t archive_size;
	uint64_t archive_crc64;                 /* of the compressed archive */
	bool has_crc64;                         /* stamp_parse found one (always written) */
	char kbuild[16];                        /* yes (the archive's), synthesized (a kit's), no */
	char config[16];                        /* match, mismatch, unavailable */
	bool stub_makefile;                     /* install wrote the top Makefile */
	uint64_t members, files, dirs, links, bytes;
	char tool_version[64];
	char layout[16];                        /* match, mismatch, unavailable; "": not checked */
	char image[PATH_MAX];                   /* offline install's image; "": running kernel */
	/* kbuild=synthesized: the kit, and where the files of the build came from. */
	char kit[PATH_MAX];                     /* the kit's directory */
	char kit_version[32];                   /* the kit's upstream version */
	char kit_origin[256];                   /* what the kit was made from */
	char kit_forced[32];                    /* --force: the headers' other version */
	char symvers_image[PATH_MAX];           /* Module.symvers: the image's exports */
	char symvers_modules[PATH_MAX];         /* and those of the modules below this */
	char config_from[PATH_MAX];             /* .config: a file, or autoconf.h */
	long long created;                      /* seconds since the epoch */
};

/* An empty stamp of this tool: format and tool version set. */
void stamp_init(struct stamp *st);

/*
 * The stamp as text, NUL-terminated: its length, or -ENAMETOOLONG when it
 * does not fit in size.  layout, image and the kit's keys are left out
 * when empty.
 */
int stamp_format(const struct stamp *st, char *buf, size_t size);

/*
 * Read a stamp's text into st.  A field that is missing or does not fit
 * its member is left empty (0, false), as a stamp of another version may
 * have it.  Returns 0, or the kv_get() error of format, key or release,
 * without which no stamp names an entry.
 */
int stamp_parse(const char *text, size_t len, struct stamp *st);

/* Is st, in this tool's format, the stamp of entry key of release? */
bool stamp_names(const struct stamp *st, const char *key, const char *release);

/*
 * The name of an entry: <release>@<build-id>, or without a build ID
 * (build_id_hex "") <release>@crc64-<16 hex digits> of the archive's
 * CRC64.  0, or -ENAMETOOLONG (buf then holds what fitted).
 */
int stamp_key(char *buf, size_t size, const char *release,
	      const char *build_id_hex, uint64_t crc64);

/* Is name shaped like a key stamp_key() makes?  Nothing else in the cache is ours. */
bool stamp_key_like(const char *name);

#endif
