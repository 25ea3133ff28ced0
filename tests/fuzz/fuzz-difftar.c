/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz-difftar.c - differential: the same bytes through our tar reader
 * (src/format/tar.c, chunked as in fuzz-tar: the first byte picks the chunking)
 * and through libarchive's tar reader, in process.  libarchive is a test
 * dependency of this target only; khdr-cache never links it.
 *
 * The member lists (name, type, size, link target) must agree member by
 * member as far as both got.  When both accept the archive, the lists must
 * be equal.  When only ours refuses, it must be for one of the documented
 * reasons below; when only libarchive refuses, for one of its stricter
 * checks below.  Anything else is a divergence: abort() with both lists,
 * so libFuzzer keeps the input.
 *
 * Where our reader refuses and libarchive goes on (documented, by design):
 *  R1 a GNU long name or link ('L', 'K') over 4096 bytes, a pax path or
 *     linkpath over 4095 bytes (libarchive: up to 1 MiB), a pax path with
 *     a NUL byte ("pax path contains a NUL byte"): ENAMETOOLONG/EBADMSG;
 *  R2 a pax extended header over 64 KiB (libarchive: 1 MiB): E2BIG;
 *  R3 a number field (size, mode, mtime) that is not octal digits ended
 *     by NUL or space, or a base-256 value that is negative or does not
 *     fit 64 bits: "bad number", "bad size" (libarchive reads up to the
 *     first non-digit, or clamps);
 *  R4 a malformed pax header or record, or a pax size that is not a plain
 *     decimal: EBADMSG (libarchive warns, ignores the rest of the header
 *     and goes on with the ustar fields);
 *  R5 a size over INT64_MAX ("out of range", as GNU tar 1.34 says);
 *  R6 a GNU sparse member, old GNU 'S' or pax 0.0, 0.1, 1.0: "a GNU sparse
 *     file (...)" (libarchive and GNU tar read them; kernel header
 *     archives have none).
 * Not among them: "bad header checksum" and "truncated".  libarchive checks
 * the checksum more strictly than ours and refuses truncated data and
 * extension headers without a member as ours does: when ours meets either
 * where libarchive read the archive to its end, the two read the archive
 * in different places (the framing diverged).
 *
 * Where libarchive refuses and ours goes on (its stricter checks):
 *  L1 its format bid rejects the first header ("Unrecognized archive
 *     format"): it looks at fields we do not read (uid, gid, magic,
 *     version);
 *  L2 a checksum field holding anything but octal digits, spaces and NULs
 *     after the number ("Damaged tar archive"): ours reads the number;
 *  L3 a number field holding '-' (a negative size: "negative size");
 *  L4 a pax record with an empty keyword ("=value"): pax_header() returns
 *     -1, no code of archive.h, and the read ends in ARCHIVE_FATAL with no
 *     message (GNU tar 1.34 and ours ignore the record): a refusal of
 *     libarchive without a message counts as this one.
 *
 * What legitimately differs, normalised before the comparison:
 *  N1 names: leading "./", "." components, repeated and trailing slashes
 *     are dropped on both sides, as path_clean() does before any use, so
 *     "./a//b/" and "a/b" are one member (libarchive keeps what is stored;
 *     it also adds no '/' after a ustar prefix that ends in one);
 *  N2 types: libarchive reports an unknown type flag as a regular file
 *     (POSIX), ours as ENTRY_OTHER, never created, whose data is skipped
 *     the same way: OTHER compares as a regular file; and a GNU dump
 *     directory ('D') as a directory with data: ours as OTHER, the same
 *     data skipped, so it compares as a directory;
 *  N3 a hard link: libarchive reports the type of the file it links to
 *     (none, or a regular file when the header has a size) with the
 *     hardlink target set; any entry with a hardlink target is a hard
 *     link, and its size is not compared (ours reports 0: a hard link
 *     carries no data in ustar and GNU archives); a hard link with an
 *     empty target is no hard link to libarchive (no type at all, or
 *     the one the file-type bits of its mode field say): ours
 *     reports it as one (the extractor refuses it), and they compare equal;
 *  N4 links: the link target is compared only for symlinks and hard links
 *     (ours keeps the linkname field of every header, libarchive only of
 *     links);
 *  N5 the first of two name extensions: when one member carries both a
 *     GNU long name and a pax path (or two of either), libarchive keeps
 *     the outermost (the first read), ours the last: the name of such a
 *     member is not compared;
 *  N6 a GNU volume label ('V'): libarchive skips it, ours reports it as
 *     ENTRY_OTHER (never created; GNU tar lists it, extracts nothing):
 *     it is left out of our list; a label with a size: libarchive reads
 *     the next header right after it, GNU tar 1.34 and ours skip the size
 *     first: the comparison ends there; and so it does at a label that
 *     extension headers precede (GNU tar 1.34 and ours apply them to the
 *     label, libarchive to the member after it);
 *  N7 a hard link whose header has a size: libarchive skips that many
 *     bytes of "data" in a pax archive (or guesses, in ustar), GNU tar
 *     1.34 and ours read the next header right after it (a hard link has
 *     no data): the comparison ends with that member's name;
 *  N8 a GNU header ("ustar  ") with a realsize field: libarchive reports
 *     that as the size of any member (old GNU sparse files use it), and
 *     skips the header's size; ours reports the header's size: the sizes
 *     of such members ('S' excepted) are not compared;
 *  N9 a header libarchive warns about (ARCHIVE_WARN: a pax record it
 *     calls invalid, with a NUL in its key, makes it drop the rest of the
 *     pax header, path included, while GNU tar and ours apply what is
 *     valid; a name it cannot convert): the comparison ends there.  pax
 *     names are UTF-8, so the locale is C.UTF-8 (no warning for them);
 *  N10 a symlink whose header has no linkname and whose target comes from
 *     a pax linkpath: libarchive may report an empty target (it files the
 *     pax target as a hard link's when no symlink target was set first);
 *     GNU tar 1.34 and ours use the pax target: an empty target of
 *     libarchive's is not compared there;
 *  N11 a magic of "ustar" followed by anything but NUL (and not GNU's
 *     "ustar  "): libarchive reads the ustar prefix field, GNU tar 1.34 and
 *     ours do not (POSIX magic is "ustar\0"): with a prefix set, the names
 *     of such members are not compared.
 *  N12 a GNU header ("ustar  ") that is not 'S' but has its sparse map
 *     fields set: libarchive reads the map (and extension blocks), GNU
 *     tar 1.34 and ours do not: the comparison ends with that member's
 *     name (or before it, when libarchive refuses the map).
 *  N13 a directory's size is not compared: libarchive keeps the size of a
 *     regular file named with a trailing '/' (GNU tar and ours skip its
 *     data, and report none); and when that size is not 0, libarchive
 *     reads the next header where the data begins, GNU tar 1.34 and ours
 *     after the data: the comparison ends with that member;
 *  N14 a member of an unknown type whose name ends in '/': libarchive
 *     reports it as a regular file (N2) and so as a directory, reading no
 *     data; GNU tar 1.34 extracts it as a regular file, skipping its data
 *     by its size; ours reports ENTRY_OTHER, never created, data skipped
 *     by its size as GNU tar does: the type is not compared, and when it
 *     has a size the comparison ends there (libarchive reads that data as
 *     headers).
 * A regular file whose name ends in '/' is a directory to all three (an
 * old tar convention): compared as such.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "format/tar.h"

#define MEMBERS_MAX 256

struct member {
	char *name, *link;
	int type;              /* enum entry_type, normalised */
	uint64_t size;
	uint64_t hdr;          /* our reader: offset of the member's header */
	uint64_t ext;          /* ...and of its first extension header */
	char flag;             /* our reader: its type flag */
	bool slash;            /* ...and whether its name ends in '/' */
	bool link_size;        /* ...a hard link with a size field (N7) */
	bool realsize;         /* ...a GNU header with a realsize field (N8) */
	bool warned;           /* libarchive: ARCHIVE_WARN on this header */
	bool ustar_link;       /* our reader: the header's linkname field is set */
	bool odd_magic;        /* ...its magic is "ustar" but not "ustar\0" (N11) */
	bool gnu_sparse;       /* ...GNU sparse fields in a header not 'S' (N12) */
	bool other;            /* ...an unknown type, ENTRY_OTHER (N14) */
	bool dir_data;         /* ...a file named "x/" with data (N13) */
};

struct list {
	struct member m[MEMBERS_MAX];
	int n;
	int status;            /* 0 accepted, <0 refused */
	int cut;               /* ours: compare no member from here (N5), or -1 */
	char why[300];
};

static void list_free(struct list *l)
{
	for (int i = 0; i < l->n; i++) {
		free(l->m[i].name);
		free(l->m[i].link);
	}
	l->n = 0;
}

/* N1: the name path_clean() would see, without its refusals. */
static char *norm_name(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(n + 2), *o = out;

	if (!out)
		abort();
	if (*s == '/')
		*o++ = '/';
	while (*s) {
		const char *c = s;
		size_t len;

		while (*c == '/')
			c++;
		len = strcspn(c, "/");
		if (len && !(len == 1 && c[0] == '.')) {
			if (o > out && o[-1] != '/')
				*o++ = '/';
			memcpy(o, c, len);
			o += len;
		}
		s = c + len;
	}
	*o = '\0';
	return out;
}

static void add(struct list *l, const char *name, const char *link, int type,
		uint64_t size, uint64_t hdr, uint64_t ext)
{
	struct member *m = &l->m[l->n++];

	m->name = norm_name(name ? name : "");
	/* N4 */
	m->link = strdup((type == ENTRY_SYMLINK || type == ENTRY_HARDLINK) && link
				 ? link : "");
	if (!m->link)
		abort();
	m->type = type;
	/* N3 */
	m->size = type == ENTRY_HARDLINK ? 0 : size;
	m->hdr = hdr;
	m->ext = ext;
	m->flag = 0;
	m->slash = name && *name && name[strlen(name) - 1] == '/';
	m->link_size = false;
	m->realsize = false;
	m->warned = false;
	m->other = false;
	m->dir_data = false;
}

static void ours(const uint8_t *data, size_t size, struct list *l)
{
	struct chunker c;
	struct tar_reader t;
	struct khdr_err e = { 0 };
	const struct entry *en;
	const uint8_t *h;
	uint64_t ext;
	int r;

	l->cut = -1;
	chunker_init(&c, data + 1, size - 1, data[0] >> 2);
	tar_init(&t, chunker_fill, &c);
	for (;;) {
		/* where the member starts: what tar_next skips first */
		ext = t.in.offset + t.data_left + t.pad_left;
		r = tar_next(&t, &en, &e);
		if (r != 1 || l->n == MEMBERS_MAX)
			break;
		h = data + 1 + (t.in.offset - 512);
		if (en->type == ENTRY_OTHER && h[156] == 'V') {    /* N6 */
			bool extended = ext != t.in.offset - 512;

			if ((en->size || extended) && l->cut < 0)
				l->cut = l->n;
			continue;
		}
		add(l, en->path, en->link,
		    en->type == ENTRY_OTHER ? ENTRY_FILE : en->type,   /* N2 */
		    en->size, t.in.offset - 512, ext);
		l->m[l->n - 1].flag = (char)h[156];
		l->m[l->n - 1].other = en->type == ENTRY_OTHER;
		/* make_dir_of_file(): no data, its size all padding */
		l->m[l->n - 1].dir_data = en->type == ENTRY_DIR && t.pad_left > 0;
		l->m[l->n - 1].ustar_link = h[157] != 0;
		l->m[l->n - 1].odd_magic = memcmp(h + 257, "ustar", 5) == 0 &&
					   h[262] != 0 &&
					   memcmp(h + 257, "ustar  \0", 8) != 0 &&
					   h[345] != 0;
		l->m[l->n - 1].realsize = memcmp(h + 257, "ustar  \0", 8) == 0 &&
					  h[483] && h[156] != 'S';
		l->m[l->n - 1].gnu_sparse = memcmp(h + 257, "ustar  \0", 8) == 0 &&
					    h[386] && h[156] != 'S';
		/* N7: a hard link's size field, not zero (all zeros or spaces) */
		l->m[l->n - 1].link_size = false;
		for (int k = 124; k < 136; k++)
			if (en->type == ENTRY_HARDLINK && h[k] != '0' &&
			    h[k] != ' ' && h[k] != '\0')
				l->m[l->n - 1].link_size = true;
	}
	l->status = r < 0 ? r : 0;
	snprintf(l->why, sizeof(l->why), "%s", r < 0 ? e.msg : "");
	tar_free(&t);
}

static int their_type(struct archive_entry *ae)
{
	if (archive_entry_hardlink(ae))
		return ENTRY_HARDLINK;                 /* N3 */
	switch (archive_entry_filetype(ae)) {
	case AE_IFDIR:
		return ENTRY_DIR;
	case AE_IFLNK:
		return ENTRY_SYMLINK;
	case AE_IFCHR:
		return ENTRY_CHAR;
	case AE_IFBLK:
		return ENTRY_BLOCK;
	case AE_IFIFO:
		return ENTRY_FIFO;
	case AE_IFREG:
		return ENTRY_FILE;
	default:
		return ENTRY_OTHER;
	}
}

static void theirs(const uint8_t *data, size_t size, struct list *l)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;
	int r;

	if (!a)
		abort();
	archive_read_support_format_tar(a);
	r = archive_read_open_memory(a, data, size);
	while (r == ARCHIVE_OK && l->n < MEMBERS_MAX) {
		r = archive_read_next_header(a, &ae);
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			break;
		add(l, archive_entry_pathname(ae),
		    archive_entry_hardlink(ae) ? archive_entry_hardlink(ae)
					       : archive_entry_symlink(ae),
		    their_type(ae), (uint64_t)archive_entry_size(ae), 0, 0);
		l->m[l->n - 1].warned = r == ARCHIVE_WARN;
		r = archive_read_data_skip(a);
		if (r == ARCHIVE_WARN)
			r = ARCHIVE_OK;
	}
	l->status = r == ARCHIVE_EOF || (r == ARCHIVE_OK && l->n == MEMBERS_MAX)
			    ? 0 : -1;
	/*
	 * pax_header() returns -1, no code of archive.h, for a "=value"
	 * record; it comes out as ARCHIVE_FATAL with no message (L4).
	 */
	snprintf(l->why, sizeof(l->why), "%s",
		 !l->status ? "" : archive_error_string(a) ? archive_error_string(a)
		 : "no message: pax record with an empty keyword?");
	archive_read_free(a);
}

