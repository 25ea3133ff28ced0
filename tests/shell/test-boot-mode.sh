#!/bin/bash
# test-boot-mode.sh - install --boot: the kernel log, the command-line
# switches, a read-only root (stage for the late service), never failing.
# KHDR_KMSG points the kernel log at a file, so the records can be read.
. "$(dirname "$0")/lib.sh"

oneTimeSetUp() {
	need_artefacts && need_debian_kernel || skip_suite
}

setUp() {
	make_fixture
	cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$FX/sys/kernel/kheaders.tar.xz"
	export KHDR_KMSG=$FX/kmsg
	: > "$KHDR_KMSG"
	RUNDIR=$FX/run
}

tearDown() {
	unset KHDR_KMSG
}

boot() { run install $FXOPTS --run-dir "$RUNDIR" --boot "$@"; }

test_boot_installs_and_logs_to_the_kernel_log() {
	need_artefacts && need_debian_kernel || return 0
	boot
	assertEquals "exit: $ERR" 0 "$RC"
	assertEquals "stdout stays empty: $OUT" "" "$OUT"
	assertTrue "build link" "[ -L '$FX/root/lib/modules/$REL/build' ]"
	assertSameTree boot "$(reference_tree)" "$(entry_dir)"
	assertEquals "a notice record" 1 "$(grep -c "^<5>khdr-cache: installed $REL@$FX_BUILD_ID" "$KHDR_KMSG")"
	assertEquals "start and end records" 2 "$(grep -c '^<6>khdr-cache: install --boot: \(starting\|done\)$' "$KHDR_KMSG")"
	# The second boot: warm, still logged, nothing extracted.
	local created
	created=$(stamp_field created)
	: > "$KHDR_KMSG"
	sleep 1
	boot
	assertEquals 0 "$RC"
	assertEquals "$created" "$(stamp_field created)"
	assertEquals 1 "$(grep -c '^<5>khdr-cache: up to date' "$KHDR_KMSG")"
}

test_boot_never_fails_and_says_why() {
	need_artefacts && need_debian_kernel || return 0
	# A compiler fingerprint that disagrees: refused, logged at error level.
	sed -i 's/(\([^)]*\)) (/(someone@elsewhere) (/' "$FX/proc/version"
	boot
	assertEquals "exit 0 at boot, even refused: $ERR" 0 "$RC"
	assertEquals "an error record" 1 "$(grep -c '^<3>khdr-cache: .*nothing installed (the boot goes on)$' "$KHDR_KMSG")"
	assertContains "$(cat "$KHDR_KMSG")" "LINUX_COMPILE"
	assertFalse "no link" "[ -e '$FX/root/lib/modules/$REL/build' ]"
	assertEquals "no entry" "" "$(ls "$FX/root/var/cache/khdr" 2>/dev/null | grep -v '^lock$')"
	# The same without --boot fails.
	run install $FXOPTS --run-dir "$RUNDIR"
	assertEquals 1 "$RC"
}

test_no_archive_leaves_no_cache_behind() {
	need_artefacts && need_debian_kernel || return 0
	rm "$FX/sys/kernel/kheaders.tar.xz"
	boot
	assertEquals "exit 0 at boot: $ERR" 0 "$RC"
	assertContains "$(cat "$KHDR_KMSG")" "no headers archive"
	assertFalse "no cache made at boot" "[ -e '$FX/root/var/cache' ]"
	run install $FXOPTS --run-dir "$RUNDIR"
	assertEquals 1 "$RC"
	assertContains "$ERR" "no headers archive"
	assertFalse "no cache made" "[ -e '$FX/root/var/cache' ]"
	# The archive back: the cache is made then.
	cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$FX/sys/kernel/kheaders.tar.xz"
	boot
	assertEquals 0 "$RC"
	assertEquals "cache mode" 755 "$(stat -c %a "$FX/root/var/cache/khdr")"
	assertTrue "build link" "[ -L '$FX/root/lib/modules/$REL/build' ]"
}

test_broken_config_does_not_fail_the_boot() {
	need_artefacts && need_debian_kernel || return 0
	mkdir -p "$FX/root/etc"
	printf 'keep=2\nfrobnicate=yes\n' > "$FX/root/etc/khdr-cache.conf"
	boot
	assertEquals 0 "$RC"
	assertContains "$(cat "$KHDR_KMSG")" "line 2: unknown key 'frobnicate'"
	assertFalse "[ -e '$FX/root/lib/modules/$REL/build' ]"
}

