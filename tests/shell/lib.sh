# tests/shell/lib.sh - shared set-up for the shunit2 suites.
#
# Environment (set by tests/run):
#   KHDR                the khdr-cache binary under test
#   KHDR_ARTEFACTS      kheaders.ko/.tar.xz built by kbuild (build-artefacts.sh)
#   KHDR_DEBIAN_KERNEL  Debian's vmlinuz, vmlinux, notes, build-id (debian-kernel.sh)
#   KHDR_SRCDIR         the source tree

: "${KHDR:?run the suites through tests/run}"
SHUNIT_COLOR=none
export LC_ALL=C

# Skips.  shunit2 counts a test that returns non-zero as failed, skip or
# not, so there is one convention (tests/shell/test-runner.sh holds every
# suite to it):
#  - a test that cannot run here says why and returns 0:
#        [ -x /usr/bin/time ] || { skip_test "no /usr/bin/time"; return 0; }
#  - a need_X helper calls skip_test and returns 1; its callers return 0:
#        need_artefacts || return 0
#  - what every test of a suite needs is asked once, in oneTimeSetUp:
#        oneTimeSetUp() { need_artefacts || skip_suite; }
# The runner counts a test that printed "SKIP: why" as skipped.
# LeakSanitizer stops the world with ptrace, which a process that strace
# traces cannot do: it aborts at exit (the sanitizer pass).  Under strace
# leaks are not checked; the same commands run without strace check them.
strace() { ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 command strace "$@"; }

skip_test() {
	echo "SKIP: $*"
	SKIP_REASON=$*
	startSkipping
}

# Called from oneTimeSetUp after a need_X said no: every test of the suite
# is replaced by one that reports the same skip, and setUp and tearDown by
# nothing, so the runner counts each test as skipped and none runs half.
skip_suite() {
	local f
	SKIP_SUITE=${SKIP_REASON:-"the suite skips (no reason given)"}
	for f in $(declare -F | sed -n 's/^declare -f \(test[A-Za-z0-9_-]*\)$/\1/p'); do
		eval "$f() { skip_test \"\$SKIP_SUITE\"; }"
	done
	setUp() { :; }
	tearDown() { :; }
	return 0
}

