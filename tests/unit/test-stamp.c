/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-stamp.c - the .khdr-stamp text: written as install writes it, read
 * back field by field, and the entry's key. */
#include <errno.h>
#include <inttypes.h>

#include "fs/stamp.h"
#include "unit.h"

/* What an install wrote (a scratch root as tools/bootstrap makes it, the
 * artefact kernel's kheaders.tar.xz in sysfs, no build ID). */
static const char genuine_crc64[] =
	"format=1\n"
	"key=6.1.192@crc64-28630aed73341744\n"
	"release=6.1.192\n"
	"build_id=\n"
	"verified=builtin\n"
	"source=sysfs-builtin\n"
	"source_path=/tmp/khdr-stamp-demo.zHKWWg/sys/kernel/kheaders.tar.xz\n"
	"archive_size=4017824\n"
	"archive_crc64=28630aed73341744\n"
	"kbuild=no\n"
	"config=unavailable\n"
	"makefile=headers-only\n"
	"members=6691\n"
	"files=6368\n"
	"dirs=319\n"
	"links=3\n"
	"bytes=26460625\n"
	"tool_version=0.1.0\n"
	"created=1796616059\n";

/* The same with Debian's kernel notes (a build ID) and --archive kheaders.ko. */
static const char genuine_build_id[] =
	"format=1\n"
	"key=6.1.192@6a2b4ac77585b8cf102cba771300e573c8489b69\n"
	"release=6.1.192\n"
	"build_id=6a2b4ac77585b8cf102cba771300e573c8489b69\n"
	"verified=fingerprint\n"
	"source=argument\n"
	"source_path=/root/.cache/khdr-cache-tests/artefacts-6.1.192-3-c1/kheaders.ko\n"
	"archive_size=4017824\n"
	"archive_crc64=28630aed73341744\n"
	"kbuild=no\n"
	"config=unavailable\n"
	"makefile=headers-only\n"
	"members=6691\n"
	"files=6368\n"
	"dirs=319\n"
	"links=3\n"
	"bytes=26460625\n"
	"tool_version=0.1.0\n"
	"created=1796616066\n";

/* Every field set, layout and image too. */
static void full(struct stamp *st)
{
	stamp_init(st);
	snprintf(st->key, sizeof(st->key), "6.1.0-khdr@0123456789abcdef0123456789abcdef01234567");
	snprintf(st->release, sizeof(st->release), "6.1.0-khdr");
	snprintf(st->build_id, sizeof(st->build_id), "0123456789abcdef0123456789abcdef01234567");
	snprintf(st->verified, sizeof(st->verified), "build-id");
	snprintf(st->source, sizeof(st->source), "module-file");
	snprintf(st->source_path, sizeof(st->source_path), "/lib/modules/6.1.0-khdr/kheaders.ko.xz");
	st->archive_size = 4017824;
	st->archive_crc64 = 0x00a1b2c3d4e5f607ULL;
	st->has_crc64 = true;
	snprintf(st->kbuild, sizeof(st->kbuild), "synthesized");
	snprintf(st->config, sizeof(st->config), "match");
	st->stub_makefile = false;
	st->members = 30000;
	st->files = 28000;
	st->dirs = 1900;
	st->links = 12;
	st->bytes = UINT64_MAX;
	snprintf(st->layout, sizeof(st->layout), "mismatch");
	snprintf(st->image, sizeof(st->image), "/boot/vmlinuz-6.1.0-khdr");
	snprintf(st->kit, sizeof(st->kit), "/usr/lib/khdr-cache/kbuild/6.1.158-x86");
	snprintf(st->kit_version, sizeof(st->kit_version), "6.1.158");
	snprintf(st->kit_origin, sizeof(st->kit_origin), "source linux-source-6.1");
	snprintf(st->kit_forced, sizeof(st->kit_forced), "6.1.159");
	snprintf(st->symvers_image, sizeof(st->symvers_image), "/boot/vmlinuz-6.1.0-khdr");
	snprintf(st->symvers_modules, sizeof(st->symvers_modules), "/lib/modules/6.1.0-khdr/kernel");
	snprintf(st->config_from, sizeof(st->config_from), "/proc/config.gz");
	st->created = -1;
}

