#!/bin/bash
# test-crash.sh - crash consistency (issue 7, item 2) and full disks
# (item 3, what test-install.sh does not already cover).
#
# install is killed with SIGKILL at chosen system calls (strace -e inject,
# counted per thread, so the points are the same on every run) spread over
# the whole run: the lock, the extraction's mkdirat/openat2/openat/write/
# utimensat, the stamp (its openat and write, found by what the counting
# run's trace shows), a syncfs (strace counts each thread apart, so the
# flusher thread's first one, mid-extraction, is hit before the main
# thread's; the stamp's write is the point just before that one), the
# commit rename, the link switch and
# its fsync; for an upgrade and for install --force over the linked entry
# too; and in a recovery while it removes what a killed run left.  After
# every kill, build is missing or points at the old entry or at a complete
# new one, never at a partial tree; the next install recovers, leaves no
# staging behind, and gives the reference tree.
#
# Two archives: the in-tree one (headers only, ~6,700 members), whose
# fingerprint verification lets the fixture play a rebuilt kernel (another
# build ID); and the kbuild-complete kheaders.ko of kernel/ for Debian's
# stock kernel (tests/lib/build-kbuild-archive.sh, $KHDR_KBUILD), verified
# by build ID, on a fixture running that kernel, where the upgrade comes
# from the same tree packed for another build ID (wrong-build-id.ko) and
# every recovery is checked by `khdr-cache verify` against the archive.
# The kbuild series kill where its input differs (the extraction from a
# module, the stamp); the commit and the link switch, the same code for
# any input, are killed call by call in the in-tree series only.
. "$(dirname "$0")/lib.sh"

crash_archive() {
	echo "$KHDR_ARTEFACTS/kheaders.tar.xz"
}

oneTimeSetUp() {
	need_artefacts || skip_suite
}

setUp() {
	make_fixture
	ARCHIVE=$(crash_archive) REF_TAR=$ARCHIVE VERIFY_EACH=
	fixture_paths
	# Hundreds of installs: on a tmpfs when there is one, so syncfs does
	# not wait for what the rest of the machine writes to disk.
	SHM=
	if [ -d /dev/shm ] && [ -w /dev/shm ] && [ "$(stat -f -c %T /dev/shm)" = tmpfs ]; then
		SHM=$(mktemp -d /dev/shm/khdr-crash.XXXXXX)
		mv "$FX" "$SHM/fx" && ln -s "$SHM/fx" "$FX"
	fi
}

fixture_paths() {
	CACHE=$FX/root/var/cache/khdr
	RELDIR=$FX/root/lib/modules/$REL
	LINK=$RELDIR/build
}

need_kbuild() {
	[ -n "${KHDR_KBUILD:-}" ] && [ -f "$KHDR_KBUILD/done" ] && return 0
	skip_test "no kbuild-complete archive (tests/lib/build-kbuild-archive.sh failed or was not run by tests/run)"
	return 1
}

# The fixture as Debian's stock kernel runs: its notes (make_fixture copied
# them: the build ID the kbuild archive's manifest pins), its release and
# uname -v; no /proc/version fingerprint (verification is by build ID).
# The archive is the module, as kernel/ installs it; its tar is the
# reference.
use_kbuild_fixture() {
	REL=$(cat "$KHDR_KBUILD/release")
	assertEquals "the fixture runs the kernel the archive was packed for" \
		"$(cat "$KHDR_KBUILD/build-id")" "$FX_BUILD_ID" || return 1
	rm -f "$FX/proc/version"
	mkdir -p "$FX/proc/sys/kernel"
	[ -f "$KHDR_KBUILD/uts_version" ] && cp "$KHDR_KBUILD/uts_version" "$FX/proc/sys/kernel/version"
	FXOPTS="--root $FX/root --sysfs $FX/sys --procfs $FX/proc --kernel-release $REL"
	ARCHIVE=$KHDR_KBUILD/kheaders.ko REF_TAR=$KHDR_KBUILD/kheaders.tar.xz VERIFY_EACH=1
	fixture_paths
}

tearDown() {
	[ -n "${SHM:-}" ] && rm -rf "$SHM"
	SHM=
}

