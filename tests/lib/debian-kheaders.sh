#!/bin/sh
# The archive the kernel itself would embed for Debian's stock kernel if it
# were built with CONFIG_IKHEADERS (Debian builds without it): Linux's own
# kernel/gen_kheaders.sh, from linux-source-6.1, run over Debian's headers
# of that kernel (tests/lib/debian-headers.sh) as kbuild runs it for an
# out-of-tree build: the -common package is the source tree, the arch
# package the object tree (generated headers: utsrelease.h, compile.h).
# It carries no khdr-manifest, so only the compiler fingerprint can
# vouch for it: against the banner of Debian's image.  Prints the
# directory: kheaders.tar.xz, release, done.
#
#   KHDR_TEST_CACHE  cache root (default ~/.cache/khdr-cache-tests)
#
# Safe to run twice at once (see publish.sh).
set -eu

cache=${KHDR_TEST_CACHE:-${HOME:-/root}/.cache/khdr-cache-tests}
lib=$(dirname "$0")
hdrs=$(sh "$lib/debian-headers.sh")
src=$(sh "$lib/build-artefacts.sh" --source-only)
release=$(cat "$hdrs/release")
obj=$hdrs/usr/src/linux-headers-$release
common=$(ls -d "$hdrs"/usr/src/linux-headers-*-common | head -n 1)
[ -d "$obj" ] && [ -d "$common" ] || { echo "debian-kheaders: no headers trees in $hdrs" >&2; exit 1; }
command -v cpio > /dev/null || { echo "debian-kheaders: gen_kheaders.sh needs cpio" >&2; exit 1; }
# Keyed on the headers' versions and on the script that made the archive.
key=$(cat "$hdrs/versions" "$src/kernel/gen_kheaders.sh" | md5sum | cut -c1-12)
out=$cache/debian-kheaders-$release-$key
if [ -f "$out/done" ]; then echo "$out"; exit 0; fi

. "$lib/publish.sh"
claim "$out"
# gen_kheaders.sh works in the object tree (kernel/kheaders.md5): a copy.
cp -a "$obj" "$tmp/obj"
mkdir -p "$tmp/obj/kernel" "$tmp/out"
(cd "$tmp/obj" &&
	srctree=$common building_out_of_srctree=1 SRCARCH=x86 XZ=xz \
	KBUILD_BUILD_TIMESTAMP='2024-01-01 00:00:00 UTC' \
	sh "$src/kernel/gen_kheaders.sh" kheaders.tar.xz >&2)
mv "$tmp/obj/kheaders.tar.xz" "$tmp/out/kheaders.tar.xz"
echo "$release" > "$tmp/out/release"
touch "$tmp/out/done"
publish "$tmp/out" "$out"
echo "$out"
