#!/bin/bash
# test-trust.sh - trust boundaries (issue 7, item 5; the CVE-2024-2313/2314
# class of bug): a cache directory, a staged-copy directory, a staged copy
# or a build link that someone other than root could have made is never
# trusted, and extract --to, which runs unprivileged, never writes through
# a symlink planted at its target.
. "$(dirname "$0")/lib.sh"

oneTimeSetUp() {
	need_artefacts || skip_suite
}

setUp() {
	make_fixture
	CACHE=$FX/root/var/cache/khdr
	LINK=$FX/root/lib/modules/$REL/build
	# Owned by root, it lets the tests' other users in to some places.
	PUB=$(mktemp -d /tmp/khdr-trust.XXXXXX)
	chmod 0755 "$PUB"
}

tearDown() {
	[ -n "${PUB:-}" ] && rm -rf "$PUB"
	PUB=
}

need_root() {
	[ "$(id -u)" = 0 ] || { skip_test "needs root to make files owned by others"; return 1; }
	getent passwd nobody >/dev/null && getent group nogroup >/dev/null ||
		{ skip_test "no user nobody or group nogroup"; return 1; }
}

as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}

need_setpriv() {
	command -v setpriv >/dev/null || { skip_test "setpriv missing"; return 1; }
}


# The cache refused, and not a byte written: no lock, no staging, no entry,
# no link, the directory's owner and mode as they were.
assertCacheRefused() {  # what owner:group mode
	assertEquals "$1: exit: $ERR" 1 "$RC"
	assertContains "$1: says it refuses the cache directory" "$ERR" "refusing cache directory $CACHE"
	assertContains "$1: says how to fix it" "$ERR" "chmod 0755"
	assertEquals "$1: nothing written into the cache" "" "$(ls -A "$CACHE")"
	assertFalse "$1: no build link" "[ -e '$LINK' -o -L '$LINK' ]"
	assertFalse "$1: lib/modules/$REL not created" "[ -e '$FX/root/lib/modules/$REL' ]"
	assertEquals "$1: owner and mode untouched" "$2 $3" "$(stat -c '%U:%G %a' "$CACHE")"
}

test_cache_dir_writable_by_others_refused() {
	need_artefacts || return 0
	local mode
	mkdir -p "$CACHE"
	for mode in 775 757 777 1777 770 720 702; do
		chmod "$mode" "$CACHE"
		run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
		assertCacheRefused "mode $mode" root:root "$mode"
		assertContains "mode $mode: the mode is shown" "$ERR" "mode $(printf '%04o' "0$mode")"
	done
	# The control: the same directory, root's alone, is used.
	chmod 0755 "$CACHE"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "root:root 0755: $ERR" 0 "$RC"
	assertTrue "installed" "[ -L '$LINK' ]"
}

test_cache_dir_owned_by_another_user_refused() {
	need_artefacts && need_root || return 0
	local owner
	mkdir -p "$CACHE"
	chmod 0755 "$CACHE"
	for owner in nobody:root nobody:nogroup; do
		chown "$owner" "$CACHE"
		run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
		assertCacheRefused "owner $owner" "$owner" 755
		assertContains "owner $owner: the owner is shown" "$ERR" "owner uid $(id -u nobody)"
		assertContains "owner $owner: says who must own it" "$ERR" "must be owned by root"
	done
	# Root's, but its group can write: refused too.
	chown root:nogroup "$CACHE" && chmod 0775 "$CACHE"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertCacheRefused "root:nogroup 0775" root:nogroup 775
}