need_strace() {
	command -v strace >/dev/null || { skip_test "strace missing"; return 1; }
	{ strace -f -qq -o /dev/null -e trace=getpid -e inject=getpid:signal=SIGKILL:when=1 \
		sh -c 'kill -0 $$' >/dev/null 2>&1; } 2>/dev/null
	[ $? = 137 ] || { skip_test "strace cannot inject signals here (ptrace denied?)"; return 1; }
}

# The contents of a tree: names, types, modes, link targets and file data
# (the stamp aside), not owners or times.  Cheap enough for every kill.
tree_sig() {  # dir
	tar -C "$1" --sort=name --exclude=./.khdr-stamp --owner=0 --group=0 --numeric-owner \
		--mtime=@0 -cf - . | md5sum | cut -d' ' -f1
}

# Cheaper, for a tree just extracted afresh: names, types, modes, sizes of
# files, link targets.
tree_list() {  # dir
	(cd "$1" && find . ! -name .khdr-stamp -printf '%P %y %m %l\n' -type f -printf '%P %s\n') |
		sort | md5sum | cut -d' ' -f1
}

# Build IDs as sys/kernel/notes shows them (test-install.sh does the same).
set_build_id() {  # hex
	python3 -c 'import struct,sys; d=bytes.fromhex(sys.argv[1]); sys.stdout.buffer.write(struct.pack("<III",4,len(d),3)+b"GNU\0"+d)' \
		"$1" > "$FX/sys/kernel/notes"
}

install_args() { echo "install $FXOPTS --archive $ARCHIVE $EXTRA"; }

# An entry is complete: a stamp naming it, and the clean install's tree
# (contents compared, or with "list" only names, modes and sizes), or the
# given signature of another tree.
assertComplete() {  # what key [list|sig [expected]]
	local d=$CACHE/$2
	assertTrue "$1: $2 exists" "[ -d '$d' ]" || return
	assertEquals "$1: $2 stamp names it" "$2" "$(sed -n 's/^key=//p' "$d/.khdr-stamp" 2>/dev/null)"
	if [ "${3:-}" = list ]; then
		assertEquals "$1: $2 is the complete tree" "${4:-$GOOD_LIST}" "$(tree_list "$d")"
	else
		assertEquals "$1: $2 is the complete tree, not a partial one" "${4:-$GOOD_SIG}" "$(tree_sig "$d")"
	fi
}

assertNoLeftovers() {  # what
	assertEquals "$1: no staging or trash left in the cache" "" \
		"$(ls -A "$CACHE" 2>/dev/null | grep '^\.')"
	assertEquals "$1: no temporary link left" "" "$(ls -A "$RELDIR" 2>/dev/null | grep '^\.build')"
}

# glibc gives each thread that allocates a malloc arena of its own; the
# first thread to free into a non-main arena's heap reads
# /proc/sys/vm/overcommit_memory (an openat and a close), and which thread
# that is -- the main one or a decoder -- changes from run to run.  One
# arena keeps the main thread's calls, and so the kill points, the same.
DETERMINISTIC_MALLOC="env GLIBC_TUNABLES=glibc.malloc.arena_max=1"

# Per-thread counts of the system calls of one uninterrupted run from the
# current state, "name count" lines in $SHUNIT_TMPDIR/counts.
count_syscalls() {  # set
	$DETERMINISTIC_MALLOC strace -f -qq --seccomp-bpf -o "$SHUNIT_TMPDIR/trace" -e trace="$1,execve" \
		"$KHDR" $(install_args) >/dev/null 2>&1
	assertEquals "the counting run succeeds" 0 $?
	# The main thread is the first pid in the trace: the execve's (another
	# thread's call may come before any of the main thread's in the set:
	# the flusher's syncfs).  strace counts per thread, so the other
	# threads' calls are counted apart ("name@decoder", the decoder and
	# flusher threads alike) and the plans use calls the main thread makes.
	awk 'NR == 1 { main = $1 }
	     { n = $2; sub(/\(.*/, "", n); if (n ~ /^[a-z0-9_]+$/) c[n ($1 == main ? "" : "@decoder")]++ }
	     END { for (k in c) print k, c[k] }' "$SHUNIT_TMPDIR/trace" > "$SHUNIT_TMPDIR/counts"
}

# k invocation numbers spread evenly over 1..count, both ends included.
spread() {  # count k
	awk -v c="$1" -v k="$2" 'BEGIN {
		if (k >= c) { for (i = 1; i <= c; i++) print i; exit }
		if (k == 1) { print c; exit }
		for (i = 0; i < k; i++) print 1 + int(i * (c - 1) / (k - 1) + 0.5) }' | sort -un
}

