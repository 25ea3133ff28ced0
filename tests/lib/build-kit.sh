#!/bin/sh
# Build, once, the kbuild kit of Debian's linux-source-6.1 (the tree
# tests/lib/build-artefacts.sh unpacks and builds) with kernel/mkkit, and
# its package with kernel/mkdeb --kit, and print the directory
# ($cache/kit-<key>/):
#
#   kit/               the kit (khdr-kit manifest, Makefile, scripts/, ...)
#   khdr-kbuild-*.deb  the kit packaged
#   version, srcarch   the kit's upstream version and arch/ directory
#   key, done
#
# Keyed on its inputs: linux-source-6.1's package version and kernel/'s
# mkkit and mkdeb.  The source tree is only read (mkkit builds in a copy),
# under a shared lock on build-artefacts.sh's lock, so it cannot be
# unpacked or built at the same time.
#
#   KHDR_TEST_CACHE  cache root (default ~/.cache/khdr-cache-tests)
#
# Safe to run twice at once: made in a private directory, put in place
# with one rename(2) under a lock (tests/lib/publish.sh).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
cache=${KHDR_TEST_CACHE:-${HOME:-/root}/.cache/khdr-cache-tests}

# The source tree, unpacked and built (so nobody builds it while we read).
sh "$here/build-artefacts.sh" > /dev/null
src=$cache/linux-source-6.1
[ -f "$src/Makefile" ] || { echo "build-kit: no $src" >&2; exit 1; }

ver=$(dpkg-query -W -f '${Version}' linux-source-6.1 2>/dev/null || echo unknown)
key=$( {
	echo "linux-source-6.1=$ver"
	cd "$srcdir/kernel" && md5sum mkkit mkdeb
} | md5sum | cut -c1-16)
out=$cache/kit-$key
if [ -f "$out/done" ]; then echo "$out"; exit 0; fi

mkdir -p "$cache"
. "$here/publish.sh"
claim "$out"
exec 8< "$cache/linux-source-6.1.lock"
flock -s 8

echo "== making the kbuild kit of linux-source-6.1 $ver with kernel/mkkit (cached after the first run)" >&2
o=$tmp/out
mkdir "$o"
"$srcdir/kernel/mkkit" --origin "Debian linux-source-6.1 $ver" "$src" "$o/kit" >&2
exec 8<&-
sed -n '/^$/q; s/^version=//p' "$o/kit/khdr-kit" > "$o/version"
sed -n '/^$/q; s/^srcarch=//p' "$o/kit/khdr-kit" > "$o/srcarch"
"$srcdir/kernel/mkdeb" --kit "$o/kit" -o "$o" > /dev/null
echo "$key" > "$o/key"
touch "$o/done"
publish "$o" "$out"
echo "$out"
