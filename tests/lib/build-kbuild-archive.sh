#!/bin/sh
# Build, once, the kbuild-complete artefacts for Debian's stock kernel and
# print the directory ($cache/kbuild-<release>/):
#
#   kheaders.tar.xz        kernel/mkarchive of Debian's merged headers
#                          (linux-headers-<release> over -common, with
#                          linux-kbuild-*), build ID from Debian's vmlinuz
#   kheaders.ko            kernel/Makefile's module embedding it, built
#                          against that merged tree
#   wrong-build-id.ko      the same module, packed with another --build-id
#   release, build-id, uts_version (when the headers have one), key, done
#
# Rebuilt when an input changes: the headers packages' versions, Debian's
# kernel build ID, or kernel/'s sources.
#
#   KHDR             the khdr-cache binary (reads the bzImage's build ID)
#   KHDR_TEST_CACHE  cache root (default ~/.cache/khdr-cache-tests)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
cache=${KHDR_TEST_CACHE:-${HOME:-/root}/.cache/khdr-cache-tests}
: "${KHDR:?set KHDR to the khdr-cache binary}"
[ -x "$KHDR" ] || { echo "build-kbuild-archive: $KHDR is not executable" >&2; exit 1; }

hdrs=$(sh "$here/debian-headers.sh")
dk=$(sh "$here/debian-kernel.sh")
release=$(cat "$hdrs/release")
[ "$release" = "$(cat "$dk/release")" ] ||
	{ echo "build-kbuild-archive: headers for $release, kernel image for $(cat "$dk/release")" >&2; exit 1; }

key=$( {
	cat "$hdrs/versions"
	echo "build-id=$(cat "$dk/build-id")"
	cd "$srcdir/kernel" && md5sum mkarchive Kbuild Makefile kheaders.c
} | md5sum | cut -c1-16)
out=$cache/kbuild-$release
if [ -f "$out/done" ] && [ "$(cat "$out/key")" = "$key" ]; then
	echo "$out"
	exit 0
fi

echo "== packing Debian's $release headers with kernel/mkarchive and building kheaders.ko (cached after the first run)" >&2
rm -rf "$out.tmp"
mkdir -p "$out.tmp"
tmp=$out.tmp/work
mkdir "$tmp"
tree=$hdrs/usr/src/linux-headers-$release

"$srcdir/kernel/mkarchive" --khdr-cache "$KHDR" --kernel-image "$dk/vmlinuz" \
	--sysroot "$hdrs" "$tree" "$out.tmp/kheaders.tar.xz" >&2
"$srcdir/kernel/mkarchive" --build-id 00112233445566778899aabbccddeeff00112233 \
	--sysroot "$hdrs" "$tree" "$tmp/wrong.tar.xz" >&2

# The module is built against the merged tree itself (the archive's
# contents), as an administrator would after installing it.
mkdir "$tmp/kdir"
tar -xJf "$out.tmp/kheaders.tar.xz" -C "$tmp/kdir"
build_module() {  # archive output.ko
	rm -rf "$tmp/mod"
	mkdir "$tmp/mod"
	cp "$srcdir/kernel/Kbuild" "$srcdir/kernel/Makefile" "$srcdir/kernel/kheaders.c" "$tmp/mod/"
	make -s -C "$tmp/mod" KDIR="$tmp/kdir" ARCHIVE="$1" >&2
	cp "$tmp/mod/kheaders.ko" "$2"
}
build_module "$out.tmp/kheaders.tar.xz" "$out.tmp/kheaders.ko"
build_module "$tmp/wrong.tar.xz" "$out.tmp/wrong-build-id.ko"
rm -rf "$tmp"

tar -xOJf "$out.tmp/kheaders.tar.xz" khdr-manifest > "$out.tmp/manifest"
sed -n 's/^uts_version=//p' "$out.tmp/manifest" > "$out.tmp/uts_version"
[ -s "$out.tmp/uts_version" ] || rm "$out.tmp/uts_version"
echo "$release" > "$out.tmp/release"
cp "$dk/build-id" "$out.tmp/build-id"
echo "$key" > "$out.tmp/key"
touch "$out.tmp/done"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out"