# Kill points "syscall:N" for a plan "syscall:k ..." (k = all: every call;
# k = /regex/: the calls whose line in the counting run's trace matches,
# e.g. the stamp's, which an even spread would miss).
kill_points() {  # counts plan...
	local counts=$1 p sc k c n
	shift
	for p in "$@"; do
		sc=${p%%:*} k=${p#*:}
		case $k in
		/*/)
			k=${k#/}
			awk -v s="$sc" -v re="${k%/}" 'NR == 1 { main = $1 }
				$1 == main { n = $2; sub(/\(.*/, "", n)
					if (n == s && ++c && $0 ~ re) { print s ":" c; found = 1 } }
				END { if (!found) print "nomatch:" s }' "$SHUNIT_TMPDIR/trace"
			continue ;;
		esac
		c=$(echo "$counts" | awk -v s="$sc" '$1 == s { print $2 }')
		[ -n "$c" ] || continue
		[ "$k" = all ] && k=$c
		for n in $(spread "$c" "$k"); do echo "$sc:$n"; done
	done | awk '!seen[$0]++'
}

# Run install under strace, killed with SIGKILL on entering the Nth call
# (of one thread) of a system call: the call never happens.  ($KILL_RC is
# 137 when it was killed.)  Not with --seccomp-bpf: strace 6.1 loses the
# signal then, and its delay_enter alternative trips over the decoder
# thread ("delayed wait data set already").
killed_install() {  # syscall N
	local sc=$1 n=$2
	{ $DETERMINISTIC_MALLOC strace -f -qq -o /dev/null -e trace="$sc" \
		-e inject="$sc:signal=SIGKILL:when=$n" \
		"$KHDR" $(install_args) >"$SHUNIT_TMPDIR/killed.out" 2>&1; } 2>/dev/null
	KILL_RC=$?
}

# One SIGKILL at the Nth call of a system call, then the checks.
# $STATE_OK is a function judging the state after the kill.
kill_at() {  # syscall N
	local sc=$1 n=$2
	killed_install "$sc" "$n"
	assertEquals "$sc#$n: the install was killed there: $(tail -c 300 "$SHUNIT_TMPDIR/killed.out")" 137 "$KILL_RC"
	$STATE_OK "$sc#$n killed"
	# The next install recovers.
	run $(install_args | sed 's/--force//') -v
	assertEquals "$sc#$n: the next install: $ERR" 0 "$RC"
	assertEquals "$sc#$n: the next install links the new entry" "/var/cache/khdr/$NEW" "$(readlink "$LINK")"
	assertComplete "$sc#$n: after the next install" "$NEW" list
	assertNoLeftovers "$sc#$n: after the next install"
	if [ -n "$VERIFY_EACH" ]; then
		# The linked entry, file for file, against the archive it came from.
		run verify $FXOPTS
		assertEquals "$sc#$n: verify after the next install: $OUT $ERR" 0 "$RC"
	fi
	KILLS=$((KILLS + 1))
}

run_kills() {  # reset-function plan...
	local reset=$1 counts p start=$SECONDS
	shift
	$reset
	count_syscalls "$(echo "$@" | tr ' ' '\n' | sed 's/:.*//' | sort -u | paste -sd,)"
	counts=$(cat "$SHUNIT_TMPDIR/counts")
	echo "counts: $(sort -k2 -n "$SHUNIT_TMPDIR/counts" | paste -sd" ")"
	$reset
	KILLS=0
	for p in $(kill_points "$counts" "$@"); do
		case $p in
		nomatch:*) fail "a /regex/ point of the plan for ${p#*:} matched no call"; continue ;;
		esac
		kill_at "${p%%:*}" "${p#*:}"
		$reset
	done
	echo "$KILLS kill points, $((SECONDS - start)) s"
}

# The stamp: the openat that creates it and the write of its contents
# (the last write of the run is the message on stdout).
STAMP='openat:/khdr-stamp.,.O_WRONLY/ write:/format=1.nkey=/'

