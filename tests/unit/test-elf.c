/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test-elf.c - the ELF reader on a genuine kheaders.ko built by kbuild and
 * on Debian's vmlinux/vmlinuz, then on damaged copies of them. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>

#include "base/khdr.h"
#include "format/elf.h"
#include "format/kmodule.h"
#include "kinfo/kimage.h"
#include "kinfo/source.h"
#include "unit.h"

static unsigned char *load(const char *envdir, const char *name, size_t *len)
{
	char path[4096];
	const char *dir = getenv(envdir);

	if (!dir)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return unit_slurp(path, len);
}

static int read_text(const char *envdir, const char *name, char *buf, size_t size)
{
	size_t len;
	unsigned char *p = load(envdir, name, &len);

	if (!p)
		return -1;
	snprintf(buf, size, "%.*s", (int)len, p);
	buf[strcspn(buf, "\n")] = '\0';
	free(p);
	return 0;
}

static int module_range_is_the_archive(void)
{
	size_t ko_len, tar_len, n;
	unsigned char *ko = load("KHDR_ARTEFACTS", "kheaders.ko", &ko_len);
	unsigned char *tar = load("KHDR_ARTEFACTS", "kheaders.tar.xz", &tar_len);
	char vermagic[256], release[64];
	struct khdr_err e;
	const uint8_t *p;

	if (!ko || !tar)
		return unit_skip("KHDR_ARTEFACTS not set (tests/lib/build-artefacts.sh makes it)");
	CHECK_INT(module_archive(ko, ko_len, &p, &n, vermagic, sizeof(vermagic), &e), 0);
	CHECK_INT(n, tar_len);
	CHECK(n == tar_len && memcmp(p, tar, n) == 0);
	CHECK_INT(read_text("KHDR_ARTEFACTS", "release", release, sizeof(release)), 0);
	CHECK_INT(strncmp(vermagic, release, strlen(release)), 0);
	CHECK_INT(vermagic[strlen(release)], ' ');
	free(ko);
	free(tar);
	return 0;
}

static int damaged_module_is_refused(void)
{
	size_t len, n;
	unsigned char *ko = load("KHDR_ARTEFACTS", "kheaders.ko", &len);
	char vermagic[256];
	struct khdr_err e;
	const uint8_t *p;
	struct elf elf;

	if (!ko)
		return unit_skip("KHDR_ARTEFACTS not set");
	/* Cut short: section headers (at the end) are gone. */
	CHECK(module_archive(ko, len / 2, &p, &n, vermagic, sizeof(vermagic), &e) < 0);
	/* Section header table pointing past the end. */
	CHECK_INT(elf_parse_header(&elf, ko, len), 0);
	unsigned char *bad = malloc(len);
	memcpy(bad, ko, len);
	memset(bad + 40, 0xff, 8);              /* e_shoff */
	CHECK(module_archive(bad, len, &p, &n, vermagic, sizeof(vermagic), &e) < 0);
	/* Every single-byte truncation of the header area fails cleanly. */
	for (size_t cut = 0; cut < 64; cut++)
		CHECK(module_archive(ko, cut, &p, &n, vermagic, sizeof(vermagic), &e) < 0);
	/* Not a module at all: a vmlinux-like ELF without the symbols. */
	memcpy(bad, ko, len);
	for (size_t i = 0; i + 19 < len; i++)
		if (memcmp(bad + i, "kernel_headers_data", 19) == 0)
			bad[i] = 'K';
	CHECK_INT(module_archive(bad, len, &p, &n, vermagic, sizeof(vermagic), &e), -EBADMSG);
	CHECK(strstr(e.msg, "kernel_headers_data") != NULL);
	free(bad);
	free(ko);
	return 0;
}

static int debian_build_id(const char *file)
{
	char expect[256], hex[2 * BUILD_ID_MAX + 1], path[4096];
	struct build_id id = { .len = 0 };
	struct khdr_err e;
	struct input in;

	if (read_text("KHDR_DEBIAN_KERNEL", "build-id", expect, sizeof(expect)) < 0)
		return unit_skip("KHDR_DEBIAN_KERNEL not set (tests/lib/debian-kernel.sh makes it)");
	snprintf(path, sizeof(path), "%s/%s", getenv("KHDR_DEBIAN_KERNEL"), file);
	CHECK_INT(input_open_file(&in, AT_FDCWD, path, &e), 0);
	CHECK_INT(kimage_build_id(&in, &id, &e), 0);
	input_close(&in);
	hex_encode(id.bytes, id.len, hex);
	CHECK_STR(hex, expect);
	return 0;
}

