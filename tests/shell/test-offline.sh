#!/bin/bash
# test-offline.sh - install for a kernel that is installed but not running,
# verified against its own image (Debian's stock vmlinuz, from the
# artefact cache), and the handoff of a new tree to header_postinst.d.
#
# The fixture machine runs another kernel: the artefacts' release, with no
# notes (so a build ID can only come from the image) and its own in-tree
# archive in sysfs (which must not be taken for the other kernel's).  The
# installed kernel R is Debian's: its image under boot/, its archive the
# kbuild-complete kheaders.ko packed with its build ID (tests/lib/
# build-kbuild-archive.sh), or the archive Linux's own gen_kheaders.sh
# makes from Debian's headers of R (tests/lib/debian-kheaders.sh: no
# manifest, verified by the fingerprint only).
. "$(dirname "$0")/lib.sh"
suite_on_private_tmpfs "$@"

oneTimeSetUp() {
	need_artefacts && need_debian_kernel || { skip_suite; return; }
	[ -n "${KHDR_KBUILD:-}" ] || { skip_test "no kbuild-complete archive (tests/lib/build-kbuild-archive.sh failed)"; skip_suite; return; }
	DREL=$(cat "$KHDR_DEBIAN_KERNEL/release")
	# Read by binutils, not by us: what the kernel shows once it runs.
	DBID=$(cat "$KHDR_DEBIAN_KERNEL/build-id")
	DBANNER=$(strings -n 40 "$KHDR_DEBIAN_KERNEL/vmlinux" | grep "^Linux version $DREL (" | grep ' #[0-9]' | head -n 1)
	DKH=$(sh "$KHDR_SRCDIR/tests/lib/debian-kheaders.sh" 2> "$SHUNIT_TMPDIR/dkh.log") || DKH=
}

setUp() {
	make_fixture
	rm -f "$FX/sys/kernel/notes"
	cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$FX/sys/kernel/kheaders.tar.xz"
	mkdir -p "$FX/root/boot" "$FX/root/run" "$FX/root/lib/modules/$DREL/updates"
	cp "$KHDR_DEBIAN_KERNEL/vmlinuz" "$FX/root/boot/vmlinuz-$DREL"
	cp "$KHDR_KBUILD/kheaders.ko" "$FX/root/lib/modules/$DREL/updates/kheaders.ko"
	OOPTS="--root $FX/root --sysfs $FX/sys --procfs $FX/proc"
	DKEY=$DREL@$DBID
}

dlink() { readlink "$FX/root/lib/modules/$DREL/build"; }
dstamp() { sed -n "s/^$1=//p" "$FX/root/var/cache/khdr/$DKEY/.khdr-stamp"; }
# Everything under the root but boot/ (the kernel image), as a listing.
state() { (cd "$FX/root" && find . ! -path ./boot ! -path './boot/*' -printf '%p %y %s %l\n' | sort | md5sum); }

test_build_id_level_against_boot_vmlinuz() {
	local t0 t1
	t0=$(date +%s%N)
	run install $OOPTS --kernel-release "$DREL"
	t1=$(date +%s%N)
	assertEquals "exit: $ERR" 0 "$RC"
	echo "NOTE: offline install (module file, build-id level, bzImage read twice): $(((t1 - t0) / 1000000)) ms"
	assertEquals "key R@<build ID of the image, as readelf reads it>" "/var/cache/khdr/$DKEY" "$(dlink)"
	assertEquals build-id "$(dstamp verified)"
	assertEquals "$DBID" "$(dstamp build_id)"
	assertEquals module-file "$(dstamp source)"
	assertEquals "$FX/root/lib/modules/$DREL/updates/kheaders.ko" "$(dstamp source_path)"
	assertEquals "$FX/root/boot/vmlinuz-$DREL" "$(dstamp image)"
	assertEquals yes "$(dstamp kbuild)"
	assertTrue "a kbuild tree" "[ -f '$FX/root/var/cache/khdr/$DKEY/Makefile' -a -f '$FX/root/var/cache/khdr/$DKEY/include/generated/utsrelease.h' ]"
	# The running kernel's sysfs archive was not taken, nor installed.
	assertEquals "only R's entry" "$(printf '%s\n' "$DKEY" lock)" "$(ls -A "$FX/root/var/cache/khdr")"
	assertEquals "marked for handoff" "$DKEY" "$(cat "$FX/root/run/khdr/handoff/$DREL")"
	# Again (dpkg-reconfigure): up to date from the build ID alone, the
	# banner (the whole image decompressed) is not read.
	run install -v $OOPTS --kernel-release "$DREL"
	assertEquals "again: $ERR" 0 "$RC"
	assertContains "$OUT" "up to date"
	assertNotContains "no banner read: $ERR" "$ERR" "Linux version"
}

