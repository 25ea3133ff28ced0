#!/bin/bash
# test-symvers.sh - khdr-cache symvers: Module.symvers made from Debian's
# linux-image .deb (its vmlinuz and ~4,000 modules) equals the one in
# Debian's linux-headers, line for line; compressed modules give the same;
# damaged modules and images are refused, naming the file.
. "$(dirname "$0")/lib.sh"

oneTimeSetUp() {
	MODS=$(sh "$KHDR_SRCDIR/tests/lib/debian-modules.sh" 2>/dev/null) || MODS=
	HDRS=$(sh "$KHDR_SRCDIR/tests/lib/debian-headers.sh" 2>/dev/null) || HDRS=
	if [ -n "$MODS" ]; then
		MREL=$(cat "$MODS/release")
		KDIR=$MODS/lib/modules/$MREL/kernel
		IMAGE=$MODS/boot/vmlinuz-$MREL
	fi
	[ -n "$HDRS" ] && DEBIAN_SYMVERS=$HDRS/usr/src/linux-headers-${MREL:-}/Module.symvers
}

need_debian() {
	[ -n "$MODS" ] || { skip_test "Debian's linux-image .deb could not be unpacked (tests/lib/debian-modules.sh)"; return 1; }
	[ -f "${DEBIAN_SYMVERS:-}" ] || { skip_test "Debian's headers for $MREL could not be fetched (tests/lib/debian-headers.sh)"; return 1; }
}

# A scratch kernel/ tree of a few modules that export, namespaced ones among them.
SAMPLE="fs/mbcache drivers/usb/storage/usb-storage drivers/usb/storage/uas lib/crc-itu-t net/802/p8022"
sample_tree() {  # dir suffix compress-command
	local m
	for m in $SAMPLE; do
		mkdir -p "$1/$(dirname "$m")"
		[ -f "$KDIR/$m.ko" ] || continue
		if [ -n "$3" ]; then
			$3 < "$KDIR/$m.ko" > "$1/$m$2"
		else
			cp "$KDIR/$m.ko" "$1/$m$2"
		fi
	done
}

test_debian_image_and_modules_give_debian_symvers() {
	local rc
	need_debian || return 0
	run symvers -v "$IMAGE" "$KDIR"
	assertEquals "exit ($ERR)" 0 "$RC"
	echo "$OUT" | sort > "$SHUNIT_TMPDIR/ours"
	sort "$DEBIAN_SYMVERS" > "$SHUNIT_TMPDIR/debian"
	cmp -s "$SHUNIT_TMPDIR/ours" "$SHUNIT_TMPDIR/debian"
	rc=$?
	assertEquals "every line of Debian's Module.symvers: $(diff "$SHUNIT_TMPDIR/ours" "$SHUNIT_TMPDIR/debian" | head -5)" 0 $rc
	assertEquals "line count" "$(wc -l < "$DEBIAN_SYMVERS")" "$(echo "$OUT" | wc -l)"
	assertContains "the build ID is reported" "$ERR" "$(cat "$KHDR_DEBIAN_KERNEL/build-id" 2>/dev/null || echo build)"
	# Namespaces come through: usb-storage's exports are in USB_STORAGE.
	assertContains "$OUT" "	drivers/usb/storage/usb-storage	EXPORT_SYMBOL_GPL	USB_STORAGE"
}

test_vmlinux_and_vmlinuz_agree() {
	need_debian || return 0
	need_debian_kernel || return 0
	run symvers "$IMAGE"
	assertEquals "vmlinuz exit ($ERR)" 0 "$RC"
	local z=$OUT
	run symvers "$KHDR_DEBIAN_KERNEL/vmlinux"
	assertEquals "vmlinux exit ($ERR)" 0 "$RC"
	assertEquals "the same exports from the ELF and the bzImage" "$z" "$OUT"
	assertEquals "vmlinux lines of Debian's" "$(grep -c '	vmlinux	' "$DEBIAN_SYMVERS")" "$(echo "$OUT" | wc -l)"
}