static const char *const type_names[] = {
	"file", "dir", "symlink", "hardlink", "char", "block", "fifo", "other",
};

static void dump(const char *who, const struct list *l)
{
	fprintf(stderr, "  %s: %d members, %s%s\n", who, l->n,
		l->status ? "refused: " : "accepted", l->why);
	for (int i = 0; i < l->n; i++)
		fprintf(stderr, "    [%d] %s '%.200s' size %llu link '%.200s'\n", i,
			type_names[l->m[i].type], l->m[i].name,
			(unsigned long long)l->m[i].size, l->m[i].link);
}

/*
 * Name the kind of a divergence: the four found on the first day (see
 * tests/fuzz/regressions/README) are "known".  KHDR_FUZZ_IGNORE_KNOWN=1
 * lets a local run go on past those to look for others; tests/fuzz/run
 * never sets it.
 */
static const char *kind(int i, const struct list *o, const struct list *t,
			bool pax_sparse)
{
	if (pax_sparse)
		return "known: pax sparse member";
	for (int k = 0; k < o->n; k++) {
		if (o->m[k].flag == 'S')
			return "known: old GNU sparse member";
		if (o->m[k].flag == 'X')
			return "known: Sun 'X' extended header";
	}
	if (i < o->n && i < t->n && o->m[i].slash && o->m[i].type == ENTRY_FILE &&
	    t->m[i].type == ENTRY_DIR)
		return "known: regular file whose name ends in '/'";
	return "new";
}

