#!/bin/bash
# test-deb.sh - the Debian packages, built and installed for real:
# dpkg-buildpackage -us -uc -b of a clean copy of the source tree makes
# khdr-cache_<version>_<arch>.deb holding exactly what make install
# installs; kernel/mkdeb packs the kbuild kheaders.ko of Debian's current
# kernel (tests/lib/build-kbuild-archive.sh) as khdr-kheaders-<release>;
# lintian finds no error and no warning in either; both are installed
# with the real dpkg and apt in a copy of the guest tier's Debian 12 root
# (tests/lib/guest-root.sh), together with Debian's linux-image-<release>
# .deb, whose postinst and triggers run the hooks: every file lands where
# its tool looks, the unit is enabled, mkinitramfs takes our hook, depmod
# sees the module, and purging takes it all away.
#
# Skips (each test, counted) without dpkg-buildpackage, debhelper or
# lintian (tools/bootstrap installs them), and the root tests without root
# or without the guest root (mmdebstrap).  The kernel hooks of
# /etc/kernel (postinst.d, postrm.d) and the offline install
# (install --kernel-release R for a kernel not running) are checked when
# the package has them, and said so when not.
. "$(dirname "$0")/lib.sh"
suite_on_private_tmpfs "$@"

CACHE=${KHDR_TEST_CACHE:-${HOME:-/root}/.cache/khdr-cache-tests}
VERSION=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$KHDR_SRCDIR/configure.ac")
ARCH=$(dpkg --print-architecture 2>/dev/null)

# bash's command -v falls back to a file it cannot run: ask for one it can.
have() {
	local p
	p=$(command -v "$1") && [ -f "$p" ] && [ -x "$p" ]
}

need_tools() {
	local t
	for t in dpkg-buildpackage dpkg-deb dh lintian; do
		have "$t" ||
			{ skip_test "no $t (tools/bootstrap installs dpkg-dev, debhelper and lintian)"; return 1; }
	done
	[ -f "$KHDR_SRCDIR/debian/control" ] || { skip_test "no debian/ in $KHDR_SRCDIR"; return 1; }
}

oneTimeSetUp() {
	need_tools || { skip_suite; return 0; }
	W=$SHUNIT_TMPDIR/deb
	SRC=$W/khdr-cache-$VERSION
	local t0=$SECONDS
	bash "$KHDR_SRCDIR/tests/lib/build-deb.sh" "$W"
	BUILD_RC=$?
	echo "NOTE: dpkg-buildpackage -us -uc -b: $((SECONDS - t0)) s"
	DEB=$W/khdr-cache_${VERSION}_$ARCH.deb
	CHANGES=$W/khdr-cache_${VERSION}_$ARCH.changes

	# The per-kernel package of Debian's current kernel (never a written
	# ABI number: the release tests/lib resolved through apt).
	KREL= KVER= KDEB= IMGDEB=
	if [ -n "${KHDR_KBUILD:-}" ] && [ -f "$KHDR_KBUILD/done" ]; then
		KREL=$(cat "$KHDR_KBUILD/release")
		IMGDEB=$(ls "$CACHE/debs/linux-image-${KREL}_"*.deb 2>/dev/null | head -n 1)
		if [ -n "$IMGDEB" ]; then
			KVER=$(dpkg-deb -f "$IMGDEB" Version)
		else
			KVER=$(apt-cache show --no-all-versions "linux-image-$KREL" 2>/dev/null | sed -n 's/^Version: //p')
		fi
		mkdir "$W/k"
		"$KHDR_SRCDIR/kernel/mkdeb" --module "$KHDR_KBUILD/kheaders.ko" --kernel-version "$KVER" \
			-o "$W/k" > "$W/mkdeb.out" 2> "$W/mkdeb.err"
		MKDEB_RC=$?
		KDEB=$(cat "$W/mkdeb.out")
	fi
}

need_build() {
	[ "$BUILD_RC" = 0 ] && [ -f "$DEB" ] ||
		{ fail "dpkg-buildpackage failed (status $BUILD_RC): $(tail -n 25 "$W/build.log")"; startSkipping; return 1; }
}

need_kdeb() {
	[ -n "$KREL" ] || { skip_test "no kbuild artefacts (tests/lib/build-kbuild-archive.sh failed)"; return 1; }
	[ "$MKDEB_RC" = 0 ] && [ -f "$KDEB" ] ||
		{ fail "kernel/mkdeb failed (status $MKDEB_RC): $(cat "$W/mkdeb.err")"; startSkipping; return 1; }
}

