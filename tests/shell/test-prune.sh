#!/bin/bash
# test-prune.sh - khdr-cache prune [--keep N] [--dry-run] [--legacy] on a
# fixture root with the genuine archive: what goes and what stays is
# asserted on the file system.
. "$(dirname "$0")/lib.sh"
# Many installs or extractions: their fixtures on a private tmpfs (lib.sh).
suite_on_private_tmpfs "$@"

oneTimeSetUp() {
	need_artefacts || skip_suite
}

setUp() {
	make_fixture
	CACHE=$FX/root/var/cache/khdr
	LM=$FX/root/lib/modules
}

hex() { printf '%040d' "$1"; }



# The running entry (newest), three older builds of the running release,
# an orphaned release, a release kept only by its link, an installed
# release with two unlinked builds, our dangling link, foreign links and a
# foreign directory, staging leftovers.
populate() {
	install_running
	NOW=$(date +%s)
	S1=$REL@$(hex 1); S2=$REL@$(hex 2); S3=$REL@$(hex 3)
	ORPH=6.1.0-khdr-gone@$(hex 4)
	REF=6.1.0-khdr-ref@$(hex 5)
	D1=6.1.0-khdr-inst@$(hex 6); D2=6.1.0-khdr-inst@$(hex 7)
	clone_entry "$S1" "$REL" "$(hex 1)" $((NOW - 1000))
	clone_entry "$S2" "$REL" "$(hex 2)" $((NOW - 2000))
	clone_entry "$S3" "$REL" "$(hex 3)" $((NOW - 3000))
	clone_entry "$ORPH" 6.1.0-khdr-gone "$(hex 4)" $((NOW - 4000))
	clone_entry "$REF" 6.1.0-khdr-ref "$(hex 5)" $((NOW - 9000))
	clone_entry "$D1" 6.1.0-khdr-inst "$(hex 6)" $((NOW - 100))
	clone_entry "$D2" 6.1.0-khdr-inst "$(hex 7)" $((NOW - 5000))
	mkdir -p "$LM/6.1.0-khdr-ref" "$LM/6.1.0-khdr-inst/kernel" "$LM/6.1.0-khdr-gone" \
		"$LM/6.1.0-khdr-dang" "$LM/6.1.0-khdr-pkg" "$LM/6.1.0-khdr-distro/build/include"
	ln -s "/var/cache/khdr/$REF" "$LM/6.1.0-khdr-ref/build"
	ln -s "/var/cache/khdr/6.1.0-khdr-dang@$(hex 8)" "$LM/6.1.0-khdr-dang/build"
	ln -s /usr/src/linux-headers-khdr-test-gone "$LM/6.1.0-khdr-pkg/build"
	echo distro > "$LM/6.1.0-khdr-distro/build/Makefile"
	mkdir -p "$CACHE/.staging-abc123/include" "$CACHE/.staging-def456"
	echo half > "$CACHE/.staging-abc123/include/x.h"
}

listing() {  # the whole root, names, types, sizes, link targets
	(cd "$FX/root" && find . -printf '%p %y %s %l %m\n' | sort)
}

present() { [ -d "$CACHE/$1" ]; }

assertKept() {  # msg key...
	local m=$1 k
	shift
	for k; do assertTrue "$m: $k kept" "[ -f '$CACHE/$k/.khdr-stamp' ]"; done
}

assertGone() {  # msg key...
	local m=$1 k
	shift
	for k; do assertFalse "$m: $k removed" "[ -e '$CACHE/$k' ]"; done
}

test_dry_run_lists_with_sizes_and_changes_nothing() {
	need_artefacts && need_debian_kernel || return 0
	populate
	listing > "$SHUNIT_TMPDIR/before"
	run prune $FXOPTS --dry-run
	assertEquals "exit: $ERR" 0 "$RC"
	listing > "$SHUNIT_TMPDIR/after"
	assertEquals "nothing changed: $(diff "$SHUNIT_TMPDIR/before" "$SHUNIT_TMPDIR/after" | head -5)" \
		"" "$(diff "$SHUNIT_TMPDIR/before" "$SHUNIT_TMPDIR/after")"
	printf '%s\n' "$OUT" > "$SHUNIT_TMPDIR/out"
	local size k
	size=$(iec_size "$(stamp_field bytes)")
	for k in "$S1" "$S2" "$S3" "$ORPH" "$D2"; do
		assertTrue "lists $k with its size ($size): $OUT" \
			"grep -F '$k (' '$SHUNIT_TMPDIR/out' | grep -qF ', $size)'"
	done
	for k in "$(key)" "$REF" "$D1"; do
		assertFalse "does not list $k" "grep -q '$k' '$SHUNIT_TMPDIR/out'"
	done
	assertContains "our dangling link" "$OUT" "lib/modules/6.1.0-khdr-dang/build"
	assertNotContains "foreign dangling link" "$OUT" "6.1.0-khdr-pkg"
	assertNotContains "foreign directory" "$OUT" "6.1.0-khdr-distro"
	assertContains "staging leftovers" "$OUT" "2 leftover"
	assertContains "$OUT" "would"
}

