#!/bin/bash
# test-hostile.sh - archives no kernel makes, built by tests/lib/mk-hostile.py:
# each is refused (or sanitised) with a clear message, nothing appears
# outside the target, and install leaves no staging directory behind.
. "$(dirname "$0")/lib.sh"

oneTimeSetUp() {
	H=$SHUNIT_TMPDIR/hostile
	VICTIM=$H/victim
	mkdir -p "$VICTIM"
	echo secret > "$VICTIM/secret"
	python3 "$KHDR_SRCDIR/tests/lib/mk-hostile.py" "$H" "$VICTIM"
}

setUp() {
	rm -rf "$H/target"
}

victim_untouched() {
	assertEquals "$1: nothing written outside the target" "secret" "$(ls "$VICTIM")"
	assertEquals "$1: victim file intact" secret "$(cat "$VICTIM/secret")"
}

refused() {  # archive, words the message must contain...
	local a=$1
	shift
	run extract --archive "$H/$a.tar.xz" --to "$H/target"
	assertEquals "$a: exit ($ERR)" 1 "$RC"
	for w in "$@"; do
		assertContains "$a: message" "$ERR" "$w"
	done
	assertContains "$a: message names the file" "$ERR" "$a.tar.xz"
	victim_untouched "$a"
}

test_absolute_path() { refused absolute "absolute path"; }
test_dotdot_escape() { refused dotdot "'..' component"; }
test_symlink_absolute_then_write_through() {
	refused symlink-abs "absolute symlink target"
	assertFalse "no link made" "[ -L '$H/target/esc' ]"
}
test_symlink_relative_escape() { refused symlink-rel "leaves the tree"; }
test_write_through_inside_symlink() {
	refused symlink-through "symlink"
	assertFalse "nothing written through the link" "[ -e '$H/target/sub/through' ]"
}
test_hardlink_outside() {
	refused hardlink-outside "hard link" "absolute path"
	refused hardlink-dotdot "hard link" "'..' component"
	refused hardlink-unknown "not an earlier regular file"
	assertEquals "secret has one link" 1 "$(stat -c %h "$VICTIM/secret")"
}
test_hardlink_inside_works() {
	run extract --archive "$H/hardlink-good.tar.xz" --to "$H/target"
	assertEquals "exit: $ERR" 0 "$RC"
	assertEquals "same inode" "$(stat -c %i "$H/target/ok.h")" "$(stat -c %i "$H/target/h")"
}
test_device_nodes_skipped() {
	run extract --archive "$H/device.tar.xz" --to "$H/target"
	assertEquals "exit: $ERR" 0 "$RC"
	assertContains "$ERR" "dev-null: device node skipped"
	assertContains "$ERR" "fifo: FIFO skipped"
	assertEquals "only the regular file" "ok.h" "$(ls -A "$H/target")"
}
test_modes_sanitised() {
	run extract --archive "$H/modes.tar.xz" --to "$H/target"
	assertEquals "exit: $ERR" 0 "$RC"
	assertContains "$ERR" "d/suid: mode 4755 masked to 0755"
	assertEquals "setuid dropped" 755 "$(stat -c %a "$H/target/d/suid")"
	assertEquals "setgid dropped" 755 "$(stat -c %a "$H/target/d/sgid")"
	assertEquals "world write dropped" 644 "$(stat -c %a "$H/target/d/world")"
	assertEquals "sticky, world write dropped" 755 "$(stat -c %a "$H/target/d")"
}
test_pax_size_beyond_data() { refused paxsize "truncated"; }
test_truncated_xz() { refused truncated "truncated"; }
# Record padding after the tar end marker is decoded (the xz check covers
# the whole stream), but not without end: a genuine archive followed by
# 4 MiB of zeros, which xz shrinks to almost nothing, is refused.
test_zeros_after_the_end_refused() {
	need_artefacts || return
	{ xz -dc "$KHDR_ARTEFACTS/kheaders.tar.xz"; head -c 4M /dev/zero; } |
		xz -T1 -c > "$H/trailer.tar.xz"
	refused trailer "after the end of the tar archive"
	# A record's worth of padding is what tar writes: still fine.
	{ xz -dc "$KHDR_ARTEFACTS/kheaders.tar.xz"; head -c 10240 /dev/zero; } |
		xz -T1 -c > "$H/padded.tar.xz"
	run extract --archive "$H/padded.tar.xz" --to "$H/target"
	assertEquals "padded: exit ($ERR)" 0 "$RC"
	assertTrue "padded: extracted" "[ -f '$H/target/include/linux/kconfig.h' ]"
}