# Lintian's errors and warnings (infos, pedantic and experimental tags are
# not asked for); its own complaint about running as root is not a tag.
lintian_ew() {  # file...
	lintian "$@" 2>&1 | grep -v 'running with root privileges' | grep '^[EW]: '
}

# The files of a .deb, one a line, without the leading ./ and without
# directories.
deb_files() {  # deb
	dpkg-deb --fsys-tarfile "$1" | tar -tf - | sed 's|^\./||' | grep -v '/$' | grep -v '^$' | LC_ALL=C sort
}

# ---- khdr-cache_<version>_<arch>.deb ----

test_dpkg_buildpackage_makes_the_package_from_a_clean_copy() {
	need_build || return 0
	assertEquals "version from configure.ac's AC_INIT" "$VERSION" "$(dpkg-deb -f "$DEB" Version)"
	assertEquals "architecture" "$ARCH" "$(dpkg-deb -f "$DEB" Architecture)"
	assertEquals "section" "admin" "$(dpkg-deb -f "$DEB" Section)"
	assertTrue "the .changes names the .deb" "grep -q ' khdr-cache_${VERSION}_$ARCH.deb\$' '$CHANGES'"
	# The C unit tests ran at dh_auto_test, and passed (else no .deb).
	assertTrue "dh_auto_test ran the unit tests: $(grep -c '^PASS: ' "$W/build.log") PASS lines" \
		"grep -q '^== tests/unit/test-tar' '$W/build.log'"
}

# debian/ adds nothing and leaves nothing out: what make install puts in
# DESTDIR (configured as dh configured it) is what the package holds, so a
# file a new Makefile.am rule installs is packaged with no debian/ edit.
test_package_holds_exactly_what_make_install_installs() {
	need_build || return 0
	make -s -C "$SRC" install DESTDIR="$W/mi" > "$W/mi.log" 2>&1
	local rc=$?
	assertEquals "make install DESTDIR= in the built tree: $(tail -5 "$W/mi.log")" 0 "$rc"
	(cd "$W/mi" && find . ! -type d | sed 's|^\./||' | LC_ALL=C sort) > "$W/mi.list"
	# dh_compress gzips the man pages; the doc directory is debian/'s own.
	deb_files "$DEB" | sed 's|^\(usr/share/man/.*\)\.gz$|\1|' |
		grep -v '^usr/share/doc/khdr-cache/' > "$W/deb.list"
	assertEquals "package vs make install: $(diff "$W/mi.list" "$W/deb.list" | head -20)" \
		"$(cat "$W/mi.list")" "$(cat "$W/deb.list")"
	assertTrue "the list is not empty" "grep -qx 'usr/sbin/khdr-cache' '$W/deb.list'"
	assertEquals "doc: copyright and changelog" "changelog.gz copyright" \
		"$(deb_files "$DEB" | sed -n 's|^usr/share/doc/khdr-cache/||p' | xargs)"
	if grep -q '^etc/kernel/' "$W/deb.list"; then
		echo "NOTE: kernel hooks packaged: $(grep '^etc/kernel/' "$W/deb.list" | xargs)"
	else
		echo "NOTE: make install installs no /etc/kernel hooks yet: none to check in the package"
	fi
}

# The libraries are dlopen()ed (src/dl-*.c), so dh_shlibdeps cannot see
# them: debian/control names them by hand.  They must be the packages
# that hold the sonames this build recorded in config.h.
test_dlopened_libraries_are_declared() {
	need_build || return 0
	local depends recommends v soname pkg field n=0
	depends=$(dpkg-deb -f "$DEB" Depends)
	recommends=$(dpkg-deb -f "$DEB" Recommends)
	for v in LZMA BLKID ZSTD ZLIB; do
		soname=$(sed -n "s/^#define ${v}_SONAME \"\\(.*\\)\"\$/\\1/p" "$SRC/config.h")
		[ -n "$soname" ] || { [ $v = LZMA ] || [ $v = BLKID ] && fail "no ${v}_SONAME in config.h"; continue; }
		pkg=$(dpkg -S "*/$soname" 2>/dev/null | sed -n "s|^\\([^:]*\\)\\(:[^:]*\\)\\?: .*/$soname\$|\\1|p" | head -n 1)
		assertNotNull "a package holds $soname" "$pkg"
		case $v in LZMA|BLKID) field=$depends ;; *) field=$recommends ;; esac
		assertTrue "$soname ($pkg) in ${v}'s field: Depends: $depends; Recommends: $recommends" \
			"printf '%s\n' '$field' | tr ',' '\n' | sed 's/^ *//;s/ .*//' | grep -qx '$pkg'"
		n=$((n + 1))
	done
	assertTrue "at least liblzma and libblkid checked" "[ $n -ge 2 ]"
}