/* The input has pax keys of GNU's sparse formats: set per input. */
static bool pax_sparse;

static void diverge(const char *what, int i, const struct list *o,
		    const struct list *t)
{
	const char *k = kind(i, o, t, pax_sparse);
	const char *ignore = getenv("KHDR_FUZZ_IGNORE_KNOWN");

	if (strncmp(k, "known", 5) == 0 && ignore && *ignore == '1')
		return;
	fprintf(stderr, "fuzz-difftar: DIVERGENCE: %s (member %d; %s)\n", what,
		i, k);
	dump("ours", o);
	dump("libarchive", t);
	abort();
}

/*
 * N5: did our member i get its name from more than one extension header?
 * Walks its extension headers with the framing our reader used to reach
 * it (each header block, then its data padded to 512).
 */
static int names_from_extensions(const uint8_t *tar, size_t size,
				 const struct member *m)
{
	int names = 0;

	for (uint64_t off = m->ext; off + 512 <= m->hdr && off + 512 <= size;) {
		const uint8_t *h = tar + off;
		uint64_t len = 0;

		for (int k = 0; k < 12 && h[124 + k] >= '0' && h[124 + k] <= '7'; k++)
			len = len << 3 | (uint64_t)(h[124 + k] - '0');
		if (h[124] & 0x80)
			for (int k = 1; k < 12; k++)
				len = len << 8 | h[124 + k];
		if (h[156] == 'L')
			names++;
		if (h[156] == 'x' && len <= size - off - 512) {
			const uint8_t *p = h + 512, *q = p + len;

			for (; p + 6 <= q; p++)
				if (memcmp(p, " path=", 6) == 0)
					names++;
		}
		if (len > size)
			break;
		off += 512 + (len + 511) / 512 * 512;
	}
	return names;
}