# Fedora's and Arch's place, and an explicit image: a vmlinux (ELF) this time.
test_lib_modules_vmlinuz_and_kernel_image() {
	mv "$FX/root/boot/vmlinuz-$DREL" "$FX/root/lib/modules/$DREL/vmlinuz"
	run install $OOPTS --kernel-release "$DREL"
	assertEquals "exit: $ERR" 0 "$RC"
	assertEquals "/var/cache/khdr/$DKEY" "$(dlink)"
	assertEquals "$FX/root/lib/modules/$DREL/vmlinuz" "$(dstamp image)"
	rm -rf "${FX:?}/root/var/cache/khdr" "$FX/root/lib/modules/$DREL/build" "$FX/root/lib/modules/$DREL/vmlinuz"
	run install $OOPTS --kernel-release "$DREL" --kernel-image "$KHDR_DEBIAN_KERNEL/vmlinux"
	assertEquals "vmlinux: $ERR" 0 "$RC"
	assertEquals "/var/cache/khdr/$DKEY" "$(dlink)"
	assertEquals build-id "$(dstamp verified)"
	assertEquals "$KHDR_DEBIAN_KERNEL/vmlinux" "$(dstamp image)"
}

# R boots: install --boot computes the key from /sys/kernel/notes and the
# banner in /proc/version, finds build up to date and extracts nothing.
test_first_boot_finds_it_up_to_date() {
	run install $OOPTS --kernel-release "$DREL"
	assertEquals "offline: $ERR" 0 "$RC"
	local stamp=$FX/root/var/cache/khdr/$DKEY/.khdr-stamp before
	before=$(stat -c '%Y %i' "$stamp"; md5sum < "$stamp"; state)
	mkdir -p "$FX/b/sys/kernel" "$FX/b/proc" "$FX/b/run"
	cp "$KHDR_DEBIAN_KERNEL/notes" "$FX/b/sys/kernel/notes"
	assertContains "the image's banner, as strings(1) finds it" "$DBANNER" "Linux version $DREL ("
	echo "$DBANNER" > "$FX/b/proc/version"
	: > "$FX/kmsg"
	export KHDR_KMSG=$FX/kmsg
	run install --root "$FX/root" --sysfs "$FX/b/sys" --procfs "$FX/b/proc" \
		--run-dir "$FX/b/run" --kernel-release "$DREL" --boot
	unset KHDR_KMSG
	assertEquals "boot: $ERR" 0 "$RC"
	assertTrue "up to date: $(cat "$FX/kmsg")" "grep -qF 'up to date: $FX/root/lib/modules/$DREL/build -> /var/cache/khdr/$DKEY' '$FX/kmsg'"
	assertEquals "nothing extracted, the stamp unchanged" "$before" \
		"$(stat -c '%Y %i' "$stamp"; md5sum < "$stamp"; state)"
	assertFalse "no marker at boot: nothing new" "[ -e '$FX/b/run/handoff/$DREL' ]"
}

test_fingerprint_level_by_the_banner() {
	[ -n "$DKH" ] || { skip_test "no gen_kheaders.sh archive: $(tail -3 "$SHUNIT_TMPDIR/dkh.log")"; return 0; }
	assertEquals "the archive is of R" "$DREL" "$(cat "$DKH/release")"
	run install $OOPTS --kernel-release "$DREL" --archive "$DKH/kheaders.tar.xz"
	assertEquals "exit: $ERR" 0 "$RC"
	assertEquals "/var/cache/khdr/$DKEY" "$(dlink)"
	assertEquals fingerprint "$(dstamp verified)"
	assertEquals no "$(dstamp kbuild)"
	assertEquals headers-only "$(dstamp makefile)"
	# No banner to compare with (the image without its banner): refused.
	rm -rf "${FX:?}/root/var/cache/khdr" "$FX/root/lib/modules/$DREL/build"
	run install $OOPTS --kernel-release "$DREL" --archive "$DKH/kheaders.tar.xz" \
		--kernel-image "$KHDR_DEBIAN_KERNEL/notes"
	assertEquals "no banner: $ERR" 1 "$RC"
	assertContains "$ERR" "no 'Linux version $DREL' banner"
	assertContains "$ERR" "$KHDR_DEBIAN_KERNEL/notes"
	assertFalse "nothing linked" "[ -L '$FX/root/lib/modules/$DREL/build' ]"
}

