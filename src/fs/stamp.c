/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stamp.c - the .khdr-stamp written and read through one table of its keys; the entry key. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/khdr.h"
#include "format/kv.h"
#include "fs/stamp.h"

#define KEY_CRC64 "crc64-"      /* <release>@crc64-<hex>: no build ID */

enum kind {
	K_VERSION,      /* unsigned: digits, no sign, no leading zero */
	K_TEXT,         /* char[] */
	K_OPTIONAL,     /* char[]; no line when empty */
	K_FLAG,         /* bool, as one of two words */
	K_U64,          /* uint64_t, decimal */
	K_CRC64,        /* uint64_t, 16 lowercase hex digits; sets has_crc64 */
	K_TIME,         /* long long, decimal */
};

struct field {
	const char *key;
	enum kind kind;
	size_t off, size;
	bool required;          /* no entry without it */
	const char *yes, *no;   /* K_FLAG: the words for true and false */
};

#define AT(m) .off = offsetof(struct stamp, m), .size = sizeof(((struct stamp *)0)->m)

/* Every key of the stamp, in the order install writes them. */
static const struct field fields[] = {
	{ "format",        K_VERSION,  AT(format), .required = true },
	{ "key",           K_TEXT,     AT(key), .required = true },
	{ "release",       K_TEXT,     AT(release), .required = true },
	{ "build_id",      K_TEXT,     AT(build_id) },
	{ "verified",      K_TEXT,     AT(verified) },
	{ "source",        K_TEXT,     AT(source) },
	{ "source_path",   K_TEXT,     AT(source_path) },
	{ "archive_size",  K_U64,      AT(archive_size) },
	{ "archive_crc64", K_CRC64,    AT(archive_crc64) },
	{ "kbuild",        K_TEXT,     AT(kbuild) },
	{ "config",        K_TEXT,     AT(config) },
	{ "makefile",      K_FLAG,     AT(stub_makefile), .yes = "headers-only", .no = "archive" },
	{ "members",       K_U64,      AT(members) },
	{ "files",         K_U64,      AT(files) },
	{ "dirs",          K_U64,      AT(dirs) },
	{ "links",         K_U64,      AT(links) },
	{ "bytes",         K_U64,      AT(bytes) },
	{ "tool_version",  K_TEXT,     AT(tool_version) },
	{ "layout",        K_OPTIONAL, AT(layout) },
	{ "image",         K_OPTIONAL, AT(image) },
	{ "kit",           K_OPTIONAL, AT(kit) },
	{ "kit_version",   K_OPTIONAL, AT(kit_version) },
	{ "kit_origin",    K_OPTIONAL, AT(kit_origin) },
	{ "kit_forced",    K_OPTIONAL, AT(kit_forced) },
	{ "symvers_image", K_OPTIONAL, AT(symvers_image) },
	{ "symvers_modules", K_OPTIONAL, AT(symvers_modules) },
	{ "config_from",   K_OPTIONAL, AT(config_from) },
	{ "created",       K_TIME,     AT(created) },
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

_Static_assert(sizeof(PACKAGE_VERSION) <= sizeof(((struct stamp *)0)->tool_version),
	       "the tool version fits the stamp");

void stamp_init(struct stamp *st)
{
	memset(st, 0, sizeof(*st));
	st->format = STAMP_FORMAT;
	memcpy(st->tool_version, PACKAGE_VERSION, sizeof(PACKAGE_VERSION));
}

/* Where the text goes; n counts what would have been written. */
struct out {
	char *buf;
	size_t size, n;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->n < o->size ? o->buf + o->n : NULL,
		      o->n < o->size ? o->size - o->n : 0, fmt, ap);
	va_end(ap);
	o->n += n > 0 ? (size_t)n : 0;
}