test_disabled_on_the_kernel_command_line() {
	need_artefacts && need_debian_kernel || return 0
	local arg
	for arg in khdr=0 rd.khdr=0; do
		echo "BOOT_IMAGE=/vmlinuz root=/dev/vda ro $arg quiet" > "$FX/proc/cmdline"
		: > "$KHDR_KMSG"
		boot
		assertEquals "$arg: exit" 0 "$RC"
		assertContains "$arg" "$(cat "$KHDR_KMSG")" "disabled on the kernel command line"
		assertFalse "$arg: nothing installed" "[ -e '$FX/root/lib/modules/$REL/build' ]"
		assertFalse "$arg: no cache" "[ -e '$FX/root/var/cache/khdr' ]"
	done
	# khdr=1, or nothing: it runs.
	echo "root=/dev/vda khdr=1" > "$FX/proc/cmdline"
	boot
	assertEquals 0 "$RC"
	assertTrue "enabled: installed" "[ -L '$FX/root/lib/modules/$REL/build' ]"
}

# In a private mount namespace the root is bind-mounted read-only, as an
# initramfs sees it before the remount: the verified archive is staged in
# the run dir instead, then a later install (the late service) uses it.
test_read_only_root_stages_for_the_late_service() {
	need_artefacts && need_debian_kernel || return 0
	command -v unshare >/dev/null && unshare -m true 2>/dev/null ||
		{ skip_test "unshare -m is not available"; return 0; }
	unshare -m sh -c '
		mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 99
		touch "$1/probe" 2>/dev/null && exit 98
		KHDR_KMSG=$2 "$3" install $4 --run-dir "$5" --boot; echo "rc=$?"
	' sh "$FX/root" "$KHDR_KMSG" "$KHDR" "$FXOPTS" "$RUNDIR" > "$SHUNIT_TMPDIR/ro.out" 2>&1
	assertEquals "exit in the read-only root: $(cat "$SHUNIT_TMPDIR/ro.out")" "rc=0" \
		"$(tail -n 1 "$SHUNIT_TMPDIR/ro.out")"
	assertEquals "nothing written to the root" "" "$(ls -A "$FX/root")"
	assertTrue "staged copy" "cmp '$KHDR_ARTEFACTS/kheaders.tar.xz' '$RUNDIR/$FX_BUILD_ID.tar.xz'"
	assertEquals "run dir mode" 755 "$(stat -c %a "$RUNDIR")"
	assertContains "$(cat "$KHDR_KMSG")" "staged the verified archive"
	# The late service: the archive is gone from sysfs, the staged copy serves.
	rm "$FX/sys/kernel/kheaders.tar.xz"
	boot
	assertEquals "late install: $(cat "$KHDR_KMSG")" 0 "$RC"
	assertEquals staged "$(stamp_field source)"
	assertSameTree "from the staged copy" "$(reference_tree)" "$(entry_dir)"
	assertFalse "the staged copy is removed" "[ -e '$RUNDIR/$FX_BUILD_ID.tar.xz' ]"
}

# The same read-only root without --boot: an error that says what works
# there (--boot's staging, cache_dir=), not only "Read-only file system".
test_read_only_root_error_says_what_works_there() {
	need_artefacts && need_debian_kernel || return 0
	command -v unshare >/dev/null && unshare -m true 2>/dev/null ||
		{ skip_test "unshare -m is not available"; return 0; }
	unshare -m sh -c '
		mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 99
		touch "$1/probe" 2>/dev/null && exit 98
		"$2" install $3 --run-dir "$4"; echo "rc=$?"
	' sh "$FX/root" "$KHDR" "$FXOPTS" "$RUNDIR" > "$SHUNIT_TMPDIR/ro.out" 2>&1
	assertEquals "exit 1 in the read-only root: $(cat "$SHUNIT_TMPDIR/ro.out")" "rc=1" \
		"$(tail -n 1 "$SHUNIT_TMPDIR/ro.out")"
	assertContains "names the cause" "$(cat "$SHUNIT_TMPDIR/ro.out")" "Read-only file system"
	assertContains "suggests --boot" "$(cat "$SHUNIT_TMPDIR/ro.out")" "install --boot stages the verified archive"
	assertContains "suggests cache_dir" "$(cat "$SHUNIT_TMPDIR/ro.out")" "cache_dir= in $FX/root/etc/khdr-cache.conf"
	assertEquals "nothing written to the root" "" "$(ls -A "$FX/root")"
}

