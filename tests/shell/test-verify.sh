#!/bin/bash
# test-verify.sh - khdr-cache verify: the installed tree against the
# archive it came from (read again), each kind of difference named, the
# archive's CRC64 checked, no scratch directory left behind.
. "$(dirname "$0")/lib.sh"
# Many installs or extractions: their fixtures on a private tmpfs (lib.sh).
suite_on_private_tmpfs "$@"

oneTimeSetUp() {
	need_artefacts || skip_suite
}

setUp() {
	make_fixture
	CACHE=$FX/root/var/cache/khdr
	# The archive at a path of the test's own, so it can be replaced.
	ARCHIVE=$FX/kheaders.tar.xz
	cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$ARCHIVE"
}


install_running() {
	run install $FXOPTS --archive "$ARCHIVE" "$@"
	assertEquals "install: $ERR" 0 "$RC"
}

assertNoScratch() {
	assertEquals "$1: no .staging-* or other leftover in the cache" "" \
		"$(ls -A "$CACHE" | grep '^\.')"
}

# The report line of a path: "<kind> <path>..." on stdout.
assertReported() {  # kind path
	assertTrue "reports '$1 $2': $OUT" \
		"printf '%s\n' \"\$OUT\" | grep -Eq '^$1 +(\./)?$2( |\$)'"
}

test_verify_after_install_is_identical() {
	need_artefacts && need_debian_kernel || return 0
	install_running
	run verify $FXOPTS
	assertEquals "exit: $OUT $ERR" 0 "$RC"
	assertContains "$OUT" "identical"
	# It counts what the stamp (and status, and extract) count: files.
	assertContains "the count of the stamp, named" "$OUT" " ($(stamp_field files) files)"
	assertContains "the entry's absolute path" "$OUT" "$(entry_dir): identical to "
	assertNotContains "the generated Makefile of a headers-only tree is ours" "$OUT" "Makefile"
	assertTrue "the tree has that Makefile" "[ -f '$(entry_dir)/Makefile' ]"
	assertNoScratch identical
}

test_verify_names_each_difference() {
	need_artefacts && need_debian_kernel || return 0
	install_running
	local e
	e=$(entry_dir)
	echo '/* tampered */' >> "$e/include/linux/kconfig.h"
	rm "$e/include/linux/kernel.h"
	echo '#define EVIL 1' > "$e/include/linux/khdr-extra.h"
	chmod 0755 "$e/include/linux/types.h"
	ln -sfn qcom,dispcc-sm8350.h.nonexistent "$e/include/dt-bindings/clock/qcom,dispcc-sm8150.h"
	run verify $FXOPTS
	assertEquals "exit: $ERR" 3 "$RC"
	assertReported changed include/linux/kconfig.h
	assertReported missing include/linux/kernel.h
	assertReported extra include/linux/khdr-extra.h
	assertReported changed include/linux/types.h
	assertReported changed 'include/dt-bindings/clock/qcom,dispcc-sm8150.h'
	assertNotContains "unchanged files are not named" "$OUT" "include/linux/module.h"
	assertContains "$OUT" "1 missing, 3 changed, 1 extra"
	assertNoScratch different
	# Each kind on its own.
	run install $FXOPTS --force --archive "$ARCHIVE"
	assertEquals "install --force restores: $ERR" 0 "$RC"
	run verify $FXOPTS
	assertEquals "after install --force: $OUT $ERR" 0 "$RC"
	assertNoScratch restored
}

test_verify_more_kinds() {
	need_artefacts && need_debian_kernel || return 0
	install_running
	local e
	e=$(entry_dir)
	# Same size, other bytes; a file turned into a symlink; an extra
	# directory; a directory turned into a file.
	sed -i '1s/./X/' "$e/include/linux/kconfig.h"
	rm "$e/include/linux/types.h"
	ln -s ../uapi/linux/types.h "$e/include/linux/types.h"
	mkdir "$e/include/linux/khdr-extra-dir"
	rm -r "$e/include/soc" && echo file > "$e/include/soc"
	run verify $FXOPTS
	assertEquals "exit: $ERR" 3 "$RC"
	assertReported changed include/linux/kconfig.h
	assertReported changed include/linux/types.h
	assertReported extra include/linux/khdr-extra-dir
	assertReported changed include/soc
	assertNoScratch kinds
}