# Refusals leave the old state (here the running kernel's entry) as it was.
test_refusals_name_what_was_compared() {
	run install $OOPTS --kernel-release "$REL" --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "the running kernel's install: $ERR" 0 "$RC"
	local before
	before=$(state)
	# An archive of another build of R.
	run install $OOPTS --kernel-release "$DREL" --archive "$KHDR_KBUILD/wrong-build-id.ko"
	assertEquals "other build: $OUT" 1 "$RC"
	assertContains "$ERR" "the kernel image $FX/root/boot/vmlinuz-$DREL"
	assertContains "$ERR" "build ID is '"
	assertContains "$ERR" "expected '$DBID'"
	assertEquals "old state (other build)" "$before" "$(state)"
	# The image of another release.
	run install $OOPTS --kernel-release 6.1.0-99-amd64 --kernel-image "$FX/root/boot/vmlinuz-$DREL" \
		--archive "$KHDR_KBUILD/kheaders.ko"
	assertEquals "other release's image" 1 "$RC"
	assertContains "$ERR" "is not the image of 6.1.0-99-amd64: its banner is 'Linux version $DREL ("
	assertEquals "old state (other release)" "$before" "$(state)"
	# No image at all.
	rm "$FX/root/boot/vmlinuz-$DREL"
	run install $OOPTS --kernel-release "$DREL"
	assertEquals "no image" 1 "$RC"
	assertContains "$ERR" "$FX/root/boot/vmlinuz-$DREL"
	assertContains "$ERR" "$FX/root/lib/modules/$DREL/vmlinuz"
	assertContains "$ERR" "--kernel-image"
	assertEquals "old state (no image)" "$before" "$(state)"
	# --boot never fails the boot, but it is the running kernel's.
	: > "$FX/kmsg"
	export KHDR_KMSG=$FX/kmsg
	run install $OOPTS --kernel-release "$DREL" --boot --kernel-image /nonexistent
	unset KHDR_KMSG
	assertContains "--kernel-image with --boot: $(cat "$FX/kmsg")" "$(cat "$FX/kmsg")" "--kernel-image is for a kernel that is not running"
	assertEquals "old state (--boot)" "$before" "$(state)"
}

# status and verify of R look for the entry install made: R@<the image's
# build ID>, R's own module file, not the running kernel's build ID or
# sysfs archive.
test_status_and_verify_of_the_installed_kernel() {
	run install $OOPTS --kernel-release "$DREL"
	assertEquals "install: $ERR" 0 "$RC"
	run status $OOPTS --kernel-release "$DREL"
	assertEquals "status exits 0 (valid): $OUT $ERR" 0 "$RC"
	assertContains "$OUT" "kernel:    $DREL, build ID ${DBID:0:12}"
	assertContains "$OUT" "archive:   module-file $FX/root/lib/modules/$DREL/updates/kheaders.ko"
	assertContains "$OUT" "lib/modules/$DREL/build: ours-valid -> /var/cache/khdr/$DKEY"
	run status --json $OOPTS --kernel-release "$DREL"
	assertEquals "status --json: $ERR" 0 "$RC"
	assertEquals valid "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')"
	run verify $OOPTS --kernel-release "$DREL"
	assertEquals "verify: $OUT $ERR" 0 "$RC"
	# R's image gone (a kernel being removed: the postrm hook asks status
	# whose build is there): no build ID, never the running kernel's
	# archive; the entry is the one build points at.
	mv "$FX/root/boot/vmlinuz-$DREL" "$FX/vmlinuz"
	run status -v $OOPTS --kernel-release "$DREL"
	assertEquals "status without the image: $OUT $ERR" 0 "$RC"
	assertContains "$OUT" "kernel:    $DREL, build ID none"
	assertContains "$OUT" "archive:   module-file $FX/root/lib/modules/$DREL/updates/kheaders.ko"
	assertContains "says why: $ERR" "$ERR" "its image is not there"
	run verify $OOPTS --kernel-release "$DREL"
	assertEquals "verify without the image: $OUT $ERR" 0 "$RC"
	run status $OOPTS --kernel-release "$DREL" --kernel-image "$FX/vmlinuz"
	assertEquals "status --kernel-image: $ERR" 0 "$RC"
	assertContains "$OUT" "kernel:    $DREL, build ID ${DBID:0:12}"
	run status $OOPTS --kernel-release "$DREL" --kernel-image "$FX/no-such-image"
	assertEquals "status --kernel-image of nothing: $OUT" 1 "$RC"
	assertContains "$ERR" "no-such-image"
}