test_lintian_finds_no_error_or_warning_in_khdr_cache() {
	need_build || return 0
	local out
	out=$(lintian_ew "$CHANGES" "$DEB")
	assertEquals "lintian E:/W: on the .changes and .deb" "" "$out"
}

# ---- khdr-kheaders-<release> (kernel/mkdeb) ----

test_mkdeb_packs_the_module_for_its_kernel() {
	need_kdeb || return 0
	assertEquals "file name" "$W/k/khdr-kheaders-${KREL}_${KVER}+khdr${VERSION}_$ARCH.deb" "$KDEB"
	assertEquals "package" "khdr-kheaders-$KREL" "$(dpkg-deb -f "$KDEB" Package)"
	local dep
	dep=$(dpkg-deb -f "$KDEB" Depends)
	assertEquals "Depends: the exact image (the manifest's build ID is one build's), then khdr-cache" \
		"linux-image-$KREL (= $KVER) | linux-image-$KREL-unsigned (= $KVER), khdr-cache (>= $VERSION)" "$dep"
	assertEquals "files" "lib/modules/$KREL/updates/kheaders.ko
usr/share/doc/khdr-kheaders-$KREL/changelog.Debian.gz
usr/share/doc/khdr-kheaders-$KREL/copyright" "$(deb_files "$KDEB")"
	mkdir "$W/kx"
	dpkg-deb -x "$KDEB" "$W/kx"
	assertTrue "the module, byte for byte" "cmp '$KHDR_KBUILD/kheaders.ko' '$W/kx/lib/modules/$KREL/updates/kheaders.ko'"
	assertEquals "module mode" 644 "$(stat -c %a "$W/kx/lib/modules/$KREL/updates/kheaders.ko")"
	# Installed-Size counts what the package puts on disk (KiB).
	local kib
	kib=$(du -sk "$W/kx" | cut -f1)
	assertTrue "Installed-Size $(dpkg-deb -f "$KDEB" Installed-Size) KiB for $kib KiB unpacked" \
		"[ $(dpkg-deb -f "$KDEB" Installed-Size) -ge $((kib - 8)) ] && [ $(dpkg-deb -f "$KDEB" Installed-Size) -le $((kib + 8)) ]"
	dpkg-deb -e "$KDEB" "$W/kc"
	assertTrue "postinst is sh" "sh -n '$W/kc/postinst'"
	assertTrue "postrm is sh" "sh -n '$W/kc/postrm'"
}

test_lintian_finds_no_error_or_warning_in_khdr_kheaders() {
	need_kdeb || return 0
	assertEquals "lintian E:/W: on $(basename "$KDEB")" "" "$(lintian_ew "$KDEB")"
}

test_mkdeb_refuses_what_is_not_a_kheaders_module() {
	have dpkg-deb || { skip_test "no dpkg-deb"; return 0; }
	mkdir -p "$SHUNIT_TMPDIR/bad"
	local err rc
	err=$("$KHDR_SRCDIR/kernel/mkdeb" --module /bin/sh -o "$SHUNIT_TMPDIR/bad" 2>&1 > /dev/null)
	rc=$?
	assertNotEquals "a program is refused" 0 "$rc"
	assertContains "the message names the file: $err" "$err" "/bin/sh"
	# A real module, but not one of kernel/'s: no archive in it.
	if [ -n "${KHDR_DEBIAN_KERNEL:-}" ] && [ -n "$KREL" ]; then
		local other
		other=$(find "$CACHE"/boot-kernel-*/lib/modules/"$KREL"/kernel -name 'loop.ko' 2>/dev/null | head -n 1)
		if [ -n "$other" ]; then
			err=$("$KHDR_SRCDIR/kernel/mkdeb" --module "$other" -o "$SHUNIT_TMPDIR/bad" 2>&1 > /dev/null)
			rc=$?
			assertNotEquals "loop.ko is refused" 0 "$rc"
			assertContains "it says what is missing: $err" "$err" "carries no headers archive"
		fi
	fi
	assertEquals "no package left behind" "" "$(ls -A "$SHUNIT_TMPDIR/bad")"
}

