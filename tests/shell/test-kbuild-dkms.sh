#!/bin/bash
# test-kbuild-dkms.sh - real DKMS packages build in the kbuild tree install
# makes of a headers-only archive and its version's kit, exactly as against
# Debian's headers.  The tree is made as test-kbuild.sh makes it, from
# genuine parts only (Linux's gen_kheaders.sh archive of Debian's headers
# of its stock kernel R, the kit of linux-source-6.1, R's image, config
# and modules from Debian's linux-image .deb).  Each package's source is
# its Debian bookworm .deb (tests/lib/dkms-sources.sh), built by the real
# dkms(8) for R, once in that tree and once in Debian's linux-headers tree:
# both builds succeed, the same modules come out, each with the same
# vermagic and the same symbol versions (__versions), and those are there.
#
# dkms runs with private trees (--dkmstree, --sourcetree; nothing is
# installed), a private /etc/dkms (signing off: the modules compared are
# as kbuild made them; no framework.conf or per-module override of the
# host's) and a private /lib/modules holding only R's build link to the
# tree under test, for the packages whose Makefiles look there rather than
# at --kernelsourcedir (ddcci, digimend).  The mounts are the suite's own
# mount namespace's (suite_on_private_tmpfs).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kbuild-fixture.sh"
# The mount namespace the suite was started in, kept across the re-exec
# into its own: the mounts below are made only in another one.
export KHDR_DKMS_OUTER_MNT_NS=${KHDR_DKMS_OUTER_MNT_NS:-$(readlink /proc/self/ns/mnt)}
suite_on_private_tmpfs "$@"

# The packages, each of a test below.  Chosen to build in seconds and to
# reach the tree in each way DKMS packages do: KERNEL_DIR= (v4l2loopback),
# make -C the tree with BUILD_EXCLUSIVE_CONFIG (acpi-call), six modules of
# the crypto API (gost-crypto), /lib/modules/R/build with two modules, one
# using the other's exports (ddcci), four HID drivers, dkms.conf sourcing
# the tree's .config (digimend).  jool-dkms builds as well but takes a
# minute a tree.
PACKAGES="v4l2loopback-dkms acpi-call-dkms gost-crypto-dkms ddcci-dkms digimend-dkms"

oneTimeSetUp() {
	local p
	for p in dkms make gcc modinfo /sbin/modprobe; do
		command -v "$p" > /dev/null || { skip_test "no $p"; skip_suite; return 0; }
	done
	[ -n "$KHDR_DKMS_OUTER_MNT_NS" ] && [ "$(readlink /proc/self/ns/mnt)" != "$KHDR_DKMS_OUTER_MNT_NS" ] ||
		{ skip_test "no private mount namespace (root and unshare(1) needed): /etc/dkms and /lib/modules cannot be made private"; skip_suite; return 0; }
	kbuild_inputs || { skip_suite; return 0; }
	SRC=$(sh "$KHDR_SRCDIR/tests/lib/dkms-sources.sh" $PACKAGES) ||
		{ skip_test "the DKMS packages' sources could not be fetched (tests/lib/dkms-sources.sh $PACKAGES)"; skip_suite; return 0; }
	need_lib_modules || { skip_suite; return 0; }
	hide_host_dkms_config ||
		{ skip_test "/etc/dkms and /lib/modules could not be mounted over"; skip_suite; return 0; }
	W=$SHUNIT_TMPDIR/dkms
	mkdir -p "$W"
	make_debian_tree
	make_khdr_tree
	TIMES=
}

# shunit2 2.1.8 may call it twice: each step is done once.
oneTimeTearDown() {
	[ -z "$TIMES" ] || echo "NOTE: dkms build seconds, Debian's headers / khdr-cache's tree:$TIMES"
	TIMES=
	[ -z "$MOUNTED" ] || umount /lib/modules /etc/dkms
	MOUNTED=
	[ -z "$LIB_MODULES_MADE" ] || rmdir /lib/modules
	LIB_MODULES_MADE=
}

# /lib/modules is mounted over for the whole suite: it goes in oneTimeTearDown.
tearDown() { :; }

# Debian's headers as installed: the reference.
make_debian_tree() {
	DEB_TREE=$W/debian
	debian_tree "$DEB_TREE"
}

# A machine where R is installed, not running, with the kit, as
# test-kbuild.sh's setUp makes it; install makes the tree KH_TREE.
make_khdr_tree() {
	local R=$W/root
	kbuild_root "$R"
	run install --root "$R" --sysfs "$R/sys" --procfs "$R/proc" --kernel-release "$KREL" \
		--archive "$DKH/kheaders.tar.xz"
	INSTALL_RC=$RC INSTALL_ERR=$ERR
	KH_TREE=$R$(readlink "$R/lib/modules/$KREL/build")
	KH_KBUILD=$(sed -n 's/^kbuild=//p' "$KH_TREE/.khdr-stamp" 2>/dev/null)
}

