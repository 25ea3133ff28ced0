#!/bin/bash
# test-install.sh - install against fixture machines (--root/--sysfs/
# --procfs) with the genuine kbuild-made archive and module.
. "$(dirname "$0")/lib.sh"
# Dozens of installs: their fixtures on a private tmpfs (lib.sh says why).
suite_on_private_tmpfs "$@"

oneTimeSetUp() {
	need_artefacts || skip_suite
}

setUp() {
	make_fixture
}


test_install_from_archive() {
	need_artefacts && need_debian_kernel || return 0
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "exit: $ERR" 0 "$RC"
	assertEquals "link" "/var/cache/khdr/$(key)" "$(readlink "$FX/root/lib/modules/$REL/build")"
	assertSameTree "installed tree" "$(reference_tree)" "$(entry_dir)"
	assertEquals fingerprint "$(stamp_field verified)"
	assertEquals "$REL" "$(stamp_field release)"
	assertEquals "$FX_BUILD_ID" "$(stamp_field build_id)"
	assertEquals argument "$(stamp_field source)"
	assertEquals "$(stat -c %s "$KHDR_ARTEFACTS/kheaders.tar.xz")" "$(stamp_field archive_size)"
	assertEquals "cache mode" 755 "$(stat -c %a "$FX/root/var/cache/khdr")"
	assertEquals "no staging left" "" "$(ls -A "$FX/root/var/cache/khdr" | grep '^\.')"
	assertContains "$OUT" "installed $(key)"
}

# DKMS only checks build/include, then runs make there: a headers-only tree
# must fail that with one clear line, and still serve BCC (kconfig.h).
test_headers_only_tree_gets_a_makefile_that_explains() {
	need_artefacts || return 0
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz" --force
	assertEquals "exit: $ERR" 0 "$RC"
	assertEquals headers-only "$(stamp_field makefile)"
	assertEquals no "$(stamp_field kbuild)"
	assertTrue "BCC's kconfig.h" "[ -f '$(entry_dir)/include/linux/kconfig.h' ]"
	mkdir -p "$SHUNIT_TMPDIR/sample"
	printf 'obj-m := sample.o\n' > "$SHUNIT_TMPDIR/sample/Kbuild"
	printf '#include <linux/module.h>\nMODULE_LICENSE("GPL");\n' > "$SHUNIT_TMPDIR/sample/sample.c"
	make -C "$(entry_dir)" M="$SHUNIT_TMPDIR/sample" modules \
		> "$SHUNIT_TMPDIR/make.out" 2>&1
	assertNotEquals "make must fail" 0 $?
	assertEquals "one line from the Makefile" 1 \
		"$(grep -c 'holds kernel headers only (enough for BCC and bpftrace), not a kbuild tree' "$SHUNIT_TMPDIR/make.out")"
	# It names the kit package of the headers' own version (their version.h).
	local code ver
	code=$(sed -n 's/^#define LINUX_VERSION_CODE //p' "$(entry_dir)/include/generated/uapi/linux/version.h")
	ver=$((code >> 16)).$(((code >> 8) & 255)).$((code & 255))
	assertContains "$(cat "$SHUNIT_TMPDIR/make.out")" "install the kbuild kit of Linux $ver (package khdr-kbuild-$ver)"
	assertContains "$(cat "$SHUNIT_TMPDIR/make.out")" "or a kbuild-complete archive"
	assertFalse "nothing built" "[ -e '$SHUNIT_TMPDIR/sample/sample.ko' ]"
	# A plain 'make' (DKMS's default target) fails the same way.
	make -C "$(entry_dir)" > "$SHUNIT_TMPDIR/make.out" 2>&1
	assertNotEquals 0 $?
	assertContains "$(cat "$SHUNIT_TMPDIR/make.out")" "holds kernel headers only"
}