# A parent another user can write lets that user swap the cache directory
# for its own after the install, under the build link (whose target is a
# path): the same class of bug, one level up.  A sticky directory (like
# /tmp) is the exception: others cannot rename what root made in it.
test_cache_dir_parent_writable_by_others_refused() {
	need_artefacts && need_root || return 0
	local how
	mkdir -p "$CACHE"
	chmod 0755 "$CACHE"
	for how in root:root/0777 root:root/0775 nobody:root/0755; do
		find "$CACHE" -mindepth 1 -delete && rm -rf "$FX/root/lib"   # each case on its own
		chown "${how%/*}" "$FX/root/var/cache" && chmod "${how#*/}" "$FX/root/var/cache"
		run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
		assertEquals "var/cache $how: exit: $ERR" 1 "$RC"
		assertContains "var/cache $how: names the directory" "$ERR" "$FX/root/var/cache"
		assertEquals "var/cache $how: nothing written into the cache" "" "$(ls -A "$CACHE")"
		assertFalse "var/cache $how: no build link" "[ -e '$LINK' -o -L '$LINK' ]"
	done
	# Sticky and root's own: fine.
	find "$CACHE" -mindepth 1 -delete && rm -rf "$FX/root/lib"
	chown root:root "$FX/root/var/cache" && chmod 1777 "$FX/root/var/cache"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "var/cache root:root 1777: $ERR" 0 "$RC"
}

# --cache-dir (and cache_dir= in the configuration) names another
# directory under the root: the same rules hold for it and its parents.
test_cache_dir_option_same_rules() {
	need_artefacts && need_root || return 0
	"$KHDR" --help 2>/dev/null | grep -q -- --cache-dir || { skip_test "no --cache-dir yet"; return 0; }
	local c=$FX/root/srv/khdr
	mkdir -p "$c" && chmod 0755 "$c" && chown nobody "$c"
	run install $FXOPTS --cache-dir /srv/khdr --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "owned by nobody: exit: $ERR" 1 "$RC"
	assertContains "$ERR" "refusing cache directory $c"
	assertEquals "nothing written" "" "$(ls -A "$c")"
	chown root "$c" && chmod 0777 "$c"
	run install $FXOPTS --cache-dir /srv/khdr --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "mode 0777: exit: $ERR" 1 "$RC"
	assertEquals "nothing written" "" "$(ls -A "$c")"
	chmod 0755 "$c" && chmod 0777 "$FX/root/srv"
	run install $FXOPTS --cache-dir /srv/khdr --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "parent 0777: exit: $ERR" 1 "$RC"
	assertEquals "nothing written" "" "$(ls -A "$c")"
	chmod 0755 "$FX/root/srv"
	run install $FXOPTS --cache-dir /srv/khdr --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "root's alone: $ERR" 0 "$RC"
	assertEquals "linked into it" "/srv/khdr/$(key)" "$(readlink "$LINK")"
}

# What a user other than root could do with a cache it can write: nothing,
# because the refusal comes before anything in it is read or written.
test_cache_planted_by_another_user_not_used() {
	need_artefacts && need_debian_kernel && need_root || return 0
	mkdir -p "$CACHE/$(key)/include"
	printf 'format=1\nkey=%s\nrelease=%s\n' "$(key)" "$REL" > "$CACHE/$(key)/.khdr-stamp"
	echo '#error planted' > "$CACHE/$(key)/include/planted.h"
	chown -R nobody:nogroup "$CACHE"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "exit: $ERR" 1 "$RC"
	assertContains "$ERR" "refusing cache directory"
	assertFalse "the planted entry is not linked" "[ -e '$LINK' -o -L '$LINK' ]"
	assertNotContains "not taken as up to date" "$OUT" "up to date"
}

test_acl_granting_write_refused() {
	need_artefacts && need_root || return 0
	command -v setfacl >/dev/null || { skip_test "setfacl missing (package acl)"; return 0; }
	mkdir -p "$CACHE" && chmod 0755 "$CACHE"
	setfacl -m u:nobody:rwx "$CACHE" 2>/dev/null || { skip_test "no ACLs on this file system"; return 0; }
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "exit: $ERR" 1 "$RC"
	assertContains "$ERR" "refusing cache directory"
	assertEquals "nothing written" "" "$(ls -A "$CACHE")"
}