static int vmlinux_build_id(void)
{
	return debian_build_id("vmlinux");
}

static int vmlinuz_build_id(void)
{
	return debian_build_id("vmlinuz");
}

static int vmlinux_in_memory(void)
{
	size_t len;
	unsigned char *v = load("KHDR_DEBIAN_KERNEL", "vmlinux", &len);
	char expect[256], hex[2 * BUILD_ID_MAX + 1];
	struct build_id id;
	struct elf elf;

	if (!v || read_text("KHDR_DEBIAN_KERNEL", "build-id", expect, sizeof(expect)) < 0)
		return unit_skip("KHDR_DEBIAN_KERNEL not set");
	CHECK_INT(elf_parse_header(&elf, v, len), 0);
	CHECK_INT(elf.is64, 1);
	CHECK_INT(elf_build_id(&elf, &id), 0);
	hex_encode(id.bytes, id.len, hex);
	CHECK_STR(hex, expect);
	free(v);
	return 0;
}

static int bzimage_payload_is_xz(void)
{
	size_t len, n;
	unsigned char *z = load("KHDR_DEBIAN_KERNEL", "vmlinuz", &len);
	const uint8_t *p;

	if (!z)
		return unit_skip("KHDR_DEBIAN_KERNEL not set");
	CHECK_INT(bzimage_payload(z, len, &p, &n), 0);
	CHECK(n > 6 && memcmp(p, "\xfd" "7zXZ", 5) == 0);
	/* A payload length past the end of the file is refused. */
	z[0x24c] = 0xff; z[0x24d] = 0xff; z[0x24e] = 0xff; z[0x24f] = 0x7f;
	CHECK_INT(bzimage_payload(z, len, &p, &n), -EBADMSG);
	CHECK_INT(bzimage_payload(z, 0x100, &p, &n), -ENOEXEC);
	free(z);
	return 0;
}

/* A minimal ELF32 big-endian file with one PT_NOTE, built by hand. */
static int elf32_big_endian(void)
{
	uint8_t f[256] = { 0x7f, 'E', 'L', 'F', 1, 2, 1 };
	struct build_id id;
	struct elf elf;

	f[17] = 2;                         /* ET_EXEC */
	f[31] = 52;                        /* e_phoff = 52 */
	f[43] = 32;                        /* e_phentsize */
	f[45] = 1;                         /* e_phnum */
	/* phdr at 52: PT_NOTE, offset 84, filesz 36, align 4 */
	f[55] = 4; f[59] = 84; f[71] = 36; f[83] = 4;
	/* note at 84: namesz 4, descsz 20, type 3, "GNU\0", 20 bytes */
	f[87] = 4; f[91] = 20; f[95] = 3;
	memcpy(f + 96, "GNU", 4);
	for (int i = 0; i < 20; i++)
		f[100 + i] = (uint8_t)(0xa0 + i);
	CHECK_INT(elf_parse_header(&elf, f, 120), 0);
	CHECK_INT(elf.be, 1);
	CHECK_INT(elf_build_id(&elf, &id), 0);
	CHECK_INT(id.len, 20);
	CHECK_INT(id.bytes[19], 0xa0 + 19);
	/* The same with the note cut off: not found, no overread. */
	CHECK(elf_build_id(&(struct elf){ 0 }, &id) < 0);
	CHECK_INT(elf_parse_header(&elf, f, 100), 0);
	CHECK(elf_build_id(&elf, &id) < 0);
	return 0;
}

int main(void)
{
	TEST(module_range_is_the_archive);
	TEST(damaged_module_is_refused);
	TEST(vmlinux_build_id);
	TEST(vmlinuz_build_id);
	TEST(vmlinux_in_memory);
	TEST(bzimage_payload_is_xz);
	TEST(elf32_big_endian);
	return unit_done();
}
