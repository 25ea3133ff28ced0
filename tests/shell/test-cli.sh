#!/bin/bash
# test-cli.sh - the command line: usage errors, help, version, buildid.
. "$(dirname "$0")/lib.sh"

test_no_command_is_usage_error() {
	run
	assertEquals "exit status" 2 "$RC"
	assertContains "$ERR" "no command given"
	assertContains "$ERR" "--help"
}

test_unknown_command_and_option() {
	run frobnicate
	assertEquals 2 "$RC"
	assertContains "$ERR" "unknown command 'frobnicate'"
	run install --no-such-option
	assertEquals 2 "$RC"
	assertContains "$ERR" "unknown option '--no-such-option'"
	run install --root
	assertEquals 2 "$RC"
	assertContains "$ERR" "needs an argument"
}

test_option_not_for_command() {
	run buildid --to /tmp x
	assertEquals 2 "$RC"
	assertContains "$ERR" "does not apply to 'buildid'"
	run extract
	assertEquals 2 "$RC"
	assertContains "$ERR" "extract needs --to DIR"
	run install extra-operand
	assertEquals 2 "$RC"
	run buildid
	assertEquals 2 "$RC"
	run install --max-bytes 12Q
	assertEquals 2 "$RC"
	assertContains "$ERR" "invalid --max-bytes"
}

# The option refused is named, not "an option given".
test_option_not_for_command_is_named() {
	run status --keep 2
	assertEquals "status --keep: $ERR" 2 "$RC"
	assertContains "$ERR" "--keep does not apply to 'status'"
	run --threads 3 env
	assertEquals "env --threads: $ERR" 2 "$RC"
	assertContains "$ERR" "--threads does not apply to 'env'"
	run prune -f
	assertEquals "prune -f: $ERR" 2 "$RC"
	assertContains "$ERR" "--force does not apply to 'prune'"
}

# A slip of the fingers gets the nearest name, as git gives it; a word
# that is no slip gets no guess.
test_unknown_name_suggests_the_nearest() {
	run instal
	assertEquals "instal: $ERR" 2 "$RC"
	assertContains "$ERR" "unknown command 'instal'; did you mean 'install'?"
	run stauts
	assertContains "$ERR" "did you mean 'status'?"
	run status --kernal-release 6.1.0
	assertEquals "--kernal-release: $ERR" 2 "$RC"
	assertContains "$ERR" "unknown option '--kernal-release'; did you mean '--kernel-release'?"
	run install --dry-rum=x
	assertContains "$ERR" "did you mean '--dry-run'?"
	run ls
	assertEquals 2 "$RC"
	assertNotContains "ls: $ERR" "$ERR" "did you mean"
	run install --frobnicate
	assertNotContains "--frobnicate: $ERR" "$ERR" "did you mean"
}

# A --root that names nothing, or a file, is an error in every command that
# takes one, naming the path; nothing is made beneath it.
test_root_must_be_a_directory() {
	local c missing=$SHUNIT_TMPDIR/no-such-root file=$SHUNIT_TMPDIR/root-file
	: > "$file"
	for c in install status prune env verify; do
		run $c --root "$missing"
		assertEquals "$c --root missing: $ERR" 1 "$RC"
		assertContains "$c: $ERR" "$ERR" "--root $missing: No such file or directory"
		assertFalse "$c made nothing" "[ -e '$missing' ]"
		run $c --root "$file"
		assertEquals "$c --root file: $ERR" 1 "$RC"
		assertContains "$c: $ERR" "$ERR" "--root $file is not a directory"
	done
	run prune --dry-run --root "$missing"
	assertEquals "prune -n --root missing: $ERR" 1 "$RC"
	assertNotContains "$ERR$OUT" "nothing to prune"
}

# handoff runs this system's scripts: --help offers no option that would
# name another root, and the command refuses them.
test_handoff_help_lists_no_option_it_refuses() {
	local opt help
	help=$("$KHDR" handoff --help)
	for opt in --root --sysfs --procfs --cache-dir; do
		assertNotContains "handoff --help lists no $opt" "$help" "$opt "
		run handoff $opt /tmp
		assertEquals "handoff $opt: usage error" 2 "$RC"
	done
	assertContains "--run-dir listed" "$help" "--run-dir"
	assertContains "--kernel-release listed" "$help" "--kernel-release"
}