test_prune_removes_what_the_rules_say() {
	need_artefacts && need_debian_kernel || return 0
	populate
	run prune $FXOPTS
	assertEquals "exit: $ERR" 0 "$RC"
	assertKept "active" "$(key)"
	# keep 1: the active build is the one kept of the running release.
	assertGone "stale builds of the running release beyond keep 1" "$S1" "$S2" "$S3"
	assertGone "orphaned" "$ORPH"
	assertKept "referenced by another release's link" "$REF"
	assertKept "newest of an installed release" "$D1"
	assertGone "older build of an installed release" "$D2"
	assertFalse "our dangling link removed" "[ -L '$LM/6.1.0-khdr-dang/build' ]"
	assertEquals "foreign dangling link kept" /usr/src/linux-headers-khdr-test-gone \
		"$(readlink "$LM/6.1.0-khdr-pkg/build")"
	assertEquals "foreign directory kept" distro "$(cat "$LM/6.1.0-khdr-distro/build/Makefile")"
	assertEquals "running link unchanged" "/var/cache/khdr/$(key)" "$(readlink "$LM/$REL/build")"
	assertEquals "referencing link unchanged" "/var/cache/khdr/$REF" "$(readlink "$LM/6.1.0-khdr-ref/build")"
	assertEquals "no staging or trash left" "" "$(ls -A "$CACHE" | grep '^\.')"
	assertEquals "cache holds exactly these" "$(printf '%s\n' "$(key)" "$D1" "$REF" lock | sort)" \
		"$(ls "$CACHE" | sort)"
	assertSameTree "active tree intact" "$(reference_tree)" "$(entry_dir)"
	run status $FXOPTS
	assertEquals "status afterwards: $OUT $ERR" 0 "$RC"
	run prune $FXOPTS
	assertEquals "second prune: $ERR" 0 "$RC"
	assertContains "$OUT" "nothing to prune"
}

test_keep_two_keeps_the_two_newest() {
	need_artefacts && need_debian_kernel || return 0
	populate
	run prune $FXOPTS --keep 2
	assertEquals "exit: $ERR" 0 "$RC"
	assertKept "running release: active and the newest stale" "$(key)" "$S1"
	assertGone "running release: older" "$S2" "$S3"
	assertKept "installed release: both" "$D1" "$D2"
	assertGone "orphaned whatever keep says" "$ORPH"
	assertKept "referenced" "$REF"
}

# kernel-install remove can run before the package's files go (Fedora's
# %preun): --removed takes the release for gone though lib/modules still
# shows it; never the running release, never an entry a link points at.
test_removed_release_goes_while_its_files_remain() {
	need_artefacts && need_debian_kernel || return 0
	populate
	run prune $FXOPTS --keep 2 --removed 6.1.0-khdr-inst
	assertEquals "exit: $ERR" 0 "$RC"
	assertGone "both builds of the release being removed" "$D1" "$D2"
	assertContains "$OUT" "$D1 (orphaned"
	assertTrue "its files are not ours to touch" "[ -d '$LM/6.1.0-khdr-inst/kernel' ]"
	assertKept "the rest as keep 2 says" "$(key)" "$S1" "$REF"
	assertGone "running release beyond keep 2, and the orphan" "$S2" "$S3" "$ORPH"
	run prune $FXOPTS --keep 2 --removed 6.1.0-khdr-ref
	assertEquals "exit: $ERR" 0 "$RC"
	assertKept "an entry a link points at" "$REF"
	run prune $FXOPTS --keep 2 --removed "$REL"
	assertEquals "exit: $ERR" 0 "$RC"
	assertKept "the running release is never taken for removed" "$(key)" "$S1"
	run prune $FXOPTS --removed ../etc
	assertEquals "a release with a slash: usage error: $ERR" 2 "$RC"
	assertContains "$ERR" "invalid --removed '../etc'"
	assertKept "nothing removed on a usage error" "$(key)" "$S1" "$REF"
}

