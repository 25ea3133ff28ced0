#!/bin/bash
# test-hooks.sh - the boot integration as the tools see it: a fresh
# out-of-tree build configured as a distribution would (--prefix=/usr) and
# installed into a DESTDIR; every file where its tool reads it (the places
# are asked of the tools, not of our configure), uninstalled without a
# trace; the systemd unit through systemd-analyze verify, its bounding set
# enough for the late install; the real kernel-install removing a kernel
# in a fixture root; the real mkinitramfs building an initramfs for
# Debian's kernel with our hook; the init-bottom script's switches and its
# never failing.  The host is never touched: the installed files are put
# in place with overlay mounts in a private mount namespace.
. "$(dirname "$0")/lib.sh"

# Debian's current kernel, the one tests/lib builds the kbuild kheaders.ko
# for: its release as apt resolved it there, never a written ABI number.
# Without those artefacts the hook tests that only pass a release use a
# name of their own (the tests that need Debian's tree skip).
KREL=$(cat "${KHDR_KBUILD:-${KHDR_DEBIAN_KERNEL:-/nonexistent}}/release" 2>/dev/null) ||
	KREL=6.1.0-khdr-test

oneTimeSetUp() {
	HB=$SHUNIT_TMPDIR/build
	DEST=$SHUNIT_TMPDIR/dest
	mkdir -p "$HB"
	local t0=$SECONDS
	# A cache file spares the second configure (other directories) the checks.
	(cd "$HB" && "$KHDR_SRCDIR/configure" -q --cache-file="$SHUNIT_TMPDIR/config.cache" \
		--prefix=/usr --sysconfdir=/etc &&
		make -s -j"$(nproc)" && make -s install DESTDIR="$DEST") > "$SHUNIT_TMPDIR/build.log" 2>&1
	BUILD_RC=$?
	echo "NOTE: fresh out-of-tree build and install: $((SECONDS - t0)) s"
	UNITDIR=$(sed -n 's/^systemdsystemunitdir = //p' "$HB/Makefile")
}

need_build() {
	[ "$BUILD_RC" = 0 ] ||
		{ fail "configure/make/make install failed: $(tail -20 "$SHUNIT_TMPDIR/build.log")"; startSkipping; return 1; }
}

need_ns() {
	command -v unshare >/dev/null && unshare -m true 2>/dev/null ||
		{ skip_test "unshare -m is not available"; return 1; }
	unshare -m --propagation private sh -c \
		"mount -t overlay khdr-test -o lowerdir='$DEST/usr':/usr /usr" 2>/dev/null ||
		{ skip_test "overlay mounts are not available"; return 1; }
}

# Run a shell snippet ("$@" after it) in a private mount namespace where
# the installed /usr of $DEST lies over the host's /usr.
in_ns() {  # script args...
	local script=$1
	shift
	unshare -m --propagation private bash -c "
		mount -t overlay khdr-test -o lowerdir='$DEST/usr':/usr /usr || exit 97
		$script" ns "$@"
}

# ---- make install / uninstall ----

test_install_puts_every_file_where_its_tool_reads_it() {
	need_build || return 0
	# Where each tool looks, asked of the tool itself.
	local hooks bottom kidir unitdirs dracutdir
	hooks=$(sed -n 's|^run_scripts \(/usr/[^ ]*/hooks\)$|\1|p' /usr/sbin/mkinitramfs 2>/dev/null)
	[ -n "$hooks" ] || hooks=/usr/share/initramfs-tools/hooks
	bottom=${hooks%/hooks}/scripts/init-bottom
	kidir=/usr/lib/kernel/install.d
	if command -v kernel-install > /dev/null; then
		assertTrue "kernel-install reads $kidir" "grep -aq '$kidir' '$(command -v kernel-install)'"
	fi
	dracutdir=$(pkg-config --variable=dracutmodulesdir dracut 2>/dev/null)
	[ -n "$dracutdir" ] || dracutdir=/usr/lib/dracut/modules.d
	if command -v systemd-analyze > /dev/null; then
		unitdirs=$(systemd-analyze unit-paths 2>/dev/null)
		assertTrue "systemd reads units from $UNITDIR: $unitdirs" \
			"printf '%s\n' \"\$unitdirs\" | grep -qx '$UNITDIR'"
	fi
	local expected
	expected=$(sort -k2 <<EOF
755 /usr/sbin/khdr-cache
644 $UNITDIR/khdr-cache.service
755 $hooks/khdr-cache
755 $bottom/khdr-cache
755 $kidir/35-khdr-cache.install
644 $UNITDIR/khdr-cache-handoff.service
755 /etc/kernel/postinst.d/50-khdr-cache
755 /etc/kernel/postrm.d/50-khdr-cache
755 $dracutdir/90khdr/module-setup.sh
755 $dracutdir/90khdr/khdr-pre-pivot.sh
EOF
)
	local got
	got=$(cd "$DEST" && find . \( -type f -o -type l \) ! -path './usr/share/man/*' \
		! -path './usr/share/bash-completion/*' -printf '%m /%P\n' | sort -k2)
	assertEquals "installed files and modes" "$expected" "$got"
	# The files that name the binary name the installed one.
	local f
	for f in "$UNITDIR/khdr-cache.service" "$UNITDIR/khdr-cache-handoff.service" "$hooks/khdr-cache" \
		"$kidir/35-khdr-cache.install" /etc/kernel/postinst.d/50-khdr-cache /etc/kernel/postrm.d/50-khdr-cache; do
		assertTrue "$f names /usr/sbin/khdr-cache" "grep -q '/usr/sbin/khdr-cache' '$DEST$f'"
		assertFalse "$f: no placeholder left" "grep -q '@[a-z]*@' '$DEST$f'"
	done
	# Shell syntax of every installed script.
	for f in "$hooks/khdr-cache" "$bottom/khdr-cache" "$kidir/35-khdr-cache.install" \
		/etc/kernel/postinst.d/50-khdr-cache /etc/kernel/postrm.d/50-khdr-cache; do
		assertTrue "sh -n $f" "sh -n '$DEST$f'"
	done
	# Uninstall leaves no file behind.
	(cd "$HB" && make -s uninstall DESTDIR="$DEST") > "$SHUNIT_TMPDIR/uninstall.log" 2>&1
	rc=$?
	assertEquals "make uninstall: $(tail -5 "$SHUNIT_TMPDIR/uninstall.log")" 0 "$rc"
	assertEquals "nothing left after uninstall" "" \
		"$(cd "$DEST" && find . \( -type f -o -type l \) -printf '/%P\n')"
	(cd "$HB" && make -s install DESTDIR="$DEST") > "$SHUNIT_TMPDIR/install.log" 2>&1
	rc=$?
	assertEquals "make install again: $(tail -5 "$SHUNIT_TMPDIR/install.log")" 0 "$rc"
}

