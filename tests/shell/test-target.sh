#!/bin/bash
# test-target.sh - one meaning of "which kernel": the release is -r, else
# the one <procfs>/version names (a simulated procfs is one machine with its
# sysfs, never half of this host); it is identified by the running kernel's
# notes when it runs, else by its image; every command takes it so and says
# which.  Also: install --boot with a scratch root leaves this machine's
# /dev/kmsg alone, and the README's "Try it without touching your system"
# runs as written.
#
# The fixture machine runs the artefacts' release REL, whose notes carry a
# build ID of their own (RUNNING_ID), with its archive in sysfs; Debian's
# kernel DREL is installed, not running: its image under boot/, its
# kbuild-complete kheaders.ko under lib/modules/DREL/updates/.
. "$(dirname "$0")/lib.sh"
suite_on_private_tmpfs "$@"

RUNNING_ID=1111111111111111111111111111111111111111

oneTimeSetUp() {
	need_artefacts && need_debian_kernel || { skip_suite; return; }
	[ -n "${KHDR_KBUILD:-}" ] || { skip_test "no kbuild-complete archive (tests/lib/build-kbuild-archive.sh failed)"; skip_suite; return; }
	DREL=$(cat "$KHDR_DEBIAN_KERNEL/release")
	DBID=$(cat "$KHDR_DEBIAN_KERNEL/build-id")
	# Debian's config of DREL, cached with its headers (tests/lib).
	DHDR=$(sh "$KHDR_SRCDIR/tests/lib/debian-headers.sh" "$DREL" 2> "$SHUNIT_TMPDIR/dhdr.log") || DHDR=
}

# A GNU build ID note (n_namesz 4, n_descsz 20, NT_GNU_BUILD_ID), 20 bytes 0x11.
running_notes() {
	printf '\004\000\000\000\024\000\000\000\003\000\000\000GNU\000'
	printf '\021%.0s' $(seq 20)
}

setUp() {
	make_fixture
	running_notes > "$FX/sys/kernel/notes"
	cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$FX/sys/kernel/kheaders.tar.xz"
	mkdir -p "$FX/root/boot" "$FX/root/lib/modules/$DREL/updates"
	cp "$KHDR_DEBIAN_KERNEL/vmlinuz" "$FX/root/boot/vmlinuz-$DREL"
	cp "$KHDR_KBUILD/kheaders.ko" "$FX/root/lib/modules/$DREL/updates/kheaders.ko"
	# The machine, with no -r: which kernel is up to it.
	M="--root $FX/root --sysfs $FX/sys --procfs $FX/proc"
	DKEY=$DREL@$DBID
	IMAGE=$FX/root/boot/vmlinuz-$DREL
}