# ---- installed in a Debian 12 root ----

need_root() {
	[ "$(id -u)" = 0 ] || { skip_test "not root: chroot and dpkg in a root copy need it"; return 1; }
	[ -n "${KHDR_SUITE_TMPFS:-}" ] || { skip_test "no private mount namespace for the root's /proc and /dev"; return 1; }
	if [ -z "${GUEST:-}" ]; then
		GUEST=$(bash "$KHDR_SRCDIR/tests/lib/guest-root.sh" 2> "$SHUNIT_TMPDIR/guest.err") || GUEST=none
	fi
	[ "$GUEST" != none ] || { skip_test "no guest root: $(tail -3 "$SHUNIT_TMPDIR/guest.err")"; return 1; }
}

# One copy of the cached root for the suite (the cached one is never
# touched), with /proc and /dev mounted in our private namespace.
root_copy() {
	ROOT=$SHUNIT_TMPDIR/root
	[ -d "$ROOT" ] && return 0
	local t0=$SECONDS
	cp -a "$GUEST/root" "$ROOT" || { fail "copying $GUEST/root"; return 1; }
	mount -t proc proc "$ROOT/proc" && mount --bind /dev "$ROOT/dev" ||
		{ fail "mounting /proc and /dev in the root"; return 1; }
	echo "NOTE: root copied in $((SECONDS - t0)) s"
}

in_root() {  # command...
	chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C DEBIAN_FRONTEND=noninteractive "$@"
}

pkg_status() {  # package
	in_root dpkg-query -W -f '${Status}' "$1" 2>/dev/null
}

# Where each tool reads its files, asked of the tool (the root's where it
# has the tool, the build machine's dracut and bash-completion otherwise).
where_tools_look() {
	local d
	UNIT_PATHS=$(in_root systemd-analyze unit-paths 2>/dev/null)
	KI_DIR=/usr/lib/kernel/install.d
	grep -aq "$KI_DIR" "$ROOT/usr/bin/kernel-install" || KI_DIR=
	DRACUT_DIR=$(pkg-config --variable=dracutmodulesdir dracut 2>/dev/null)
	[ -n "$DRACUT_DIR" ] || DRACUT_DIR=/usr/lib/dracut/modules.d
	d=$(pkg-config --variable=completionsdir bash-completion 2>/dev/null)
	COMPL_DIR=${d:-/usr/share/bash-completion/completions}
}