# The running kernel's path is what it was: sysfs, no image.
test_running_kernel_unchanged() {
	run install $OOPTS --kernel-release "$REL"
	assertEquals "exit: $ERR" 0 "$RC"
	local st=$FX/root/var/cache/khdr/$(readlink "$FX/root/lib/modules/$REL/build" | sed 's|.*/||')/.khdr-stamp
	assertEquals sysfs-builtin "$(sed -n 's/^source=//p' "$st")"
	assertEquals builtin "$(sed -n 's/^verified=//p' "$st")"
	assertFalse "no image= for the running kernel" "grep -q '^image=' '$st'"
}

# ---- handoff, with / as the root in a private mount namespace ----

# Run "$@" with the fixture's lib/modules, var/cache, boot and run over
# the host's, /etc/kernel replaced by $FX/etc/kernel and /etc/khdr-cache.conf
# by $FX/etc/khdr-cache.conf when there is one.
in_ns() {
	unshare -m --propagation private bash -c '
		fx=$1; shift
		if [ -f "$fx/etc/khdr-cache.conf" ]; then
			mkdir -p "$fx/etc-lower" && cp "$fx/etc/khdr-cache.conf" "$fx/etc-lower/" &&
				mount -t overlay khdr-test -o lowerdir="$fx/etc-lower":/etc /etc || exit 97
		fi
		mount --bind "$fx/root/lib/modules" /lib/modules &&
		mount --bind "$fx/root/var/cache" /var/cache &&
		mount --bind "$fx/root/boot" /boot &&
		mount --bind "$fx/root/run" /run &&
		mount --bind "$fx/etc/kernel" /etc/kernel || exit 97
		"$@"' ns "$FX" "$@" > "$SHUNIT_TMPDIR/ns.out" 2>&1
	NSRC=$?
}

need_ns() {
	unshare -m true 2>/dev/null || { skip_test "unshare -m is not available"; return 1; }
	[ -d /etc/kernel ] || { skip_test "no /etc/kernel to mount over"; return 1; }
	need_lib_modules
}

# header_postinst.d with two scripts that record their argument and what
# build was when they ran, and one that fails.
header_scripts() {
	local d=$FX/etc/kernel/header_postinst.d s
	mkdir -p "$d" "$FX/root/var/cache"
	for s in dkms other; do
		printf '#!/bin/sh\necho "%s $1 $(readlink /lib/modules/$1/build)" >> %s\n' "$s" "$FX/handoff.log" > "$d/$s"
		chmod +x "$d/$s"
	done
	printf '#!/bin/sh\nexit 3\n' > "$d/zz-fails"
	chmod +x "$d/zz-fails"
}

test_handoff_runs_header_postinst_once_per_new_tree() {
	need_ns || return 0
	header_scripts
	in_ns "$KHDR" install --kernel-release "$DREL"
	assertEquals "offline install in the namespace: $(cat "$SHUNIT_TMPDIR/ns.out")" 0 "$NSRC"
	assertFalse "install itself runs nothing" "[ -e '$FX/handoff.log' ]"
	assertEquals "marker" "$DKEY" "$(cat "$FX/root/run/khdr/handoff/$DREL" 2>/dev/null)"
	in_ns "$KHDR" handoff
	assertEquals "handoff never fails: $(cat "$SHUNIT_TMPDIR/ns.out")" 0 "$NSRC"
	assertEquals "each script once, with R, build in place" \
		"$(printf 'dkms %s /var/cache/khdr/%s\nother %s /var/cache/khdr/%s\n' "$DREL" "$DKEY" "$DREL" "$DKEY")" \
		"$(cat "$FX/handoff.log")"
	assertContains "the failing script is reported" "$(cat "$SHUNIT_TMPDIR/ns.out")" "exited with"
	assertFalse "the marker is taken" "[ -e '$FX/root/run/khdr/handoff/$DREL' ]"
	# Again, and after an install that finds it up to date: nothing new.
	in_ns "$KHDR" handoff --kernel-release "$DREL"
	in_ns "$KHDR" install --kernel-release "$DREL"
	assertContains "up to date" "$(cat "$SHUNIT_TMPDIR/ns.out")" "up to date"
	in_ns "$KHDR" handoff
	assertEquals "not again: $(cat "$SHUNIT_TMPDIR/ns.out")" 2 "$(wc -l < "$FX/handoff.log")"
	# A tree that replaced the marked one since: not handed on.
	mkdir -p "$FX/root/run/khdr/handoff"
	echo "$DREL@0000" > "$FX/root/run/khdr/handoff/$DREL"
	in_ns "$KHDR" handoff
	assertContains "$(cat "$SHUNIT_TMPDIR/ns.out")" "no longer $DREL@0000"
	assertEquals "not for another tree" 2 "$(wc -l < "$FX/handoff.log")"
}

