#!/bin/sh
# Fetch Debian's stock kernel image (the linux-image-<release> that
# linux-image-amd64 depends on) once, and derive from it, with tools that
# are not ours: vmlinux (the kernel's own scripts/extract-vmlinux), its
# build ID (readelf -n) and its .notes section (objcopy), as found in
# /sys/kernel/notes when that kernel runs.  Prints the directory.
#
#   KHDR_TEST_CACHE  cache root (default ~/.cache/khdr-cache-tests)
#
# Safe to run twice at once (two test runs on one machine): the work is
# done in a private mktemp directory and put in place with one rename(2),
# under a lock, so one run builds and the other waits and finds it done.
set -eu

cache=${KHDR_TEST_CACHE:-${HOME:-/root}/.cache/khdr-cache-tests}
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n 1)
[ -n "$pkg" ] || { echo "debian-kernel: cannot resolve linux-image-amd64 (apt-get update?)" >&2; exit 1; }
release=${pkg#linux-image-}
out=$cache/debian-$release
if [ -f "$out/done" ]; then echo "$out"; exit 0; fi

mkdir -p "$cache/debs"
. "$(dirname "$0")/publish.sh"
claim "$out"

deb=$(ls "$cache/debs/${pkg}_"*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
	# Into the shared debs/ by rename only: never a partial .deb there.
	mkdir "$tmp/dl"
	(cd "$tmp/dl" && apt-get download "$pkg" >&2)
	for f in "$tmp/dl/${pkg}_"*.deb; do mv -f "$f" "$cache/debs/"; done
	deb=$(ls "$cache/debs/${pkg}_"*.deb | head -n 1)
fi
src=$(sh "$(dirname "$0")/build-artefacts.sh" --source-only)

mkdir "$tmp/x" "$tmp/out"
o=$tmp/out
dpkg-deb -x "$deb" "$tmp/x"
cp "$tmp/x/boot/vmlinuz-$release" "$o/vmlinuz"
rm -rf "$tmp/x"
sh "$src/scripts/extract-vmlinux" "$o/vmlinuz" > "$o/vmlinux"
readelf -n "$o/vmlinux" | sed -n 's/^ *Build ID: *\([0-9a-f]*\)$/\1/p' > "$o/build-id"
[ -s "$o/build-id" ] || { echo "debian-kernel: readelf found no build ID" >&2; exit 1; }
objcopy -O binary --only-section=.notes "$o/vmlinux" "$o/notes"
echo "$release" > "$o/release"
touch "$o/done"
publish "$o" "$out"
echo "$out"