test_staged_copy_refused_when_the_run_dir_is_not_roots_alone() {
	need_artefacts && need_debian_kernel || return 0
	command -v unshare >/dev/null && unshare -m true 2>/dev/null ||
		{ skip_test "unshare -m is not available"; return 0; }
	mkdir -m 0777 "$RUNDIR"
	unshare -m sh -c '
		mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 99
		KHDR_KMSG=$2 "$3" install $4 --run-dir "$5" --boot; echo "rc=$?"
	' sh "$FX/root" "$KHDR_KMSG" "$KHDR" "$FXOPTS" "$RUNDIR" > "$SHUNIT_TMPDIR/ro.out" 2>&1
	assertEquals "rc=0" "$(tail -n 1 "$SHUNIT_TMPDIR/ro.out")"
	assertContains "$(cat "$KHDR_KMSG")" "refusing to stage in $RUNDIR"
	assertEquals "nothing staged" "" "$(ls -A "$RUNDIR")"
}

# rd.khdr.cache=DEVICE: with the root read-only, the cache goes on that
# device, mounted at <run dir>/cache; the late service links build to it.
test_cache_device_holds_the_cache_while_the_root_is_read_only() {
	need_artefacts && need_debian_kernel || return 0
	command -v unshare >/dev/null && unshare -m true 2>/dev/null ||
		{ skip_test "unshare -m is not available"; return 0; }
	local img=$SHUNIT_TMPDIR/cache.img
	truncate -s 128M "$img" && mkfs.ext4 -q -L khdr-cache-t "$img" || { fail "mkfs.ext4"; return; }
	echo "root=/dev/vda ro rd.khdr.cache=$img" > "$FX/proc/cmdline"
	unshare -m sh -c '
		loop=$(losetup --find --show "$6") || exit 97
		echo "root=/dev/vda ro rd.khdr.cache=$loop" > "$7"
		mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 99
		KHDR_KMSG=$2 "$3" install $4 --run-dir "$5" --boot; echo "rc=$?"
		# What the late service would find: the device mounted, the entry on it.
		ls "$5/cache"; find "$5/cache" -maxdepth 2 -name .khdr-stamp
		mount -o remount,bind,rw "$1"
		KHDR_KMSG=$2 "$3" install $4 --run-dir "$5" --boot; echo "late rc=$?"
		readlink "$1/lib/modules/'"$REL"'/build"
		umount "$5/cache"; losetup -d "$loop"
	' sh "$FX/root" "$KHDR_KMSG" "$KHDR" "$FXOPTS" "$RUNDIR" "$img" "$FX/proc/cmdline" \
		> "$SHUNIT_TMPDIR/dev.out" 2>&1
	local out
	out=$(cat "$SHUNIT_TMPDIR/dev.out")
	case $out in *"rc=97"*) skip_test "no loop device: $out"; return 0;; esac
	# Whole lines: "late rc=0" holds "rc=0" too.
	assertTrue "initramfs run: $out" "grep -qx 'rc=0' '$SHUNIT_TMPDIR/dev.out'"
	assertContains "$out" "$REL@$FX_BUILD_ID/.khdr-stamp"
	assertContains "kmsg: $(cat "$KHDR_KMSG")" "$(cat "$KHDR_KMSG")" "mounted at $RUNDIR/cache"
	assertContains "$(cat "$KHDR_KMSG")" "the late service links it"
	assertTrue "late run: $out" "grep -qx 'late rc=0' '$SHUNIT_TMPDIR/dev.out'"
	assertContains "build points at the device's cache" "$out" "$RUNDIR/cache/$REL@$FX_BUILD_ID"
	assertFalse "nothing staged" "[ -e '$RUNDIR/$FX_BUILD_ID.tar.xz' ]"
	assertFalse "no cache in the root" "[ -e '$FX/root/var/cache/khdr' ]"
	assertEquals "the late run extracted nothing" 1 "$(grep -c 'extracted' "$KHDR_KMSG")"
}

. shunit2