jq_of() { printf '%s' "$OUT" | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# No -r: the release proc/version names, with its notes, never this host's uname.
test_procfs_names_the_release() {
	run status $M
	assertEquals "status of an empty machine: $ERR" 3 "$RC"
	assertContains "$OUT" "kernel:    $REL, build ID ${RUNNING_ID:0:12} (running)"
	run status --json $M
	assertEquals "$REL" "$(jq_of 'd["kernel"]["release"]')"
	assertEquals True "$(jq_of 'd["kernel"]["running"]')"
	assertEquals None "$(jq_of 'd["kernel"]["image"]')"
	run install $M
	assertEquals "install of the running kernel: $ERR" 0 "$RC"
	assertEquals "its entry" "/var/cache/khdr/$REL@$RUNNING_ID" "$(readlink "$FX/root/lib/modules/$REL/build")"
	run env $M
	assertEquals "env: $ERR" 0 "$RC"
	assertContains "$OUT" "KERNEL_HEADERS='$FX/root/var/cache/khdr/$REL@$RUNNING_ID'"
	# A procfs that names nothing: said, with the file read, never uname.
	: > "$FX/proc/version"
	run status $M
	assertEquals "empty proc/version: $OUT" 1 "$RC"
	assertContains "$ERR" "$FX/proc/version"
	assertContains "$ERR" "--kernel-release"
}

# -r of a kernel that is installed, not running: its image's build ID, in
# every command (env took the running kernel's notes), and said so.
test_every_command_identifies_the_installed_kernel_by_its_image() {
	run install $M -r "$DREL"
	assertEquals "install: $ERR" 0 "$RC"
	assertEquals "/var/cache/khdr/$DKEY" "$(readlink "$FX/root/lib/modules/$DREL/build")"
	run env $M -r "$DREL"
	assertEquals "env -r of the installed kernel: $ERR" 0 "$RC"
	assertContains "$OUT" "KERNEL_HEADERS='$FX/root/var/cache/khdr/$DKEY'"
	run status $M -r "$DREL"
	assertEquals "status: $ERR" 0 "$RC"
	assertContains "$OUT" "kernel:    $DREL, build ID ${DBID:0:12} (installed, identified by image $IMAGE)"
	# active is the running kernel's entry (khdr-cache(8)); this is the target.
	assertTrue "target, not active: $OUT" "printf '%s\n' \"\$OUT\" | grep -Eq '^  target .*$DREL@${DBID:0:12}\$'"
	assertFalse "no active entry: $OUT" "printf '%s\n' \"\$OUT\" | grep -q '^  active '"
	run status --json $M -r "$DREL"
	assertEquals False "$(jq_of 'd["kernel"]["running"]')"
	assertEquals "$IMAGE" "$(jq_of 'd["kernel"]["image"]')"
	assertEquals target "$(jq_of '[e["state"] for e in d["entries"] if e["key"] == "'"$DKEY"'"][0]')"
	# The running kernel's status: its own release, running; DREL's entry referenced.
	run status $M -r "$REL"
	assertContains "$OUT" "kernel:    $REL, build ID ${RUNNING_ID:0:12} (running)"
	assertTrue "referenced: $OUT" "printf '%s\n' \"\$OUT\" | grep -Eq '^  referenced .*$DREL@${DBID:0:12}'"
	# prune of DREL keeps DREL's entry, and so does prune of the running one.
	run prune $M -r "$DREL"
	assertEquals "prune -r: $ERR" 0 "$RC"
	assertTrue "kept" "[ -d '$FX/root/var/cache/khdr/$DKEY' ]"
	run verify $M -r "$DREL"
	assertEquals "verify: $OUT $ERR" 0 "$RC"
}

# install -v compares an offline kernel's config with boot/config-R: said
# so, not "the running kernel's".
test_install_names_whose_config_agrees() {
	[ -n "$DHDR" ] || { skip_test "no Debian headers (tests/lib/debian-headers.sh failed)"; return 0; }
	cp "$DHDR/usr/src/linux-headers-$DREL/.config" "$FX/root/boot/config-$DREL"
	run install -v $M -r "$DREL"
	assertEquals "install: $ERR" 0 "$RC"
	assertContains "$ERR" "or the config of $DREL (installed, identified by image $IMAGE): "
	assertNotContains "$ERR" "running kernel's"
}

# --boot writes to the kernel log of the machine it runs on; a scratch root
# is not this machine: stderr, and the host's /dev/kmsg untouched.
test_boot_with_a_scratch_root_leaves_the_host_kmsg_alone() {
	[ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null || { skip_test "needs root and unshare -m"; return 0; }
	: > "$FX/kmsg"
	unset KHDR_KMSG
	unshare -m --propagation private sh -c 'mount --bind "$1" /dev/kmsg && shift && exec "$@"' \
		sh "$FX/kmsg" "$KHDR" install --boot $M --run-dir "$FX/run" > "$SHUNIT_TMPDIR/boot.out" 2>&1
	RC=$?
	assertEquals "exit: $(cat "$SHUNIT_TMPDIR/boot.out")" 0 "$RC"
	assertEquals "installed" "/var/cache/khdr/$REL@$RUNNING_ID" "$(readlink "$FX/root/lib/modules/$REL/build")"
	assertEquals "nothing in the host's kernel log" 0 "$(stat -c %s "$FX/kmsg")"
	assertContains "says where: $(cat "$SHUNIT_TMPDIR/boot.out")" "$(cat "$SHUNIT_TMPDIR/boot.out")" "messages go to stderr"
	assertContains "$(cat "$SHUNIT_TMPDIR/boot.out")" "installed $REL@$RUNNING_ID"
}

# README.md's "Try it without touching your system", as written there.
test_readme_try_it_runs_as_written() {
	[ -n "$DHDR" ] || { skip_test "no Debian headers (tests/lib/debian-headers.sh failed)"; return 0; }
	local script=$SHUNIT_TMPDIR/try-it.sh bin=$SHUNIT_TMPDIR/bin
	sed -n '/^<!-- try-it: begin -->$/,/^<!-- try-it: end -->$/p' "$KHDR_SRCDIR/README.md" |
		sed '1d;$d' | sed 's/^    //' > "$script"
	assertTrue "the README has the block" "[ -s '$script' ]"
	mkdir -p "$bin" && ln -sf "$(cd "$(dirname "$KHDR")" && pwd)/$(basename "$KHDR")" "$bin/khdr-cache"
	mkdir -p "$FX/running/kernel/btf"
	running_notes > "$FX/running/kernel/notes"
	: > "$FX/running/kernel/btf/vmlinux"
	PATH=$bin:$PATH TMPDIR=$SHUNIT_TMPDIR R=$DREL VMLINUZ=$KHDR_DEBIAN_KERNEL/vmlinuz \
		CONFIG=$DHDR/usr/src/linux-headers-$DREL/.config KHEADERS=$KHDR_KBUILD/kheaders.ko \
		RUNNING=$FX/running bash -e -c "$(cat "$script"); echo \"S=\$S\"" \
		> "$SHUNIT_TMPDIR/try.out" 2> "$SHUNIT_TMPDIR/try.err"
	RC=$?
	OUT=$(cat "$SHUNIT_TMPDIR/try.out")
	ERR=$(cat "$SHUNIT_TMPDIR/try.err")
	assertEquals "the README's commands: $OUT $ERR" 0 "$RC"
	local s
	s=$(printf '%s\n' "$OUT" | sed -n 's/^S=//p')
	assertEquals "linked" "/var/cache/khdr/$DKEY" "$(readlink "$s/lib/modules/$DREL/build")"
	# What the README says they show.
	assertContains "$OUT" "kernel:    $DREL, build ID ${DBID:0:12} (installed, identified by image $s/boot/vmlinuz-$DREL)"
	assertTrue "target: $OUT" "printf '%s\n' \"\$OUT\" | grep -Eq '^  target .*$DREL@${DBID:0:12}\$'"
	assertContains "$OUT" "KERNEL_HEADERS='$s/var/cache/khdr/$DKEY'"
	assertContains "$OUT" "identical to"
	assertContains "$ERR" "or the config of $DREL (installed, identified by image"
}

. shunit2