test_help_lists_every_command_and_option() {
	run --help
	assertEquals 0 "$RC"
	for c in install extract buildid; do
		assertContains "help names $c" "$OUT" "  $c "
	done
	# Every long option in the help is documented in the man page too.
	for opt in $(echo "$OUT" | grep -o -- '--[a-z-]*' | sort -u); do
		sed 's/\\//g' "$KHDR_SRCDIR/man/khdr-cache.8" | grep -q -- "$opt" ||
			fail "man page lacks $opt"
	done
	run install --help
	assertEquals 0 "$RC"
	assertContains "$OUT" "Usage: khdr-cache install"
}

test_version() {
	run --version
	assertEquals 0 "$RC"
	assertContains "$OUT" "khdr-cache "
}

test_buildid_of_debian_kernel() {
	need_debian_kernel || return 0
	local want
	want=$(cat "$KHDR_DEBIAN_KERNEL/build-id")
	for f in vmlinuz vmlinux notes; do
		run buildid "$KHDR_DEBIAN_KERNEL/$f"
		assertEquals "buildid $f exit" 0 "$RC"
		assertEquals "buildid $f (readelf -n says $want)" "$want" "$OUT"
	done
}

test_buildid_refuses_what_has_none() {
	need_artefacts || return 0
	run buildid "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals 1 "$RC"
	assertContains "$ERR" "kheaders.tar.xz"
	run buildid /nonexistent/vmlinuz
	assertEquals 1 "$RC"
	assertContains "$ERR" "cannot open /nonexistent/vmlinuz"
	head -c 3000 "$KHDR_DEBIAN_KERNEL/vmlinuz" > "$SHUNIT_TMPDIR/cut" 2>/dev/null ||
		head -c 3000 /dev/urandom > "$SHUNIT_TMPDIR/cut"
	run buildid "$SHUNIT_TMPDIR/cut"
	assertEquals 1 "$RC"
}

test_configure_names_the_missing_package() {
	[ -x "$KHDR_SRCDIR/configure" ] || { skip_test "no configure script (run autoreconf -fi)"; return 0; }
	local d=$SHUNIT_TMPDIR/conf
	mkdir -p "$d"
	(cd "$d" && PKG_CONFIG_LIBDIR=/nonexistent "$KHDR_SRCDIR/configure" > out 2>&1)
	assertNotEquals "configure fails without liblzma" 0 $?
	assertContains "$(cat "$d/out")" "install liblzma-dev"
}

test_make_install_honours_destdir_and_prefix() {
	local b d
	b=$(dirname "$KHDR")
	d=$SHUNIT_TMPDIR/destdir
	[ -f "$b/Makefile" ] || { skip_test "no Makefile next to $KHDR"; return 0; }
	make -s -C "$b" install DESTDIR="$d" prefix=/usr > "$SHUNIT_TMPDIR/make.out" 2>&1
	rc=$?
	assertEquals "make install: $(tail -5 "$SHUNIT_TMPDIR/make.out")" 0 "$rc"
	assertTrue "binary in sbindir" "[ -x '$d/usr/sbin/khdr-cache' ]"
	assertTrue "man page" "[ -f '$d/usr/share/man/man8/khdr-cache.8' ]"
	# Under prefix=/usr, except the directories the tools' own pkg-config
	# names (Debian's systemd units live in /lib/systemd/system).
	local want v
	want=$( { echo usr
		for v in systemdsystemunitdir dracutmodulesdir initramfstoolsdir kernelinstalldir kernelhooksdir; do
			sed -n "s|^$v = /\([^/]*\).*|\1|p" "$b/Makefile"
		done; } | sort -u | tr '\n' ' ')
	assertEquals "nothing outside DESTDIR/usr and the tools' dirs" "$want" "$(ls "$d" | tr '\n' ' ')"
}

. shunit2