static void put_field(struct out *o, const struct field *f, const struct stamp *st)
{
	const void *p = (const char *)st + f->off;

	switch (f->kind) {
	case K_VERSION:
		put(o, "%s=%u\n", f->key, *(const unsigned *)p);
		break;
	case K_OPTIONAL:
		if (!*(const char *)p)
			break;
		/* fall through */
	case K_TEXT:
		put(o, "%s=%s\n", f->key, (const char *)p);
		break;
	case K_FLAG:
		put(o, "%s=%s\n", f->key, *(const bool *)p ? f->yes : f->no);
		break;
	case K_U64:
		put(o, "%s=%" PRIu64 "\n", f->key, *(const uint64_t *)p);
		break;
	case K_CRC64:
		put(o, "%s=%016" PRIx64 "\n", f->key, *(const uint64_t *)p);
		break;
	case K_TIME:
		put(o, "%s=%lld\n", f->key, *(const long long *)p);
		break;
	}
}

int stamp_format(const struct stamp *st, char *buf, size_t size)
{
	struct out o = { buf, size, 0 };

	for (size_t i = 0; i < NFIELDS; i++)
		put_field(&o, &fields[i], st);
	return o.n >= size || o.n > INT_MAX ? -ENAMETOOLONG : (int)o.n;
}

/* As STAMP_FORMAT is written: anything else is a version we cannot read (0). */
static unsigned version_of(const char *v)
{
	unsigned long n;
	char *end;

	if (*v < '1' || *v > '9')
		return 0;
	errno = 0;
	n = strtoul(v, &end, 10);
	return *end || errno || n > UINT_MAX ? 0 : (unsigned)n;
}

static bool crc64_of(const char *v, uint64_t *crc)
{
	if (strlen(v) != 16 || strspn(v, "0123456789abcdef") != 16)
		return false;
	*crc = strtoull(v, NULL, 16);
	return true;
}

/*
 * One field's value.  Counts and times are only shown and compared: a
 * number strtoull() makes of them is enough (and takes back the '-' of a
 * negative time).
 */
static void set_field(const struct field *f, const char *v, struct stamp *st)
{
	void *p = (char *)st + f->off;

	switch (f->kind) {
	case K_VERSION:
		*(unsigned *)p = version_of(v);
		break;
	case K_TEXT:
	case K_OPTIONAL:
		memcpy(p, v, strlen(v) + 1);    /* kv_get() made it fit */
		break;
	case K_FLAG:
		*(bool *)p = strcmp(v, f->yes) == 0;
		break;
	case K_U64:
		*(uint64_t *)p = strtoull(v, NULL, 10);
		break;
	case K_CRC64:
		st->has_crc64 = crc64_of(v, p);
		break;
	case K_TIME:
		*(long long *)p = (long long)strtoull(v, NULL, 10);
		break;
	}
}

int stamp_parse(const char *text, size_t len, struct stamp *st)
{
	int ret = 0;

	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < NFIELDS; i++) {
		const struct field *f = &fields[i];
		/* Numbers and words longer than this are not ours: left unread. */
		char v[PATH_MAX];
		size_t size = f->kind == K_TEXT || f->kind == K_OPTIONAL ? f->size : 32;
		int r = kv_get(text, len, f->key, v, size);

		if (r == 0)
			set_field(f, v, st);
		else if (f->required && ret == 0)
			ret = r;
	}
	return ret;
}

bool stamp_names(const struct stamp *st, const char *key, const char *release)
{
	return st->format == STAMP_FORMAT && strcmp(st->key, key) == 0 &&
	       strcmp(st->release, release) == 0;
}

int stamp_key(char *buf, size_t size, const char *release,
	      const char *build_id_hex, uint64_t crc64)
{
	if (*build_id_hex)
		return path_fmt(buf, size, "%s@%s", release, build_id_hex);
	return path_fmt(buf, size, "%s@" KEY_CRC64 "%016" PRIx64, release, crc64);
}

bool stamp_key_like(const char *name)
{
	const char *at = strrchr(name, '@'), *id;
	char release[RELEASE_MAX];

	if (!at || (size_t)(at - name) >= sizeof(release))
		return false;
	memcpy(release, name, (size_t)(at - name));
	release[at - name] = '\0';
	id = at + 1;
	if (strncmp(id, KEY_CRC64, strlen(KEY_CRC64)) == 0)
		id += strlen(KEY_CRC64);
	return release_valid(release) && *id && strspn(id, "0123456789abcdef") == strlen(id);
}