test_compressed_modules_give_the_same() {
	need_debian || return 0
	local t=$SHUNIT_TMPDIR/trees want z
	sample_tree "$t/ko" .ko ""
	run symvers "$IMAGE" "$t/ko"
	assertEquals "plain exit ($ERR)" 0 "$RC"
	want=$(echo "$OUT" | grep -v '	vmlinux	')
	assertNotEquals "the sample exports something" "" "$want"
	assertEquals "the sample's lines are Debian's" "" \
		"$(echo "$want" | sort | comm -23 - <(sort "$DEBIAN_SYMVERS"))"
	for z in "xz:xz -c --check=crc32" "zst:zstd -q -c" "gz:gzip -c"; do
		sample_tree "$t/${z%%:*}" ".ko.${z%%:*}" "${z#*:}"
		run symvers "$IMAGE" "$t/${z%%:*}"
		assertEquals ".ko.${z%%:*} exit ($ERR)" 0 "$RC"
		assertEquals ".ko.${z%%:*} gives what .ko gives" "$want" "$(echo "$OUT" | grep -v '	vmlinux	')"
	done
}

# Patch a copy of mbcache.ko with python: $1 names the damage.
damaged_module() {  # kind dir
	mkdir -p "$2/fs"
	python3 - "$KDIR/fs/mbcache.ko" "$2/fs/mbcache.ko" "$1" <<'PY'
import struct, sys
src, dst, kind = sys.argv[1:]
d = bytearray(open(src, 'rb').read())
shoff, = struct.unpack_from('<Q', d, 0x28)
shnum, shstrndx = struct.unpack_from('<HH', d, 0x3c)
def sh(i): return shoff + 64 * i
stroff, = struct.unpack_from('<Q', d, sh(shstrndx) + 24)
def name(i):
    n, = struct.unpack_from('<I', d, sh(i))
    return bytes(d[stroff + n:d.index(0, stroff + n)]).decode()
idx = {name(i): i for i in range(1, shnum)}
if kind == 'truncated':
    d = d[:len(d) // 2]
elif kind == 'crc-count':       # one CRC fewer than symbols
    o = sh(idx['__kcrctab']) + 32
    struct.pack_into('<Q', d, o, struct.unpack_from('<Q', d, o)[0] - 4)
elif kind == 'reloc-range':     # a relocation beyond __ksymtab
    o, = struct.unpack_from('<Q', d, sh(idx['.rela__ksymtab']) + 24)
    struct.pack_into('<Q', d, o + 24 + 0, 0x100004)
elif kind == 'not-elf':
    d = bytearray(b'this is no module\n' * 64)
open(dst, 'wb').write(d)
PY
}

test_damaged_modules_are_refused_naming_the_file() {
	need_debian || return 0
	local k
	for k in truncated crc-count reloc-range not-elf; do
		rm -rf "$SHUNIT_TMPDIR/bad"
		damaged_module $k "$SHUNIT_TMPDIR/bad"
		run symvers "$IMAGE" "$SHUNIT_TMPDIR/bad"
		assertEquals "$k: exit ($ERR)" 1 "$RC"
		assertContains "$k: names the file" "$ERR" "bad/fs/mbcache.ko"
	done
	damaged_module crc-count "$SHUNIT_TMPDIR/bad2"
	run symvers "$IMAGE" "$SHUNIT_TMPDIR/bad2"
	assertContains "says what disagrees" "$ERR" "9 CRCs for 10 symbols in __ksymtab"
}

test_what_is_no_kernel_image_is_refused() {
	need_debian || return 0
	run symvers "$KDIR/fs/mbcache.ko"
	assertEquals "a module as the image ($ERR)" 1 "$RC"
	assertContains "$ERR" "mbcache.ko"
	printf 'no kernel' > "$SHUNIT_TMPDIR/junk"
	run symvers "$SHUNIT_TMPDIR/junk"
	assertEquals "junk as the image" 1 "$RC"
	assertContains "$ERR" "neither a vmlinux nor a bzImage"
	head -c 3000000 "$IMAGE" > "$SHUNIT_TMPDIR/cut"
	run symvers "$SHUNIT_TMPDIR/cut"
	assertEquals "a cut bzImage" 1 "$RC"
	assertContains "$ERR" "cut"
	run symvers "$IMAGE" "$SHUNIT_TMPDIR/nonexistent"
	assertEquals "no modules directory" 1 "$RC"
	assertContains "$ERR" "nonexistent"
}

. shunit2