static const char full_text[] =
	"format=1\n"
	"key=6.1.0-khdr@0123456789abcdef0123456789abcdef01234567\n"
	"release=6.1.0-khdr\n"
	"build_id=0123456789abcdef0123456789abcdef01234567\n"
	"verified=build-id\n"
	"source=module-file\n"
	"source_path=/lib/modules/6.1.0-khdr/kheaders.ko.xz\n"
	"archive_size=4017824\n"
	"archive_crc64=00a1b2c3d4e5f607\n"
	"kbuild=synthesized\n"
	"config=match\n"
	"makefile=archive\n"
	"members=30000\n"
	"files=28000\n"
	"dirs=1900\n"
	"links=12\n"
	"bytes=18446744073709551615\n"
	"tool_version=" PACKAGE_VERSION "\n"
	"layout=mismatch\n"
	"image=/boot/vmlinuz-6.1.0-khdr\n"
	"kit=/usr/lib/khdr-cache/kbuild/6.1.158-x86\n"
	"kit_version=6.1.158\n"
	"kit_origin=source linux-source-6.1\n"
	"kit_forced=6.1.159\n"
	"symvers_image=/boot/vmlinuz-6.1.0-khdr\n"
	"symvers_modules=/lib/modules/6.1.0-khdr/kernel\n"
	"config_from=/proc/config.gz\n"
	"created=-1\n";

static int format_every_key(void)
{
	struct stamp st;
	char buf[8192];

	full(&st);
	CHECK_INT(stamp_format(&st, buf, sizeof(buf)), strlen(full_text));
	CHECK_STR(buf, full_text);
	return 0;
}

static void check_same(const struct stamp *a, const struct stamp *b)
{
	CHECK_INT(a->format, b->format);
	CHECK_STR(a->key, b->key);
	CHECK_STR(a->release, b->release);
	CHECK_STR(a->build_id, b->build_id);
	CHECK_STR(a->verified, b->verified);
	CHECK_STR(a->source, b->source);
	CHECK_STR(a->source_path, b->source_path);
	CHECK(a->archive_size == b->archive_size);
	CHECK(a->archive_crc64 == b->archive_crc64);
	CHECK_INT(a->has_crc64, b->has_crc64);
	CHECK_STR(a->kbuild, b->kbuild);
	CHECK_STR(a->config, b->config);
	CHECK_INT(a->stub_makefile, b->stub_makefile);
	CHECK(a->members == b->members);
	CHECK(a->files == b->files);
	CHECK(a->dirs == b->dirs);
	CHECK(a->links == b->links);
	CHECK(a->bytes == b->bytes);
	CHECK_STR(a->tool_version, b->tool_version);
	CHECK_STR(a->layout, b->layout);
	CHECK_STR(a->image, b->image);
	CHECK_STR(a->kit, b->kit);
	CHECK_STR(a->kit_version, b->kit_version);
	CHECK_STR(a->kit_origin, b->kit_origin);
	CHECK_STR(a->kit_forced, b->kit_forced);
	CHECK_STR(a->symvers_image, b->symvers_image);
	CHECK_STR(a->symvers_modules, b->symvers_modules);
	CHECK_STR(a->config_from, b->config_from);
	CHECK_INT(a->created, b->created);
	/* And nothing the checks above forgot (both start zeroed). */
	CHECK(memcmp(a, b, sizeof(*a)) == 0);
}