test_configure_options_move_the_files() {
	need_build || return 0
	local b=$SHUNIT_TMPDIR/build-opts d=$SHUNIT_TMPDIR/dest-opts
	mkdir -p "$b"
	(cd "$b" && "$KHDR_SRCDIR/configure" -q --cache-file="$SHUNIT_TMPDIR/config.cache" --prefix=/opt/k --with-dracutmodulesdir=/x/dracut \
		--with-systemdsystemunitdir=/x/units --with-initramfstoolsdir=/x/itools \
		--with-kernelinstalldir=no) > "$SHUNIT_TMPDIR/opts.log" 2>&1
	rc=$?
	assertEquals "configure: $(tail -5 "$SHUNIT_TMPDIR/opts.log")" 0 "$rc"
	# The hook files alone (the program is built by the other test).
	(cd "$b" && make -s hook/khdr-cache.service hook/initramfs-tools/hooks/khdr-cache &&
		make -s install-dracutkhdrSCRIPTS install-systemdsystemunitDATA \
			install-initramfshooksSCRIPTS install-initramfsbottomSCRIPTS \
			install-kernelinstallSCRIPTS DESTDIR="$d") >> "$SHUNIT_TMPDIR/opts.log" 2>&1
	rc=$?
	assertEquals "install: $(tail -5 "$SHUNIT_TMPDIR/opts.log")" 0 "$rc"
	assertEquals "$(printf '%s\n' /x/dracut/90khdr/khdr-pre-pivot.sh /x/dracut/90khdr/module-setup.sh \
		/x/itools/hooks/khdr-cache /x/itools/scripts/init-bottom/khdr-cache /x/units/khdr-cache-handoff.service \
		/x/units/khdr-cache.service)" \
		"$(cd "$d" && find . -type f -printf '/%P\n' | sort)"
	assertTrue "the unit runs the prefix's binary" \
		"grep -qx 'ExecStart=/opt/k/sbin/khdr-cache install --boot' '$d/x/units/khdr-cache.service'"
	assertTrue "the hook copies the prefix's binary" \
		"grep -q '^khdr=/opt/k/sbin/khdr-cache$' '$d/x/itools/hooks/khdr-cache'"
}

# ---- the systemd unit ----

test_unit_passes_systemd_analyze_verify() {
	need_build || return 0
	command -v systemd-analyze > /dev/null || { skip_test "systemd-analyze is not installed"; return 0; }
	need_ns || return 0
	local unit=$DEST$UNITDIR/khdr-cache.service
	# With the host's units (sysinit.target, local-fs.target...) and the
	# installed binary in place: any warning counts.
	in_ns 'systemd-analyze verify --man=no "$1"' "$unit" > "$SHUNIT_TMPDIR/verify" 2>&1
	rc=$?
	assertEquals "systemd-analyze verify: $(cat "$SHUNIT_TMPDIR/verify")" 0 "$rc"
	assertEquals "no warnings" "" "$(cat "$SHUNIT_TMPDIR/verify")"
	# It checks what it says it checks: a unit whose binary is missing fails.
	mkdir -p "$SHUNIT_TMPDIR/bad"
	sed 's|^ExecStart=/usr/sbin/khdr-cache|ExecStart=/usr/sbin/khdr-cache-missing|' "$unit" \
		> "$SHUNIT_TMPDIR/bad/khdr-cache.service"
	in_ns 'systemd-analyze verify --man=no "$1"' "$SHUNIT_TMPDIR/bad/khdr-cache.service" > /dev/null 2>&1
	assertNotEquals "a missing ExecStart binary fails verify" 0 $?

	# The asked-for ordering and conditions, as systemd parses them.
	local f=$unit
	assertTrue "Type=oneshot" "grep -qx 'Type=oneshot' '$f'"
	assertTrue "ExecStart" "grep -qx 'ExecStart=/usr/sbin/khdr-cache install --boot' '$f'"
	assertTrue "khdr=0 disables" "grep -qx 'ConditionKernelCommandLine=!khdr=0' '$f'"
	assertTrue "rd.khdr=0 disables" "grep -qx 'ConditionKernelCommandLine=!rd.khdr=0' '$f'"
	assertTrue "after local-fs.target" "grep -qE '^After=(.* )?local-fs.target( |$)' '$f'"
	assertTrue "before dkms.service" "grep -qE '^Before=(.* )?dkms.service( |$)' '$f'"
	assertTrue "before sysinit.target" "grep -qE '^Before=(.* )?sysinit.target( |$)' '$f'"
	assertTrue "wanted by sysinit.target" "grep -qx 'WantedBy=sysinit.target' '$f'"
	assertFalse "no ordering against systemd-modules-load" "grep -q '^[A-Za-z]*=.*systemd-modules-load' '$f'"
	# Nothing that gives it a private mount namespace (a cache device it
	# mounts must be the system's mount).
	assertFalse "no mount namespace options" \
		"grep -qE '^(ProtectSystem|ProtectHome|PrivateTmp|PrivateDevices|PrivateMounts|ProtectKernel[A-Za-z]*|ProtectControlGroups|ReadWritePaths|ReadOnlyPaths|InaccessiblePaths|TemporaryFileSystem|BindPaths|PrivateNetwork|ProtectClock|DeviceAllow|DevicePolicy)=' '$f'"
}