# ---- first install: nothing there before ----

reset_first() {
	rm -rf "$FX/root/var" "$FX/root/lib"
	EXTRA=
}

state_first() {  # what
	if [ -L "$LINK" ] || [ -e "$LINK" ]; then
		assertEquals "$1: build points at the new entry" "/var/cache/khdr/$NEW" "$(readlink "$LINK")"
		assertComplete "$1: build's target" "$NEW"
	elif [ -d "$CACHE/$NEW" ]; then
		# An entry under its final name is complete, linked or not.
		assertComplete "$1: committed entry" "$NEW"
	fi
}

# A clean run first: the tree every killed run must match, checked
# against GNU tar's extraction of the same archive.
clean_install() {
	run $(install_args)
	assertEquals "clean install: $ERR" 0 "$RC" || return 1
	if [ "$REF_TAR" = "$KHDR_ARTEFACTS/kheaders.tar.xz" ]; then
		assertSameTree "clean install" "$(reference_tree)" "$(entry_dir)"
	else
		rm -rf "$SHUNIT_TMPDIR/kbuild-ref"
		mkdir "$SHUNIT_TMPDIR/kbuild-ref"
		tar -xJf "$REF_TAR" -C "$SHUNIT_TMPDIR/kbuild-ref"
		assertSameTree "clean install (kbuild)" "$SHUNIT_TMPDIR/kbuild-ref" "$(entry_dir)"
		rm -rf "$SHUNIT_TMPDIR/kbuild-ref"
	fi
	GOOD_SIG=$(tree_sig "$(entry_dir)")
	GOOD_LIST=$(tree_list "$(entry_dir)")
}

# Does the program know the verify command yet?  Then the end state
# verifies against the archive too.
maybe_verify() {  # what
	"$KHDR" verify --help >/dev/null 2>&1 || return 0
	run verify $FXOPTS
	assertEquals "$1: verify: $OUT $ERR" 0 "$RC"
}

test_killed_first_install() {
	need_artefacts && need_debian_kernel && need_strace || return 0
	reset_first
	clean_install || return
	NEW=$REL@$FX_BUILD_ID STATE_OK=state_first
	run_kills reset_first \
		mkdirat:8 openat2:4 write:3 openat:2 utimensat:2 close:1 symlinkat:all \
		$STAMP syncfs:all renameat:all renameat2:all fsync:all flock:all unlinkat:all
	assertTrue "at least 30 kill points ($KILLS)" "[ $KILLS -ge 30 ]"
	run $(install_args)
	maybe_verify "first install"
}

# ---- upgrade: a valid entry for the old build, the kernel rebuilt ----

OLD_ID=
reset_upgrade() {
	# The old entry stays; what the killed runs and the recovery made goes.
	rm -rf "${CACHE:?}/$NEW" "$CACHE"/.staging-* "$CACHE"/.trash-* "$RELDIR"/.build.khdr-*
	ln -sfn "/var/cache/khdr/$OLD" "$LINK"
	EXTRA=
}

state_upgrade() {  # what
	local l
	l=$(readlink "$LINK")
	case $l in
	/var/cache/khdr/"$NEW") assertComplete "$1: build (new)" "$NEW" ;;
	*) assertEquals "$1: build still points at the old entry" "/var/cache/khdr/$OLD" "$l" ;;
	esac
	assertComplete "$1: the old entry, kept" "$OLD" list "$OLD_LIST"
	[ -d "$CACHE/$NEW" ] && assertComplete "$1: committed entry" "$NEW"
}

test_killed_upgrade() {
	need_artefacts && need_debian_kernel && need_strace || return 0
	reset_first
	clean_install || return
	OLD=$REL@$FX_BUILD_ID OLD_LIST=$GOOD_LIST
	local new_id=00112233445566778899aabbccddeeff00112233
	set_build_id "$new_id"
	NEW=$REL@$new_id STATE_OK=state_upgrade
	run_kills reset_upgrade \
		mkdirat:2 write:1 symlinkat:1 \
		syncfs:all renameat:all renameat2:all fsync:all flock:all unlinkat:all
	assertTrue "at least 10 kill points ($KILLS)" "[ $KILLS -ge 10 ]"
	run $(install_args)
	maybe_verify "upgrade"
}