# Leftovers of a crashed install (staging) or prune (trash) go, even when
# nothing else does.
test_staging_leftovers_removed() {
	need_artefacts && need_debian_kernel || return 0
	install_running
	mkdir -p "$CACHE/.staging-abc123/include" "$CACHE/.trash-def456/include"
	echo half > "$CACHE/.staging-abc123/include/x.h"
	echo half > "$CACHE/.trash-def456/include/x.h"
	run prune $FXOPTS
	assertEquals "exit: $ERR" 0 "$RC"
	assertEquals "no staging or trash left: $OUT" "" "$(ls -A "$CACHE" | grep '^\.')"
	assertKept "active" "$(key)"
	run status $FXOPTS --json
	assertEquals "status counts no leftovers" 0 "$(printf '%s\n' "$OUT" | jq .cache.leftovers)"
}

# keep counts creation times, not names or directory order.
test_keep_follows_created_not_names() {
	need_artefacts && need_debian_kernel || return 0
	install_running
	local now a b c
	now=$(date +%s)
	a=6.1.0-khdr-inst@$(hex 1); b=6.1.0-khdr-inst@$(hex 2); c=6.1.0-khdr-inst@$(hex 3)
	clone_entry "$a" 6.1.0-khdr-inst "$(hex 1)" $((now - 10))
	clone_entry "$b" 6.1.0-khdr-inst "$(hex 2)" $((now - 3000))
	clone_entry "$c" 6.1.0-khdr-inst "$(hex 3)" $((now - 200))
	mkdir -p "$LM/6.1.0-khdr-inst/kernel"
	run prune $FXOPTS --keep 2
	assertEquals "exit: $ERR" 0 "$RC"
	assertKept "two newest" "$a" "$c"
	assertGone "oldest" "$b"
}

# The running kernel's entry survives even without a link (install
# --no-link) and even when its stamp is the oldest.
test_running_entry_without_link_never_pruned() {
	need_artefacts && need_debian_kernel || return 0
	install_running
	rm "$LM/$REL/build"
	sed -i "s/^created=.*/created=1000/" "$CACHE/$(key)/.khdr-stamp"
	local now
	now=$(date +%s)
	clone_entry "$REL@$(hex 1)" "$REL" "$(hex 1)" $((now - 10))
	run prune $FXOPTS
	assertEquals "exit: $ERR" 0 "$RC"
	assertKept "running kernel's entry" "$(key)"
}

# prune holds install's lock: while someone else holds it, it waits.
test_prune_takes_the_lock() {
	need_artefacts && need_debian_kernel || return 0
	populate
	flock "$CACHE/lock" sleep 4 &
	local holder=$!
	sleep 0.5
	timeout 2 "$KHDR" prune $FXOPTS > "$SHUNIT_TMPDIR/out" 2>&1
	local rc=$?
	assertTrue "prune waited for the lock (rc $rc: $(cat "$SHUNIT_TMPDIR/out"))" "[ $rc = 124 ]"
	assertKept "nothing removed while the lock was held" "$ORPH" "$S3"
	wait "$holder"
	run prune $FXOPTS
	assertEquals "after the lock: $ERR" 0 "$RC"
	assertGone "removed once the lock was free" "$ORPH" "$S3"
}

