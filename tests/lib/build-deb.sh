#!/bin/bash
# Build khdr-cache_<version>_<arch>.deb as a distribution would: a copy of
# the source tree as a fresh clone has it (the files git knows, tracked
# and new ones not ignored; else everything but build output) in
# OUTDIR/khdr-cache-<version>, then dpkg-buildpackage -us -uc -b there.
# The .deb and .changes land in OUTDIR, dpkg-buildpackage's output in
# OUTDIR/build.log; the exit status is dpkg-buildpackage's.  Used by
# tests/shell/test-deb.sh and tests/guest/run.
#
#   tests/lib/build-deb.sh OUTDIR
set -uo pipefail

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: build-deb.sh OUTDIR}
version=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$srcdir/configure.ac")
src=$out/khdr-cache-$version
mkdir -p "$src" || exit 1
if git -C "$srcdir" rev-parse --show-toplevel > /dev/null 2>&1 &&
	[ "$(git -C "$srcdir" rev-parse --show-toplevel)" = "$srcdir" ]; then
	(cd "$srcdir" && git ls-files -co --exclude-standard -z |
		xargs -0 cp --parents -a -t "$src") || exit 1
else
	(cd "$srcdir" && tar -cf - --exclude='./build*' --exclude=./debian/khdr-cache \
		--exclude=./debian/.debhelper .) | tar -xf - -C "$src" || exit 1
fi
(cd "$src" && dpkg-buildpackage -us -uc -b) > "$out/build.log" 2>&1