# ---- install --force over the linked entry of the same key ----

reset_force() {
	rm -rf "$CACHE"/.staging-* "$CACHE"/.trash-* "$RELDIR"/.build.khdr-*
	EXTRA=--force
}

state_force() {  # what
	assertEquals "$1: build still points at the entry" "/var/cache/khdr/$NEW" "$(readlink "$LINK")"
	assertComplete "$1: build's target, old or new" "$NEW"
}

test_killed_forced_reinstall() {
	need_artefacts && need_debian_kernel && need_strace || return 0
	reset_first
	clean_install || return
	NEW=$REL@$FX_BUILD_ID STATE_OK=state_force
	run_kills reset_force \
		syncfs:all renameat:all renameat2:all fsync:all unlinkat:2 symlinkat:1
	assertTrue "at least 8 kill points ($KILLS)" "[ $KILLS -ge 8 ]"
}

# ---- a recovery killed while it removes what a killed run left ----

test_killed_while_removing_leftovers() {
	need_artefacts && need_debian_kernel && need_strace || return 0
	reset_first
	clean_install || return
	NEW=$REL@$FX_BUILD_ID STATE_OK=state_first
	local n files
	files=$(find "$CACHE/$NEW" | wc -l)
	KILLS=0
	# The removal of a staging dir of a whole tree: one unlinkat per file and
	# directory; the recovery's own run comes after it.
	for n in $((files / 2)) $((files - 1)); do
		reset_first
		killed_install renameat 1
		assertEquals "a staging dir of a whole tree left" 1 "$(ls -A "$CACHE" | grep -c '^\.staging-')"
		kill_at unlinkat "$n"
	done
	assertEquals "2 kill points" 2 "$KILLS"
}

# ---- the kbuild-complete archive (kheaders.ko of kernel/, Debian's
# stock kernel): first install, upgrade, --force ----

test_kbuild_killed_first_install() {
	need_artefacts && need_debian_kernel && need_kbuild && need_strace || return 0
	use_kbuild_fixture || return
	reset_first
	clean_install || return
	maybe_verify "kbuild clean install"
	NEW=$REL@$FX_BUILD_ID STATE_OK=state_first
	# ~6,800 members read from a module: points in the extraction (the
	# first and last call of each kind included).  The stamp and the
	# commit are the same code whatever the input: test_killed_first_install
	# kills at each of their calls, so they are not repeated here.
	run_kills reset_first \
		mkdirat:4 openat2:3 openat:4 write:3 utimensat:3 close:2 symlinkat:all
	assertTrue "at least 20 kill points ($KILLS)" "[ $KILLS -ge 20 ]"
}

# The old build: the same tree packed for another build ID
# (wrong-build-id.ko), installed while the fixture ran that build; then
# the kernel the archive is for boots.
test_kbuild_killed_upgrade() {
	need_artefacts && need_debian_kernel && need_kbuild && need_strace || return 0
	use_kbuild_fixture || return
	reset_first
	local old_id=00112233445566778899aabbccddeeff00112233
	set_build_id "$old_id"
	run install $FXOPTS --archive "$KHDR_KBUILD/wrong-build-id.ko"
	assertEquals "the old build's install: $ERR" 0 "$RC" || return
	maybe_verify "the old build's entry"
	OLD=$REL@$old_id
	assertEquals "the old build is linked" "/var/cache/khdr/$OLD" "$(readlink "$LINK")"
	OLD_LIST=$(tree_list "$CACHE/$OLD")
	cp "$KHDR_DEBIAN_KERNEL/notes" "$FX/sys/kernel/notes"
	NEW=$REL@$FX_BUILD_ID
	clean_install || return
	STATE_OK=state_upgrade
	# The extraction's first and last directory (the first install's series
	# has the rest) and the stamp: the old link survives them all the same.
	# The commit and the link switch are test_killed_upgrade's, call by
	# call: the same code, not repeated here.
	run_kills reset_upgrade mkdirat:2 $STAMP
	assertTrue "at least 4 kill points ($KILLS)" "[ $KILLS -ge 4 ]"
}