static int round_trip(void)
{
	struct stamp st, back;
	char buf[8192];
	int n;

	full(&st);
	n = stamp_format(&st, buf, sizeof(buf));
	CHECK(n > 0);
	CHECK_INT(stamp_parse(buf, (size_t)n, &back), 0);
	check_same(&back, &st);
	/* The other word of each flag, and no layout or image line. */
	memset(st.kbuild, 0, sizeof(st.kbuild));
	memcpy(st.kbuild, "no", 2);
	memset(st.kit, 0, sizeof(st.kit));
	memset(st.kit_version, 0, sizeof(st.kit_version));
	memset(st.kit_origin, 0, sizeof(st.kit_origin));
	memset(st.kit_forced, 0, sizeof(st.kit_forced));
	memset(st.symvers_image, 0, sizeof(st.symvers_image));
	memset(st.symvers_modules, 0, sizeof(st.symvers_modules));
	memset(st.config_from, 0, sizeof(st.config_from));
	st.stub_makefile = true;
	memset(st.layout, 0, sizeof(st.layout));
	memset(st.image, 0, sizeof(st.image));
	memset(st.build_id, 0, sizeof(st.build_id));
	st.created = 1796616059;
	n = stamp_format(&st, buf, sizeof(buf));
	CHECK(n > 0);
	CHECK(!strstr(buf, "layout="));
	CHECK(!strstr(buf, "\nimage="));
	CHECK(!strstr(buf, "kit_"));
	CHECK(!strstr(buf, "config_from="));
	CHECK(strstr(buf, "\nkbuild=no\n") != NULL);
	CHECK(strstr(buf, "\nmakefile=headers-only\n") != NULL);
	CHECK(strstr(buf, "\nbuild_id=\n") != NULL);
	CHECK_INT(stamp_parse(buf, (size_t)n, &back), 0);
	check_same(&back, &st);
	return 0;
}

static int genuine(void)
{
	struct stamp st;
	char buf[8192];

	CHECK_INT(stamp_parse(genuine_crc64, strlen(genuine_crc64), &st), 0);
	CHECK_INT(st.format, 1);
	CHECK_STR(st.key, "6.1.192@crc64-28630aed73341744");
	CHECK_STR(st.release, "6.1.192");
	CHECK_STR(st.build_id, "");
	CHECK_STR(st.verified, "builtin");
	CHECK_STR(st.source, "sysfs-builtin");
	CHECK_STR(st.source_path, "/tmp/khdr-stamp-demo.zHKWWg/sys/kernel/kheaders.tar.xz");
	CHECK(st.archive_size == 4017824);
	CHECK(st.has_crc64);
	CHECK(st.archive_crc64 == 0x28630aed73341744ULL);
	CHECK_STR(st.kbuild, "no");
	CHECK_STR(st.config, "unavailable");
	CHECK(st.stub_makefile);
	CHECK(st.members == 6691);
	CHECK(st.files == 6368);
	CHECK(st.dirs == 319);
	CHECK(st.links == 3);
	CHECK(st.bytes == 26460625);
	CHECK_STR(st.tool_version, "0.1.0");
	CHECK_STR(st.layout, "");
	CHECK_STR(st.image, "");
	CHECK_INT(st.created, 1796616059);
	CHECK(stamp_names(&st, "6.1.192@crc64-28630aed73341744", "6.1.192"));
	CHECK(!stamp_names(&st, "6.1.192@crc64-28630aed73341744", "6.1.193"));
	CHECK(!stamp_names(&st, "6.1.192@crc64-28630aed73341745", "6.1.192"));
	/* Written again, it is the same text, byte for byte. */
	CHECK_INT(stamp_format(&st, buf, sizeof(buf)), strlen(genuine_crc64));
	CHECK_STR(buf, genuine_crc64);

	CHECK_INT(stamp_parse(genuine_build_id, strlen(genuine_build_id), &st), 0);
	CHECK_STR(st.key, "6.1.192@6a2b4ac77585b8cf102cba771300e573c8489b69");
	CHECK_STR(st.build_id, "6a2b4ac77585b8cf102cba771300e573c8489b69");
	CHECK_STR(st.verified, "fingerprint");
	CHECK_STR(st.source, "argument");
	CHECK_INT(st.created, 1796616066);
	CHECK_INT(stamp_format(&st, buf, sizeof(buf)), strlen(genuine_build_id));
	CHECK_STR(buf, genuine_build_id);
	return 0;
}

/* The text must fit with its NUL, as snprintf has it. */
static int too_small(void)
{
	struct stamp st;
	char buf[8192];
	int n;

	full(&st);
	n = stamp_format(&st, buf, sizeof(buf));
	CHECK_INT(n, strlen(full_text));
	CHECK_INT(stamp_format(&st, buf, (size_t)n + 1), n);
	CHECK_STR(buf, full_text);
	CHECK_INT(stamp_format(&st, buf, (size_t)n), -ENAMETOOLONG);
	CHECK_INT(stamp_format(&st, buf, 10), -ENAMETOOLONG);
	CHECK_INT(stamp_format(&st, NULL, 0), -ENAMETOOLONG);
	return 0;
}