# One fixture per source of DESIGN.md section 5; all give the same tree.
install_from() {  # what-to-set-up expected-source expected-level
	make_fixture
	case $1 in
	ko|ko.xz|ko.zst|ko.gz) OPTS="--archive $KHDR_ARTEFACTS/kheaders.$1" ;;
	sysfs-builtin) cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$FX/sys/kernel/"; OPTS= ;;
	sysfs-module)
		cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$FX/sys/kernel/"
		mkdir -p "$FX/sys/module/kheaders"; OPTS= ;;
	module-file)
		mkdir -p "$FX/root/lib/modules/$REL/kernel/kernel"
		cp "$KHDR_ARTEFACTS/kheaders.ko.xz" "$FX/root/lib/modules/$REL/kernel/kernel/"
		echo "kernel/kernel/kheaders.ko.xz:" > "$FX/root/lib/modules/$REL/modules.dep"
		OPTS= ;;
	module-search)     # no modules.dep, an unusual directory
		mkdir -p "$FX/root/lib/modules/$REL/kernel/misc/khdr"
		cp "$KHDR_ARTEFACTS/kheaders.ko.zst" "$FX/root/lib/modules/$REL/kernel/misc/khdr/"
		ln -s . "$FX/root/lib/modules/$REL/source"   # a loop, if followed
		OPTS= ;;
	module-updates)
		mkdir -p "$FX/root/lib/modules/$REL/updates"
		cp "$KHDR_ARTEFACTS/kheaders.ko" "$FX/root/lib/modules/$REL/updates/"
		OPTS= ;;
	staged)
		mkdir -p "$FX/root/run/khdr"
		cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$FX/root/run/khdr/$FX_BUILD_ID.tar.xz"
		cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$FX/sys/kernel/"   # staged wins
		OPTS= ;;
	esac
	run install $FXOPTS $OPTS
	assertEquals "$1: exit: $ERR" 0 "$RC"
	assertSameTree "$1" "$(reference_tree)" "$(entry_dir)"
	assertEquals "$1: source" "$2" "$(stamp_field source)"
	assertEquals "$1: verified" "$3" "$(stamp_field verified)"
}

test_every_source_gives_the_same_tree() {
	need_artefacts && need_debian_kernel || return 0
	install_from ko argument fingerprint
	install_from ko.xz argument fingerprint
	install_from ko.zst argument fingerprint
	install_from ko.gz argument fingerprint
	install_from sysfs-builtin sysfs-builtin builtin
	install_from sysfs-module sysfs-module fingerprint
	install_from module-file module-file fingerprint
	install_from module-updates module-file fingerprint
	install_from module-search module-file fingerprint
	install_from staged staged fingerprint
}

# A staged copy is used only when root alone could have put it there.
test_untrusted_staged_copy_ignored() {
	need_artefacts && need_debian_kernel || return 0
	[ "$(id -u)" = 0 ] || { skip_test "needs root to make files owned by others"; return 0; }
	local staged=$FX/root/run/khdr/$FX_BUILD_ID.tar.xz
	mkdir -p "$FX/root/run/khdr"
	cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$FX/sys/kernel/"
	cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$staged"
	chown nobody "$staged"
	run install $FXOPTS --dry-run
	assertEquals "owned by nobody: $ERR" 0 "$RC"
	assertContains "$ERR" "ignoring $staged"
	assertContains "falls back to sysfs" "$OUT" "from sysfs-builtin"
	chown root "$staged" && chmod 0666 "$staged"
	run install $FXOPTS --dry-run
	assertContains "world-writable: $ERR" "$ERR" "ignoring $staged"
	rm "$staged" && ln -s "$KHDR_ARTEFACTS/kheaders.tar.xz" "$staged"
	run install $FXOPTS --dry-run
	assertContains "a symlink: $ERR" "$ERR" "ignoring $staged"
	assertContains "$OUT" "from sysfs-builtin"
	rm "$staged" && cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$staged" && chmod 1777 "$FX/root/run/khdr"
	run install $FXOPTS --dry-run
	assertContains "world-writable directory: $ERR" "$ERR" "not root's alone"
	assertContains "$OUT" "from sysfs-builtin"
	chmod 0755 "$FX/root/run/khdr"
	run install $FXOPTS --dry-run
	assertEquals "trusted: $ERR" "" "$ERR"
	assertContains "$OUT" "from staged "
}