test_khdr_cache_installs_where_every_tool_looks_and_purges() {
	need_tools || return 0
	need_build || return 0
	need_root || return 0
	root_copy || return 0
	cp "$DEB" "$ROOT/tmp/"
	in_root dpkg -i "/tmp/$(basename "$DEB")" > "$SHUNIT_TMPDIR/dpkg.log" 2>&1
	local rc=$? unit
	assertEquals "dpkg -i: $(tail -5 "$SHUNIT_TMPDIR/dpkg.log")" 0 "$rc"
	assertEquals "status" "install ok installed" "$(pkg_status khdr-cache)"
	assertEquals "runs in the root (liblzma dlopen()ed there)" "khdr-cache $VERSION" \
		"$(in_root khdr-cache --version 2>&1 | head -n 1)"
	where_tools_look
	unit=$(deb_files "$DEB" | grep '/khdr-cache\.service$')
	assertTrue "systemd reads units from $(dirname "/$unit"): $UNIT_PATHS" \
		"printf '%s\n' \"\$UNIT_PATHS\" | grep -qx '$(dirname "/$unit")'"
	assertEquals "the unit is enabled" "enabled" "$(systemctl --root="$ROOT" is-enabled khdr-cache.service 2>&1)"
	assertTrue "wanted by sysinit.target" "[ -L '$ROOT/etc/systemd/system/sysinit.target.wants/khdr-cache.service' ]"
	assertNotNull "kernel-install of the root reads /usr/lib/kernel/install.d" "$KI_DIR"
	assertTrue "kernel-install plugin, executable, before 40-dkms.install" "[ -x '$ROOT$KI_DIR/35-khdr-cache.install' ]"
	assertEquals "the handoff unit is enabled" "enabled" "$(systemctl --root="$ROOT" is-enabled khdr-cache-handoff.service 2>&1)"
	assertTrue "dracut module in $DRACUT_DIR" "[ -x '$ROOT$DRACUT_DIR/90khdr/module-setup.sh' ]"
	assertTrue "initramfs-tools hook" "[ -x '$ROOT/usr/share/initramfs-tools/hooks/khdr-cache' ]"
	assertTrue "init-bottom script" "[ -x '$ROOT/usr/share/initramfs-tools/scripts/init-bottom/khdr-cache' ]"
	assertTrue "completion in $COMPL_DIR" "[ -f '$ROOT$COMPL_DIR/khdr-cache' ]"
	assertTrue "man page where man looks" "in_root man -w khdr-cache > /dev/null 2>&1 || [ -f '$ROOT/usr/share/man/man8/khdr-cache.8.gz' ]"
	# The kernel hooks of /etc/kernel, when the package has them: conffiles,
	# executable, and run before DKMS's (run-parts order).
	local h d
	for h in $(deb_files "$DEB" | grep '^etc/kernel/'); do
		assertTrue "$h executable" "[ -x '$ROOT/$h' ]"
		assertTrue "$h is a conffile" "grep -qx '/$h' '$ROOT/var/lib/dpkg/info/khdr-cache.conffiles'"
		d=$(dirname "/$h")
		if [ -e "$ROOT$d/dkms" ]; then
			assertEquals "run-parts runs $h before dkms: $(in_root run-parts --test "$d" | xargs)" \
				"/$h" "$(in_root run-parts --test "$d" | grep -e "^/$h\$" -e "^$d/dkms\$" | head -n 1)"
		fi
	done

	in_root dpkg --purge khdr-cache > "$SHUNIT_TMPDIR/purge.log" 2>&1
	rc=$?
	assertEquals "dpkg --purge: $(tail -5 "$SHUNIT_TMPDIR/purge.log")" 0 "$rc"
	assertFalse "binary gone" "[ -e '$ROOT/usr/sbin/khdr-cache' ]"
	assertFalse "enablement gone" "[ -L '$ROOT/etc/systemd/system/sysinit.target.wants/khdr-cache.service' ]"
	assertEquals "no file of ours left" "" \
		"$(for f in $(deb_files "$DEB"); do [ -e "$ROOT/$f" ] && echo "$f"; done)"
}