# ---- /run/khdr: the staged copies the initramfs hook leaves ----

# A staged copy in $1 (a directory), the sysfs archive as the fallback.
stage() {  # dir
	STAGED=$1/$FX_BUILD_ID.tar.xz
	cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$STAGED"
	chmod 0644 "$STAGED"
}

# The staged copy was not used: a warning naming it, and the fallback won.
assertStagedIgnored() {  # what warning-text
	assertEquals "$1: exit: $ERR" 0 "$RC"
	assertContains "$1: warns" "$ERR" "warning: ignoring"
	assertContains "$1: says why" "$ERR" "$2"
	assertContains "$1: sysfs used instead" "$OUT" "from sysfs-builtin"
	assertNotContains "$1: staged not used" "$OUT" "from staged"
}

test_run_dir_not_roots_alone_ignored() {
	need_artefacts && need_debian_kernel && need_root || return 0
	local run=$FX/root/run/khdr how
	mkdir -p "$run"
	cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$FX/sys/kernel/"
	stage "$run"
	for how in nobody:root/0755 nobody:nogroup/0700 root:nogroup/0775 root:root/0757 root:root/1777; do
		chown "${how%/*}" "$run" && chmod "${how#*/}" "$run"
		run install $FXOPTS --dry-run
		assertStagedIgnored "$run $how" "$run: the directory is not root's alone"
	done
	# A symlink at /run/khdr, even to a directory root alone can write.
	mkdir -m 0755 "$FX/root/run/elsewhere"
	mv "$STAGED" "$FX/root/run/elsewhere/"
	rm -rf "$run" && ln -s elsewhere "$run"
	run install $FXOPTS --dry-run
	assertStagedIgnored "$run a symlink" "not root's alone"
	# The control: root's alone, it wins over sysfs.
	rm "$run" && mv "$FX/root/run/elsewhere" "$run" && chown root:root "$run"
	run install $FXOPTS --dry-run
	assertEquals "trusted: $ERR" "" "$ERR"
	assertContains "trusted: used" "$OUT" "from staged $run/$FX_BUILD_ID.tar.xz"
}

# --run-dir names the directory; the same rules hold for it.
test_run_dir_option_same_rules() {
	need_artefacts && need_debian_kernel && need_root || return 0
	local run=$PUB/staged
	mkdir -m 0755 "$run" && chown nobody "$run"
	cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$FX/sys/kernel/"
	stage "$run"
	run install $FXOPTS --run-dir "$run" --dry-run
	assertStagedIgnored "--run-dir owned by nobody" "not root's alone"
	chown root "$run"
	run install $FXOPTS --run-dir "$run" --dry-run
	assertContains "--run-dir root's: $ERR" "$OUT" "from staged $STAGED"
}

test_staged_copy_not_roots_alone_ignored() {
	need_artefacts && need_debian_kernel && need_root || return 0
	local run=$FX/root/run/khdr how
	mkdir -m 0755 -p "$run"
	cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$FX/sys/kernel/"
	stage "$run"
	for how in nobody:root/0644 nobody:nogroup/0444 root:root/0664 root:nogroup/0666 root:root/0646; do
		chown "${how%/*}" "$STAGED" && chmod "${how#*/}" "$STAGED"
		run install $FXOPTS --dry-run
		assertStagedIgnored "staged $how" "ignoring $STAGED: not a regular file owned by root"
	done
	# Not a regular file: a FIFO must not hang the boot, a directory is no archive.
	rm "$STAGED" && mkfifo -m 0644 "$STAGED"
	OUT=$(timeout 20 "$KHDR" install $FXOPTS --dry-run 2>"$SHUNIT_TMPDIR/stderr")
	RC=$? ERR=$(cat "$SHUNIT_TMPDIR/stderr")
	assertNotEquals "a FIFO: does not hang" 124 "$RC"
	assertStagedIgnored "a FIFO" "ignoring $STAGED"
	rm "$STAGED" && mkdir -m 0755 "$STAGED"
	run install $FXOPTS --dry-run
	assertStagedIgnored "a directory" "ignoring $STAGED"
	# A symlink to a file root owns: still not what the hook left.
	rmdir "$STAGED" && ln -s "$KHDR_ARTEFACTS/kheaders.tar.xz" "$STAGED"
	run install $FXOPTS --dry-run
	assertStagedIgnored "a symlink" "ignoring $STAGED"
}

