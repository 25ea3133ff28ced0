#!/bin/sh
# The sources of DKMS packages from Debian's archive, as their .debs
# install them: `apt-get download` (never installed: the host keeps having
# none of them), unpacked with dpkg-deb -x into one directory, which is
# printed:
#
#   <dir>/usr/src/<name>-<version>/   each package's source and dkms.conf
#   <dir>/packages                    "<package> <version> <name> <version>"
#                                     a line, in the order given: the .deb's
#                                     name and version, then DKMS's
#                                     (dkms.conf's PACKAGE_NAME and
#                                     PACKAGE_VERSION, as dkms -m and -v take)
#   <dir>/done
#
# The directory is keyed on the packages' versions: a new upload gives a
# new directory; the .debs are kept in <cache>/debs.
#
#   dkms-sources.sh PACKAGE...
#
#   KHDR_TEST_CACHE  cache root (default ~/.cache/khdr-cache-tests)
#
# Safe to run twice at once: made in a private directory, put in place
# with one rename(2) under a lock (tests/lib/publish.sh).
set -eu

[ $# -gt 0 ] || { echo "usage: dkms-sources.sh PACKAGE..." >&2; exit 2; }
cache=${KHDR_TEST_CACHE:-${HOME:-/root}/.cache/khdr-cache-tests}

versions=
for p in "$@"; do
	v=$(apt-cache show --no-all-versions "$p" 2>/dev/null | sed -n 's/^Version: //p' | head -n 1)
	[ -n "$v" ] || { echo "dkms-sources: no version of $p (apt-get update?)" >&2; exit 1; }
	versions="$versions$p=$v
"
done
key=$(printf '%s' "$versions" | md5sum | cut -c1-12)
out=$cache/dkms-src-$key
if [ -f "$out/done" ]; then echo "$out"; exit 0; fi

mkdir -p "$cache/debs"
. "$(dirname "$0")/publish.sh"
claim "$out"
mkdir "$tmp/out" "$tmp/dl"
# A dkms.conf variable set to a literal, quoted or not: NAME="value".
conf() {  # variable dkms.conf
	sed -n "s/^$1=[\"']\\{0,1\\}\\([^\"']*\\).*/\\1/p" "$2" | head -n 1
}
printf '%s' "$versions" | while IFS='=' read -r p v; do
	# apt-get download names files <pkg>_<version with : as %3a>_<arch>.deb
	fv=$(printf '%s' "$v" | sed 's/:/%3a/g')
	deb=$(ls "$cache/debs/${p}_${fv}_"*.deb 2>/dev/null | head -n 1 || true)
	if [ -z "$deb" ]; then
		# Into the shared debs/ by rename only: never a partial .deb there.
		(cd "$tmp/dl" && apt-get download "$p=$v" >&2) ||
			{ echo "dkms-sources: apt-get download $p=$v failed" >&2; exit 1; }
		for f in "$tmp/dl/${p}_${fv}_"*.deb; do mv -f "$f" "$cache/debs/"; done
		deb=$(ls "$cache/debs/${p}_${fv}_"*.deb | head -n 1)
	fi
	# One source directory with a dkms.conf per package.
	mkdir "$tmp/x"
	dpkg-deb -x "$deb" "$tmp/x"
	dir=$(cd "$tmp/x/usr/src" 2>/dev/null && ls -d */dkms.conf 2>/dev/null) || true
	[ "$(echo "$dir" | grep -c .)" = 1 ] ||
		{ echo "dkms-sources: $p has not one usr/src/*/dkms.conf: $dir" >&2; exit 1; }
	dir=${dir%/dkms.conf}
	name=$(conf PACKAGE_NAME "$tmp/x/usr/src/$dir/dkms.conf")
	version=$(conf PACKAGE_VERSION "$tmp/x/usr/src/$dir/dkms.conf")
	[ "$name-$version" = "$dir" ] ||
		{ echo "dkms-sources: $p: usr/src/$dir/dkms.conf names $name-$version" >&2; exit 1; }
	mkdir -p "$tmp/out/usr/src"
	mv "$tmp/x/usr/src/$dir" "$tmp/out/usr/src/$dir"
	rm -rf "$tmp/x"
	echo "$p $v $name $version" >> "$tmp/out/packages"
done
touch "$tmp/out/done"
publish "$tmp/out" "$out"
echo "$out"