# --force over the linked, valid entry of the same key: the new tree is
# exchanged with the old one, which is then removed.
test_kbuild_killed_forced_reinstall() {
	need_artefacts && need_debian_kernel && need_kbuild && need_strace || return 0
	use_kbuild_fixture || return
	reset_first
	clean_install || return
	NEW=$REL@$FX_BUILD_ID STATE_OK=state_force
	# The removal of the old tree of ~6,800 members: its first unlinkat
	# and one midway (the last one is the link switch's).  The exchange
	# and the fsyncs are test_killed_forced_reinstall's, call by call; the
	# extraction, the stamp and the syncfs the first install's.
	run_kills reset_force unlinkat:3
	assertTrue "at least 3 kill points ($KILLS)" "[ $KILLS -ge 3 ]"
}

# ---- full disks (test-install.sh covers: too small for the tree, refused
# before writing, with the shortfall named) ----

# Run "$@" with the cache on a tmpfs of the given options, inside a mount
# namespace; the state the tmpfs held is reported in $SHUNIT_TMPDIR/ns.*
# before the namespace (and the tmpfs) goes.
with_small_cache() {  # tmpfs-options command...
	local opts=$1
	shift
	unshare -m bash -c '
		fx=$1 opts=$2 tmp=$3; shift 3
		mkdir -p "$fx/root/var/cache/khdr" &&
		mount -t tmpfs -o "$opts,mode=0755" tmpfs "$fx/root/var/cache/khdr" || exit 99
		"$@"' _ "$FX" "$opts" "$SHUNIT_TMPDIR" "$@"
}

need_unshare() {
	unshare -m true 2>/dev/null || { skip_test "cannot unshare a mount namespace here"; return 1; }
}

# The inner half of the full-disk tests: install old, then new, report.
full_disk_inner() {  # fx tmp khdr rel new-id archive
	local fx=$1 tmp=$2 khdr=$3 rel=$4 new=$5 archive=$6
	local opts="--root $fx/root --sysfs $fx/sys --procfs $fx/proc --kernel-release $rel"
	"$khdr" install $opts --archive "$archive" >"$tmp/ns.first" 2>&1
	echo $? > "$tmp/ns.first.rc"
	readlink "$fx/root/lib/modules/$rel/build" > "$tmp/ns.first.link"
	cp "$fx/sys/kernel/notes" "$tmp/ns.notes.old"
	cp "$tmp/notes.new" "$fx/sys/kernel/notes"
	"$khdr" install $opts --archive "$archive" >"$tmp/ns.second" 2>&1
	echo $? > "$tmp/ns.second.rc"
	cp "$tmp/ns.notes.old" "$fx/sys/kernel/notes"
	readlink "$fx/root/lib/modules/$rel/build" > "$tmp/ns.second.link"
	ls -A "$fx/root/var/cache/khdr" > "$tmp/ns.cache"
	df -k "$fx/root/var/cache/khdr" > "$tmp/ns.df"
	# The old entry's contents, to compare outside the namespace.
	rm -rf "$tmp/ns.old" && cp -a "$fx/root$(cat "$tmp/ns.first.link")" "$tmp/ns.old" 2>/dev/null
}

full_disk_setup() {
	NEW_ID=00112233445566778899aabbccddeeff00112233
	cp "$FX/sys/kernel/notes" "$SHUNIT_TMPDIR/notes.old"
	set_build_id "$NEW_ID"
	mv "$FX/sys/kernel/notes" "$SHUNIT_TMPDIR/notes.new"
	cp "$SHUNIT_TMPDIR/notes.old" "$FX/sys/kernel/notes"
	# full_disk_inner runs in a new bash: give it the function.
	export -f full_disk_inner
}