test_warm_path_does_not_open_the_archive() {
	need_artefacts && need_debian_kernel || return 0
	cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$FX/sys/kernel/"
	run install $FXOPTS
	assertEquals "first: $ERR" 0 "$RC"
	local created inode
	created=$(stamp_field created)
	inode=$(stat -c %i "$(entry_dir)")
	# Without the archive, only the warm path can succeed.
	rm "$FX/sys/kernel/kheaders.tar.xz"
	run install $FXOPTS
	assertEquals "warm: $ERR" 0 "$RC"
	assertContains "$OUT" "up to date"
	assertEquals "same entry" "$inode" "$(stat -c %i "$(entry_dir)")"
	assertEquals "not re-extracted" "$created" "$(stamp_field created)"
	# And with no archive and no entry, a clear error.
	rm "$FX/root/lib/modules/$REL/build"
	rm -rf "$FX/root/var/cache/khdr/$(key)"
	run install $FXOPTS
	assertEquals 1 "$RC"
	assertContains "$ERR" "no headers archive"
	assertContains "$ERR" "pass --archive FILE"
}

# A file system without RENAME_EXCHANGE (strace makes renameat2 fail with
# EINVAL, as on those): a forced reinstall replaces the entry by two
# renames, the old tree aside first, and leaves nothing behind.
test_forced_reinstall_without_rename_exchange() {
	need_artefacts && need_debian_kernel || return 0
	command -v strace > /dev/null || { skip_test "strace missing"; return 0; }
	local archive=$KHDR_ARTEFACTS/kheaders.tar.xz
	run install $FXOPTS --archive "$archive"
	assertEquals "first: $ERR" 0 "$RC"
	local inode created
	inode=$(stat -c %i "$(entry_dir)")
	created=$(stamp_field created)
	sleep 1
	strace -f -qq --seccomp-bpf -o "$SHUNIT_TMPDIR/trace" -e trace=renameat2,renameat,rename \
		-e inject=renameat2:error=EINVAL "$KHDR" install -q --force $FXOPTS --archive "$archive" \
		2> "$SHUNIT_TMPDIR/stderr"
	rc=$?
	assertEquals "forced: $(cat "$SHUNIT_TMPDIR/stderr")" 0 "$rc"
	assertTrue "the exchange was refused: $(cat "$SHUNIT_TMPDIR/trace")" \
		"grep -q 'RENAME_EXCHANGE.*(INJECTED)' '$SHUNIT_TMPDIR/trace'"
	assertNotEquals "a new tree" "$inode" "$(stat -c %i "$(entry_dir)")"
	assertNotEquals "a new stamp" "$created" "$(stamp_field created)"
	assertSameTree "replaced" "$(reference_tree)" "$(entry_dir)"
	assertEquals "link" "/var/cache/khdr/$(key)" "$(readlink "$FX/root/lib/modules/$REL/build")"
	assertEquals "no staging or trash left" "" "$(ls -A "$FX/root/var/cache/khdr" | grep '^\.')"
}

test_relink_existing_entry_without_extracting() {
	need_artefacts && need_debian_kernel || return 0
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	local created
	created=$(stamp_field created)
	rm "$FX/root/lib/modules/$REL/build"
	sleep 1
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "exit: $ERR" 0 "$RC"
	assertEquals "relinked, not re-extracted" "$created" "$(stamp_field created)"
}