# apt installs Debian's real linux-image-<release> .deb and both packages;
# the image's postinst runs /etc/kernel/postinst.d (DKMS's, initramfs-tools',
# ours when packaged), then khdr-kheaders' postinst runs depmod and the
# offline install.  apt fetches the image's dependencies (linux-base,
# initramfs-tools) from the machine's sources, kept in $CACHE/deb-root-apt.
test_kheaders_package_installs_with_the_kernel_and_never_fails() {
	need_tools || return 0
	need_build || return 0
	need_kdeb || return 0
	need_root || return 0
	[ -n "$IMGDEB" ] || { skip_test "no linux-image-$KREL .deb in $CACHE/debs (tests/lib/debian-kernel.sh)"; return 0; }
	root_copy || return 0
	# The root's lists are empty (mmdebstrap): the machine's, from the same
	# sources.  The initramfs is built twice (the image's hook, our trigger):
	# MODULES=list keeps that to seconds.
	cp -a /var/lib/apt/lists/. "$ROOT/var/lib/apt/lists/"
	cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null
	mkdir -p "$ROOT/etc/initramfs-tools/conf.d" "$CACHE/deb-root-apt/partial"
	echo MODULES=list > "$ROOT/etc/initramfs-tools/conf.d/khdr-test"
	mount --bind "$CACHE/deb-root-apt" "$ROOT/var/cache/apt/archives" ||
		{ fail "bind-mounting the apt archive cache"; return 0; }
	cp "$DEB" "$KDEB" "$IMGDEB" "$ROOT/tmp/"
	local t0=$SECONDS rc
	in_root apt-get install -y -q --no-install-recommends -o APT::Keep-Downloaded-Packages=true \
		"/tmp/$(basename "$IMGDEB")" "/tmp/$(basename "$DEB")" "/tmp/$(basename "$KDEB")" \
		> "$SHUNIT_TMPDIR/apt.log" 2>&1
	rc=$?
	# The local .debs apt copied into its archive cache are not kept.
	rm -f "$CACHE/deb-root-apt/$(basename "$IMGDEB")" "$CACHE/deb-root-apt/$(basename "$DEB")" \
		"$CACHE/deb-root-apt/$(basename "$KDEB")"
	umount "$ROOT/var/cache/apt/archives"
	echo "NOTE: apt-get install of linux-image-$KREL, khdr-cache, khdr-kheaders-$KREL: $((SECONDS - t0)) s"
	if [ $rc != 0 ] && grep -q -e 'Failed to fetch' -e 'Temporary failure resolving' -e 'Unable to fetch' "$SHUNIT_TMPDIR/apt.log"; then
		skip_test "apt cannot fetch the image's dependencies: $(grep -m1 -e 'Failed to fetch' -e 'Temporary failure' -e 'Unable to fetch' "$SHUNIT_TMPDIR/apt.log")"
		return 0
	fi
	assertEquals "apt-get install: $(tail -n 15 "$SHUNIT_TMPDIR/apt.log")" 0 "$rc"
	local p
	for p in "linux-image-$KREL" khdr-cache "khdr-kheaders-$KREL"; do
		assertEquals "$p" "install ok installed" "$(pkg_status "$p")"
	done
	local mod=$ROOT/lib/modules/$KREL/updates/kheaders.ko
	assertTrue "the module in updates/" "cmp '$KHDR_KBUILD/kheaders.ko' '$mod'"
	assertTrue "depmod lists it" "grep -q '^updates/kheaders.ko:' '$ROOT/lib/modules/$KREL/modules.dep'"
	assertEquals "modinfo finds it for $KREL" "/lib/modules/$KREL/updates/kheaders.ko" \
		"$(in_root modinfo -k "$KREL" -n kheaders 2>&1)"
	assertEquals "the unit is enabled" "enabled" "$(systemctl --root="$ROOT" is-enabled khdr-cache.service 2>&1)"
	# mkinitramfs took our hook (where initramfs-tools reads it).
	local lst
	lst=$(in_root lsinitramfs "/boot/initrd.img-$KREL" 2>/dev/null)
	assertTrue "the initramfs holds khdr-cache" "printf '%s\n' \"\$lst\" | grep -q 'sbin/khdr-cache\$'"
	assertTrue "the initramfs holds the init-bottom script" \
		"printf '%s\n' \"\$lst\" | grep -q 'scripts/init-bottom/khdr-cache\$'"
	assertTrue "the initramfs holds kheaders.ko" "printf '%s\n' \"\$lst\" | grep -q 'updates/kheaders.ko\$'"

	# The offline install, when khdr-cache has it: the tree before the boot.
	local build=$ROOT/lib/modules/$KREL/build
	if in_root khdr-cache --help 2>&1 | grep -q -e '--kernel-image'; then
		assertTrue "build link made before any boot: $(grep -A3 'Setting up khdr-kheaders' "$SHUNIT_TMPDIR/apt.log")" "[ -L '$build' ]"
		assertEquals "verified against /boot/vmlinuz-$KREL" "build-id" \
			"$(sed -n 's/^verified=//p' "$ROOT$(readlink "$build")/.khdr-stamp" 2>/dev/null)"
		# Handed on as linux-headers-$KREL's postinst would: Debian's
		# DKMS hook in header_postinst.d built v4l2loopback for the
		# kernel that has never run.
		local st
		st=$(in_root dkms status -m v4l2loopback -k "$KREL" 2>&1)
		assertContains "dkms status for $KREL: $(grep -e khdr -e dkms -e DKMS "$SHUNIT_TMPDIR/apt.log" | tail -n 8)" \
			"$st" ": installed"
		assertTrue "v4l2loopback.ko for $KREL" \
			"[ -f '$ROOT/lib/modules/$KREL/updates/dkms/v4l2loopback.ko' ]"
		assertTrue "depmod lists it for $KREL" \
			"grep -q '^updates/dkms/v4l2loopback.ko:' '$ROOT/lib/modules/$KREL/modules.dep'"
		assertTrue "the handoff said so" "grep -q 'handed $KREL@[0-9a-f]* on to /etc/kernel/header_postinst.d' '$SHUNIT_TMPDIR/apt.log'"
	else
		echo "NOTE: this khdr-cache has no offline install (--kernel-image): the postinst must say so and succeed"
		assertTrue "postinst said why: $(grep -A3 'Setting up khdr-kheaders' "$SHUNIT_TMPDIR/apt.log")" \
			"grep -q 'khdr-kheaders-$KREL: khdr-cache install --kernel-release $KREL failed' '$SHUNIT_TMPDIR/apt.log'"
	fi
	echo "NOTE: installed: khdr-cache $(pkg_size khdr-cache) KiB, khdr-kheaders-$KREL $(pkg_size "khdr-kheaders-$KREL") KiB (dpkg Installed-Size)"

	# postrm: depmod again, the module gone from modules.dep.
	in_root dpkg -r "khdr-kheaders-$KREL" > "$SHUNIT_TMPDIR/rm.log" 2>&1
	rc=$?
	assertEquals "dpkg -r: $(tail -5 "$SHUNIT_TMPDIR/rm.log")" 0 "$rc"
	assertFalse "module gone" "[ -e '$mod' ]"
	assertFalse "depmod forgot it" "grep -q 'kheaders' '$ROOT/lib/modules/$KREL/modules.dep'"
	assertTrue "the kernel's own modules still listed" "[ -s '$ROOT/lib/modules/$KREL/modules.dep' ]"
	# And back, with dpkg alone: its postinst's depmod lists it again.
	in_root dpkg -i "/tmp/$(basename "$KDEB")" > "$SHUNIT_TMPDIR/re.log" 2>&1
	rc=$?
	assertEquals "dpkg -i again: $(tail -5 "$SHUNIT_TMPDIR/re.log")" 0 "$rc"
	assertTrue "postinst's depmod lists it" "grep -q '^updates/kheaders.ko:' '$ROOT/lib/modules/$KREL/modules.dep'"
}