# A large tree is renamed aside before it is deleted: never a half-deleted
# entry under its own name.
test_entry_renamed_aside_before_deletion() {
	need_artefacts && need_debian_kernel || return 0
	populate
	strace -f --seccomp-bpf -e trace=rename,renameat,renameat2,unlink,unlinkat,rmdir -o "$SHUNIT_TMPDIR/strace" \
		"$KHDR" prune $FXOPTS > /dev/null 2>&1
	assertGone "pruned" "$ORPH"
	local first
	first=$(grep -F "$ORPH" "$SHUNIT_TMPDIR/strace" | head -1)
	assertContains "first touch of $ORPH is a rename: $first" "$first" "rename"
	assertContains "renamed to a trash name: $first" "$first" ".trash-"
	assertEquals "nothing unlinked under the entry's own name" "" \
		"$(grep -E 'unlinkat\([^,]*, "[^"]*'"$ORPH"'/' "$SHUNIT_TMPDIR/strace" | head -3)"
}

test_legacy_tmp_dirs() {
	need_artefacts || return 0
	[ "$(id -u)" = 0 ] || { skip_test "needs root to make directories owned by others"; return 0; }
	local tmp=$FX/root/tmp
	mkdir -p "$tmp/kheaders-6.1.0-old/include/linux" "$tmp/kheaders-6.1.0-nobody/include" \
		"$SHUNIT_TMPDIR/legacy-target/include"
	chmod 1777 "$tmp"
	head -c 1048576 /dev/urandom > "$tmp/kheaders-6.1.0-old/include/linux/big.h"
	echo keep > "$tmp/kheaders-6.1.0-nobody/include/x.h"
	chown -R nobody "$tmp/kheaders-6.1.0-nobody"
	echo target > "$SHUNIT_TMPDIR/legacy-target/include/x.h"
	ln -s "$SHUNIT_TMPDIR/legacy-target" "$tmp/kheaders-6.1.0-link"
	echo other > "$tmp/not-kheaders"
	# Without --legacy, /tmp is not touched.
	run prune $FXOPTS
	assertEquals "plain prune: $ERR" 0 "$RC"
	assertTrue "plain prune leaves /tmp alone" "[ -f '$tmp/kheaders-6.1.0-old/include/linux/big.h' ]"
	run prune $FXOPTS --legacy --dry-run
	assertEquals "dry run: $ERR" 0 "$RC"
	assertTrue "dry run leaves it" "[ -f '$tmp/kheaders-6.1.0-old/include/linux/big.h' ]"
	run prune $FXOPTS --legacy
	assertEquals "exit: $ERR" 0 "$RC"
	assertFalse "root's real directory removed" "[ -e '$tmp/kheaders-6.1.0-old' ]"
	assertContains "names it" "$OUT" "kheaders-6.1.0-old"
	local freed
	freed=$(printf '%s\n' "$OUT" | sed -n 's/^freed: 1 item, \([0-9]*\)\.[0-9] MiB$/\1/p')
	assertTrue "says how much it freed (>= 1 MiB, in MiB): $OUT" "[ '${freed:-0}' -ge 1 ]"
	assertEquals "nobody's directory left alone" keep "$(cat "$tmp/kheaders-6.1.0-nobody/include/x.h")"
	assertEquals "symlink left alone" "$SHUNIT_TMPDIR/legacy-target" "$(readlink "$tmp/kheaders-6.1.0-link")"
	assertEquals "symlink's target left alone" target "$(cat "$SHUNIT_TMPDIR/legacy-target/include/x.h")"
	assertEquals "other files left alone" other "$(cat "$tmp/not-kheaders")"
	assertEquals "/tmp itself kept" 1777 "$(stat -c %a "$tmp")"
}

# A cache at the top of its own file system (a cache device): lost+found
# belongs to fsck, not to prune.
# A directory of the cache named like no entry (no '@', no stamp: a tree
# copied in by hand) is broken, as khdr-cache(8) has it: status lists it,
# prune removes it.  The lock file stays.
test_directory_that_is_no_entry_is_broken() {
	need_artefacts && need_debian_kernel || return 0
	install_running
	mkdir -p "$CACHE/6.1.0-handmade/include" "$CACHE/notes"
	echo x > "$CACHE/6.1.0-handmade/include/x.h"
	: > "$CACHE/stray-file"
	status_broken() { "$KHDR" status $FXOPTS --json | jq -r '[.entries[] | select(.state == "broken") | .key] | sort | join(" ")'; }
	assertEquals "status lists both as broken" "6.1.0-handmade notes" "$(status_broken)"
	run status $FXOPTS
	printf '%s\n' "$OUT" | grep -q '^ *broken .*6.1.0-handmade'
	assertEquals "text: broken 6.1.0-handmade: $OUT" 0 $?
	run prune $FXOPTS --dry-run
	assertEquals "dry run: $ERR" 0 "$RC"
	assertContains "dry run names it" "$OUT" "6.1.0-handmade"
	assertTrue "dry run removed nothing" "[ -f '$CACHE/6.1.0-handmade/include/x.h' ]"
	run prune $FXOPTS
	assertEquals "prune: $ERR" 0 "$RC"
	assertFalse "6.1.0-handmade removed" "[ -e '$CACHE/6.1.0-handmade' ]"
	assertFalse "notes removed" "[ -e '$CACHE/notes' ]"
	assertTrue "a file is no entry: left alone" "[ -f '$CACHE/stray-file' ]"
	assertEquals "cache holds the entry, the lock, the file" "$(printf '%s\n' "$(key)" lock stray-file | sort)" \
		"$(ls "$CACHE" | sort)"
	assertSameTree "active tree intact" "$(reference_tree)" "$(entry_dir)"
}

test_lost_and_found_is_not_an_entry() {
	need_artefacts && need_debian_kernel || return 0
	[ "$(id -u)" = 0 ] || { skip_test "needs root for a loop mount"; return 0; }
	unshare -m true 2>/dev/null || { skip_test "cannot unshare a mount namespace here"; return 0; }
	losetup -f > /dev/null 2>&1 || { skip_test "no free loop device here"; return 0; }
	local img=$SHUNIT_TMPDIR/cache.img
	truncate -s 64M "$img"
	mkfs.ext4 -q -L khdrprune -F "$img" > /dev/null 2>&1 || { skip_test "mkfs.ext4 failed"; return 0; }
	mkdir -p "$CACHE"
	FX=$FX SHUNIT_TMPDIR=$SHUNIT_TMPDIR KHDR=$KHDR FXOPTS=$FXOPTS ART=$KHDR_ARTEFACTS CACHE=$CACHE \
	unshare -m bash -c '
		mount -o loop "$1" "$CACHE" || exit 99
		chmod 0755 "$CACHE"
		"$KHDR" install $FXOPTS --archive "$ART/kheaders.tar.xz" > "$SHUNIT_TMPDIR/install.out" 2>&1
		echo $? > "$SHUNIT_TMPDIR/install.rc"
		"$KHDR" prune $FXOPTS > "$SHUNIT_TMPDIR/prune.out" 2>&1
		echo $? > "$SHUNIT_TMPDIR/prune.rc"
		ls -A "$CACHE" > "$SHUNIT_TMPDIR/ls"
		' _ "$img" > "$SHUNIT_TMPDIR/unshare.out" 2>&1
	[ $? = 99 ] && { skip_test "loop mount refused here: $(cat "$SHUNIT_TMPDIR/unshare.out")"; return 0; }
	assertEquals "install: $(cat "$SHUNIT_TMPDIR/install.out")" 0 "$(cat "$SHUNIT_TMPDIR/install.rc")"
	assertEquals "prune: $(cat "$SHUNIT_TMPDIR/prune.out")" 0 "$(cat "$SHUNIT_TMPDIR/prune.rc")"
	assertTrue "lost+found kept: $(cat "$SHUNIT_TMPDIR/prune.out")" "grep -qx 'lost+found' '$SHUNIT_TMPDIR/ls'"
	assertTrue "entry kept" "grep -qx '$(key)' '$SHUNIT_TMPDIR/ls'"
}

# A leftover deeper than the descriptor limit goes (removal holds a
# bounded number of descriptors), under "ulimit -n 1024"; the old removal
# failed with EMFILE, and prune still said it removed it.
test_deep_leftover_removed_under_the_descriptor_limit() {
	need_artefacts || return 0
	install_running
	mkdir -p "$CACHE/.staging-deep"
	python3 "$KHDR_SRCDIR/tests/lib/mk-hostile.py" --deep "$CACHE/.staging-deep" 3000
	OUT=$(ulimit -n 1024 && "$KHDR" prune $FXOPTS 2>"$SHUNIT_TMPDIR/stderr")
	RC=$?
	ERR=$(cat "$SHUNIT_TMPDIR/stderr")
	assertEquals "exit ($ERR)" 0 "$RC"
	assertContains "says so" "$OUT" "removed 1 leftover staging directory"
	assertFalse "the deep leftover is gone" "[ -e '$CACHE/.staging-deep' ]"
	assertTrue "the running entry stays" "[ -f '$CACHE/$(key)/.khdr-stamp' ]"
}

# A leftover that cannot be removed (a mount point inside it: EBUSY) is
# reported with the real error and makes prune fail; only what went is
# counted as removed.
test_leftover_that_cannot_go_is_not_claimed() {
	need_artefacts || return 0
	command -v unshare >/dev/null || { skip_test "no unshare"; return 0; }
	install_running
	mkdir -p "$CACHE/.staging-busy/m" "$CACHE/.staging-fine/x"
	OUT=$(unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs none "$1" && shift && exec "$@"' \
		sh "$CACHE/.staging-busy/m" "$KHDR" prune $FXOPTS 2>"$SHUNIT_TMPDIR/stderr")
	RC=$?
	ERR=$(cat "$SHUNIT_TMPDIR/stderr")
	assertEquals "exit ($ERR)" 1 "$RC"
	assertContains "names the leftover and the error" "$ERR" ".staging-busy: Device or resource busy"
	assertContains "counts only what went" "$OUT" "removed 1 leftover staging directory"
	assertTrue "the busy leftover is still there" "[ -d '$CACHE/.staging-busy' ]"
	assertFalse "the other one is gone" "[ -e '$CACHE/.staging-fine' ]"
}

. shunit2
