#!/bin/sh
# Build, once, kernel/'s drop-in kheaders module carrying the headers-only
# archive of tests/lib/debian-kheaders.sh (what Linux's gen_kheaders.sh
# packs for Debian's stock kernel: *.h only), as a stock CONFIG_IKHEADERS=m
# kernel would ship it, and print the directory
# ($cache/headers-only-kheaders-<release>-<key>/): kheaders.ko, release, done.
#
# The module is built as tests/lib/build-kbuild-archive.sh builds kernel/'s,
# against the kbuild-complete tree of its kheaders.tar.xz (Debian's merged
# headers), only with the other archive in it.  Keyed on its inputs: the
# archive's bytes, build-kbuild-archive.sh's key, kernel/'s Kbuild, Makefile
# and kheaders.c, and this script.
#
#   KHDR             the khdr-cache binary (for build-kbuild-archive.sh)
#   KHDR_TEST_CACHE  cache root (default ~/.cache/khdr-cache-tests)
#
# Safe to run twice at once (see publish.sh).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
cache=${KHDR_TEST_CACHE:-${HOME:-/root}/.cache/khdr-cache-tests}
: "${KHDR:?set KHDR to the khdr-cache binary}"

dkh=$(sh "$here/debian-kheaders.sh")
kbuild=$(sh "$here/build-kbuild-archive.sh")
release=$(cat "$dkh/release")
[ "$release" = "$(cat "$kbuild/release")" ] ||
	{ echo "headers-only-kheaders: the archive is of $release, the kbuild tree of $(cat "$kbuild/release")" >&2; exit 1; }

key=$( {
	md5sum < "$dkh/kheaders.tar.xz"
	cat "$kbuild/key"
	cd "$srcdir/kernel" && md5sum Kbuild Makefile kheaders.c
	md5sum < "$here/headers-only-kheaders.sh"
} | md5sum | cut -c1-12)
out=$cache/headers-only-kheaders-$release-$key
if [ -f "$out/done" ]; then echo "$out"; exit 0; fi

# shellcheck source=tests/lib/publish.sh
. "$here/publish.sh"
claim "$out"
# The module's build directory has a fixed name (the lock makes it ours):
# its path is in the module's debug info, which then stays the same from
# one build to the next, and so do the keys of what is made from it.
work=$out.work
rm -rf "$work"
trap 'rm -rf "$tmp" "$work"' EXIT

echo "== building kernel/'s kheaders.ko with the headers-only gen_kheaders.sh archive of $release (cached after the first run)" >&2
mkdir -p "$work/kdir" "$work/mod" "$tmp/out"
tar -xJf "$kbuild/kheaders.tar.xz" -C "$work/kdir"
cp "$srcdir/kernel/Kbuild" "$srcdir/kernel/Makefile" "$srcdir/kernel/kheaders.c" "$work/mod/"
make -s -C "$work/mod" KDIR="$work/kdir" ARCHIVE="$dkh/kheaders.tar.xz" >&2
v=$(modinfo -F vermagic "$work/mod/kheaders.ko" | cut -d' ' -f1)
[ "$v" = "$release" ] || { echo "headers-only-kheaders: kheaders.ko is for '$v', not $release" >&2; exit 1; }
cp "$work/mod/kheaders.ko" "$tmp/out/kheaders.ko"
echo "$release" > "$tmp/out/release"
touch "$tmp/out/done"
publish "$tmp/out" "$out"
echo "$out"
