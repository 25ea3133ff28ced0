#!/bin/bash
# test-limits.sh - bounded resources: an xz bomb (5 MB expanding to 32 GiB
# of zeros), ten million members, a 1 MiB path, a pax record that would
# loop, a directory named fifty thousand times.  Each is stopped by its
# cap, quickly, with a message naming the cap, and leaves nothing behind:
# no file of the bomb in the target, no staging directory in the cache, the
# free space of the disk as it was; memory stays bounded.
# (test-hostile.sh covers --max-entries/--max-bytes on a small archive.)
#
# The archives come from tests/lib/mk-limits.py, cached under
# ${KHDR_TEST_CACHE:-~/.cache/khdr-cache-tests}/limits-<hash of the script>.
. "$(dirname "$0")/lib.sh"

GIB_KIB=1048576

oneTimeSetUp() {
	local cache=${KHDR_TEST_CACHE:-${HOME:-/root}/.cache/khdr-cache-tests} sum tmp
	sum=$(md5sum < "$KHDR_SRCDIR/tests/lib/mk-limits.py" | cut -c1-12)
	L=$cache/limits-$sum
	if [ ! -f "$L/done" ]; then
		mkdir -p "$cache"
		tmp=$(mktemp -d "$cache/limits-tmp.XXXXXX")
		python3 "$KHDR_SRCDIR/tests/lib/mk-limits.py" "$tmp" && touch "$tmp/done" &&
			{ mv -T "$tmp" "$L" 2>/dev/null || rm -rf "$tmp"; }
		rm -rf "$tmp"
	fi
	[ -f "$L/done" ] || { echo "test-limits: cannot build the archives in $L" >&2; return 1; }
}

setUp() {
	T=$SHUNIT_TMPDIR/target
	rm -rf "$T"
}

free_kib() { df -Pk "$1" | awk 'NR == 2 { print $4 }'; }

# The disk did not lose a GiB (the bombs would take 4 GiB at least; other
# work on the machine moves the figure a little).
assertSpaceKept() {  # what, free KiB before
	local now
	now=$(free_kib "$SHUNIT_TMPDIR")
	assertTrue "$1: free space kept ($2 KiB before, $now KiB after)" \
		"[ $(( $2 - now )) -lt $GIB_KIB ]"
}

# Nothing of the archive in the target beyond a few small files.
assertTargetSmall() {  # what
	local kib
	kib=$(du -sk "$T" 2>/dev/null | cut -f1)
	assertTrue "$1: target holds ${kib:-0} KiB" "[ ${kib:-0} -lt 1024 ]"
	assertEquals "$1: no bomb member in the target" "" \
		"$(find "$T" -name zeros 2>/dev/null)"
}

extract_refused() {  # archive, words the message must contain...
	local a=$1
	shift
	run extract $EXTRA --archive "$L/$a.tar.xz" --to "$T"
	assertEquals "$a: exit ($ERR)" 1 "$RC"
	for w in "$@"; do
		assertContains "$a: message" "$ERR" "$w"
	done
	assertContains "$a: message names the file" "$ERR" "$a.tar.xz"
}

install_refused() {  # archive, words the message must contain...
	local a=$1
	shift
	run install $FXOPTS $EXTRA --archive "$L/$a.tar.xz"
	assertEquals "$a: install exit ($ERR)" 1 "$RC"
	for w in "$@"; do
		assertContains "$a: install message" "$ERR" "$w"
	done
	assertNothingInstalled "$a"
}