test_handoff_no_turns_it_off() {
	need_ns || return 0
	header_scripts
	echo "handoff = no" > "$FX/etc/khdr-cache.conf"
	in_ns "$KHDR" install --kernel-release "$DREL"
	assertEquals "install: $(cat "$SHUNIT_TMPDIR/ns.out")" 0 "$NSRC"
	assertEquals "linked" "/var/cache/khdr/$DKEY" "$(dlink)"
	assertFalse "no marker" "[ -e '$FX/root/run/khdr/handoff/$DREL' ]"
	# A marker left from before the change is dropped unused.
	mkdir -p "$FX/root/run/khdr/handoff"
	echo "$DKEY" > "$FX/root/run/khdr/handoff/$DREL"
	in_ns "$KHDR" handoff
	assertEquals "handoff: $(cat "$SHUNIT_TMPDIR/ns.out")" 0 "$NSRC"
	assertContains "$(cat "$SHUNIT_TMPDIR/ns.out")" "handoff=no"
	assertFalse "no script ran" "[ -e '$FX/handoff.log' ]"
	assertFalse "the marker is dropped" "[ -e '$FX/root/run/khdr/handoff/$DREL' ]"
}

# A marker directory anyone can write is not trusted.
test_handoff_refuses_a_writable_marker_dir() {
	need_ns || return 0
	header_scripts
	mkdir -p "$FX/root/run/khdr/handoff"
	chmod 777 "$FX/root/run/khdr/handoff"
	echo "$DKEY" > "$FX/root/run/khdr/handoff/$DREL"
	in_ns "$KHDR" handoff
	assertEquals "refused: $(cat "$SHUNIT_TMPDIR/ns.out")" 1 "$NSRC"
	assertContains "$(cat "$SHUNIT_TMPDIR/ns.out")" "only root can write"
	assertFalse "no script ran" "[ -e '$FX/handoff.log' ]"
}

# The tree made at boot (no offline install before): install --boot only
# leaves the marker (it may run inside the initramfs); the late unit's
# "khdr-cache handoff" runs the scripts.
test_boot_install_leaves_the_handoff_to_the_late_unit() {
	need_ns || return 0
	header_scripts
	mkdir -p "$FX/b/run"
	chmod 755 "$FX/b/run"
	: > "$FX/kmsg"
	export KHDR_KMSG=$FX/kmsg
	run install $OOPTS --kernel-release "$REL" --run-dir "$FX/b/run" --boot
	unset KHDR_KMSG
	assertEquals "boot: $ERR" 0 "$RC"
	local key
	key=$(readlink "$FX/root/lib/modules/$REL/build" | sed 's|.*/||')
	assertNotEquals "installed at boot: $(cat "$FX/kmsg")" "" "$key"
	assertEquals "marker in the run dir" "$key" "$(cat "$FX/b/run/handoff/$REL" 2>/dev/null)"
	assertFalse "no script ran at boot" "[ -e '$FX/handoff.log' ]"
	in_ns "$KHDR" handoff --run-dir "$FX/b/run"
	assertEquals "late handoff: $(cat "$SHUNIT_TMPDIR/ns.out")" 0 "$NSRC"
	assertEquals "handed on once" \
		"$(printf 'dkms %s /var/cache/khdr/%s\nother %s /var/cache/khdr/%s\n' "$REL" "$key" "$REL" "$key")" \
		"$(cat "$FX/handoff.log" 2>/dev/null)"
}

. shunit2
