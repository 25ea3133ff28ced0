#!/bin/bash
# test-hints.sh - advice that can do no harm (issue 32, section 1): what is
# no kernel headers archive is refused even with --force; an entry
# installed with --force is reported as forced; a wrong release gets
# "-r <the release the file names>", not --force; and every hint that
# names a command names the exact command that repairs this entry.
#
# Each hint is provoked in a scratch root, taken from the message as
# printed, and run from / in a private mount namespace whose /var/cache
# and /lib/modules are empty tmpfs: it must repair what it names (the
# tree and the stamp as before), and neither the host's cache and
# lib/modules nor anything of the fixture outside its root may change.
. "$(dirname "$0")/lib.sh"
suite_on_private_tmpfs "$@"

oneTimeSetUp() {
	need_artefacts || skip_suite
}

setUp() {
	make_fixture
	CACHE=$FX/root/var/cache/khdr
	mkdir -p "$FX/arch" "$SHUNIT_TMPDIR/bin"
	ln -sf "$KHDR" "$SHUNIT_TMPDIR/bin/khdr-cache"
}

# The command a message suggests: what follows " run: " to the end of its line.
hint_of() {  # text
	printf '%s\n' "$1" | sed -n 's/.* run: \(khdr-cache .*\)$/\1/p' | head -n 1
}

# Everything of the fixture but its root: the archives, sysfs, procfs.
outside() {
	(cd "$FX" && find . -path ./root -prune -o -printf '%p %y %s %m %T@\n' | sort | md5sum)
}