# Run the rest of the suite in a private mount namespace whose TMPDIR is a
# tmpfs: shunit2's SHUNIT_TMPDIR, and so every fixture, is then in memory,
# and each install's syncfs waits for the tmpfs, not for the dirty pages
# of the whole machine.  The tmpfs goes with the namespace however the
# suite ends.  Called before shunit2 is sourced, with the suite's "$@".
# Where no namespace can be made, the suite runs on as it was.
suite_on_private_tmpfs() {  # args...
	[ -z "${KHDR_SUITE_TMPFS:-}" ] || return 0
	[ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null || return 0
	export KHDR_SUITE_TMPFS=1
	exec unshare -m --propagation private bash -c '
		d=$(mktemp -d) || exit 1
		if mount -t tmpfs -o mode=1777 khdr-suite "$d"; then
			TMPDIR=$d bash "$@"
		else
			echo "NOTE: no private tmpfs for the suite: its fixtures are in ${TMPDIR:-/tmp}"
			bash "$@"
		fi
		rc=$?
		umount "$d" 2>/dev/null
		rmdir "$d"
		exit $rc' khdr-suite "$0" "$@"
}

need_artefacts() {
	[ -n "${KHDR_ARTEFACTS:-}" ] || { skip_test "no kernel artefacts (tests/lib/build-artefacts.sh failed)"; return 1; }
}

need_debian_kernel() {
	[ -n "${KHDR_DEBIAN_KERNEL:-}" ] || { skip_test "no Debian kernel image (tests/lib/debian-kernel.sh failed)"; return 1; }
}

art_release() { cat "$KHDR_ARTEFACTS/release"; }

# A mount point at /lib/modules, for the suites that mount over it in a
# private namespace.  A machine without kernel modules (a VM or container
# booted from outside) has none, and mount(8) needs one: it is made then,
# and removed again by drop_lib_modules (rmdir: only while empty), so the
# host ends as it began.
LIB_MODULES_MADE=
need_lib_modules() {
	[ -d /lib/modules ] && return 0
	mkdir /lib/modules || { skip_test "no /lib/modules, and it cannot be made as a mount point"; return 1; }
	LIB_MODULES_MADE=1
}

drop_lib_modules() {
	if [ -n "$LIB_MODULES_MADE" ]; then
		rmdir /lib/modules
		# Checked even when the test skipped after making it.
		endSkipping
		assertFalse "the /lib/modules made for the test is gone" "[ -e /lib/modules ]"
	fi
	LIB_MODULES_MADE=
}

# The default tearDown: what need_lib_modules made for a test goes after
# it.  A suite that defines its own tearDown and uses need_lib_modules must
# call drop_lib_modules there.
tearDown() {
	drop_lib_modules
}

# The compiler fingerprint of the artefact build, as compile.h has it.
compile_field() {
	sed -n "s/^#define $1[[:space:]]*\"\\(.*\\)\"\$/\\1/p" "$KHDR_ARTEFACTS/compile.h"
}

# A fixture machine in $FX: root/, sys/ and proc/ as the artefact kernel
# would show them when running (notes taken from Debian's real kernel, so
# the build ID is $FX_BUILD_ID).
make_fixture() {
	FX=$(mktemp -d "$SHUNIT_TMPDIR/fx.XXXXXX")
	mkdir -p "$FX/root" "$FX/sys/kernel" "$FX/proc"
	REL=$(art_release)
	if [ -n "${KHDR_DEBIAN_KERNEL:-}" ]; then
		cp "$KHDR_DEBIAN_KERNEL/notes" "$FX/sys/kernel/notes"
		FX_BUILD_ID=$(cat "$KHDR_DEBIAN_KERNEL/build-id")
	else
		FX_BUILD_ID=
	fi
	printf 'Linux version %s (%s@%s) (%s) #1 SMP PREEMPT_DYNAMIC\n' "$REL" \
		"$(compile_field LINUX_COMPILE_BY)" "$(compile_field LINUX_COMPILE_HOST)" \
		"$(compile_field LINUX_COMPILER)" > "$FX/proc/version"
	FXOPTS="--root $FX/root --sysfs $FX/sys --procfs $FX/proc --kernel-release $REL"
}

# A byte count as khdr-cache prints it in text (base/util.c size_text):
# IEC units, one decimal, a space: "512 B", "25.2 MiB".
iec_size() {  # bytes
	awk -v b="$1" 'BEGIN {
		if (b < 1024) { printf "%d B\n", b; exit }
		split("KiB MiB GiB TiB PiB", u, " ")
		for (i = 0; b >= 1024 && i < 5; i++) b /= 1024
		printf "%.1f %s\n", b, u[i] }'
}

