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
#
# Safe to run twice at once (two test runs on one machine): the result is
# made in a private mktemp directory and put in place with one rename(2),
# under a lock, so one run builds and the other waits and finds it done.
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
up_to_date() { [ -f "$out/done" ] && [ "$(cat "$out/key")" = "$key" ]; }
if up_to_date; then
	echo "$out"
	exit 0
fi

# Held until exit (fd 9): a second run waits here, then finds it done.
mkdir -p "$cache"
exec 9> "$out.lock"
flock 9
if up_to_date; then
	echo "$out"
	exit 0
fi
# What a killed run left (no other run is building: the lock is ours).
rm -rf "$out.tmp" "$out".tmp.* "$out".old.* "$out.work"
tmp=$(mktemp -d "$out.tmp.XXXXXX")
trap 'rm -rf "$tmp" "$out.work"' EXIT
trap 'exit 1' HUP INT TERM

echo "== packing Debian's $release headers with kernel/mkarchive and building kheaders.ko (cached after the first run)" >&2
o=$tmp/out
mkdir "$o"
# The module's build directory has a fixed name (the lock makes it ours):
# its path is in the module's debug info, which then stays the same from
# one build to the next.
work=$out.work
mkdir "$work"
tree=$hdrs/usr/src/linux-headers-$release

"$srcdir/kernel/mkarchive" --khdr-cache "$KHDR" --kernel-image "$dk/vmlinuz" \
	--sysroot "$hdrs" "$tree" "$o/kheaders.tar.xz" >&2
"$srcdir/kernel/mkarchive" --build-id 00112233445566778899aabbccddeeff00112233 \
	--sysroot "$hdrs" "$tree" "$work/wrong.tar.xz" >&2

# The module is built against the merged tree itself (the archive's
# contents), as an administrator would after installing it.
mkdir "$work/kdir"
tar -xJf "$o/kheaders.tar.xz" -C "$work/kdir"
build_module() {  # archive output.ko
	rm -rf "$work/mod"
	mkdir "$work/mod"
	cp "$srcdir/kernel/Kbuild" "$srcdir/kernel/Makefile" "$srcdir/kernel/kheaders.c" "$work/mod/"
	make -s -C "$work/mod" KDIR="$work/kdir" ARCHIVE="$1" >&2
	cp "$work/mod/kheaders.ko" "$2"
}
build_module "$o/kheaders.tar.xz" "$o/kheaders.ko"
build_module "$work/wrong.tar.xz" "$o/wrong-build-id.ko"
rm -rf "$work"

tar -xOJf "$o/kheaders.tar.xz" khdr-manifest > "$o/manifest"
sed -n 's/^uts_version=//p' "$o/manifest" > "$o/uts_version"
[ -s "$o/uts_version" ] || rm "$o/uts_version"
echo "$release" > "$o/release"
cp "$dk/build-id" "$o/build-id"
echo "$key" > "$o/key"
touch "$o/done"
. "$here/publish.sh"
publish "$o" "$out"
echo "$out"
