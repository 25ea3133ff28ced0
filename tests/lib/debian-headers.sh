#!/bin/sh
# Fetch Debian's headers for its stock kernel (the release that
# linux-image-amd64 depends on), or for the release RELEASE given as the
# argument (another ABI apt offers), with `apt-get download` -- never installed:
# the host keeps having no headers package -- and unpack them with
# dpkg-deb -x into one directory, which is printed:
#
#   <dir>/usr/src/linux-headers-<release>          (generated files, .config, ...)
#   <dir>/usr/src/linux-headers-<abi>-common       (sources)
#   <dir>/usr/lib/linux-kbuild-<major.minor>       (scripts/, tools/ binaries)
#   <dir>/release, <dir>/versions, <dir>/done
#
# The directory is keyed on the packages' versions: a new upload gives a
# new directory; the .debs are kept in <cache>/debs.
#
#   debian-headers.sh [RELEASE]
#
#   KHDR_TEST_CACHE  cache root (default ~/.cache/khdr-cache-tests)
#
# Safe to run twice at once (two test runs on one machine): the work is
# done in a private mktemp directory and put in place with one rename(2),
# under a lock, so one run fetches and the other waits and finds it done.
set -eu

cache=${KHDR_TEST_CACHE:-${HOME:-/root}/.cache/khdr-cache-tests}
if [ $# -gt 0 ]; then
	release=$1
else
	img=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n 1)
	[ -n "$img" ] || { echo "debian-headers: cannot resolve linux-image-amd64 (apt-get update?)" >&2; exit 1; }
	release=${img#linux-image-}
fi
hdr=linux-headers-$release
# The -common and linux-kbuild-* names, as the headers package depends on them.
deps=$(apt-cache depends "$hdr" 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-headers-.*-common\|linux-kbuild-[0-9.]*\)$/\1/p' | sort -u)
[ "$(echo "$deps" | grep -c .)" = 2 ] ||
	{ echo "debian-headers: $hdr does not depend on a -common and a linux-kbuild package" >&2; exit 1; }

version() {  # the version apt would fetch
	apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1
}
versions=
for p in $hdr $deps; do
	v=$(version "$p")
	[ -n "$v" ] || { echo "debian-headers: no version for $p" >&2; exit 1; }
	versions="$versions$p=$v
"
done
key=$(printf '%s' "$versions" | md5sum | cut -c1-12)
out=$cache/debian-headers-$release-$key
if [ -f "$out/done" ]; then echo "$out"; exit 0; fi

mkdir -p "$cache/debs"
. "$(dirname "$0")/publish.sh"
claim "$out"
mkdir "$tmp/tree" "$tmp/dl"
printf '%s' "$versions" | while IFS='=' read -r p v; do
	# apt-get download names files <pkg>_<version with : as %3a>_<arch>.deb
	fv=$(printf '%s' "$v" | sed 's/:/%3a/g')
	deb=$(ls "$cache/debs/${p}_${fv}_"*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		# Into the shared debs/ by rename only: never a partial .deb there.
		(cd "$tmp/dl" && apt-get download "$p=$v" >&2) ||
			{ echo "debian-headers: apt-get download $p=$v failed" >&2; exit 1; }
		for f in "$tmp/dl/${p}_${fv}_"*.deb; do mv -f "$f" "$cache/debs/"; done
		deb=$(ls "$cache/debs/${p}_${fv}_"*.deb | head -n 1)
	fi
	dpkg-deb -x "$deb" "$tmp/tree"
done
[ -f "$tmp/tree/usr/src/$hdr/Makefile" ] ||
	{ echo "debian-headers: $hdr has no usr/src/$hdr/Makefile" >&2; exit 1; }
echo "$release" > "$tmp/tree/release"
printf '%s' "$versions" > "$tmp/tree/versions"
touch "$tmp/tree/done"
publish "$tmp/tree" "$out"
echo "$out"