# Run a hint as a user would paste it, from /, where the host's cache and
# lib/modules are empty tmpfs that must stay empty.  HINT_OUT, HINT_RC.
run_hint() {  # command
	local before
	before=$(outside)
	HINT_OUT=$(unshare -m --propagation private sh -c '
		mount -t tmpfs khdr-hint /var/cache && mount -t tmpfs khdr-hint /lib/modules || exit 90
		cd / && PATH=$1:$PATH && eval "$2"
		rc=$?
		if [ -n "$(ls -A /var/cache)$(ls -A /lib/modules)" ]; then
			echo "REACHED THE HOST: $(find /var/cache /lib/modules -mindepth 1)"
			exit 91
		fi
		exit $rc' khdr-hint "$SHUNIT_TMPDIR/bin" "$1" 2>&1)
	HINT_RC=$?
	assertNotEquals "the hint reached /var/cache or /lib/modules: $HINT_OUT" 91 "$HINT_RC"
	assertNotEquals "no namespace for the hint: $HINT_OUT" 90 "$HINT_RC"
	assertEquals "nothing of the fixture outside the root changed" "$before" "$(outside)"
}

need_namespace() {
	[ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null ||
		{ skip_test "needs root and unshare -m to run hints in a private namespace"; return 1; }
	need_lib_modules
}

need_kbuild() {
	need_debian_kernel || return 1
	[ -n "${KHDR_KBUILD:-}" ] || { skip_test "no kbuild-complete archive (tests/lib/build-kbuild-archive.sh failed)"; return 1; }
	DREL=$(cat "$KHDR_DEBIAN_KERNEL/release")
	DBID=$(cat "$KHDR_DEBIAN_KERNEL/build-id")
	DKEY=$DREL@$DBID
}

# The fixture runs Debian's kernel (its notes are there already): its
# banner as /proc/version, release DREL.
run_debian_kernel() {
	strings -n 40 "$KHDR_DEBIAN_KERNEL/vmlinux" | grep "^Linux version $DREL (" | grep ' #[0-9]' |
		head -n 1 > "$FX/proc/version"
	DOPTS="--root root --sysfs sys --procfs proc -r $DREL"
}

# A tree and its stamp, as one sum: paths, types, modes, sizes, links, contents.
tree_sum() {  # dir
	(cd "$1" && find . ! -name .khdr-stamp -printf '%p %y %m %s %l\n' | sort &&
		find . -type f ! -name .khdr-stamp -print0 | sort -z | xargs -0 md5sum &&
		grep -v '^created=' .khdr-stamp) | md5sum
}

dstamp() { sed -n "s/^$1=//p" "$CACHE/$DKEY/.khdr-stamp"; }

# ---- what is no kernel headers archive: refused, even with --force ----

test_junk_archive_refused_even_with_force() {
	local before f
	install_running
	before=$(tree_sum "$(entry_dir)")
	mkdir "$SHUNIT_TMPDIR/junk"
	echo hi > "$SHUNIT_TMPDIR/junk/x"
	tar -cJf "$FX/arch/junk.tar.xz" -C "$SHUNIT_TMPDIR/junk" x
	for f in "" --force; do
		run install $FXOPTS $f --archive "$FX/arch/junk.tar.xz"
		assertEquals "junk $f: refused: $ERR" 1 "$RC"
		assertContains "junk $f: says what it is" "$ERR" "not a kernel headers archive"
		assertNotContains "junk $f: no advice to force it" "$ERR" "use --force"
		assertEquals "junk $f: the entry is as it was" "$before" "$(tree_sum "$(entry_dir)")"
		assertEquals "junk $f: only the entry in the cache" "$(printf '%s\n' "$(key)" lock)" "$(ls -A "$CACHE")"
	done
	run status $FXOPTS
	assertEquals "status: still valid: $OUT" 0 "$RC"
}

# ---- an entry installed with --force is reported as forced ----

test_forced_entry_reported_forced() {
	sed -i "s/($(compile_field LINUX_COMPILER | sed 's/[][\.*^$/]/\\&/g'))/(clang version 16.0.6)/" "$FX/proc/version"
	run install $FXOPTS --force --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "forced: $ERR" 0 "$RC"
	assertEquals forced "$(stamp_field verified)"
	run status $FXOPTS
	assertEquals "status exit: $OUT" 3 "$RC"
	assertContains "status text: $OUT" "$OUT" "build: ours-forced"
	assertContains "status text says why: $OUT" "$OUT" "installed with --force"
	run status $FXOPTS --json
	assertEquals "status --json exit" 3 "$RC"
	assertEquals "json status" forced "$(printf '%s\n' "$OUT" | jq -r .status)"
	assertEquals "json build.state" ours-forced "$(printf '%s\n' "$OUT" | jq -r .build.state)"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "install: $ERR" 0 "$RC"
	assertContains "install says it was forced: $OUT $ERR" "$OUT$ERR" "up to date, but installed with --force"
	# The boot path: never fails, warm path unchanged.
	KHDR_KMSG=$SHUNIT_TMPDIR/kmsg run install $FXOPTS --boot
	assertEquals "install --boot: $ERR" 0 "$RC"
}

# ---- a wrong release: -r <the release the file names>, run as printed ----

test_module_of_another_release_gets_its_release() {
	need_kbuild && need_namespace || return 0
	local hint
	mkdir -p "$FX/root/boot"
	cp "$KHDR_DEBIAN_KERNEL/vmlinuz" "$FX/root/boot/vmlinuz-$DREL"
	cp "$KHDR_KBUILD/kheaders.ko" "$FX/arch/kheaders.ko"
	run install $FXOPTS --archive "$FX/arch/kheaders.ko"
	assertEquals "refused: $ERR" 1 "$RC"
	assertNotContains "no --force advice: $ERR" "$ERR" "--force"
	hint=$(hint_of "$ERR")
	assertContains "names the module's release: $ERR" "$hint" "-r $DREL"
	assertContains "the same module: $hint" "$hint" "--archive $FX/arch/kheaders.ko"
	run_hint "$hint"
	assertEquals "the hint installs: $HINT_OUT" 0 "$HINT_RC"
	assertEquals "for the release it names" "/var/cache/khdr/$DKEY" "$(readlink "$FX/root/lib/modules/$DREL/build")"
	assertEquals build-id "$(dstamp verified)"
	assertEquals yes "$(dstamp kbuild)"
	assertFalse "nothing for $REL" "[ -e '$FX/root/lib/modules/$REL/build' ]"
}

test_image_of_another_release_gets_its_release() {
	need_kbuild && need_namespace || return 0
	local hint
	mkdir -p "$FX/root/boot"
	cp "$KHDR_DEBIAN_KERNEL/vmlinuz" "$FX/arch/vmlinuz"
	cp "$KHDR_KBUILD/kheaders.ko" "$FX/arch/kheaders.ko"
	run install $FXOPTS --kernel-image "$FX/arch/vmlinuz" --archive "$FX/arch/kheaders.ko"
	assertEquals "refused: $ERR" 1 "$RC"
	assertNotContains "no --force advice: $ERR" "$ERR" "--force"
	hint=$(hint_of "$ERR")
	assertContains "names the image's release: $ERR" "$hint" "-r $DREL"
	assertContains "the same image: $hint" "$hint" "--kernel-image $FX/arch/vmlinuz"
	run_hint "$hint"
	assertEquals "the hint installs: $HINT_OUT" 0 "$HINT_RC"
	assertEquals "for the release it names" "/var/cache/khdr/$DKEY" "$(readlink "$FX/root/lib/modules/$DREL/build")"
	assertEquals build-id "$(dstamp verified)"
}

# ---- verify's repair hint: this entry's archive and options ----

# The kbuild-complete tree installed from a module named relative to $FX,
# roots relative too, while sysfs holds the headers-only archive of the
# same kernel (what a bare 'install --force' would have taken).
install_kbuild_relative() {
	run_debian_kernel
	cp "$KHDR_KBUILD/kheaders.ko" "$FX/arch/kheaders.ko"
	DKH=$(sh "$KHDR_SRCDIR/tests/lib/debian-kheaders.sh" 2>/dev/null) &&
		cp "$DKH/kheaders.tar.xz" "$FX/sys/kernel/kheaders.tar.xz"
	OUT=$(cd "$FX" && "$KHDR" install $DOPTS --archive arch/kheaders.ko 2>&1)
	RC=$?
	assertEquals "install: $OUT" 0 "$RC"
	assertEquals "source_path is absolute" "$FX/arch/kheaders.ko" "$(dstamp source_path)"
}

test_verify_hint_restores_a_kbuild_entry() {
	need_kbuild && need_namespace || return 0
	local before stamp hint
	install_kbuild_relative
	before=$(tree_sum "$CACHE/$DKEY")
	stamp=$(grep -v '^created=' "$CACHE/$DKEY/.khdr-stamp")
	# verify from elsewhere reads the same archive (an absolute source_path).
	OUT=$(cd / && "$KHDR" verify --root "$FX/root" --sysfs "$FX/sys" --procfs "$FX/proc" -r "$DREL" 2>&1)
	assertEquals "verify from /: $OUT" 0 $?
	assertContains "$OUT" "identical to $FX/arch/kheaders.ko"
	rm "$CACHE/$DKEY/include/linux/kconfig.h"
	echo changed >> "$CACHE/$DKEY/Makefile"
	OUT=$(cd "$FX" && "$KHDR" verify $DOPTS 2>&1)
	assertEquals "verify finds it: $OUT" 3 $?
	hint=$(hint_of "$OUT")
	assertContains "a hint: $OUT" "$hint" "khdr-cache install"
	assertContains "with the entry's archive: $hint" "$hint" "--archive $FX/arch/kheaders.ko"
	assertContains "with the root given, absolute: $hint" "$hint" "--root $FX/root"
	run_hint "$hint"
	assertEquals "the hint reinstalls: $HINT_OUT" 0 "$HINT_RC"
	assertEquals "the tree as it was" "$before" "$(tree_sum "$CACHE/$DKEY")"
	assertEquals "the stamp as it was" "$stamp" "$(grep -v '^created=' "$CACHE/$DKEY/.khdr-stamp")"
	assertEquals "still kbuild-complete" yes "$(dstamp kbuild)"
	assertEquals "/var/cache/khdr/$DKEY" "$(readlink "$FX/root/lib/modules/$DREL/build")"
}

test_verify_hint_for_an_unlinked_entry_keeps_it_unlinked() {
	local hint
	run install $FXOPTS --no-link --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "install --no-link: $ERR" 0 "$RC"
	need_namespace || return 0
	rm "$CACHE/$(key)/include/linux/kconfig.h"
	run verify $FXOPTS
	assertEquals "differs: $OUT" 3 "$RC"
	hint=$(hint_of "$OUT")
	assertContains "$hint" "--no-link"
	run_hint "$hint"
	assertEquals "the hint reinstalls: $HINT_OUT" 0 "$HINT_RC"
	assertTrue "repaired" "[ -f '$CACHE/$(key)/include/linux/kconfig.h' ]"
	assertFalse "still no link" "[ -e '$FX/root/lib/modules/$REL/build' -o -L '$FX/root/lib/modules/$REL/build' ]"
}

test_verify_hint_after_the_archive_changed() {
	local hint
	cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$FX/arch/k.tar.xz"
	run install $FXOPTS --archive "$FX/arch/k.tar.xz"
	assertEquals "install: $ERR" 0 "$RC"
	need_namespace || return 0
	# Another archive of the same release at that path: the same tree, repacked.
	mkdir "$SHUNIT_TMPDIR/t" && tar -xJf "$KHDR_ARTEFACTS/kheaders.tar.xz" -C "$SHUNIT_TMPDIR/t"
	echo "/* added */" > "$SHUNIT_TMPDIR/t/include/linux/khdr-hint-test.h"
	tar -cJf "$FX/arch/k.tar.xz" -C "$SHUNIT_TMPDIR/t" .
	run verify $FXOPTS
	assertEquals "not the archive: $ERR" 1 "$RC"
	hint=$(hint_of "$ERR")
	assertContains "a hint: $ERR" "$hint" "--archive $FX/arch/k.tar.xz"
	assertNotContains "no --force needed: $hint" "$hint" "--force"
	run_hint "$hint"
	assertEquals "the hint reinstalls: $HINT_OUT" 0 "$HINT_RC"
	assertTrue "from the archive now there" "[ -f '$(entry_dir)/include/linux/khdr-hint-test.h' ]"
	run verify $FXOPTS
	assertEquals "verify agrees: $OUT $ERR" 0 "$RC"
}

test_verify_hint_without_an_entry_names_status() {
	need_namespace || return 0
	local hint
	mkdir -p "$CACHE"
	run verify $FXOPTS
	assertEquals "no entry: $ERR" 1 "$RC"
	hint=$(hint_of "$ERR")
	assertContains "$hint" "khdr-cache status --root $FX/root"
	run_hint "$hint"
	assertEquals "status runs, says missing: $HINT_OUT" 3 "$HINT_RC"
	assertEquals "nothing made" "lock" "$(ls -A "$CACHE")"
}

# ---- the other hints: status's prune, env's install ----

test_status_hint_prunes_leftovers() {
	need_namespace || return 0
	local hint
	install_running
	mkdir "$CACHE/.staging-hint01"
	run status $FXOPTS
	hint=$(hint_of "$OUT")
	assertContains "a prune hint: $OUT" "$hint" "khdr-cache prune --root $FX/root"
	run_hint "$hint"
	assertEquals "prune: $HINT_OUT" 0 "$HINT_RC"
	assertFalse "the leftover is gone" "[ -e '$CACHE/.staging-hint01' ]"
	run status $FXOPTS
	assertEquals "status valid: $OUT" 0 "$RC"
}

test_env_hint_installs_the_cache_only() {
	need_namespace || return 0
	local hint
	cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$FX/sys/kernel/kheaders.tar.xz"
	run env $FXOPTS
	assertEquals "no entry: $ERR" 3 "$RC"
	hint=$(hint_of "$ERR")
	assertContains "an install hint: $ERR" "$hint" "khdr-cache install --root $FX/root"
	run_hint "$hint"
	assertEquals "install: $HINT_OUT" 0 "$HINT_RC"
	assertFalse "no link (--no-link)" "[ -e '$FX/root/lib/modules/$REL/build' ]"
	run env $FXOPTS
	assertEquals "env now: $ERR" 0 "$RC"
}

. shunit2