# --archive names what to install: an entry of this build made from other
# bytes (the same tree compressed again here; in the field the headers-only
# sysfs archive where the named one is kbuild-complete) is replaced, not
# taken as up to date.  The same bytes again are up to date; without
# --archive, or with --boot (where the initramfs hooks name their module
# only to say where it is), the warm path reads no archive.
test_named_archive_other_than_the_entry_replaces_it() {
	need_artefacts && need_debian_kernel || return 0
	local first=$KHDR_ARTEFACTS/kheaders.tar.xz other=$SHUNIT_TMPDIR/other.tar.xz
	local inode created crc
	xz -dc "$first" | xz -1 > "$other"
	run install $FXOPTS --archive "$first"
	assertEquals "first: $ERR" 0 "$RC"
	inode=$(stat -c %i "$(entry_dir)")
	created=$(stamp_field created)
	crc=$(stamp_field archive_crc64)
	sleep 1
	run install -v $FXOPTS --archive "$other"
	assertEquals "other archive: $ERR" 0 "$RC"
	assertNotContains "not up to date: $OUT" "$OUT" "up to date"
	assertContains "says why: $ERR" "$ERR" "was made from another archive (CRC64 $crc"
	assertContains "$OUT" "installed $(key)"
	assertNotEquals "a new tree" "$inode" "$(stat -c %i "$(entry_dir)")"
	assertNotEquals "a new stamp" "$created" "$(stamp_field created)"
	assertEquals "its source" "$other" "$(stamp_field source_path)"
	assertNotEquals "its CRC64" "$crc" "$(stamp_field archive_crc64)"
	assertSameTree "replaced" "$(reference_tree)" "$(entry_dir)"
	assertEquals "no staging or trash left" "" "$(ls -A "$FX/root/var/cache/khdr" | grep '^\.')"
	created=$(stamp_field created)
	run install $FXOPTS --archive "$other"
	assertEquals "same bytes: $ERR" 0 "$RC"
	assertContains "$OUT" "up to date"
	run install $FXOPTS
	assertEquals "no --archive: $ERR" 0 "$RC"
	assertContains "$OUT" "up to date"
	: > "$SHUNIT_TMPDIR/kmsg"
	KHDR_KMSG=$SHUNIT_TMPDIR/kmsg run install $FXOPTS --run-dir "$FX/run" --boot --archive "$first"
	assertEquals "--boot: $ERR" 0 "$RC"
	assertTrue "--boot: up to date: $(cat "$SHUNIT_TMPDIR/kmsg")" \
		"grep -q '^<5>khdr-cache: up to date' '$SHUNIT_TMPDIR/kmsg'"
	assertEquals "not re-extracted" "$created" "$(stamp_field created)"
	assertEquals "still from the other archive" "$other" "$(stamp_field source_path)"
}

# A rebuilt kernel with the same release string (the case BCC's /tmp reuse
# gets wrong): a new build ID means a new entry and the link moves to it.
test_rebuilt_kernel_same_release_gets_new_entry() {
	need_artefacts && need_debian_kernel || return 0
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "first: $ERR" 0 "$RC"
	local old=$FX_BUILD_ID new=00112233445566778899aabbccddeeff00112233
	python3 -c 'import struct,sys; d=bytes.fromhex(sys.argv[1]); sys.stdout.buffer.write(struct.pack("<III",4,len(d),3)+b"GNU\0"+d)' \
		"$new" > "$FX/sys/kernel/notes"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "rebuilt: $ERR" 0 "$RC"
	assertContains "$OUT" "installed $REL@$new"
	assertEquals "link moved" "/var/cache/khdr/$REL@$new" "$(readlink "$FX/root/lib/modules/$REL/build")"
	assertTrue "old entry kept for prune" "[ -f '$FX/root/var/cache/khdr/$REL@$old/.khdr-stamp' ]"
}

test_kernel_without_build_id_keys_by_crc64() {
	need_artefacts || return 0
	rm -f "$FX/sys/kernel/notes"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "exit: $ERR" 0 "$RC"
	local link
	link=$(readlink "$FX/root/lib/modules/$REL/build")
	assertTrue "key $link" "echo '$link' | grep -Eq '^/var/cache/khdr/$REL@crc64-[0-9a-f]{16}\$'"
	assertEquals "" "$(stamp_field build_id)"
	assertEquals "${link##*crc64-}" "$(stamp_field archive_crc64)"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.ko"
	assertEquals "same archive in a module: up to date" 0 "$RC"
	assertContains "$OUT" "up to date"
}