# Under exactly the unit's bounding set and NoNewPrivileges, the late
# install (a staged copy in the run dir) still does its job.
test_unit_bounding_set_suffices_for_the_late_install() {
	need_build || return 0
	need_artefacts && need_debian_kernel || return 0
	command -v setpriv > /dev/null || { skip_test "setpriv is not installed"; return 0; }
	local unit=$DEST$UNITDIR/khdr-cache.service caps setcaps c
	caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
	assertNotEquals "the unit has a bounding set" "" "$caps"
	assertTrue "NoNewPrivileges=yes" "grep -qx 'NoNewPrivileges=yes' '$unit'"
	setcaps=-all
	for c in $caps; do
		c=${c#CAP_}
		setcaps="$setcaps,+$(echo "$c" | tr '[:upper:]' '[:lower:]')"
	done
	# setpriv really restricts: the effective set is the bounding set.
	local eff want
	eff=$(setpriv --no-new-privs --bounding-set "$setcaps" grep '^CapEff:' /proc/self/status | awk '{print $2}')
	want=$(setpriv --no-new-privs --bounding-set "$setcaps" grep '^CapBnd:' /proc/self/status | awk '{print $2}')
	assertEquals "effective = bounding set" "$want" "$eff"
	assertNotEquals "fewer capabilities than root's" \
		"$(grep '^CapBnd:' /proc/self/status | awk '{print $2}')" "$want"

	make_fixture
	local run=$FX/run
	mkdir -p "$run"
	chmod 755 "$run"
	cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$run/$FX_BUILD_ID.tar.xz"
	: > "$FX/kmsg"
	KHDR_KMSG=$FX/kmsg setpriv --no-new-privs --bounding-set "$setcaps" \
		"$DEST/usr/sbin/khdr-cache" install $FXOPTS --run-dir "$run" --boot > "$FX/out" 2>&1
	rc=$?
	assertEquals "late install: $(cat "$FX/out")" 0 "$rc"
	assertTrue "installed: $(cat "$FX/kmsg")" "grep -q '^<5>khdr-cache: installed $REL@$FX_BUILD_ID' '$FX/kmsg'"
	assertTrue "build link" "[ -L '$FX/root/lib/modules/$REL/build' ]"
	assertSameTree "late install" "$(reference_tree)" "$(entry_dir)"
	assertFalse "the staged copy is gone" "[ -e '$run/$FX_BUILD_ID.tar.xz' ]"
}

test_handoff_unit_passes_systemd_analyze_verify() {
	need_build || return 0
	command -v systemd-analyze > /dev/null || { skip_test "systemd-analyze is not installed"; return 0; }
	need_ns || return 0
	local f=$DEST$UNITDIR/khdr-cache-handoff.service
	in_ns 'systemd-analyze verify --man=no "$1"' "$f" > "$SHUNIT_TMPDIR/verify" 2>&1
	rc=$?
	assertEquals "systemd-analyze verify: $(cat "$SHUNIT_TMPDIR/verify")" 0 "$rc"
	assertEquals "no warnings" "" "$(cat "$SHUNIT_TMPDIR/verify")"
	assertTrue "ExecStart" "grep -qx 'ExecStart=/usr/sbin/khdr-cache handoff' '$f'"
	assertTrue "after khdr-cache.service and dkms.service" \
		"grep -qx 'After=khdr-cache.service dkms.service' '$f'"
	# Default dependencies: after sysinit.target, so it never holds it.
	assertFalse "default dependencies" "grep -q '^DefaultDependencies=no' '$f'"
	assertFalse "not before sysinit.target" "grep -qE '^Before=.*sysinit' '$f'"
	assertTrue "wanted by multi-user.target" "grep -qx 'WantedBy=multi-user.target' '$f'"
	assertTrue "only with markers" "grep -qx 'ConditionDirectoryNotEmpty=/run/khdr/handoff' '$f'"
}

# ---- /etc/kernel/postinst.d and postrm.d, as Debian's kernel packages run them ----

# A fixture root with Debian's kernel $KREL installed but not running: its
# image in /boot and the kbuild kheaders.ko in lib/modules/$KREL/updates;
# /etc/kernel holds our hooks from $DEST next to a fake "dkms" in
# postinst.d and header_postinst.d that records whether build was there
# when it ran.
debian_kernel_installed() {
	make_fixture
	mkdir -p "$FX/root/boot" "$FX/root/run" "$FX/root/var/cache" "$FX/root/lib/modules/$KREL/updates" \
		"$FX/etc/kernel/postinst.d" "$FX/etc/kernel/postrm.d" "$FX/etc/kernel/header_postinst.d"
	cp "$KHDR_DEBIAN_KERNEL/vmlinuz" "$FX/root/boot/vmlinuz-$KREL"
	cp "$KHDR_KBUILD/kheaders.ko" "$FX/root/lib/modules/$KREL/updates/kheaders.ko"
	cp "$DEST/etc/kernel/postinst.d/50-khdr-cache" "$FX/etc/kernel/postinst.d/"
	cp "$DEST/etc/kernel/postrm.d/50-khdr-cache" "$FX/etc/kernel/postrm.d/"
	local d
	for d in postinst.d header_postinst.d; do
		printf '#!/bin/sh\nif [ -e /lib/modules/$1/build/include ]; then t=yes; else t=no; fi\necho "%s $1 $2 tree=$t $(readlink /lib/modules/$1/build)" >> %s\n' \
			"$d" "$FX/dkms.log" > "$FX/etc/kernel/$d/dkms"
		chmod +x "$FX/etc/kernel/$d/dkms"
	done
	KKEY=$KREL@$(cat "$KHDR_DEBIAN_KERNEL/build-id")
}

# Run "$@" with $DEST's /usr, and the fixture's lib/modules, var/cache,
# boot, run and etc/kernel over the host's.
kernel_ns() {
	in_ns '
		fx=$1; shift
		mount --bind "$fx/root/lib/modules" /lib/modules &&
		mount --bind "$fx/root/var/cache" /var/cache &&
		mount --bind "$fx/root/boot" /boot &&
		mount --bind "$fx/root/run" /run &&
		mount --bind "$fx/etc/kernel" /etc/kernel || exit 97
		"$@"' "$FX" "$@" > "$SHUNIT_TMPDIR/k.out" 2>&1
}

need_kernel_hooks() {
	need_build && need_artefacts && need_debian_kernel || return 1
	[ -n "${KHDR_KBUILD:-}" ] || { skip_test "no kbuild-complete archive"; return 1; }
	command -v run-parts > /dev/null || { skip_test "run-parts is not installed"; return 1; }
	[ -d /etc/kernel ] || { skip_test "no /etc/kernel to mount over"; return 1; }
	need_ns && need_lib_modules || return 1
}

# What linux-image-<version>.postinst does: run-parts with the release and
# the image, stopping at the first failing hook.
debian_postinst() {
	kernel_ns run-parts --report --exit-on-error --arg="$KREL" --arg="/boot/vmlinuz-$KREL" /etc/kernel/postinst.d
}

test_postinst_hook_installs_before_dkms_runs() {
	need_kernel_hooks || return 0
	debian_kernel_installed
	kernel_ns run-parts --test /etc/kernel/postinst.d
	assertEquals "run-parts' order" "$(printf '/etc/kernel/postinst.d/50-khdr-cache\n/etc/kernel/postinst.d/dkms')" \
		"$(cat "$SHUNIT_TMPDIR/k.out")"
	debian_postinst
	rc=$?
	assertEquals "postinst.d: $(cat "$SHUNIT_TMPDIR/k.out")" 0 "$rc"
	# header_postinst.d first (our hook hands the tree on), then postinst.d's dkms.
	assertEquals "dkms found the tree, each hook once" \
		"$(printf 'header_postinst.d %s  tree=yes /var/cache/khdr/%s\npostinst.d %s /boot/vmlinuz-%s tree=yes /var/cache/khdr/%s' \
			"$KREL" "$KKEY" "$KREL" "$KREL" "$KKEY")" "$(cat "$FX/dkms.log" 2>/dev/null)"
	assertEquals "verified against the image" build-id \
		"$(sed -n 's/^verified=//p' "$FX/root/var/cache/khdr/$KKEY/.khdr-stamp")"
	assertEquals "/boot/vmlinuz-$KREL" "$(sed -n 's/^image=//p' "$FX/root/var/cache/khdr/$KKEY/.khdr-stamp")"
	assertFalse "the marker is taken" "[ -e '$FX/root/run/khdr/handoff/$KREL' ]"
	# dpkg-reconfigure runs it again: up to date, nothing handed on twice.
	debian_postinst
	assertEquals "again: $(cat "$SHUNIT_TMPDIR/k.out")" 3 "$(wc -l < "$FX/dkms.log")"
}

test_postinst_hook_never_fails_the_kernel_install() {
	need_kernel_hooks || return 0
	debian_kernel_installed
	# An archive of another build: refused, and the kernel installs anyway.
	cp "$KHDR_KBUILD/wrong-build-id.ko" "$FX/root/lib/modules/$KREL/updates/kheaders.ko"
	debian_postinst
	rc=$?
	assertEquals "postinst.d: $(cat "$SHUNIT_TMPDIR/k.out")" 0 "$rc"
	assertContains "says why" "$(cat "$SHUNIT_TMPDIR/k.out")" "build ID is '"
	assertContains "$(cat "$SHUNIT_TMPDIR/k.out")" "the kernel is installed anyway"
	assertFalse "no build link" "[ -L '$FX/root/lib/modules/$KREL/build' ]"
	assertEquals "dkms still ran, without a tree" "postinst.d $KREL /boot/vmlinuz-$KREL tree=no " \
		"$(cat "$FX/dkms.log" 2>/dev/null)"
	# A headers package's build: left alone, quietly.
	rm -f "$FX/dkms.log"
	mkdir -p "$FX/root/lib/modules/$KREL/build/include"
	debian_postinst
	rc=$?
	assertEquals "foreign: $(cat "$SHUNIT_TMPDIR/k.out")" 0 "$rc"
	assertTrue "the foreign build stays" "[ -d '$FX/root/lib/modules/$KREL/build/include' -a ! -L '$FX/root/lib/modules/$KREL/build' ]"
	assertFalse "nothing cached" "[ -e '$FX/root/var/cache/khdr/$KKEY' ]"
}

test_postrm_hook_drops_the_link_and_the_entries() {
	need_kernel_hooks || return 0
	debian_kernel_installed
	debian_postinst
	assertTrue "installed: $(cat "$SHUNIT_TMPDIR/k.out")" "[ -L '$FX/root/lib/modules/$KREL/build' ]"
	# dpkg removes the package's files, then runs postrm.d.
	rm -rf "${FX:?}/root/lib/modules/$KREL/updates" "$FX/root/boot/vmlinuz-$KREL"
	kernel_ns run-parts --report --exit-on-error --arg="$KREL" --arg="/boot/vmlinuz-$KREL" /etc/kernel/postrm.d
	rc=$?
	assertEquals "postrm.d: $(cat "$SHUNIT_TMPDIR/k.out")" 0 "$rc"
	assertFalse "the link is gone" "[ -L '$FX/root/lib/modules/$KREL/build' ]"
	assertFalse "the empty modules dir is gone" "[ -e '$FX/root/lib/modules/$KREL' ]"
	assertFalse "the entry is gone" "[ -e '$FX/root/var/cache/khdr/$KKEY' ]"
}

# kernel-install add, with systemd's real kernel-install: our plugin runs
# before a DKMS plugin named as Fedora names it, and installs against the
# image kernel-install passes.
test_kernel_install_add_installs_before_dkms() {
	need_kernel_hooks || return 0
	command -v kernel-install > /dev/null || { skip_test "kernel-install is not installed"; return 0; }
	debian_kernel_installed
	mkdir -p "$FX/etc/kernel/install.d"
	printf '#!/bin/sh\n[ "$1" = add ] || exit 0\nif [ -e /lib/modules/$2/build/include ]; then t=yes; else t=no; fi\necho "40-dkms $2 tree=$t" >> %s\n' \
		"$FX/dkms.log" > "$FX/etc/kernel/install.d/40-dkms.install"
	chmod +x "$FX/etc/kernel/install.d/40-dkms.install"
	kernel_ns kernel-install -v add "$KREL" "/boot/vmlinuz-$KREL"
	rc=$?
	assertEquals "kernel-install add: $(cat "$SHUNIT_TMPDIR/k.out")" 0 "$rc"
	assertContains "our plugin ran" "$(cat "$SHUNIT_TMPDIR/k.out")" "35-khdr-cache.install"
	assertEquals "handed on, then DKMS's plugin found the tree" \
		"$(printf 'header_postinst.d %s  tree=yes /var/cache/khdr/%s\n40-dkms %s tree=yes' "$KREL" "$KKEY" "$KREL")" \
		"$(cat "$FX/dkms.log" 2>/dev/null)"
	assertEquals build-id "$(sed -n 's/^verified=//p' "$FX/root/var/cache/khdr/$KKEY/.khdr-stamp" 2>/dev/null)"
	kernel_ns kernel-install -v remove "$KREL"
	rc=$?
	assertEquals "kernel-install remove: $(cat "$SHUNIT_TMPDIR/k.out")" 0 "$rc"
	assertFalse "removed: link" "[ -L '$FX/root/lib/modules/$KREL/build' ]"
	assertFalse "removed: entry" "[ -e '$FX/root/var/cache/khdr/$KKEY' ]"
}

# ---- kernel-install ----

# A fixture root with two kernels, each with its build link and entry: A
# (the artefacts' release) and B.  Then A's package files go, as dpkg
# removes them; nobody owns the build link, so it stays.
two_kernels() {
	make_fixture
	install_running
	KA=$REL KB=6.1.0-99-amd64
	KEY_A=$(key) KEY_B="$KB@00112233445566778899aabbccddeeff00112233"
	clone_entry "$KEY_B" "$KB" 00112233445566778899aabbccddeeff00112233 "$(date +%s)"
	mkdir -p "$FX/root/lib/modules/$KA/kernel" "$FX/root/lib/modules/$KB/kernel" "$FX/boot"
	ln -s "/var/cache/khdr/$KEY_B" "$FX/root/lib/modules/$KB/build"
	# The fixture links as khdr-cache made them (absolute, into the cache).
	assertEquals "/var/cache/khdr/$KEY_A" "$(readlink "$FX/root/lib/modules/$KA/build")"
}

# Run the real kernel-install in a namespace whose /lib/modules, /var/cache
# and /boot are the fixture's, with only /usr/lib/kernel/install.d
# (systemd's plugins and ours from $DEST) and none of /etc/kernel/install.d.
kernel_install() {  # args...
	in_ns '
		fx=$1; shift
		mount --bind "$fx/root/lib/modules" /lib/modules &&
		mount --bind "$fx/root/var/cache" /var/cache &&
		mount --bind "$fx/boot" /boot &&
		mount -t tmpfs khdr-test /etc/kernel/install.d || exit 97
		kernel-install "$@"' "$FX" "$@" > "$SHUNIT_TMPDIR/ki.out" 2>&1
}

need_kernel_install() {
	need_build && need_artefacts && need_debian_kernel || return 1
	command -v kernel-install > /dev/null || { skip_test "kernel-install is not installed"; return 1; }
	need_ns && need_lib_modules || return 1
	[ -d /etc/kernel/install.d ] || { skip_test "no /etc/kernel/install.d to hide"; return 1; }
}

test_kernel_install_remove_prunes_that_kernel_only() {
	need_kernel_install || return 0
	two_kernels
	rm -rf "${FX:?}/root/lib/modules/$KA/kernel"
	kernel_install -v remove "$KA"
	rc=$?
	assertEquals "kernel-install remove: $(cat "$SHUNIT_TMPDIR/ki.out")" 0 "$rc"
	assertContains "our plugin ran: $(cat "$SHUNIT_TMPDIR/ki.out")" \
		"$(cat "$SHUNIT_TMPDIR/ki.out")" "35-khdr-cache.install"
	assertFalse "A's link is gone" "[ -e '$FX/root/lib/modules/$KA/build' -o -L '$FX/root/lib/modules/$KA/build' ]"
	assertFalse "A's empty modules dir is gone" "[ -e '$FX/root/lib/modules/$KA' ]"
	assertFalse "A's entry is gone" "[ -e '$FX/root/var/cache/khdr/$KEY_A' ]"
	assertTrue "B's entry stays" "[ -f '$FX/root/var/cache/khdr/$KEY_B/.khdr-stamp' ]"
	assertEquals "B's link stays" "/var/cache/khdr/$KEY_B" "$(readlink "$FX/root/lib/modules/$KB/build")"
	assertEquals "no leftovers in the cache" "$(printf '%s\n' "$KEY_B" lock)" \
		"$(ls -A "$FX/root/var/cache/khdr" | sort)"
}

# Fedora's order: kernel-install remove runs from the package's %preun,
# while lib/modules/<version>/kernel is still there.
test_kernel_install_remove_before_the_files_go() {
	need_kernel_install || return 0
	two_kernels
	kernel_install -v remove "$KB"
	rc=$?
	assertEquals "kernel-install remove: $(cat "$SHUNIT_TMPDIR/ki.out")" 0 "$rc"
	assertFalse "B's link is gone" "[ -L '$FX/root/lib/modules/$KB/build' ]"
	assertTrue "B's module files stay for the package manager" "[ -d '$FX/root/lib/modules/$KB/kernel' ]"
	assertFalse "B's entry is gone: $(cat "$SHUNIT_TMPDIR/ki.out")" "[ -e '$FX/root/var/cache/khdr/$KEY_B' ]"
	assertTrue "A's entry stays" "[ -f '$FX/root/var/cache/khdr/$KEY_A/.khdr-stamp' ]"
	assertEquals "A's link stays" "/var/cache/khdr/$KEY_A" "$(readlink "$FX/root/lib/modules/$KA/build")"
}

test_kernel_install_leaves_a_foreign_build() {
	need_kernel_install || return 0
	two_kernels
	# B's build is a headers package's directory: not ours to remove.
	rm "$FX/root/lib/modules/$KB/build"
	mkdir -p "$FX/root/lib/modules/$KB/build/include"
	rm -rf "${FX:?}/root/lib/modules/$KB/kernel"
	kernel_install -v remove "$KB"
	rc=$?
	assertEquals "kernel-install remove: $(cat "$SHUNIT_TMPDIR/ki.out")" 0 "$rc"
	assertTrue "the foreign build stays" "[ -d '$FX/root/lib/modules/$KB/build/include' ]"
	assertTrue "A untouched" "[ -f '$FX/root/var/cache/khdr/$KEY_A/.khdr-stamp' ]"
	assertEquals "/var/cache/khdr/$KEY_A" "$(readlink "$FX/root/lib/modules/$KA/build")"
	# B's entry is orphaned (nothing links it, its release is gone): pruned.
	assertFalse "B's orphaned entry is pruned" "[ -e '$FX/root/var/cache/khdr/$KEY_B' ]"
}

test_kernel_install_unknown_commands_do_nothing() {
	need_kernel_install || return 0
	two_kernels
	local plugin=$DEST/usr/lib/kernel/install.d/35-khdr-cache.install before
	before=$(cd "$FX/root" && find . -printf '%p %y %l\n' | sort | md5sum)
	in_ns '"$@"' "$plugin" frobnicate "$KA" > "$SHUNIT_TMPDIR/p.out" 2>&1
	rc=$?
	assertEquals "unknown command: $(cat "$SHUNIT_TMPDIR/p.out")" 0 "$rc"
	in_ns '"$@"' "$plugin" > "$SHUNIT_TMPDIR/p.out" 2>&1
	rc=$?
	assertEquals "no arguments: $(cat "$SHUNIT_TMPDIR/p.out")" 0 "$rc"
	assertEquals "nothing changed" "$before" "$(cd "$FX/root" && find . -printf '%p %y %l\n' | sort | md5sum)"
}

# ---- initramfs-tools ----

# Debian's module tree of $KREL with the kernel/ kheaders.ko in updates/
# and depmod run, plus its /boot/config (mkinitramfs reads it); cached.
debian_modules_tree() {
	local cache=${KHDR_TEST_CACHE:-${HOME:-/root}/.cache/khdr-cache-tests}
	local ko=$KHDR_KBUILD/kheaders.ko deb sum out
	sum=$(sha256sum "$ko" | cut -c1-12)
	out=$cache/initramfs-tools-$KREL-$sum
	if [ ! -f "$out/done" ]; then
		deb=$(ls "$cache/debs/linux-image-${KREL}_"*.deb 2>/dev/null | head -n 1)
		[ -n "$deb" ] || return 1
		rm -rf "$out.tmp"
		mkdir -p "$out.tmp"
		dpkg-deb --fsys-tarfile "$deb" |
			tar -x -C "$out.tmp" ./lib/modules ./boot/config-$KREL ./boot/System.map-$KREL || return 1
		mkdir -p "$out.tmp/lib/modules/$KREL/updates"
		cp "$ko" "$out.tmp/lib/modules/$KREL/updates/kheaders.ko"
		depmod -b "$out.tmp" "$KREL" || return 1
		touch "$out.tmp/done"
		rm -rf "$out"
		mv "$out.tmp" "$out"
	fi
	echo "$out"
}

# The host's files of the libraries a binary dlopen()s: the sonames of its
# .note.dlopen notes, as ldconfig lists them for x86-64.
dlopen_libraries() {  # binary
	local so
	for so in $(grep -ao '"soname":\[[^]]*\]' "$1" | grep -o '"[^"]*\.so[^"]*"' | tr -d '"'); do
		ldconfig -p | awk -v s="$so" '$1 == s && /x86-64/ { print $NF; exit }'
	done
}

# initramfs-tools' hook-functions that only record the hook's calls in
# $HOOK_LOG: $1/hook-functions, to bind over the real one.
fake_hook_functions() {
	cat > "$1/hook-functions" <<'EOF2'
copy_exec() { echo "copy_exec $*" >> "$HOOK_LOG"; }
copy_file() { echo "copy_file $*" >> "$HOOK_LOG"; }
manual_add_modules() { echo "manual_add_modules $*" >> "$HOOK_LOG"; }
EOF2
}

# mkinitramfs copies modprobe (kmod: liblzma, libzstd) and other hooks
# bring libblkid, so an image holds most of our libraries whatever our
# hook does: the hook alone, with hook-functions recording its calls.
test_initramfs_hook_copies_the_dlopened_libraries() {
	need_build || return 0
	need_ns || return 0
	local w=$SHUNIT_TMPDIR/hookonly want got
	mkdir -p "$w"
	fake_hook_functions "$w"
	: > "$w/log"
	in_ns 'mount --bind "$1/hook-functions" /usr/share/initramfs-tools/hook-functions || exit 97
		HOOK_LOG=$1/log DESTDIR=$1/dest version=$2 sh /usr/share/initramfs-tools/hooks/khdr-cache' \
		"$w" "$KREL" > "$w/out" 2>&1
	rc=$?
	assertEquals "the hook: $(cat "$w/out")" 0 "$rc"
	assertEquals "no warning" "" "$(cat "$w/out")"
	want=$(dlopen_libraries "$DEST/usr/sbin/khdr-cache" | sort | tr '\n' ' ')
	assertEquals "four libraries in the notes" 4 "$(wc -w <<< "$want")"
	got=$(sed -n 's/^copy_exec \([^ ]*\.so[^ ]*\)$/\1/p' "$w/log" | sort | tr '\n' ' ')
	assertEquals "copy_exec of each dlopen()ed library: $(cat "$w/log")" "$want" "$got"
}

# The hook reads the libraries and their priority from the binary's notes
# (as dracut does): a required or recommended one the host lacks is a
# warning, a suggested one is not.  A copy of the binary whose notes name
# liblzma and libzstd under sonames no host has stands in for it.
test_initramfs_hook_warns_of_a_missing_required_library() {
	need_build || return 0
	need_ns || return 0
	local w=$SHUNIT_TMPDIR/hookmissing
	mkdir -p "$w"
	fake_hook_functions "$w"
	sed 's/"liblzma\.so\.5"/"liblzmX.so.5"/; s/"libzstd\.so\.1"/"libzstX.so.1"/' \
		"$DEST/usr/sbin/khdr-cache" > "$w/khdr-cache"
	chmod 755 "$w/khdr-cache"
	assertEquals "the stand-in names the missing sonames" 2 \
		"$(grep -aoc '"liblzmX.so.5"\|"libzstX.so.1"' "$w/khdr-cache")"
	: > "$w/log"
	in_ns 'mount --bind "$1/hook-functions" /usr/share/initramfs-tools/hook-functions || exit 97
		mount --bind "$1/khdr-cache" /usr/sbin/khdr-cache || exit 97
		HOOK_LOG=$1/log DESTDIR=$1/dest version=$2 sh /usr/share/initramfs-tools/hooks/khdr-cache' \
		"$w" "$KREL" > "$w/out" 2>&1
	rc=$?
	assertEquals "the hook still succeeds: $(cat "$w/out")" 0 "$rc"
	assertEquals "one warning, for the required library" \
		"W: khdr-cache: liblzmX.so.5 (required) not found; khdr-cache will fail in the initramfs" \
		"$(cat "$w/out")"
	assertEquals "the two libraries the host has are copied: $(cat "$w/log")" 2 \
		"$(grep -c '^copy_exec [^ ]*\.so[^ ]*$' "$w/log")"
}

test_mkinitramfs_takes_binary_libraries_module_and_script() {
	need_build || return 0
	[ -n "${KHDR_KBUILD:-}" ] || { skip_test "no kbuild kheaders.ko (tests/lib/build-kbuild-archive.sh failed)"; return 0; }
	[ -x /usr/sbin/mkinitramfs ] && command -v unmkinitramfs > /dev/null ||
		{ skip_test "initramfs-tools-core is not installed (apt-get install initramfs-tools-core)"; return 0; }
	need_ns && need_lib_modules || return 0
	local tree t0=$SECONDS
	tree=$(debian_modules_tree) || { fail "cannot extract Debian's module tree"; return; }
	echo "NOTE: module tree ready in $((SECONDS - t0)) s"
	# A configuration of our own (MODULES=list: only what hooks ask for),
	# the host's hooks and scripts plus ours, Debian's kernel's modules.
	local w=$SHUNIT_TMPDIR/mkinitramfs
	mkdir -p "$w/conf/conf.d" "$w/conf/hooks" "$w/conf/scripts" "$w/tmp"
	printf 'MODULES=list\nBUSYBOX=auto\nCOMPRESS=gzip\n' > "$w/conf/initramfs.conf"
	t0=$SECONDS
	in_ns '
		tree=$1 w=$2 krel=$3
		mount -t overlay khdr-test -o lowerdir="$tree/lib/modules":/lib/modules /lib/modules &&
		mount -t overlay khdr-test -o lowerdir="$tree/boot":/boot /boot || exit 97
		TMPDIR=$w/tmp mkinitramfs -d "$w/conf" -o "$w/initrd.img" "$krel"' \
		"$tree" "$w" "$KREL" > "$w/log" 2>&1
	rc=$?
	assertEquals "mkinitramfs: $(tail -20 "$w/log")" 0 "$rc"
	echo "NOTE: mkinitramfs: $((SECONDS - t0)) s, $(du -k "$w/initrd.img" | cut -f1) KiB"
	assertFalse "no warning about khdr-cache: $(grep -i khdr "$w/log")" "grep -qi 'khdr' '$w/log'"
	mkdir -p "$w/x"
	unmkinitramfs "$w/initrd.img" "$w/x" > "$w/unmk.log" 2>&1
	rc=$?
	assertEquals "unmkinitramfs: $(cat "$w/unmk.log")" 0 "$rc"
	local x=$w/x
	[ -d "$x/main" ] && x=$x/main   # an early (microcode) archive puts main/ next to it
	assertTrue "the binary" "[ -x '$x/usr/sbin/khdr-cache' ]"
	assertTrue "the same binary" "cmp -s '$x/usr/sbin/khdr-cache' '$DEST/usr/sbin/khdr-cache'"
	assertTrue "kheaders.ko" "cmp -s '$x/usr/lib/modules/$KREL/updates/kheaders.ko' '$KHDR_KBUILD/kheaders.ko'"
	assertTrue "kheaders in the image's modules.dep" \
		"grep -q '^updates/kheaders.ko:' '$x/usr/lib/modules/$KREL/modules.dep'"
	assertTrue "the init-bottom script" \
		"cmp -s '$x/scripts/init-bottom/khdr-cache' '$DEST/usr/share/initramfs-tools/scripts/init-bottom/khdr-cache'"
	assertTrue "init runs it (ORDER): $(cat "$x/scripts/init-bottom/ORDER" 2>/dev/null)" \
		"grep -q '/scripts/init-bottom/khdr-cache' '$x/scripts/init-bottom/ORDER'"
	# Every library it needs, by the host's ldd and by its .note.dlopen
	# notes (dlopen()ed, no DT_NEEDED), is in the image...
	local lib missing=
	for lib in $(ldd "$DEST/usr/sbin/khdr-cache" | sed -n 's|.*=> \(/[^ ]*\) .*|\1|p') \
		$(dlopen_libraries "$DEST/usr/sbin/khdr-cache"); do
		[ -e "$x$lib" ] || [ -e "$x/usr$lib" ] || missing="$missing $lib"
	done
	assertEquals "libraries missing from the image" "" "$missing"
	# ...and it runs there, on the module in the image, alone.
	mkdir -p "$x/tmp"
	chroot "$x" /usr/sbin/khdr-cache extract -q --archive "/usr/lib/modules/$KREL/updates/kheaders.ko" \
		--to /tmp/headers > "$w/chroot.out" 2>&1
	rc=$?
	assertEquals "khdr-cache runs inside the image: $(cat "$w/chroot.out")" 0 "$rc"
	mkdir -p "$w/ref"
	tar -xJf "$KHDR_KBUILD/kheaders.tar.xz" -C "$w/ref"
	assertTrue "its extraction equals GNU tar's" "diff -r --no-dereference '$w/ref' '$x/tmp/headers' > /dev/null"
}

# The init-bottom script, as installed, with a stand-in khdr-cache first
# in PATH that records its arguments and exits with $STUB_RC.
init_bottom() {  # cmdline [env...]
	local cmdline=$1
	shift
	mkdir -p "$SHUNIT_TMPDIR/ib/proc/sys/kernel" "$SHUNIT_TMPDIR/ib/bin" "$SHUNIT_TMPDIR/ib/root"
	printf '%s\n' "$cmdline" > "$SHUNIT_TMPDIR/ib/proc/cmdline"
	echo "$KREL" > "$SHUNIT_TMPDIR/ib/proc/sys/kernel/osrelease"
	cat > "$SHUNIT_TMPDIR/ib/bin/khdr-cache" <<'EOF'
#!/bin/sh
echo "$*" >> "$STUB_LOG"
exit "${STUB_RC:-0}"
EOF
	chmod +x "$SHUNIT_TMPDIR/ib/bin/khdr-cache"
	rm -f "$SHUNIT_TMPDIR/ib/calls"
	env STUB_LOG="$SHUNIT_TMPDIR/ib/calls" KHDR_PROCFS="$SHUNIT_TMPDIR/ib/proc" \
		rootmnt="$SHUNIT_TMPDIR/ib/root" PATH="$SHUNIT_TMPDIR/ib/bin:$PATH" "$@" \
		sh "$DEST/usr/share/initramfs-tools/scripts/init-bottom/khdr-cache" > "$SHUNIT_TMPDIR/ib/out" 2>&1
	IB_RC=$?
	IB_CALLS=$(cat "$SHUNIT_TMPDIR/ib/calls" 2>/dev/null)
}

test_init_bottom_runs_install_on_rootmnt() {
	need_build || return 0
	init_bottom "root=/dev/vda ro quiet"
	assertEquals "exit: $(cat "$SHUNIT_TMPDIR/ib/out")" 0 "$IB_RC"
	assertEquals "install --root $SHUNIT_TMPDIR/ib/root --boot --procfs $SHUNIT_TMPDIR/ib/proc" "$IB_CALLS"
	# prereqs: the initramfs-tools protocol.
	assertEquals "prereqs" "" "$(sh "$DEST/usr/share/initramfs-tools/scripts/init-bottom/khdr-cache" prereqs)"
	assertEquals "hook prereqs" "" "$(sh "$DEST/usr/share/initramfs-tools/hooks/khdr-cache" prereqs)"
}

test_init_bottom_honours_khdr_0() {
	need_build || return 0
	local c
	for c in "ro khdr=0" "ro rd.khdr=0" "khdr=off" "rd.khdr=false quiet" "khdr=1 khdr=no" "rd.khdr=1 khdr=0"; do
		init_bottom "$c"
		assertEquals "$c: exit" 0 "$IB_RC"
		assertEquals "$c: khdr-cache not run" "" "$IB_CALLS"
	done
	for c in "khdr=0 khdr=1" "rd.khdr=1" "khdr=yes" "xkhdr=0" "khdr=00"; do
		init_bottom "$c"
		assertEquals "$c: exit" 0 "$IB_RC"
		assertNotEquals "$c: khdr-cache runs" "" "$IB_CALLS"
	done
}

test_init_bottom_never_fails() {
	need_build || return 0
	init_bottom "ro" STUB_RC=1
	assertEquals "khdr-cache failed, the script did not" 0 "$IB_RC"
	assertNotEquals "it ran" "" "$IB_CALLS"
	assertContains "and said so" "$(cat "$SHUNIT_TMPDIR/ib/out")" "exited with status 1"
	init_bottom "ro" STUB_RC=139
	assertEquals "a crash does not fail the boot" 0 "$IB_RC"
	init_bottom "ro" rootmnt=
	assertEquals "no rootmnt: exit" 0 "$IB_RC"
	assertEquals "no rootmnt: not run" "" "$IB_CALLS"
	# No khdr-cache at all in PATH.
	mkdir -p "$SHUNIT_TMPDIR/ib/proc"
	echo ro > "$SHUNIT_TMPDIR/ib/proc/cmdline"
	env -i KHDR_PROCFS="$SHUNIT_TMPDIR/ib/proc" rootmnt=/nonexistent PATH=/nonexistent \
		/bin/sh "$DEST/usr/share/initramfs-tools/scripts/init-bottom/khdr-cache" > /dev/null 2>&1
	assertEquals "no binary: exit" 0 $?
}

# The real binary behind the script: nothing to install for this kernel
# (no archive), which --boot logs and survives.
# The host's kernel is hidden (empty tmpfs over /sys/kernel and
# /lib/modules in a private mount namespace): on a host whose kernel has
# kheaders the binary would otherwise find its archive, or load the module.
test_init_bottom_with_the_real_binary() {
	need_build || return 0
	need_ns && need_lib_modules || return 0
	local d=$SHUNIT_TMPDIR/ibr
	mkdir -p "$d/bin" "$d/proc" "$d/root"
	ln -sf "$DEST/usr/sbin/khdr-cache" "$d/bin/khdr-cache"
	echo "ro" > "$d/proc/cmdline"
	echo "Linux version $KREL (khdr@test) (gcc (Debian 12.2.0-14) 12.2.0) #1 SMP" > "$d/proc/version"
	: > "$d/kmsg"
	unshare -m --propagation private sh -c '
		mount -t tmpfs khdr-test /sys/kernel && mount -t tmpfs khdr-test /lib/modules || exit 97
		exec "$@"' sh \
		env KHDR_KMSG="$d/kmsg" KHDR_PROCFS="$d/proc" rootmnt="$d/root" PATH="$d/bin:$PATH" \
		sh "$DEST/usr/share/initramfs-tools/scripts/init-bottom/khdr-cache" > "$d/out" 2>&1
	rc=$?
	assertEquals "exit: $(cat "$d/out")" 0 "$rc"
	assertTrue "khdr-cache said why in the kernel log: $(cat "$d/kmsg")" \
		"grep -q '^<[0-9]>khdr-cache: .*nothing installed (the boot goes on)' '$d/kmsg'"
	assertEquals "no build link, no entry" "" \
		"$(cd "$d/root" && find . \( -path './lib/modules/*' -o -path './var/cache/khdr/*' \) ! -name lock)"
}

. shunit2