pkg_size() { in_root dpkg-query -W -f '${Installed-Size}' "$1" 2>/dev/null; }

# The root after the test above: the kernel, both packages, the tree.
need_installed_kernel() {
	need_tools && need_build && need_kdeb && need_root || return 1
	[ -n "${ROOT:-}" ] && [ "$(pkg_status "linux-image-$KREL")" = "install ok installed" ] ||
		{ skip_test "linux-image-$KREL is not installed in the root (the test above did not get that far)"; return 1; }
}

# The cache's entries of release R, one key a line.
entries() { ls -A "$ROOT/var/cache/khdr" 2>/dev/null | grep "^$1@" | grep -v '\.lock$'; }

# A kheaders module of another build of the same release (its manifest's
# build ID is not the image's): the offline install is refused, the
# packages are installed all the same, and what was compared is said.
test_a_refused_offline_install_never_fails_the_kernel() {
	need_installed_kernel || return 0
	[ -f "$KHDR_KBUILD/wrong-build-id.ko" ] || { skip_test "no wrong-build-id.ko in $KHDR_KBUILD"; return 0; }
	local build=$ROOT/lib/modules/$KREL/build before rc
	before=$(readlink "$build")
	assertNotNull "a tree from the test above" "$before"
	mkdir -p "$W/wrong"
	"$KHDR_SRCDIR/kernel/mkdeb" --module "$KHDR_KBUILD/wrong-build-id.ko" --kernel-version "$KVER" \
		-o "$W/wrong" > "$W/wrong.out" 2>&1
	rc=$?
	assertEquals "mkdeb of the other build's module: $(cat "$W/wrong.out")" 0 "$rc"
	cp "$(tail -n 1 "$W/wrong.out")" "$ROOT/tmp/wrong.deb"
	# The tree goes first, so that the install has something to do.
	in_root sh -c "rm -f /lib/modules/$KREL/build && khdr-cache prune -q --removed $KREL" > /dev/null 2>&1
	assertEquals "no entry left to start with" "" "$(entries "$KREL")"
	in_root dpkg -i /tmp/wrong.deb > "$SHUNIT_TMPDIR/wrong.log" 2>&1
	rc=$?
	assertEquals "dpkg -i succeeds: $(tail -n 8 "$SHUNIT_TMPDIR/wrong.log")" 0 "$rc"
	assertEquals "installed" "install ok installed" "$(pkg_status "khdr-kheaders-$KREL")"
	assertTrue "it says what was compared: $(cat "$SHUNIT_TMPDIR/wrong.log")" \
		"grep -q \"the kernel image /boot/vmlinuz-$KREL.*build ID\" '$SHUNIT_TMPDIR/wrong.log'"
	assertTrue "and what happens next" "grep -q 'installed when $KREL boots' '$SHUNIT_TMPDIR/wrong.log'"
	assertFalse "no build link" "[ -e '$build' ] || [ -L '$build' ]"
	assertEquals "no entry" "" "$(entries "$KREL")"
	# The kernel's own postinst.d hook refuses it too, and Debian's
	# linux-image package installs all the same (dpkg -i again).
	in_root dpkg -i "/tmp/$(basename "$IMGDEB")" > "$SHUNIT_TMPDIR/reconf.log" 2>&1
	rc=$?
	assertEquals "dpkg -i linux-image-$KREL: $(tail -n 8 "$SHUNIT_TMPDIR/reconf.log")" 0 "$rc"
	assertTrue "the hook said why: $(grep khdr "$SHUNIT_TMPDIR/reconf.log")" \
		"grep -q 'no headers installed for $KREL' '$SHUNIT_TMPDIR/reconf.log'"
	assertFalse "still no build link" "[ -e '$build' ] || [ -L '$build' ]"
	# The right module again, with DKMS's module for the kernel unbuilt: the
	# package's postinst installs the tree and hands it on (the kernel's
	# hook did both in apt's run above: it unpacked the module first).
	local mv
	mv=$(in_root dkms status -m v4l2loopback -k "$KREL" | sed -n 's|^\(v4l2loopback/[^,]*\),.*|\1|p')
	assertNotNull "DKMS's v4l2loopback for $KREL" "$mv"
	# remove takes the last kernel's module out of DKMS's tree; add puts
	# the source back, as v4l2loopback-dkms's postinst did.
	in_root sh -c "dkms remove $mv -k $KREL && dkms add $mv" > "$SHUNIT_TMPDIR/dkms-rm.log" 2>&1
	assertFalse "dkms remove took it: $(cat "$SHUNIT_TMPDIR/dkms-rm.log")" \
		"[ -e '$ROOT/lib/modules/$KREL/updates/dkms/v4l2loopback.ko' ]"
	in_root dpkg -i "/tmp/$(basename "$KDEB")" > "$SHUNIT_TMPDIR/right.log" 2>&1
	rc=$?
	assertEquals "dpkg -i of the right package: $(tail -n 8 "$SHUNIT_TMPDIR/right.log")" 0 "$rc"
	assertTrue "the tree is back: $(tail -n 8 "$SHUNIT_TMPDIR/right.log")" "[ -L '$build' ]"
	assertTrue "handed on by the postinst: $(tail -n 8 "$SHUNIT_TMPDIR/right.log")" \
		"grep -q 'handed $KREL@[0-9a-f]* on to /etc/kernel/header_postinst.d' '$SHUNIT_TMPDIR/right.log'"
	assertContains "DKMS built it again" "$(in_root dkms status -m v4l2loopback -k "$KREL" 2>&1)" ": installed"
	assertTrue "v4l2loopback.ko for $KREL again" \
		"[ -f '$ROOT/lib/modules/$KREL/updates/dkms/v4l2loopback.ko' ]"
}