test_release_mismatch_refused() {
	need_artefacts || return 0
	sed -i "s/^Linux version $REL /Linux version 6.1.999 /" "$FX/proc/version"
	for a in kheaders.tar.xz kheaders.ko; do
		run install $FXOPTS --kernel-release 6.1.999 --archive "$KHDR_ARTEFACTS/$a"
		assertEquals "$a: exit" 1 "$RC"
		assertContains "$a names the field" "$ERR" "release"
		assertContains "$a names expected" "$ERR" "'6.1.999'"
		assertContains "$a names found" "$ERR" "'$REL'"
		REL=6.1.999 assertNothingInstalled "$a"
	done
	run install $FXOPTS --kernel-release 6.1.999 --archive "$KHDR_ARTEFACTS/kheaders.ko"
	assertContains "module: vermagic checked first" "$ERR" "vermagic"
}

# An empty /proc/version (a procfs that is no kernel's): the error names
# the file read, not "procfs version".
test_empty_procfs_version_names_the_file() {
	need_artefacts || return 0
	rm -f "$FX/sys/kernel/notes"    # no build ID: the fingerprint must vouch
	: > "$FX/proc/version"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "exit: $ERR" 1 "$RC"
	assertContains "$ERR" "$FX/proc/version holds no 'Linux version' banner"
	assertNothingInstalled "empty version"
}

test_compiler_mismatch_refused_then_forced() {
	need_artefacts || return 0
	sed -i "s/($(compile_field LINUX_COMPILER | sed 's/[][\.*^$/]/\\&/g'))/(clang version 16.0.6)/" "$FX/proc/version"
	assertContains "fixture changed" "$(cat "$FX/proc/version")" "clang version 16.0.6"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals 1 "$RC"
	assertContains "$ERR" "LINUX_COMPILER"
	assertContains "$ERR" "'clang version 16.0.6'"
	assertContains "$ERR" "'$(compile_field LINUX_COMPILER)'"
	assertContains "$ERR" "--force"
	assertNothingInstalled compiler
	run install $FXOPTS --force --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "forced: $ERR" 0 "$RC"
	assertContains "$ERR" "warning"
	assertEquals forced "$(stamp_field verified)"
}

# The genuine tree with a khdr-manifest in front, as kernel/'s packer makes.
manifest_archive() {  # build-id
	local d=$SHUNIT_TMPDIR/manifest.$1
	rm -rf "$d" && cp -a "$(reference_tree)" "$d"
	printf 'format=1\nrelease=%s\narch=x86_64\nbuild_id=%s\nkbuild=no\n' "$REL" "$1" > "$d/khdr-manifest"
	tar -cJf "$d.tar.xz" -C "$d" khdr-manifest include arch
	echo "$d.tar.xz"
}

test_build_id_verification() {
	need_artefacts && need_debian_kernel || return 0
	run install $FXOPTS --archive "$(manifest_archive 0123456789abcdef0123456789abcdef01234567)"
	assertEquals "wrong build ID: exit" 1 "$RC"
	assertContains "$ERR" "build ID"
	assertContains "$ERR" "'0123456789abcdef0123456789abcdef01234567'"
	assertContains "$ERR" "'$FX_BUILD_ID'"
	assertNothingInstalled build-id
	# Even a wrong compiler does not matter when the build ID matches? It
	# does: every check that can be made is made.  Keep /proc/version sane.
	run install $FXOPTS --archive "$(manifest_archive "$FX_BUILD_ID")"
	assertEquals "right build ID: $ERR" 0 "$RC"
	assertEquals build-id "$(stamp_field verified)"
	assertEquals "manifest kept in the tree" "$FX_BUILD_ID" \
		"$(sed -n 's/^build_id=//p' "$(entry_dir)/khdr-manifest")"
}

