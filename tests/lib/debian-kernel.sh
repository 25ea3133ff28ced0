#!/bin/sh
# Fetch Debian's stock kernel image (the linux-image-<release> that
# linux-image-amd64 depends on) once, and derive from it, with tools that
# are not ours: vmlinux (the kernel's own scripts/extract-vmlinux), its
# build ID (readelf -n) and its .notes section (objcopy), as found in
# /sys/kernel/notes when that kernel runs.  Prints the directory.
#
#   KHDR_TEST_CACHE  cache root (default ~/.cache/khdr-cache-tests)
set -eu

cache=${KHDR_TEST_CACHE:-${HOME:-/root}/.cache/khdr-cache-tests}
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n 1)
[ -n "$pkg" ] || { echo "debian-kernel: cannot resolve linux-image-amd64 (apt-get update?)" >&2; exit 1; }
release=${pkg#linux-image-}
out=$cache/debian-$release
if [ -f "$out/done" ]; then echo "$out"; exit 0; fi

mkdir -p "$cache/debs"
deb=$(ls "$cache/debs/${pkg}_"*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
	(cd "$cache/debs" && apt-get download "$pkg" >&2)
	deb=$(ls "$cache/debs/${pkg}_"*.deb | head -n 1)
fi
src=$(sh "$(dirname "$0")/build-artefacts.sh" --source-only)

rm -rf "$out.tmp"
mkdir -p "$out.tmp/x"
dpkg-deb -x "$deb" "$out.tmp/x"
cp "$out.tmp/x/boot/vmlinuz-$release" "$out.tmp/vmlinuz"
rm -rf "$out.tmp/x"
sh "$src/scripts/extract-vmlinux" "$out.tmp/vmlinuz" > "$out.tmp/vmlinux"
readelf -n "$out.tmp/vmlinux" | sed -n 's/^ *Build ID: *\([0-9a-f]*\)$/\1/p' > "$out.tmp/build-id"
[ -s "$out.tmp/build-id" ] || { echo "debian-kernel: readelf found no build ID" >&2; exit 1; }
objcopy -O binary --only-section=.notes "$out.tmp/vmlinux" "$out.tmp/notes"
echo "$release" > "$out.tmp/release"
touch "$out.tmp/done"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out"