# The archive the stamp names was replaced: nothing to compare with.
test_verify_refuses_another_archive() {
	need_artefacts && need_debian_kernel || return 0
	install_running
	local crc
	crc=$(stamp_field archive_crc64)
	# The same tree, packed again: other bytes, other CRC64.
	mkdir "$FX/other"
	tar -xJf "$KHDR_ARTEFACTS/kheaders.tar.xz" -C "$FX/other"
	echo '/* other */' >> "$FX/other/include/linux/kconfig.h"
	(cd "$FX/other" && tar -cJf "$ARCHIVE" .)
	run verify $FXOPTS
	assertEquals "exit: $OUT $ERR" 1 "$RC"
	assertContains "names CRC64" "$ERR" "CRC64"
	assertContains "names the stamp's CRC64" "$ERR" "$crc"
	assertContains "names the archive" "$ERR" "$ARCHIVE"
	assertNotContains "reports no differences" "$OUT" "kconfig.h"
	assertNoScratch "other archive"
	# Gone altogether, and no other source: an error, not 'identical'.
	rm "$ARCHIVE"
	run verify $FXOPTS
	assertEquals "archive gone: exit" 1 "$RC"
	assertNoScratch "archive gone"
}

test_verify_without_entry() {
	need_artefacts && need_debian_kernel || return 0
	run verify $FXOPTS
	assertNotEquals "no cache: not 0" 0 "$RC"
	install_running
	rm -rf "$CACHE/$(key)"
	run verify $FXOPTS
	assertNotEquals "no entry: not 0" 0 "$RC"
	assertContains "$ERR" "no installed cache entry"
	assertNoScratch "no entry"
}

# --kernel-release chooses another release's entry (its build link).
test_verify_other_release() {
	need_artefacts && need_debian_kernel || return 0
	install_running
	local other=6.1.0-khdr-other k2
	k2=$other@0123456789012345678901234567890123456789
	cp -a "$CACHE/$(key)" "$CACHE/$k2"
	sed -i -e "s/^key=.*/key=$k2/" -e "s/^release=.*/release=$other/" \
		-e "s/^build_id=.*/build_id=0123456789012345678901234567890123456789/" "$CACHE/$k2/.khdr-stamp"
	mkdir -p "$FX/root/lib/modules/$other"
	ln -s "/var/cache/khdr/$k2" "$FX/root/lib/modules/$other/build"
	# Tamper with the running release's entry only.
	echo '/* tampered */' >> "$(entry_dir)/include/linux/kconfig.h"
	local oopts=${FXOPTS/--kernel-release $REL/--kernel-release $other}
	run verify $oopts
	assertEquals "other release's entry is intact: $OUT $ERR" 0 "$RC"
	assertContains "it is that entry" "$OUT" "$k2"
	run verify $FXOPTS
	assertEquals "running release's entry differs" 3 "$RC"
	assertReported changed include/linux/kconfig.h
	# And the other way round.
	run install $FXOPTS --force --archive "$ARCHIVE"
	rm "$CACHE/$k2/include/linux/kernel.h"
	run verify $oopts
	assertEquals "other release's entry differs" 3 "$RC"
	assertReported missing include/linux/kernel.h
	assertContains "names that entry" "$OUT" "$k2"
	run verify $FXOPTS
	assertEquals "running release's entry intact" 0 "$RC"
	assertNoScratch "other release"
}

# -q: errors only, in every command; what a script asked for (--json, env)
# still prints.
test_quiet_prints_errors_only_in_every_command() {
	need_artefacts && need_debian_kernel || return 0
	local c
	for c in "install --archive $KHDR_ARTEFACTS/kheaders.tar.xz" \
		 "install --dry-run --archive $KHDR_ARTEFACTS/kheaders.tar.xz" \
		 "install --archive $KHDR_ARTEFACTS/kheaders.tar.xz" \
		 "status" "verify" "prune" "prune --dry-run"; do
		run -q $c $FXOPTS
		assertEquals "$c -q: exit: $ERR" 0 "$RC"
		assertEquals "$c -q prints nothing" "" "$OUT$ERR"
	done
	run -q env $FXOPTS
	assertEquals "env -q: exit" 0 "$RC"
	assertContains "env -q: the variables asked for" "$OUT" "KERNEL_HEADERS="
	# An error still shows.
	run -q verify $FXOPTS -r 6.1.0-khdr-none
	assertNotEquals "no entry: fails" 0 "$RC"
	assertNotEquals "no entry: the error shows" "" "$ERR"
}

. shunit2