test_foreign_build_left_alone() {
	need_artefacts && need_debian_kernel || return 0
	local b=$FX/root/lib/modules/$REL/build
	mkdir -p "$b/include" && echo distro > "$b/Makefile"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals 1 "$RC"
	assertContains "$ERR" "not ours"
	assertContains "$ERR" "--force"
	assertEquals "foreign tree intact" distro "$(cat "$b/Makefile")"
	assertEquals "nothing extracted" "" "$(ls -A "$FX/root/var/cache/khdr" 2>/dev/null | grep -v '^lock$')"
	rm -rf "$b" && ln -s /usr/src/linux-headers-$REL "$b"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals 1 "$RC"
	assertEquals "foreign link intact" "/usr/src/linux-headers-$REL" "$(readlink "$b")"
	rm "$b" && mkdir -p "$b" && echo distro > "$b/Makefile"
	run install $FXOPTS --force --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "forced: $ERR" 0 "$RC"
	assertEquals "/var/cache/khdr/$(key)" "$(readlink "$b")"
	assertEquals "foreign tree kept aside" distro "$(cat "$b.khdr-orig/Makefile")"
}

test_unsafe_cache_dir_refused() {
	need_artefacts || return 0
	mkdir -p "$FX/root/var/cache/khdr"
	chmod 0777 "$FX/root/var/cache/khdr"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals 1 "$RC"
	assertContains "$ERR" "CVE-2024-2313"
	assertContains "$ERR" "chmod 0755"
	assertNothingInstalled world-writable
	rmdir "$FX/root/var/cache/khdr"
	mkdir "$SHUNIT_TMPDIR/elsewhere.$$"
	ln -s "$SHUNIT_TMPDIR/elsewhere.$$" "$FX/root/var/cache/khdr"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals 1 "$RC"
	assertContains "$ERR" "symlink"
	assertEquals "nothing written through the link" "" "$(ls -A "$SHUNIT_TMPDIR/elsewhere.$$")"
	if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
		rm "$FX/root/var/cache/khdr" && mkdir -m 0755 "$FX/root/var/cache/khdr"
		chown nobody "$FX/root/var/cache/khdr"
		run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
		assertEquals "owned by another user" 1 "$RC"
		assertContains "$ERR" "must be owned by root"
	fi
}

test_unprivileged_install_says_it_needs_root() {
	need_artefacts || return 0
	command -v setpriv >/dev/null && [ "$(id -u)" = 0 ] || { skip_test "needs root and setpriv"; return 0; }
	chmod 0755 "$SHUNIT_TMPDIR" "$FX" "$FX/root"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$KHDR" install $FXOPTS \
		--archive /nonexistent.tar.xz > "$SHUNIT_TMPDIR/out" 2>&1
	assertEquals 1 $?
	assertContains "$(cat "$SHUNIT_TMPDIR/out")" "install needs root"
	assertNothingInstalled unprivileged
}

test_dry_run_changes_nothing() {
	need_artefacts && need_debian_kernel || return 0
	run install $FXOPTS --dry-run --archive "$KHDR_ARTEFACTS/kheaders.ko"
	assertEquals "exit: $ERR" 0 "$RC"
	assertContains "$OUT" "would install $(key)"
	assertContains "$OUT" "verified: fingerprint"
	assertEquals "root untouched" "" "$(ls -A "$FX/root")"
}

test_failed_install_keeps_old_state() {
	need_artefacts && need_debian_kernel || return 0
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals 0 "$RC"
	local before
	before=$(cd "$(entry_dir)" && find . -type f | wc -l)
	head -c 2000000 "$KHDR_ARTEFACTS/kheaders.tar.xz" > "$SHUNIT_TMPDIR/cut.tar.xz"
	run install $FXOPTS --force --archive "$SHUNIT_TMPDIR/cut.tar.xz"
	assertEquals "truncated: exit" 1 "$RC"
	assertContains "$ERR" "truncated"
	assertContains "$ERR" "cut.tar.xz"
	assertEquals "link unchanged" "/var/cache/khdr/$(key)" "$(readlink "$FX/root/lib/modules/$REL/build")"
	assertEquals "old entry intact" "$before" "$(cd "$(entry_dir)" && find . -type f | wc -l)"
	assertEquals "no staging left" "" "$(ls -A "$FX/root/var/cache/khdr" | grep '^\.')"
}

