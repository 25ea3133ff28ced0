#!/bin/sh
# Build the genuine kernel artefacts the tests run against, once, and cache
# them outside the clone: kernel/kheaders.ko (CONFIG_IKHEADERS=m) built by
# kbuild from Debian's linux-source-6.1 with defconfig, and the archive it
# embeds, and the .config that built them.  Prints the artefact directory
# on stdout.
# With --source-only, only unpacks the source and prints its directory.
#
#   KHDR_TEST_CACHE  cache root (default ~/.cache/khdr-cache-tests)
set -eu

cache=${KHDR_TEST_CACHE:-${HOME:-/root}/.cache/khdr-cache-tests}
tarball=/usr/src/linux-source-6.1.tar.xz
[ -r "$tarball" ] || { echo "build-artefacts: $tarball missing: apt-get install linux-source-6.1" >&2; exit 1; }

# Key the cache on the source package version, so an upgrade rebuilds, and
# on what the directory holds (-c1: the .config, since the config check).
ver=$(dpkg-query -W -f '${Version}' linux-source-6.1 2>/dev/null || echo unknown)
out=$cache/artefacts-$ver-c1
src=$cache/linux-source-6.1
if [ "${1:-}" != --source-only ] && [ -f "$out/done" ]; then echo "$out"; exit 0; fi

# Two runs at once (tests/run in two checkouts) would build in the same
# source tree, and one would delete what the other's tar reads: under a
# lock, one builds and the other waits and finds it done.
mkdir -p "$cache"
exec 9> "$cache/linux-source-6.1.lock"
flock 9
if [ "${1:-}" != --source-only ] && [ -f "$out/done" ]; then echo "$out"; exit 0; fi

if [ ! -f "$src/.khdr-unpacked-$ver" ]; then
	rm -rf "$src"
	mkdir -p "$cache"
	tar -xJf "$tarball" -C "$cache"
	touch "$src/.khdr-unpacked-$ver"
fi
if [ "${1:-}" = --source-only ]; then echo "$src"; exit 0; fi

# Fixed identity, so compile.h and the archive are the same on every machine.
export KBUILD_BUILD_USER=khdr KBUILD_BUILD_HOST=khdr-cache-tests
export KBUILD_BUILD_TIMESTAMP='2024-01-01 00:00:00 UTC'
cd "$src"
make -s defconfig >&2
./scripts/config --module IKHEADERS
make -s olddefconfig >&2
make -s -j"$(nproc)" KBUILD_MODPOST_WARN=1 kernel/kheaders.ko >&2

rm -rf "$out.tmp"
mkdir -p "$out.tmp"
cp kernel/kheaders.ko "$out.tmp/kheaders.ko"
cp kernel/kheaders_data.tar.xz "$out.tmp/kheaders.tar.xz"
make -s kernelrelease > "$out.tmp/release"
tar -tJf kernel/kheaders_data.tar.xz | wc -l > "$out.tmp/members"
cp include/generated/compile.h "$out.tmp/compile.h"
cp .config "$out.tmp/config"
xz -k -T1 -c "$out.tmp/kheaders.ko" > "$out.tmp/kheaders.ko.xz"
if command -v zstd >/dev/null; then zstd -q -c "$out.tmp/kheaders.ko" > "$out.tmp/kheaders.ko.zst"; fi
gzip -n -c "$out.tmp/kheaders.ko" > "$out.tmp/kheaders.ko.gz"
touch "$out.tmp/done"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out"