/* R1-R6: a refusal of ours the header comment lists. */
static bool ours_documented(const struct list *o)
{
	static const char *const why[] = {
		"GNU long name of", "pax path of", "pax path contains a NUL byte",
		"pax header of", "bad number in tar header", "bad size in tar header",
		"malformed pax", "bad pax size", "is out of range",
		"a GNU sparse file (",
	};

	for (size_t i = 0; i < sizeof(why) / sizeof(why[0]); i++)
		if (strstr(o->why, why[i]))
			return true;
	return false;
}

static bool theirs_documented(const struct list *t)
{
	static const char *const why[] = {
		"Unrecognized archive format", "Damaged tar archive",
		"negative size", "no message: pax record with an empty keyword?",
	};

	for (size_t i = 0; i < sizeof(why) / sizeof(why[0]); i++)
		if (strstr(t->why, why[i]))
			return true;
	return false;
}

/* A known divergence let through (KHDR_FUZZ_IGNORE_KNOWN): compare no more. */
#define DIVERGE(...) do { diverge(__VA_ARGS__); goto out; } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct list o, t;
	int common;

	fuzz_quiet();
	if (size < 1)
		return 0;
	/* pax names are UTF-8: convert them without a warning (N9) */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		abort();
	ours(data, size, &o);
	theirs(data + 1, size - 1, &t);
	pax_sparse = memmem(data, size, "GNU.sparse.", 11) != NULL;

	common = o.n < t.n ? o.n : t.n;
	if (o.cut >= 0 && o.cut < common)
		common = o.cut;
	for (int i = 0; i < common; i++) {
		struct member *a = &o.m[i], *b = &t.m[i];

		if (b->warned)          /* N9: nothing from here on compares */
			goto out;
		if (strcmp(a->name, b->name) != 0 && !a->odd_magic &&
		    names_from_extensions(data + 1, size - 1, a) < 2)
			DIVERGE("names differ", i, &o, &t);
		/* N2's GNU dump directory */
		if (a->type == ENTRY_FILE && b->type == ENTRY_DIR && a->flag == 'D')
			continue;
		if (a->link_size || a->gnu_sparse)   /* N7, N12: only the name */
			goto out;
		if (a->other && a->slash && b->type == ENTRY_DIR) {    /* N14 */
			if (a->size)
				goto out;
			continue;
		}
		/* N3: a hard link with an empty target */
		if (a->type == ENTRY_HARDLINK && !a->link[0] && b->type != ENTRY_HARDLINK)
			continue;
		if (a->type != b->type)
			DIVERGE("types differ", i, &o, &t);
		/* N13: a directory carries no data; libarchive keeps the size of
		 * a regular file named with a trailing '/' (GNU tar skips it),
		 * and reads no data for it. */
		if (a->type == ENTRY_DIR && a->dir_data)
			goto out;
		if (a->type == ENTRY_DIR)
			continue;
		if (a->size != b->size && !a->realsize)     /* N8 */
			DIVERGE("sizes differ", i, &o, &t);
		/* N10 */
		if (strcmp(a->link, b->link) != 0 &&
		    !(b->type == ENTRY_SYMLINK && !b->link[0] && !a->ustar_link))
			DIVERGE("link targets differ", i, &o, &t);
	}
	if (o.cut >= 0)         /* N6: nothing after it compares */
		goto out;
	/* N12: libarchive stopped at a member whose sparse map it read */
	if (t.status < 0 && t.n < o.n && o.m[t.n].gnu_sparse)
		goto out;
	if (o.status == 0 && t.status == 0 && o.n != t.n)
		DIVERGE("both accept, member counts differ", common, &o, &t);
	if (o.status < 0 && t.status == 0 && !ours_documented(&o))
		DIVERGE("ours refuses for an undocumented reason", o.n, &o, &t);
	if (o.status == 0 && t.status < 0 && !theirs_documented(&t))
		DIVERGE("ours accepts what libarchive refuses", t.n, &o, &t);
out:
	list_free(&o);
	list_free(&t);
	return 0;
}