# A cache key with its build ID cut to 12 hex digits, as status shows it.
short_key() {  # key
	local rel=${1%@*} id=${1##*@} pre=
	case $id in crc64-*) pre=crc64-; id=${id#crc64-} ;; esac
	echo "$rel@$pre${id:0:12}"
}

# Run khdr-cache, keeping stdout in $OUT, stderr in $ERR and status in $RC.
run() {
	OUT=$("$KHDR" "$@" 2>"$SHUNIT_TMPDIR/stderr")
	RC=$?
	ERR=$(cat "$SHUNIT_TMPDIR/stderr")
}

# The reference tree: GNU tar's extraction of the same archive.
reference_tree() {
	if [ ! -d "$SHUNIT_TMPDIR/reference" ]; then
		mkdir "$SHUNIT_TMPDIR/reference"
		tar -xJf "$KHDR_ARTEFACTS/kheaders.tar.xz" -C "$SHUNIT_TMPDIR/reference"
	fi
	echo "$SHUNIT_TMPDIR/reference"
}

# Same files, same contents, same symlinks (diff -r compares link targets
# with --no-dereference), same modes.  The installed tree (b) may hold the
# stamp, and the top Makefile khdr-cache writes into a headers-only tree
# when its stamp says so (tests/shell/test-install.sh checks that Makefile).
assertSameTree() {
	local msg=$1 a=$2 b=$3 extra=
	if [ -f "$b/.khdr-stamp" ] && grep -qx 'makefile=headers-only' "$b/.khdr-stamp"; then
		[ -f "$a/Makefile" ] && fail "$msg: the reference has a Makefile, yet the stamp says headers-only"
		extra=./Makefile
	fi
	diff -r --no-dereference -x .khdr-stamp "$a" "$b" > "$SHUNIT_TMPDIR/diff" 2>&1
	if [ -n "$extra" ]; then
		# Only the written Makefile may be extra, and only at the top.
		grep -vx "Only in $b: Makefile" "$SHUNIT_TMPDIR/diff" > "$SHUNIT_TMPDIR/diff.rest"
		grep -qx "Only in $b: Makefile" "$SHUNIT_TMPDIR/diff" ||
			fail "$msg: stamp says makefile=headers-only but $b/Makefile is missing"
		mv "$SHUNIT_TMPDIR/diff.rest" "$SHUNIT_TMPDIR/diff"
	fi
	assertEquals "$msg: diff -r $(head -c 400 "$SHUNIT_TMPDIR/diff")" "" "$(cat "$SHUNIT_TMPDIR/diff")"
	assertEquals "$msg: modes" \
		"$(cd "$a" && find . ! -name .khdr-stamp -printf '%p %m %y\n' | sort | md5sum)" \
		"$(cd "$b" && find . ! -name .khdr-stamp ! -path "${extra:-./.khdr-none}" -printf '%p %m %y\n' | sort | md5sum)"
}

entry_dir() {  # the cache entry build points at, seen from outside the root
	local t
	t=$(readlink "$FX/root/lib/modules/$REL/build") || return 1
	echo "$FX/root$t"
}

stamp_field() {  # key
	sed -n "s/^$1=//p" "$(entry_dir)/.khdr-stamp"
}

# Nothing installed: no entry, no link, no staging left behind.
assertNothingInstalled() {
	assertFalse "$1: no build link" "[ -e '$FX/root/lib/modules/$REL/build' -o -L '$FX/root/lib/modules/$REL/build' ]"
	assertEquals "$1: cache holds no entry or staging" "" \
		"$(ls -A "$FX/root/var/cache/khdr" 2>/dev/null | grep -v '^lock$')"
}

# The cache key of the fixture's running kernel.
key() { echo "$REL@$FX_BUILD_ID"; }

# Install the genuine in-tree archive for the fixture's kernel.
install_running() {
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "install: $ERR" 0 "$RC"
}

# Another cache entry made from the installed one: part of its tree (hard
# links: status and prune must not read trees anyway) and a stamp of its
# own, created at the given time.
clone_entry() {  # new-key release build-id created
	local src=$FX/root/var/cache/khdr/$(key) dst=$FX/root/var/cache/khdr/$1
	mkdir -p "$dst/include/linux"
	cp -al "$src/include/net" "$dst/include/"
	cp -al "$src/include/linux/kconfig.h" "$dst/include/linux/"
	[ -f "$src/Makefile" ] && cp -al "$src/Makefile" "$dst/"
	sed -e "s/^key=.*/key=$1/" -e "s/^release=.*/release=$2/" \
		-e "s/^build_id=.*/build_id=$3/" -e "s/^created=.*/created=$4/" \
		"$src/.khdr-stamp" > "$dst/.khdr-stamp"
}