test_full_disk_refused_before_writing() {
	need_artefacts && need_debian_kernel || return 0
	unshare -m true 2>/dev/null || { skip_test "cannot unshare a mount namespace here"; return 0; }
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "first install: $ERR" 0 "$RC"
	local old
	old=$(readlink "$FX/root/lib/modules/$REL/build")
	# The cache on an 8 MiB tmpfs, too small for the 30 MiB tree.
	mkdir "$SHUNIT_TMPDIR/keep" && mv "$FX/root/var/cache/khdr" "$SHUNIT_TMPDIR/keep/"
	# What the tmpfs holds after the install is listed inside the
	# namespace: outside, the mount point is an empty directory.
	unshare -m bash -c '
		mkdir -p "$1/root/var/cache/khdr" &&
		mount -t tmpfs -o size=8m,mode=0755 tmpfs "$1/root/var/cache/khdr" || exit 99
		fx=$1 held=$2
		shift 2
		"$@"
		rc=$?
		ls -A "$fx/root/var/cache/khdr" > "$held"
		exit $rc' _ "$FX" "$SHUNIT_TMPDIR/held" "$KHDR" install $FXOPTS --force \
		--archive "$KHDR_ARTEFACTS/kheaders.ko" > "$SHUNIT_TMPDIR/out" 2>&1
	RC=$?
	[ $RC = 99 ] && { skip_test "cannot mount tmpfs here"; return 0; }
	assertEquals "exit: $(cat "$SHUNIT_TMPDIR/out")" 1 "$RC"
	assertContains "$(cat "$SHUNIT_TMPDIR/out")" "not enough free space"
	assertContains "$(cat "$SHUNIT_TMPDIR/out")" "KiB are free"
	assertEquals "link untouched" "$old" "$(readlink "$FX/root/lib/modules/$REL/build")"
	assertEquals "the tmpfs held nothing but the lock afterwards" \
		"" "$(grep -vx lock "$SHUNIT_TMPDIR/held")"
}

test_concurrent_installs_extract_once() {
	need_artefacts && need_debian_kernel || return 0
	local i pids=()
	for i in 1 2 3 4; do
		"$KHDR" install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz" \
			> "$SHUNIT_TMPDIR/par.$i" 2>&1 &
		pids+=($!)
	done
	for i in 1 2 3 4; do
		wait "${pids[$((i - 1))]}"
		rc=$?
		assertEquals "install $i: $(cat "$SHUNIT_TMPDIR/par.$i")" 0 "$rc"
	done
	assertEquals "one extraction" 1 "$(cat "$SHUNIT_TMPDIR"/par.* | grep -c '^installed')"
	assertEquals "one entry" "$(key)" "$(ls "$FX/root/var/cache/khdr" | grep -v '^lock$')"
	assertSameTree concurrent "$(reference_tree)" "$(entry_dir)"
}

# install --force swaps the new tree in and removes the old one, however
# deep: under "ulimit -n 1024" an old entry holding a 3000-level tree goes
# (the old removal failed with EMFILE and left it as a staging directory).
test_force_removes_a_deep_old_entry_under_the_descriptor_limit() {
	need_artefacts || return 0
	install_running
	local entry
	entry=$(entry_dir)
	mkdir -p "$entry/deep"
	python3 "$KHDR_SRCDIR/tests/lib/mk-hostile.py" --deep "$entry/deep" 3000
	OUT=$(ulimit -n 1024 && "$KHDR" install $FXOPTS --force --archive "$KHDR_ARTEFACTS/kheaders.tar.xz" 2>"$SHUNIT_TMPDIR/stderr")
	RC=$?
	ERR=$(cat "$SHUNIT_TMPDIR/stderr")
	assertEquals "exit ($ERR)" 0 "$RC"
	assertNotContains "no removal failure" "$ERR" "cannot remove"
	assertEquals "only the new entry is left" "$(key)" \
		"$(ls -A "$FX/root/var/cache/khdr" | grep -v '^lock$')"
	assertFalse "the deep tree went with the old entry" "[ -e '$(entry_dir)/deep' ]"
}

. shunit2