# dkms reads /etc/dkms (framework.conf and its .d, <module>.conf) and
# signs with a sign-file it finds, using a key it makes under
# /var/lib/dkms: none of the host's configuration, and no signing.
MOUNTED=
hide_host_dkms_config() {
	mount -t tmpfs khdr-dkms-etc /etc/dkms || return 1
	MOUNTED=1
	mount -t tmpfs khdr-dkms-modules /lib/modules || { umount /etc/dkms; MOUNTED=; return 1; }
	echo 'sign_file=/nonexistent/sign-file' > /etc/dkms/framework.conf
	mkdir "/lib/modules/$KREL"
}

# The fields of PACKAGES' line in the sources' list: deb version, DKMS
# name and version.
package_info() {  # package
	sed -n "s/^$1 //p" "$SRC/packages"
}

# dkms build of one package for R in a tree, into the private DKMS tree
# $W/<which>; the tree is R's /lib/modules build link too.  Prints the
# seconds it took; the status is dkms's.
dkms_build() {  # tree which name version
	local t0 rc
	ln -sfn "$1" "/lib/modules/$KREL/build"
	mkdir -p "$W/$2"
	t0=$EPOCHREALTIME
	dkms build -m "$3" -v "$4" -k "$KREL" --kernelsourcedir "$1" \
		--dkmstree "$W/$2" --sourcetree "$SRC/usr/src" > "$W/$2-$3.log" 2>&1
	rc=$?
	awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", b - a }'
	return $rc
}

# What dkms said, and the end of kbuild's log, of a failed build.
build_log() {  # which name version
	tail -n 8 "$W/$1-$2.log"
	tail -n 25 "$W/$1/$2/$3/build/make.log" 2>/dev/null
}

# The modules dkms kept of a build, relative to its module/ directory.
built_modules() {  # which name version
	(cd "$W/$1/$2/$3/$KREL/$(uname -m)/module" 2>/dev/null && ls -1 | LC_ALL=C sort)
}

# Built with dkms in Debian's tree and in khdr-cache's: both succeed, the
# same modules, each with the same vermagic and __versions, these not empty.
assert_dkms_builds_like_debian() {  # package
	local deb_version name version sd sk rc ko d k vd
	[ "$INSTALL_RC" = 0 ] && [ "$KH_KBUILD" = synthesized ] ||
		{ fail "install made no kbuild tree (status $INSTALL_RC, kbuild=$KH_KBUILD): $INSTALL_ERR"; return; }
	read -r deb_version name version <<< "$(package_info "$1")"
	assertNotNull "$1 in $SRC/packages" "$name" || return
	sd=$(dkms_build "$DEB_TREE" deb "$name" "$version")
	rc=$?
	assertEquals "$1 $deb_version against Debian's headers: $(build_log deb "$name" "$version")" 0 "$rc"
	sk=$(dkms_build "$KH_TREE" khdr "$name" "$version")
	rc=$?
	assertEquals "$1 $deb_version in khdr-cache's tree: $(build_log khdr "$name" "$version")" 0 "$rc"
	TIMES="$TIMES $name $sd/$sk"

	assertNotNull "$1: modules built" "$(built_modules deb "$name" "$version")"
	assertEquals "$1: the same modules" "$(built_modules deb "$name" "$version")" \
		"$(built_modules khdr "$name" "$version")"
	for ko in $(built_modules deb "$name" "$version"); do
		d=$W/deb/$name/$version/$KREL/$(uname -m)/module/$ko
		k=$W/khdr/$name/$version/$KREL/$(uname -m)/module/$ko
		[ -f "$k" ] || continue
		vd=$(modinfo -F vermagic "$d")
		assertEquals "$ko: vermagic is R's" "$KREL" "${vd%% *}"
		assertEquals "$ko: vermagic" "$vd" "$(modinfo -F vermagic "$k")"
		/sbin/modprobe --dump-modversions "$d" > "$W/crc-deb"
		/sbin/modprobe --dump-modversions "$k" > "$W/crc-khdr"
		assertTrue "$ko: symbol versions in Debian's build" "[ -s '$W/crc-deb' ]"
		diff "$W/crc-deb" "$W/crc-khdr" > "$W/crc.diff"
		rc=$?
		assertEquals "$ko: __versions (CRCs and names) as Debian's: $(head -n 7 "$W/crc.diff")" 0 "$rc"
	done
}

test_v4l2loopback_dkms() { assert_dkms_builds_like_debian v4l2loopback-dkms; }
test_acpi_call_dkms() { assert_dkms_builds_like_debian acpi-call-dkms; }
test_gost_crypto_dkms() { assert_dkms_builds_like_debian gost-crypto-dkms; }
test_ddcci_dkms() { assert_dkms_builds_like_debian ddcci-dkms; }
test_digimend_dkms() { assert_dkms_builds_like_debian digimend-dkms; }

. shunit2
