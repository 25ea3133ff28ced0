#!/bin/bash
# Print the directory of the guest tier's Debian 12 root (its root/ is the
# mmdebstrap tree of tests/guest/mkroot), building it first when it is not
# cached.  The same entry as tests/guest/run's: $cache/guest-root-<key>,
# the key the md5 of mkroot and the apt sources file, made under the same
# lock ($cache/guest-root.lock), so whichever runs first builds it and the
# other finds it done.  The cached root is never modified: copy it.
#
#   KHDR_TEST_CACHE     cache root (default ~/.cache/khdr-cache-tests)
#   KHDR_GUEST_SOURCES  as for tests/guest/mkroot
set -euo pipefail

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
cache=${KHDR_TEST_CACHE:-${HOME:-/root}/.cache/khdr-cache-tests}
sources=${KHDR_GUEST_SOURCES:-/etc/apt/sources.list.d/debian.sources}
key=$(cat "$srcdir/tests/guest/mkroot" "$sources" | md5sum | cut -c1-16)
dir=$cache/guest-root-$key
if [ -f "$dir/done" ]; then echo "$dir"; exit 0; fi

command -v mmdebstrap > /dev/null || { echo "guest-root: mmdebstrap not installed" >&2; exit 1; }
mkdir -p "$cache"
exec 9> "$cache/guest-root.lock"
flock 9
if [ -f "$dir/done" ]; then echo "$dir"; exit 0; fi
# Older keys' roots go, as tests/guest/run does.
for d in "$cache/guest-root-"*; do [ -e "$d" ] && rm -rf "$d"; done
mkdir "$dir.tmp"
echo "== building the guest root with mmdebstrap (cached after the first run)" >&2
if ! "$srcdir/tests/guest/mkroot" "$dir.tmp/root" > "$cache/guest-root.log" 2>&1; then
	tail -n 30 "$cache/guest-root.log" >&2
	rm -rf "$dir.tmp"
	exit 1
fi
touch "$dir.tmp/done"
mv -T "$dir.tmp" "$dir"
echo "$dir"
