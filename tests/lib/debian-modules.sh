#!/bin/sh
# Debian's stock kernel as its linux-image .deb installs it: boot/ (vmlinuz,
# config, System.map) and lib/modules/<release>/ (kernel/**/*.ko and the
# modules.* files), unpacked with dpkg-deb -x into one directory, which is
# printed.  Keyed on the .deb's file name (package, version, arch); the .deb
# is shared with tests/lib/debian-kernel.sh in <cache>/debs.
#
#   KHDR_TEST_CACHE  cache root (default ~/.cache/khdr-cache-tests)
#
# Safe to run twice at once: built in a private directory under a lock and
# put in place with one rename(2) (tests/lib/publish.sh).
set -eu

cache=${KHDR_TEST_CACHE:-${HOME:-/root}/.cache/khdr-cache-tests}
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n 1)
[ -n "$pkg" ] || { echo "debian-modules: cannot resolve linux-image-amd64 (apt-get update?)" >&2; exit 1; }
mkdir -p "$cache/debs"
deb=$(ls "$cache/debs/${pkg}_"*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
	sh "$(dirname "$0")/debian-kernel.sh" >/dev/null
	deb=$(ls "$cache/debs/${pkg}_"*.deb | head -n 1)
fi
out=$cache/debian-modules-$(basename "$deb" .deb)
if [ -f "$out/done" ]; then echo "$out"; exit 0; fi

. "$(dirname "$0")/publish.sh"
claim "$out"
mkdir "$tmp/out"
dpkg-deb -x "$deb" "$tmp/out"
rm -rf "$tmp/out/usr"
echo "${pkg#linux-image-}" > "$tmp/out/release"
touch "$tmp/out/done"
publish "$tmp/out" "$out"
echo "$out"