# An index that lies about one block of many: the blocks, decoded in
# parallel as the index plans them, are checked against it, as the stream
# decoder checks the index at the end.  The honest archive goes through.
test_index_lying_about_a_block() {
	local t
	for t in 1 2 4; do
		run extract --threads $t --archive "$H/index-lie.tar.xz" --to "$H/target"
		assertEquals "--threads $t: exit ($ERR)" 1 "$RC"
		assertContains "--threads $t: message" "$ERR" "xz data is corrupt"
		rm -rf "$H/target"
		run extract --threads $t --archive "$H/blocks.tar.xz" --to "$H/target"
		assertEquals "--threads $t: the honest one: exit ($ERR)" 0 "$RC"
		assertEquals "--threads $t: all of it" 200 "$(ls "$H/target" | wc -l)"
		rm -rf "$H/target"
	done
	victim_untouched index-lie
}

test_garbage() {
	refused garbage "unrecognised format"
	refused garbage-xz "corrupt"
	refused notar "not a tar archive"
}

# Kernels before 5.6 have no openat2: the component-by-component walk
# with O_NOFOLLOW must refuse the same things.
test_fallback_walk_refuses_the_same() {
	export KHDR_NO_OPENAT2=1
	refused symlink-through "symlink"
	assertFalse "nothing written through the link" "[ -e '$H/target/sub/through' ]"
	rm -rf "$H/target"
	refused symlink-rel "leaves the tree"
	rm -rf "$H/target"
	refused dotdot "'..' component"
	unset KHDR_NO_OPENAT2
	if [ -n "${KHDR_ARTEFACTS:-}" ]; then
		KHDR_NO_OPENAT2=1 "$KHDR" -q extract --archive "$KHDR_ARTEFACTS/kheaders.ko.xz" \
			--to "$SHUNIT_TMPDIR/walk"
		assertEquals "genuine archive through the walk" 0 $?
		assertSameTree walk "$(reference_tree)" "$SHUNIT_TMPDIR/walk"
	fi
}

# Through install (with --force, past verification): the staging
# directory goes, no entry, no link.
test_install_cleans_up_after_hostile_input() {
	need_artefacts || return
	make_fixture
	local a
	for a in absolute dotdot symlink-abs symlink-rel hardlink-outside paxsize truncated garbage-xz notar index-lie; do
		run install $FXOPTS --force --archive "$H/$a.tar.xz"
		assertEquals "$a: exit ($ERR)" 1 "$RC"
		assertNothingInstalled "$a"
		victim_untouched "$a"
	done
}

test_limits() {
	run extract --max-entries 50 --archive "$H/whole.tar.xz" --to "$H/target"
	assertEquals 1 "$RC"
	assertContains "$ERR" "more than 50 members"
	rm -rf "$H/target"
	run extract --max-bytes 100K --archive "$H/whole.tar.xz" --to "$H/target"
	assertEquals 1 "$RC"
	assertContains "$ERR" "--max-bytes"
}

# A file, the same name replaced by a symlink valid where it stands, then
# a hard link to that name elsewhere: linkat() would link the symlink
# itself, which at the new name points outside the tree (GNU tar 1.34
# makes that link).  Only a name still holding a regular file this
# extraction wrote may be linked to.
test_hardlink_to_a_name_replaced_by_a_symlink() {
	refused hardlink-replaced "refusing hard link evil -> d0/f"
	assertFalse "no evil link" "[ -e '$H/target/evil' -o -L '$H/target/evil' ]"
	assertEquals "secret has one link" 1 "$(stat -c %h "$VICTIM/secret")"
	rm -rf "$H/target"
	export KHDR_NO_OPENAT2=1
	refused hardlink-replaced "refusing hard link evil -> d0/f"
	unset KHDR_NO_OPENAT2
	assertFalse "walk: no evil link" "[ -e '$H/target/evil' -o -L '$H/target/evil' ]"
}

# A link to a name that is itself a link of a file written: the same file.
test_hardlink_to_a_hardlink() {
	run extract --archive "$H/hardlink-chain.tar.xz" --to "$H/target"
	assertEquals "exit: $ERR" 0 "$RC"
	assertEquals "h2 is ok.h" "$(stat -c %i "$H/target/ok.h")" "$(stat -c %i "$H/target/h2")"
	assertEquals "three names" 3 "$(stat -c %h "$H/target/ok.h")"
}