# Purging the kernel: its postrm.d hook drops the link and the entries.
test_purging_the_kernel_drops_the_link_and_the_entries() {
	need_installed_kernel || return 0
	local build=$ROOT/lib/modules/$KREL/build rc
	assertTrue "a tree to start with" "[ -L '$build' ]"
	assertNotNull "an entry to start with" "$(entries "$KREL")"
	in_root dpkg --purge "khdr-kheaders-$KREL" "linux-image-$KREL" > "$SHUNIT_TMPDIR/purge-k.log" 2>&1
	rc=$?
	assertEquals "dpkg --purge: $(tail -n 8 "$SHUNIT_TMPDIR/purge-k.log")" 0 "$rc"
	assertEquals "linux-image-$KREL purged" "" "$(pkg_status "linux-image-$KREL")"
	assertFalse "the build link is gone" "[ -e '$build' ] || [ -L '$build' ]"
	assertEquals "the entries are gone" "" "$(entries "$KREL")"
	assertEquals "nothing of $KREL stays in the cache" "" \
		"$(ls -A "$ROOT/var/cache/khdr" 2>/dev/null | grep -F "$KREL")"
	# DKMS's own postrm.d hook removed its module; nothing keeps
	# lib/modules/$KREL alive but what DKMS leaves (its own business).
	assertFalse "no kheaders.ko left" "[ -e '$ROOT/lib/modules/$KREL/updates/kheaders.ko' ]"
	assertEquals "khdr-cache itself stays" "install ok installed" "$(pkg_status khdr-cache)"
}

oneTimeTearDown() {
	if [ -n "${ROOT:-}" ] && [ -d "$ROOT" ]; then
		umount "$ROOT/var/cache/apt/archives" 2>/dev/null
		umount "$ROOT/dev" 2>/dev/null
		umount "$ROOT/proc" 2>/dev/null
	fi
	return 0
}

. shunit2