# An untrusted staged copy is never used, even when it is the only source:
# the install fails and writes nothing.
test_untrusted_staged_copy_never_installed() {
	need_artefacts && need_debian_kernel && need_root || return 0
	local run=$FX/root/run/khdr
	mkdir -m 0755 -p "$run"
	stage "$run"
	chown nobody "$STAGED"
	run install $FXOPTS
	assertEquals "exit: $ERR" 1 "$RC"
	assertContains "$ERR" "ignoring $STAGED"
	assertContains "$ERR" "no headers archive"
	assertNothingInstalled "only an untrusted staged copy"
	# A real install (not --dry-run) with the fallback records sysfs.
	cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$FX/sys/kernel/"
	run install $FXOPTS
	assertEquals "with sysfs: $ERR" 0 "$RC"
	assertEquals "stamp: source" sysfs-builtin "$(stamp_field source)"
}

# ---- build links another user planted ----

# A link into the cache that another user made is foreign: refused without
# --force (link untouched), replaced by root's own link with it.
test_planted_build_link_is_foreign() {
	need_artefacts && need_debian_kernel && need_root || return 0
	mkdir -p "$FX/root/lib/modules/$REL"
	ln -s "/var/cache/khdr/$(key)" "$LINK"
	chown -h nobody:nogroup "$LINK"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "planted, entry missing: exit" 1 "$RC"
	assertContains "$ERR" "not ours"
	assertContains "$ERR" "--force"
	assertEquals "link untouched" "nobody /var/cache/khdr/$(key)" "$(stat -c %U "$LINK") $(readlink "$LINK")"
	assertEquals "nothing extracted" "" "$(ls -A "$CACHE" 2>/dev/null | grep -v '^lock$')"

	# Root's genuine entry, then another user swaps in a link of its own
	# (same target even): the warm path must not take it as ours.
	rm "$LINK"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "genuine install: $ERR" 0 "$RC"
	rm "$LINK" && ln -s "/var/cache/khdr/$(key)" "$LINK" && chown -h nobody "$LINK"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "planted over a valid entry: exit" 1 "$RC"
	assertNotContains "not up to date" "$OUT" "up to date"
	assertContains "$ERR" "not ours"
	assertEquals "link untouched" nobody "$(stat -c %U "$LINK")"

	# A planted link that points elsewhere, into a tree the user controls.
	mkdir -p "$PUB/evil/include" && chown -R nobody "$PUB/evil"
	rm "$LINK" && ln -s "$PUB/evil" "$LINK" && chown -h nobody "$LINK"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "planted elsewhere: exit" 1 "$RC"
	assertEquals "link untouched" "$PUB/evil" "$(readlink "$LINK")"
	assertEquals "nothing written through it" include "$(ls -A "$PUB/evil")"

	# --force replaces it with root's own link to the genuine entry.
	run install $FXOPTS --force --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "forced: $ERR" 0 "$RC"
	assertEquals "root's link now" "root /var/cache/khdr/$(key)" "$(stat -c %U "$LINK") $(readlink "$LINK")"
	assertSameTree forced "$(reference_tree)" "$(entry_dir)"
	assertEquals "the planted tree untouched" include "$(ls -A "$PUB/evil")"
}

# ---- extract --to, unprivileged ----