test_caps_are_documented() {
	run --help
	assertEquals "--help exit" 0 "$RC"
	assertContains "--help" "$OUT" "--max-entries N"
	assertContains "--help" "$OUT" "--max-bytes N"
	assertContains "--help: default entry cap" "$OUT" "default 1000000"
	assertContains "--help: default byte cap" "$OUT" "default 4G"
	run install --help
	assertEquals "install --help exit" 0 "$RC"
	assertContains "install --help: the entry cap" "$OUT" "--max-entries N"
	assertContains "install --help: the byte cap" "$OUT" "--max-bytes N"
	assertTrue "man page: --max-entries" "grep -q 'max\\\\-entries' '$KHDR_SRCDIR/man/khdr-cache.8'"
	assertTrue "man page: --max-bytes" "grep -q 'max\\\\-bytes' '$KHDR_SRCDIR/man/khdr-cache.8'"
}

# The xz index says 32 GiB: refused before one byte is decoded.
test_bomb_refused_by_its_index() {
	local before
	before=$(free_kib "$SHUNIT_TMPDIR")
	EXTRA= extract_refused bomb "--max-bytes" "34359738368" "4294967296"
	assertTargetSmall bomb
	assertSpaceKept bomb "$before"
}

# No index: the tar header's 32 GiB size is over the cap of bytes written.
test_bomb_without_index() {
	local before
	before=$(free_kib "$SHUNIT_TMPDIR")
	EXTRA= extract_refused bomb-noindex "--max-bytes"
	assertTargetSmall bomb-noindex
	assertSpaceKept bomb-noindex "$before"
}

# A member that says 1 KiB, then 32 GiB of zeros as "end of archive" and
# padding: more than a megabyte after the end marker is refused at once,
# under the default caps.
test_bomb_stopped_while_streaming() {
	local before
	before=$(free_kib "$SHUNIT_TMPDIR")
	EXTRA= extract_refused bomb-liar "more than 1024 KiB of data after the end of the tar archive"
	assertTargetSmall bomb-liar
	# --dry-run skips the 32 GiB member through the same capped stream.
	make_fixture_or_bare
	run install $FXOPTS --dry-run --max-bytes 64M --archive "$L/bomb-noindex.tar.xz"
	assertEquals "dry run exit ($ERR)" 1 "$RC"
	assertContains "dry run message" "$ERR" "more than 67108864 bytes"
	assertSpaceKept bomb-liar "$before"
}

test_bomb_install_leaves_nothing() {
	need_artefacts || return 0
	local before
	before=$(free_kib "$SHUNIT_TMPDIR")
	make_fixture
	EXTRA= install_refused bomb "--max-bytes"
	EXTRA= install_refused bomb-noindex "--max-bytes"
	EXTRA= install_refused bomb-liar "after the end of the tar archive"
	assertSpaceKept "install" "$before"
	# and the cache still works: the genuine archive installs
	run install $FXOPTS -q --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "genuine install after the bombs ($ERR)" 0 "$RC"
	assertTrue "build link made" "[ -L '$FX/root/lib/modules/$REL/build' ]"
}

# Ten million members, sixteen names over and over.
test_entry_bomb() {
	EXTRA="--max-entries 20000" extract_refused entries "more than 20000 members" "--max-entries"
	assertTrue "no more than the 16 names in the target" \
		"[ $(find "$T" -mindepth 1 | wc -l) -le 16 ]"
}

# Ten million "./" members, the cheapest kind: the default cap stops them.
test_entry_bomb_default_cap() {
	EXTRA= extract_refused entries-root "more than 1000000 members" "--max-entries"
	assertEquals "nothing extracted" "" "$(ls -A "$T")"
}

test_entry_bomb_install_leaves_nothing() {
	need_artefacts || return 0
	make_fixture
	EXTRA="--max-entries 20000" install_refused entries "more than 20000 members"
	EXTRA= install_refused entries-root "more than 1000000 members"
}

# --dry-run says what install would do: install refuses ten million
# members, so the dry run must too, and not read on to the byte cap.
test_dry_run_applies_the_entry_cap() {
	make_fixture_or_bare
	run install $FXOPTS --dry-run --max-entries 20000 --max-bytes 256M \
		--archive "$L/entries.tar.xz"
	assertEquals "dry run exit ($ERR)" 1 "$RC"
	assertContains "dry run stopped by the entry cap" "$ERR" "--max-entries"
}