# Room for one tree but not two: the upgrade is refused before writing,
# the old entry and link stay, nothing is left in the cache.
test_full_disk_upgrade_keeps_old_entry() {
	need_artefacts && need_debian_kernel && need_unshare || return 0
	full_disk_setup
	local tar_kib
	tar_kib=$(( $(xz --robot --list "$ARCHIVE" | awk '$1 == "totals" { print $5 }') / 1024 ))
	# A tree takes more room than its tar (a page per file): room for the
	# tree (as the reference takes it on disk) and half a tar more.
	local used
	used=$(du -sk "$(reference_tree)" | cut -f1)
	with_small_cache "size=$(( used + tar_kib / 2 ))k" \
		bash -c 'full_disk_inner "$@"' _ "$FX" "$SHUNIT_TMPDIR" "$KHDR" "$REL" "$NEW_ID" "$ARCHIVE"
	[ $? = 99 ] && { skip_test "cannot mount tmpfs here"; return 0; }
	assertEquals "first install fits: $(cat "$SHUNIT_TMPDIR/ns.first")" 0 "$(cat "$SHUNIT_TMPDIR/ns.first.rc")"
	assertEquals "second refused: $(cat "$SHUNIT_TMPDIR/ns.second")" 1 "$(cat "$SHUNIT_TMPDIR/ns.second.rc")"
	assertContains "names the shortfall" "$(cat "$SHUNIT_TMPDIR/ns.second")" "not enough free space"
	assertContains "names the sizes" "$(cat "$SHUNIT_TMPDIR/ns.second")" "KiB are free"
	assertEquals "link untouched" "/var/cache/khdr/$REL@$FX_BUILD_ID" "$(cat "$SHUNIT_TMPDIR/ns.second.link")"
	assertEquals "only the old entry and the lock in the cache" "$REL@$FX_BUILD_ID lock" \
		"$(sort "$SHUNIT_TMPDIR/ns.cache" | paste -sd' ')"
	assertSameTree "old entry intact" "$(reference_tree)" "$SHUNIT_TMPDIR/ns.old"
}

# The space check passes (enough bytes) but the disk fills on the way (no
# inodes left): a clear error, the old entry and link untouched, the staging
# dir removed.
test_disk_full_during_extraction() {
	need_artefacts && need_debian_kernel && need_unshare || return 0
	full_disk_setup
	local files
	files=$(find "$(reference_tree)" | wc -l)
	with_small_cache "size=1g,nr_inodes=$(( files * 3 / 2 ))" \
		bash -c 'full_disk_inner "$@"' _ "$FX" "$SHUNIT_TMPDIR" "$KHDR" "$REL" "$NEW_ID" "$ARCHIVE"
	[ $? = 99 ] && { skip_test "cannot mount tmpfs here"; return 0; }
	assertEquals "first install fits: $(cat "$SHUNIT_TMPDIR/ns.first")" 0 "$(cat "$SHUNIT_TMPDIR/ns.first.rc")"
	assertEquals "second fails: $(cat "$SHUNIT_TMPDIR/ns.second")" 1 "$(cat "$SHUNIT_TMPDIR/ns.second.rc")"
	assertContains "says the disk is full" "$(cat "$SHUNIT_TMPDIR/ns.second")" "No space left on device"
	assertEquals "link untouched" "/var/cache/khdr/$REL@$FX_BUILD_ID" "$(cat "$SHUNIT_TMPDIR/ns.second.link")"
	assertEquals "staging removed: only the old entry and the lock" "$REL@$FX_BUILD_ID lock" \
		"$(sort "$SHUNIT_TMPDIR/ns.cache" | paste -sd' ')"
	assertSameTree "old entry intact" "$(reference_tree)" "$SHUNIT_TMPDIR/ns.old"
}

# With enough space it succeeds, on the same kind of file system.
test_enough_space_succeeds() {
	need_artefacts && need_debian_kernel && need_unshare || return 0
	full_disk_setup
	with_small_cache "size=256m" \
		bash -c 'full_disk_inner "$@"' _ "$FX" "$SHUNIT_TMPDIR" "$KHDR" "$REL" "$NEW_ID" "$ARCHIVE"
	[ $? = 99 ] && { skip_test "cannot mount tmpfs here"; return 0; }
	assertEquals "first: $(cat "$SHUNIT_TMPDIR/ns.first")" 0 "$(cat "$SHUNIT_TMPDIR/ns.first.rc")"
	assertEquals "second: $(cat "$SHUNIT_TMPDIR/ns.second")" 0 "$(cat "$SHUNIT_TMPDIR/ns.second.rc")"
	assertEquals "link moved" "/var/cache/khdr/$REL@$NEW_ID" "$(cat "$SHUNIT_TMPDIR/ns.second.link")"
	assertEquals "both entries" "$REL@$NEW_ID $REL@$FX_BUILD_ID lock" \
		"$(sort "$SHUNIT_TMPDIR/ns.cache" | paste -sd' ')"
}

. shunit2