# The binary and archive where nobody can read them.
public_copies() {
	cp "$KHDR" "$PUB/khdr-cache"
	cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$PUB/"
	mkdir "$PUB/out" && chown nobody:nogroup "$PUB/out"
	mkdir "$PUB/victim" && chown nobody:nogroup "$PUB/victim"
}

test_extract_unprivileged_works() {
	need_artefacts && need_root && need_setpriv || return 0
	public_copies
	extract_as nobody "$PUB/out/tree"
	assertEquals "exit as nobody: $XOUT" 0 "$XRC"
	assertEquals "all owned by nobody" "" "$(find "$PUB/out/tree" ! -user nobody | head -3)"
	assertSameTree "unprivileged" "$(reference_tree)" "$PUB/out/tree"
	# Into a directory it cannot write: a clear error, exit 1.
	extract_as nobody "$PUB/denied"
	assertEquals "not writable: exit: $XOUT" 1 "$XRC"
	assertContains "$XOUT" "Permission denied"
	assertFalse "not created" "[ -e '$PUB/denied' ]"
}

# Run extract as $1 (nobody or root) into $2; output in $XOUT, status in $XRC.
extract_as() {  # who dir
	if [ "$1" = nobody ]; then
		as_nobody "$PUB/khdr-cache" extract --archive "$PUB/kheaders.tar.xz" --to "$2" \
			>"$SHUNIT_TMPDIR/xout" 2>&1
	else
		"$PUB/khdr-cache" extract --archive "$PUB/kheaders.tar.xz" --to "$2" \
			>"$SHUNIT_TMPDIR/xout" 2>&1
	fi
	XRC=$?
	XOUT=$(cat "$SHUNIT_TMPDIR/xout")
}

# A symlink at DIR is refused, however DIR is spelled (a trailing slash
# makes open(2) follow the link even with O_NOFOLLOW), whoever runs it.
test_extract_refuses_symlink_at_dir() {
	need_artefacts && need_root && need_setpriv || return 0
	local to who
	public_copies
	ln -s "$PUB/victim" "$PUB/out/planted"
	ln -s "$PUB/victim/new" "$PUB/out/dangling"
	chown -h nobody:nogroup "$PUB/out/planted" "$PUB/out/dangling"
	for who in nobody root; do
		for to in planted planted/ planted// dangling dangling/; do
			extract_as $who "$PUB/out/$to"
			assertEquals "$who --to out/$to: exit: $XOUT" 1 "$XRC"
			assertEquals "$who --to out/$to: nothing written through it" "" "$(ls -A "$PUB/victim")"
			case $to in
			planted*) assertContains "$who --to out/$to: says why" "$XOUT" "symlink" ;;
			esac
			assertTrue "$who --to out/$to: the link itself left alone" "[ -L '$PUB/out/${to%%/*}' ]"
			find "$PUB/victim" -mindepth 1 -delete   # each case on its own
		done
	done
}

# A DIR that exists already, with a symlink inside where the archive has a
# directory: nothing is written through it (refused, or the link replaced).
test_extract_into_prepared_dir_not_through_symlinks() {
	need_artefacts && need_root && need_setpriv || return 0
	local who
	public_copies
	for who in nobody root; do
		rm -rf "$PUB/out/tree"
		mkdir "$PUB/out/tree"
		ln -s "$PUB/victim" "$PUB/out/tree/include"
		chown -hR nobody:nogroup "$PUB/out/tree"
		extract_as $who "$PUB/out/tree"
		assertEquals "as $who: nothing written through include ($XOUT)" "" "$(ls -A "$PUB/victim")"
		if [ "$XRC" = 0 ]; then
			assertFalse "as $who: exit 0, so include is no symlink any more" "[ -L '$PUB/out/tree/include' ]"
			assertSameTree "as $who" "$(reference_tree)" "$PUB/out/tree"
		else
			assertEquals "as $who: exit: $XOUT" 1 "$XRC"
			assertContains "as $who: says why" "$XOUT" "symlink"
		fi
	done
}

. shunit2
