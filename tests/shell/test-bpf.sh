#!/bin/bash
# test-bpf.sh - BCC and bpftrace, for real, find the headers khdr-cache
# installed at /lib/modules/$(uname -r)/build, with no headers package and
# no /tmp/kheaders-<release> of their own.  Each case runs in a private
# mount namespace with tmpfs over /lib/modules and over the cache, so the
# host is untouched.  The trees are not this kernel's (it has no kheaders):
# macros only headers carry, and the files the tools open, are the proof.
. "$(dirname "$0")/lib.sh"

CACHE_DIR=/run/khdr-test-bpf

# Run "$@" in a namespace where build is installed from archive $1 ("" for
# none).  Output in $SHUNIT_TMPDIR/ns.out.
in_namespace() {  # archive command...
	local archive=$1
	shift
	NSRC=97
	need_lib_modules || return 1
	mkdir -p "$CACHE_DIR"
	unshare -m --propagation private bash -c '
		rel=$(uname -r) khdr=$1 archive=$2 cache=$3; shift 3
		mount -t tmpfs khdr-test /lib/modules && mount -t tmpfs khdr-test "$cache" || exit 97
		mkdir -p "/lib/modules/$rel"
		if [ -n "$archive" ]; then
			"$khdr" install -q --kernel-release "$rel" --cache-dir "$cache/c" --run-dir "$cache/run" --archive "$archive" --force ||
				{ echo "install failed"; exit 96; }
		fi
		"$@"; rc=$?
		# The tools must not have changed the tree they used.
		if [ -n "$archive" ]; then
			"$khdr" verify -q --kernel-release "$rel" --cache-dir "$cache/c" || echo "tree changed"
		fi
		exit $rc
	' sh "$KHDR" "$archive" "$CACHE_DIR" "$@" > "$SHUNIT_TMPDIR/ns.out" 2>&1
	NSRC=$?
	rmdir "$CACHE_DIR" 2>/dev/null
	return 0
}

need_bpf() {
	command -v unshare >/dev/null && unshare -m true 2>/dev/null ||
		{ skip_test "unshare -m is not available"; return 1; }
	[ ! -e "/tmp/kheaders-$(uname -r)" ] ||
		{ skip_test "/tmp/kheaders-$(uname -r) exists: BCC and bpftrace would use it ('khdr-cache prune --legacy' removes it)"; return 1; }
}

need_bpftrace() {
	need_bpf || return 1
	command -v bpftrace >/dev/null || { skip_test "bpftrace missing"; return 1; }
	timeout 60 bpftrace -e 'BEGIN { exit(); }' >/dev/null 2>&1 ||
		{ skip_test "bpftrace cannot load programs here (no BPF privilege?)"; return 1; }
}

need_bcc() {
	need_bpf || return 1
	/usr/bin/python3 -c 'import bcc' 2>/dev/null || { skip_test "python3-bpfcc missing"; return 1; }
}

need_kbuild() {
	[ -n "${KHDR_KBUILD:-}" ] && [ -f "$KHDR_KBUILD/kheaders.tar.xz" ] ||
		{ skip_test "no kbuild-complete archive (tests/lib/build-kbuild-archive.sh)"; return 1; }
}

write_bt() {
	cat > "$SHUNIT_TMPDIR/uts.bt" <<'EOT'
#include <generated/utsrelease.h>
BEGIN { printf("release=%s\n", UTS_RELEASE); exit(); }
EOT
}

bpftrace_with() {  # archive expected-release
	write_bt
	in_namespace "$1" strace -f -qq -e trace=openat -o "$SHUNIT_TMPDIR/strace" \
		timeout 120 bpftrace "$SHUNIT_TMPDIR/uts.bt"
	assertEquals "bpftrace: $(tail -n 5 "$SHUNIT_TMPDIR/ns.out")" 0 "$NSRC"
	assertContains "UTS_RELEASE of the archive" "$(cat "$SHUNIT_TMPDIR/ns.out")" "release=$2"
	grep -q "\"/lib/modules/$(uname -r)/build/include/generated/utsrelease.h\", O_RDONLY.* = [0-9]" \
		"$SHUNIT_TMPDIR/strace"
	assertTrue "the header opened (successfully) under build/" $?
	assertNotContains "$(cat "$SHUNIT_TMPDIR/ns.out")" "tree changed"
}

test_bpftrace_with_the_in_tree_archive() {
	need_artefacts && need_bpftrace || return 0
	bpftrace_with "$KHDR_ARTEFACTS/kheaders.tar.xz" "$(art_release)"
}

test_bpftrace_with_the_kbuild_archive() {
	need_bpftrace && need_kbuild || return 0
	bpftrace_with "$KHDR_KBUILD/kheaders.tar.xz" "$(cat "$KHDR_KBUILD/release")"
}

test_bpftrace_without_headers_fails() {
	need_bpftrace || return 0
	write_bt
	in_namespace "" timeout 120 bpftrace "$SHUNIT_TMPDIR/uts.bt"
	assertNotEquals "control: no tree, no headers: $(cat "$SHUNIT_TMPDIR/ns.out")" 0 "$NSRC"
	assertNotContains "$(cat "$SHUNIT_TMPDIR/ns.out")" "release="
	# bpftrace itself failed, on the missing header (not the namespace).
	assertContains "$(cat "$SHUNIT_TMPDIR/ns.out")" "'generated/utsrelease.h' file not found"
}

write_bcc() {
	cat > "$SHUNIT_TMPDIR/probe_bcc.py" <<'EOT'
from bcc import BPF
prog = r"""
#include <linux/sched.h>
RAW_TRACEPOINT_PROBE(sched_switch) { return 0; }
"""
b = BPF(text=prog, debug=4)
print("loaded", flush=True)
EOT
}

# The in-tree archive of the test artefacts is a defconfig build, which has
# no CONFIG_BPF_SYSCALL: BCC's helpers.h refuses such a config by design.
# Debian's config has it; so BCC runs on the kbuild-complete archive.
test_bcc_with_the_kbuild_archive() {
	need_bcc && need_kbuild || return 0
	write_bcc
	in_namespace "$KHDR_KBUILD/kheaders.tar.xz" timeout 180 /usr/bin/python3 "$SHUNIT_TMPDIR/probe_bcc.py"
	assertEquals "bcc: $(grep -v '^clang -cc1' "$SHUNIT_TMPDIR/ns.out" | tail -n 5)" 0 "$NSRC"
	assertContains "$(cat "$SHUNIT_TMPDIR/ns.out")" "Running from kernel directory at: /lib/modules/$(uname -r)/build"
	assertContains "$(cat "$SHUNIT_TMPDIR/ns.out")" "loaded"
	assertNotContains "$(cat "$SHUNIT_TMPDIR/ns.out")" "tree changed"
}

test_bcc_without_headers_fails() {
	need_bcc || return 0
	write_bcc
	in_namespace "" timeout 180 /usr/bin/python3 "$SHUNIT_TMPDIR/probe_bcc.py"
	assertNotEquals "control: no tree" 0 "$NSRC"
	assertNotContains "$(cat "$SHUNIT_TMPDIR/ns.out")" "loaded"
	# BCC itself failed, for want of headers (not the namespace).
	assertContains "$(cat "$SHUNIT_TMPDIR/ns.out")" "Unable to find kernel headers"
}

. shunit2