test_one_mib_path_refused() {
	EXTRA= extract_refused longname-gnu "GNU long name of 1048577 bytes" "limit"
	assertEquals "nothing extracted" "" "$(ls -A "$T")"
	rm -rf "$T"
	EXTRA= extract_refused longname-pax "pax header of" "limit"
	assertEquals "nothing extracted" "" "$(ls -A "$T")"
	rm -rf "$T"
	EXTRA= extract_refused longlink-gnu "GNU long name of 1048577 bytes" "limit"
	assertEquals "nothing extracted" "" "$(ls -A "$T")"
	rm -rf "$T"
	EXTRA= extract_refused longname-pax-5k "pax path of" "limit"
	assertEquals "nothing extracted" "" "$(ls -A "$T")"
}

test_one_mib_path_install_leaves_nothing() {
	need_artefacts || return 0
	make_fixture
	local a
	for a in longname-gnu longname-pax longlink-gnu longname-pax-5k; do
		EXTRA= install_refused $a "limit"
	done
}

# A pax record whose length field is shorter than the field itself: refused
# at once.  (The timeout only keeps a regression from hanging the suite.)
test_pax_record_length_zero_refused() {
	local rc
	timeout 20 "$KHDR" extract --archive "$L/pax-zero-length.tar.xz" --to "$T" \
		2> "$SHUNIT_TMPDIR/stderr"
	rc=$?
	assertNotEquals "pax-zero-length: no endless loop (killed after 20 s)" 124 "$rc"
	assertEquals "pax-zero-length: exit ($(cat "$SHUNIT_TMPDIR/stderr"))" 1 "$rc"
	assertContains "pax-zero-length: message" "$(cat "$SHUNIT_TMPDIR/stderr")" "pax"
	assertEquals "nothing extracted" "" "$(ls -A "$T" 2>/dev/null)"
}

# One directory named 50,176 times (a valid archive): memory must not grow
# with each repetition (it would reach GiBs within the default caps, from a
# file of a few hundred KiB).  Measured as the peak RSS, by GNU time.
test_repeated_directory_memory_bounded() {
	[ -x /usr/bin/time ] || { skip_test "no /usr/bin/time (Debian package time)"; return 0; }
	if ldd "$KHDR" 2>/dev/null | grep -q 'libasan'; then
		skip_test "an ASan build: its own memory use hides the measure"
		return 0
	fi
	local rss
	/usr/bin/time -f '%M' -o "$SHUNIT_TMPDIR/rss" "$KHDR" -q extract \
		--archive "$L/dirs-repeated.tar.xz" --to "$T" 2> "$SHUNIT_TMPDIR/stderr"
	rc=$?
	assertEquals "dirs-repeated: exit ($(cat "$SHUNIT_TMPDIR/stderr"))" 0 "$rc"
	rss=$(tail -n 1 "$SHUNIT_TMPDIR/rss")
	assertTrue "dirs-repeated: peak RSS ${rss} KiB, under 64 MiB" "[ ${rss:-999999} -lt 65536 ]"
	assertTrue "dirs-repeated: the directory is there" \
		"[ -d '$T/$(printf '%0249d' 0 | tr 0 a)' ]"
}

# A fixture when the artefacts are there, else a bare root: --dry-run
# needs no verification to reach the caps.
make_fixture_or_bare() {
	if [ -n "${KHDR_ARTEFACTS:-}" ]; then
		make_fixture
	else
		FX=$(mktemp -d "$SHUNIT_TMPDIR/fx.XXXXXX")
		mkdir -p "$FX/root" "$FX/sys/kernel" "$FX/proc"
		FXOPTS="--root $FX/root --sysfs $FX/sys --procfs $FX/proc --kernel-release 6.1.0-limits"
	fi
}

. shunit2