# The same attack where it matters: genuine utsrelease.h and compile.h
# matching the fixture's /proc/version verify the archive at level
# fingerprint, so install takes it without --force.  The attack must be
# refused and nothing installed; without the final link (the control) the
# same archive installs, so the refusal is the link's.
test_hardlink_attack_in_a_verified_archive_refused_by_install() {
	need_artefacts || return 0
	make_fixture
	local entry=$FX/root/var/cache/khdr/$(key) rc
	python3 "$KHDR_SRCDIR/tests/lib/mk-hostile.py" --verified "$H/verified-link.tar.xz" \
		"$KHDR_ARTEFACTS/kheaders.tar.xz" "$entry" "$VICTIM"
	rc=$?
	assertEquals "fixture written" 0 "$rc"
	python3 "$KHDR_SRCDIR/tests/lib/mk-hostile.py" --verified "$H/verified-nolink.tar.xz" \
		"$KHDR_ARTEFACTS/kheaders.tar.xz" "$entry" "$VICTIM" none
	rc=$?
	assertEquals "control written" 0 "$rc"
	run install $FXOPTS --archive "$H/verified-link.tar.xz"
	assertEquals "attack: exit ($ERR)" 1 "$RC"
	assertContains "attack: message" "$ERR" "refusing hard link evil"
	assertNothingInstalled "attack"
	assertFalse "attack: no link out of the tree" "[ -L '$entry/evil' ]"
	victim_untouched "attack"
	run install $FXOPTS --archive "$H/verified-nolink.tar.xz"
	assertEquals "control: exit ($ERR)" 0 "$RC"
	assertEquals "control: verified at fingerprint" fingerprint "$(stamp_field verified)"
}

# The xz rule, xz(1)'s: concatenated streams, each followed by stream
# padding (zero bytes, a multiple of four), are one valid file; anything
# else after a stream is an error (xz -t: "Compressed data is corrupt" or
# "Unexpected end of input").  Through every decoding path: inline
# (--threads 1), a decoder thread ahead (2), block workers (4; a file of
# several streams goes to the stream decoder).
test_xz_concatenated_streams_are_read_whole() {
	local a t
	mkdir -p "$H/gnu"
	tar -xJf "$H/concat-one.tar.xz" -C "$H/gnu"
	assertEquals "GNU tar reads all 200 members" 200 "$(ls "$H/gnu" | wc -l)"
	for a in concat-one concat-blocks concat-padded-one concat-padded-blocks; do
		xz -t "$H/$a.tar.xz"
		assertEquals "$a: xz -t accepts it" 0 $?
		for t in 1 2 4; do
			rm -rf "$H/target"
			run extract --threads $t --archive "$H/$a.tar.xz" --to "$H/target"
			assertEquals "$a --threads $t: exit ($ERR)" 0 "$RC"
			diff -r "$H/gnu" "$H/target" > /dev/null
			assertEquals "$a --threads $t: the tree GNU tar writes" 0 $?
		done
	done
	rm -rf "$H/gnu"
}

test_xz_data_after_a_stream_refused() {
	local a t rc
	for a in garbage-after-one garbage-after-blocks badpad-after-one badpad-after-blocks \
		 stream-after-garbage-one stream-after-garbage-blocks; do
		xz -t "$H/$a.tar.xz" 2>/dev/null
		rc=$?
		assertEquals "$a: xz -t refuses it" 1 "$rc"
		for t in 1 2 4; do
			rm -rf "$H/target"
			run extract --threads $t --archive "$H/$a.tar.xz" --to "$H/target"
			assertEquals "$a --threads $t: exit ($ERR)" 1 "$RC"
			assertContains "$a --threads $t: message" "$ERR" "an xz stream"
			assertContains "$a --threads $t: names the file" "$ERR" "$a.tar.xz"
		done
	done
	victim_untouched "data after a stream"
}

# install --force takes what verification would refuse, so a partial tree
# read from the first stream would replace a good entry: refused, the
# entry and the link stay.
test_xz_data_after_a_stream_keeps_the_installed_entry() {
	need_artefacts || return 0
	make_fixture
	install_running
	local a before
	before=$(entry_dir)
	for a in garbage-after-one stream-after-garbage-blocks check-reserved-one; do
		run install $FXOPTS --force --archive "$H/$a.tar.xz"
		assertEquals "$a: exit ($ERR)" 1 "$RC"
		assertEquals "$a: the link still points at the entry" "$before" "$(entry_dir)"
		assertTrue "$a: the entry is whole" "[ -f '$before/include/linux/kconfig.h' ]"
		assertEquals "$a: no staging left" "$(key)" \
			"$(ls -A "$FX/root/var/cache/khdr" | grep -v '^lock$')"
	done
}

