#!/bin/bash
# test-dlopen.sh - liblzma, libblkid, libzstd and zlib are loaded with
# dlopen() when a code path needs them, not linked: no DT_NEEDED entry,
# a .note.dlopen note per library for the packaging tools and the
# initramfs hooks, nothing but libc opened by a warm install, and a
# missing library named in the error, with what to install.
. "$(dirname "$0")/lib.sh"

LIBS_RE='lib(lzma|blkid|zstd|z)\.so'

need_readelf() {
	command -v readelf > /dev/null || { skip_test "readelf is not installed (binutils)"; return 1; }
}

# The sonames of the binary's .note.dlopen notes, one a line.
note_sonames() {
	readelf -p .note.dlopen "$KHDR" | grep -o '"soname":\[[^]]*\]' |
		grep -o '"[^"]*\.so[^"]*"' | tr -d '"'
}

test_no_needed_entry_for_the_dlopened_libraries() {
	need_readelf || return 0
	local needed
	needed=$(readelf -d "$KHDR" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' | tr '\n' ' ')
	assertNotNull "readelf -d lists NEEDED entries (libc)" "$needed"
	assertFalse "no NEEDED for the four libraries: $needed" "grep -qE '$LIBS_RE' <<< '$needed'"
}

test_dlopen_notes_name_each_library() {
	need_readelf || return 0
	local config want=4
	config=$(dirname "$KHDR")/config.h
	if [ -f "$config" ]; then
		# Two to four: libzstd and zlib are optional (--without-...).
		want=$(grep -c '^#define [A-Z]*_SONAME ' "$config")
		assertEquals "the sonames configure found" \
			"$(sed -n 's/^#define \(LZMA\|BLKID\|ZSTD\|ZLIB\)_SONAME "\(.*\)"$/\2/p' "$config" | sort | tr '\n' ' ')" \
			"$(note_sonames | sort | tr '\n' ' ')"
	fi
	assertEquals "one FDO note of type 0x407c0c0a per library" "$want" \
		"$(readelf -n "$KHDR" | grep -cE '^ +FDO +0x[0-9a-f]+.*0x407c0c0a')"
	# Each note a JSON array of objects with the four keys of the spec.
	readelf -p .note.dlopen "$KHDR" | sed -n 's/^ *\[ *[0-9a-f]*\]  \(\[.*\]\)$/\1/p' |
		python3 -c '
import json, sys
for line in sys.stdin:
    for dep in json.loads(line):
        assert set(dep) == {"feature", "description", "priority", "soname"}, dep
        assert dep["priority"] in ("required", "recommended", "suggested"), dep
        assert all(isinstance(s, str) for s in dep["soname"]), dep
' 2> "$SHUNIT_TMPDIR/json.err"
	rc=$?
	assertEquals "valid notes: $(cat "$SHUNIT_TMPDIR/json.err")" 0 "$rc"
}

test_warm_install_opens_no_library_but_libc() {
	need_artefacts || return 0
	command -v strace > /dev/null || { skip_test "strace is not installed"; return 0; }
	make_fixture
	[ -n "$FX_BUILD_ID" ] || { skip_test "no build ID (Debian kernel notes) for an up-to-date check"; return 0; }
	install_running
	# What the initramfs hooks run at every boot (--archive names where
	# their module is; an explicit --archive without --boot is read, to
	# compare it with the entry's).
	: > "$SHUNIT_TMPDIR/kmsg"
	KHDR_KMSG=$SHUNIT_TMPDIR/kmsg strace -f --seccomp-bpf -e trace=openat -o "$SHUNIT_TMPDIR/strace" \
		"$KHDR" install $FXOPTS --run-dir "$FX/run" --boot \
		--archive "$KHDR_ARTEFACTS/kheaders.tar.xz" > /dev/null 2>&1
	assertEquals "warm install" 0 $?
	assertTrue "it was the warm path: $(cat "$SHUNIT_TMPDIR/kmsg")" \
		"grep -q '^<5>khdr-cache: up to date' '$SHUNIT_TMPDIR/kmsg'"
	local libs
	libs=$(grep -v ENOENT "$SHUNIT_TMPDIR/strace" | grep -oE '"[^"]*\.so(\.[0-9]+)*"' | grep -v '/libc\.so' | tr '\n' ' ')
	assertEquals "libraries a warm install opens besides libc" "" "$libs"
}

# Run "$@" in a private mount namespace where the file ld.so would load
# for soname $1 is an empty file: dlopen() then fails ("file too short").
# Callers redirect its output, so it cannot skip: it exits 97 and leaves
# the reason in $SHUNIT_TMPDIR/skip for the caller's skip_test.
without_library() {  # soname command...
	local so=$1 path
	shift
	path=$(ldconfig -p | awk -v s="$so" '$1 == s && /x86-64/ { print $NF; exit }')
	[ -n "$path" ] || { echo "ldconfig lists no $so" > "$SHUNIT_TMPDIR/skip"; return 97; }
	echo "cannot bind-mount an empty file over $path in a private mount namespace" > "$SHUNIT_TMPDIR/skip"
	: > "$SHUNIT_TMPDIR/empty.so"
	unshare -m --propagation private sh -c 'mount --bind "$1" "$2" || exit 97; shift 2; exec "$@"' \
		sh "$SHUNIT_TMPDIR/empty.so" "$path" "$@"
}

need_unshare() {
	[ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null ||
		{ skip_test "unshare -m needs root"; return 1; }
}

test_missing_liblzma_is_named_with_the_package() {
	need_artefacts || return 0
	need_unshare || return 0
	without_library liblzma.so.5 "$KHDR" extract --to "$SHUNIT_TMPDIR/out" \
		--archive "$KHDR_ARTEFACTS/kheaders.tar.xz" > "$SHUNIT_TMPDIR/out.txt" 2>&1
	local rc=$?
	[ $rc = 97 ] && { skip_test "$(cat "$SHUNIT_TMPDIR/skip")"; return 0; }
	assertNotEquals "extract fails without liblzma" 0 $rc
	assertTrue "names liblzma.so.5 and liblzma5: $(cat "$SHUNIT_TMPDIR/out.txt")" \
		"grep -q 'cannot load liblzma.so.5.*install liblzma5' '$SHUNIT_TMPDIR/out.txt'"
	# The same binary without the trick works: it was the library.
	run extract --to "$SHUNIT_TMPDIR/out2" --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "extract with liblzma: $ERR" 0 "$RC"
}

test_status_without_libblkid_still_reports() {
	need_artefacts || return 0
	need_unshare || return 0
	make_fixture
	install_running
	without_library libblkid.so.1 "$KHDR" status $FXOPTS > "$SHUNIT_TMPDIR/st.txt" 2>&1
	local rc=$?
	[ $rc = 97 ] && { skip_test "$(cat "$SHUNIT_TMPDIR/skip")"; return 0; }
	assertEquals "status without libblkid: $(cat "$SHUNIT_TMPDIR/st.txt")" 0 $rc
	assertTrue "the cache line: $(cat "$SHUNIT_TMPDIR/st.txt")" "grep -q '^cache: ' '$SHUNIT_TMPDIR/st.txt'"
}

. shunit2