/* What other stamps may hold: fewer keys, other values, other versions. */
static int lenient(void)
{
	struct stamp st;
	char text[8192];
	const char *t;

	/* The least an entry has (a planted one, in test-trust). */
	t = "format=1\nkey=6.1.0@ab\nrelease=6.1.0\n";
	CHECK_INT(stamp_parse(t, strlen(t), &st), 0);
	CHECK(stamp_names(&st, "6.1.0@ab", "6.1.0"));
	CHECK(!st.has_crc64);
	CHECK(st.files == 0 && st.created == 0 && !*st.kbuild && !st.stub_makefile);
	CHECK_STR(st.verified, "");
	/* No release: not an entry. */
	t = "format=1\nkey=6.1.0@ab\n";
	CHECK_INT(stamp_parse(t, strlen(t), &st), -ENOENT);
	/* Another format, or one not written as ours is: not ours to read. */
	t = "format=2\nkey=6.1.0@ab\nrelease=6.1.0\n";
	CHECK_INT(stamp_parse(t, strlen(t), &st), 0);
	CHECK_INT(st.format, 2);
	CHECK(!stamp_names(&st, "6.1.0@ab", "6.1.0"));
	t = "format=01\nkey=6.1.0@ab\nrelease=6.1.0\n";
	CHECK_INT(stamp_parse(t, strlen(t), &st), 0);
	CHECK(!stamp_names(&st, "6.1.0@ab", "6.1.0"));
	/* A CRC64 that is not 16 hex digits is not one. */
	t = "format=1\nkey=6.1.0@ab\nrelease=6.1.0\narchive_crc64=28630AED73341744\n";
	CHECK_INT(stamp_parse(t, strlen(t), &st), 0);
	CHECK(!st.has_crc64);
	/* A value too long for its field is left empty; a key too long fails. */
	snprintf(text, sizeof(text), "format=1\nkey=6.1.0@ab\nrelease=6.1.0\nverified=%0100d\n", 0);
	CHECK_INT(stamp_parse(text, strlen(text), &st), 0);
	CHECK_STR(st.verified, "");
	snprintf(text, sizeof(text), "format=1\nkey=6.1.0@%0300d\nrelease=6.1.0\n", 0);
	CHECK_INT(stamp_parse(text, strlen(text), &st), -ENAMETOOLONG);
	/* A torn line ahead of a key hides it, and only what follows it. */
	t = "format=1\nkey=6.1.0@ab\nrelease=6.1.0\nfiles=12\nbro\nbytes=3\n";
	CHECK_INT(stamp_parse(t, strlen(t), &st), 0);
	CHECK(st.files == 12);
	CHECK(st.bytes == 0);
	return 0;
}

static int key(void)
{
	char k[STAMP_KEY_MAX];

	CHECK_INT(stamp_key(k, sizeof(k), "6.1.0-56-amd64", "6a2b4ac7", 0), 0);
	CHECK_STR(k, "6.1.0-56-amd64@6a2b4ac7");
	CHECK_INT(stamp_key(k, sizeof(k), "6.1.0-56-amd64", "", 0x28630aed73341744ULL), 0);
	CHECK_STR(k, "6.1.0-56-amd64@crc64-28630aed73341744");
	CHECK_INT(stamp_key(k, sizeof(k), "6.1.0", "", 0x1), 0);
	CHECK_STR(k, "6.1.0@crc64-0000000000000001");
	CHECK_INT(stamp_key(k, 8, "6.1.0-56-amd64", "6a2b4ac7", 0), -ENAMETOOLONG);
	CHECK(stamp_key_like("6.1.0-56-amd64@6a2b4ac7"));
	CHECK(stamp_key_like("6.1.0@crc64-28630aed73341744"));
	CHECK(!stamp_key_like("6.1.0@"));
	CHECK(!stamp_key_like("6.1.0@crc64-"));
	CHECK(!stamp_key_like("6.1.0@6A2B"));
	CHECK(!stamp_key_like("lock"));
	CHECK(!stamp_key_like("6.1/0@ab"));
	return 0;
}

int main(void)
{
	TEST(format_every_key);
	TEST(round_trip);
	TEST(genuine);
	TEST(too_small);
	TEST(lenient);
	TEST(key);
	return unit_done();
}