# Reserved check IDs (2, 3, 5-9, 11-15): liblzma decodes them without
# verifying anything (xz -t warns "Unsupported type of integrity check").
# The man page promises the check is verified, so they are refused.
test_xz_unverifiable_check_refused() {
	local a t id
	for a in check-reserved-one:2 check-reserved-blocks:3; do
		id=${a#*:} a=${a%:*}
		for t in 1 2 4; do
			rm -rf "$H/target"
			run extract --threads $t --archive "$H/$a.tar.xz" --to "$H/target"
			assertEquals "$a --threads $t: exit ($ERR)" 1 "$RC"
			assertContains "$a --threads $t: names the check" "$ERR" "integrity check has ID $id"
			assertFalse "$a --threads $t: nothing written" "[ -e '$H/target/f000.h' ]"
		done
	done
}

# Module files: the same rule for the compressed module (.ko.xz; and
# gzip members, zstd frames for .ko.gz, .ko.zst), whose archive then goes
# the archive's way.  Split in two streams (members, frames) the genuine
# module reads whole; with bytes after it, it is refused.
test_module_file_data_after_the_stream() {
	need_artefacts || return 0
	local ko=$KHDR_ARTEFACTS/kheaders.ko half c z
	half=$(( $(stat -c %s "$ko") / 2 ))
	for c in xz gz zst; do
		case $c in xz) z="xz -T1 -c" ;; gz) z="gzip -c" ;; zst) z="zstd -q -c" ;; esac
		{ head -c $half "$ko" | $z; tail -c +$((half + 1)) "$ko" | $z; } > "$H/two.ko.$c"
		rm -rf "$SHUNIT_TMPDIR/two"
		run extract --archive "$H/two.ko.$c" --to "$SHUNIT_TMPDIR/two"
		assertEquals "two $c streams: exit ($ERR)" 0 "$RC"
		assertSameTree "two $c streams" "$(reference_tree)" "$SHUNIT_TMPDIR/two"
		{ cat "$KHDR_ARTEFACTS/kheaders.ko.$c"; printf 'garbage!'; } > "$H/tail.ko.$c"
		rm -rf "$H/target"
		run extract --archive "$H/tail.ko.$c" --to "$H/target"
		assertEquals "$c with bytes after it: exit ($ERR)" 1 "$RC"
		assertContains "$c with bytes after it: names the file" "$ERR" "tail.ko.$c"
		assertFalse "$c with bytes after it: nothing written" "[ -e '$H/target' ]"
	done
}

# Sparse members, as GNU tar 1.34 writes them (-S) in each of its
# formats: old GNU ('S', here with extension headers: more than four
# fragments), pax 0.0, 0.1 and 1.0.  GNU tar reads back all three
# members; khdr-cache refuses the archive, naming the member and the
# format, and never skips by a wrong length (an old GNU member's size does
# not count its extension headers: skipping it lands in its data, where a
# zero block looked like the end and z-after.h was silently lost).
test_sparse_members_refused() {
	local s=$SHUNIT_TMPDIR/sparse f fmt v opt rc
	mkdir -p "$s/src" "$s/gnu"
	echo before > "$s/src/a-before.h"
	echo after > "$s/src/z-after.h"
	truncate -s 1M "$s/src/holes"
	for i in 0 1 2 3 4 5 6 7; do
		dd if=/dev/zero of="$s/src/holes" bs=4096 count=1 seek=$((i * 16)) conv=notrunc status=none
	done
	for f in gnu:gnu posix:0.0 posix:0.1 posix:1.0; do
		fmt=${f%:*} v=${f#*:} opt=
		[ "$fmt" = posix ] && opt=--sparse-version=$v
		tar --format=$fmt -S $opt -C "$s/src" -cf - a-before.h holes z-after.h |
			xz -T1 -c > "$H/sparse-$v.tar.xz"
		rm -rf "$s/gnu" && mkdir "$s/gnu"
		tar -xJf "$H/sparse-$v.tar.xz" -C "$s/gnu"
		rc=$?
		assertEquals "$v: GNU tar reads it" 0 "$rc"
		assertEquals "$v: GNU tar's members" "a-before.h holes z-after.h" "$(ls "$s/gnu" | tr '\n' ' ' | sed 's/ $//')"
	done
	refused sparse-gnu "refusing member 'holes'" "GNU sparse file (old GNU format, type 'S', with extension headers)"
	rm -rf "$H/target"
	refused sparse-0.0 "refusing member 'holes'" "GNU sparse file (pax format 0.0)"
	rm -rf "$H/target"
	refused sparse-0.1 "refusing member 'holes'" "GNU sparse file (pax format 0.1)"
	rm -rf "$H/target"
	refused sparse-1.0 "refusing member 'holes'" "GNU sparse file (pax format 1.0)"
	assertFalse "nothing named after the sparse member" "[ -e '$H/target/holes' ]"
	rm -rf "$s"
}

# A member of an unknown type whose size, with its padding, passes 2^64:
# it wrapped to 0 and the next header was read from the member's data (a
# member GNU tar never sees).  GNU tar says "out of range"; so does this.
test_size_out_of_range_refused() {
	refused size-base256-huge "out of range"
	assertFalse "no smuggled member" "[ -e '$H/target/smuggled.h' ]"
	rm -rf "$H/target"
	refused size-pax-huge "out of range"
	assertFalse "no smuggled member" "[ -e '$H/target/smuggled.h' ]"
}

. shunit2
