#!/bin/bash
# test-layout.sh - the two checks that need no build ID: the config check
# at install (the archive's autoconf.h against the running kernel's
# config) and the layout check (verify --layout, install --verify-layout:
# struct sizes and member offsets compiled by the tree's kbuild against
# BTF).
#
# Genuine parts: the defconfig 6.1 archive and the .config that built it
# ($KHDR_ARTEFACTS/config), Debian's kbuild-complete 6.1 tree
# ($KHDR_KBUILD) with the BTF of Debian's own 6.1 kernel (the .BTF section
# of $KHDR_DEBIAN_KERNEL/vmlinux: they must agree), and the host's BTF
# (another kernel: they must not).
. "$(dirname "$0")/lib.sh"

have_config() {
	[ -n "${KHDR_ARTEFACTS:-}" ] && [ -f "$KHDR_ARTEFACTS/config" ]
}

# The kbuild fixture: Debian's 6.1 kernel as the running one (its notes:
# the build ID), verified by build ID; $1: the BTF its sysfs shows.
make_kbuild_fixture() {  # btf-file
	FX=$(mktemp -d "$SHUNIT_TMPDIR/kfx.XXXXXX")
	mkdir -p "$FX/root" "$FX/sys/kernel/btf" "$FX/proc"
	cp "$KHDR_DEBIAN_KERNEL/notes" "$FX/sys/kernel/notes"
	cp "$1" "$FX/sys/kernel/btf/vmlinux"
	REL=$(cat "$KHDR_KBUILD/release")
	FX_BUILD_ID=$(cat "$KHDR_DEBIAN_KERNEL/build-id")
	FXOPTS="--root $FX/root --sysfs $FX/sys --procfs $FX/proc --kernel-release $REL"
}

# No build ID, a /proc/version from the archive's compile.h: the kbuild
# archive reaches only "fingerprint", where install --verify-layout runs.
make_fingerprint_fixture() {  # btf-file
	local ch=$SHUNIT_TMPDIR/kbuild-compile.h
	make_kbuild_fixture "$1"
	rm "$FX/sys/kernel/notes"
	FX_BUILD_ID=
	[ -f "$ch" ] || tar -xOJf "$KHDR_KBUILD/kheaders.tar.xz" include/generated/compile.h > "$ch"
	cf() { sed -n "s/^#define $1[[:space:]]*\"\\(.*\\)\"\$/\\1/p" "$ch"; }
	printf 'Linux version %s (%s@%s) (%s) %s\n' "$REL" "$(cf LINUX_COMPILE_BY)" \
		"$(cf LINUX_COMPILE_HOST)" "$(cf LINUX_COMPILER)" \
		"$(cat "$KHDR_KBUILD/uts_version" 2>/dev/null || echo '#1 SMP')" > "$FX/proc/version"
}

# The BTF of Debian's 6.1 kernel, the one the kbuild tree was built for.
debian_btf() {
	local b=$SHUNIT_TMPDIR/debian.btf
	[ -s "$b" ] || objcopy -O binary --only-section=.BTF "$KHDR_DEBIAN_KERNEL/vmlinux" "$b" 2>/dev/null
	[ -s "$b" ] && echo "$b"
}

need_kbuild_btf() {
	[ -n "${KHDR_KBUILD:-}" ] && [ -f "$KHDR_KBUILD/done" ] || { skip_test "no kbuild-complete archive (tests/lib/build-kbuild-archive.sh failed)"; return 1; }
	[ -n "${KHDR_DEBIAN_KERNEL:-}" ] && [ -f "$KHDR_DEBIAN_KERNEL/vmlinux" ] || { skip_test "no Debian kernel vmlinux (tests/lib/debian-kernel.sh failed)"; return 1; }
	command -v make >/dev/null && command -v gcc-12 >/dev/null || { skip_test "no make or gcc-12 (Debian's kernel is built with gcc-12)"; return 1; }
	DEB_BTF=$(debian_btf) || { skip_test "no .BTF section in Debian's vmlinux (objcopy)"; return 1; }
}

# Each fixture holds a tree of 30 MB or more: gone after its test.
tearDown() {
	[ -n "${FX:-}" ] && rm -rf "$FX"
	FX=
	drop_lib_modules
}

# ---- the config check ----

test_config_match_is_recorded_and_shown() {
	need_artefacts || { skip_test "no artefacts"; return 0; }
	have_config || { skip_test "no \$KHDR_ARTEFACTS/config (an artefact build before the config check)"; return 0; }
	make_fixture
	mkdir -p "$FX/root/boot"
	cp "$KHDR_ARTEFACTS/config" "$FX/root/boot/config-$REL"
	run install $FXOPTS -v --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "install with the config that built it: $ERR" 0 "$RC"
	assertContains "$ERR" "comparing with $FX/root/boot/config-$REL"
	assertEquals "stamp" match "$(stamp_field config)"
	assertEquals "stamp" fingerprint "$(stamp_field verified)"
	run status $FXOPTS
	assertTrue "status shows it: $OUT" "printf '%s\n' \"\$OUT\" | grep -Eq '^  active +argument +no +fingerprint +match +- '"
	run status $FXOPTS --json
	assertEquals "status --json" match "$(printf '%s' "$OUT" | jq -r '.entries[0].config')"
	assertEquals "status --json" null "$(printf '%s' "$OUT" | jq -r '.entries[0].layout')"
}

test_config_differing_in_one_symbol_is_refused() {
	need_artefacts || { skip_test "no artefacts"; return 0; }
	have_config || { skip_test "no \$KHDR_ARTEFACTS/config"; return 0; }
	make_fixture
	# /proc/config.gz of the running kernel: the same config but one symbol.
	grep -q '^CONFIG_NR_CPUS=64$' "$KHDR_ARTEFACTS/config" || { fail "defconfig has CONFIG_NR_CPUS=64"; return; }
	sed 's/^CONFIG_NR_CPUS=64$/CONFIG_NR_CPUS=128/' "$KHDR_ARTEFACTS/config" | gzip -n > "$FX/proc/config.gz"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "refused: $ERR" 1 "$RC"
	assertContains "$ERR" "1 of "
	assertContains "names the symbol and both values" "$ERR" "CONFIG_NR_CPUS: headers 64, kernel 128"
	assertContains "$ERR" "--force"
	assertNothingInstalled "config mismatch"
	# --force: installed, and the stamp says what was forced.
	run install $FXOPTS --force --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "forced: $ERR" 0 "$RC"
	assertContains "$ERR" "CONFIG_NR_CPUS: headers 64, kernel 128"
	assertEquals "stamp" mismatch "$(stamp_field config)"
	assertEquals "stamp" forced "$(stamp_field verified)"
}

test_config_y_against_not_set_in_boot_config() {
	need_artefacts || { skip_test "no artefacts"; return 0; }
	have_config || { skip_test "no \$KHDR_ARTEFACTS/config"; return 0; }
	make_fixture
	mkdir -p "$FX/root/boot"
	sed 's/^CONFIG_IKHEADERS=m$/# CONFIG_IKHEADERS is not set/' "$KHDR_ARTEFACTS/config" > "$FX/root/boot/config-$REL"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "refused: $ERR" 1 "$RC"
	assertContains "$ERR" "CONFIG_IKHEADERS: headers m, kernel n"
	assertNothingInstalled "boot config mismatch"
}

test_config_tool_chain_symbols_are_left_out() {
	need_artefacts || { skip_test "no artefacts"; return 0; }
	have_config || { skip_test "no \$KHDR_ARTEFACTS/config"; return 0; }
	make_fixture
	mkdir -p "$FX/root/boot"
	sed -e 's/^CONFIG_GCC_VERSION=.*/CONFIG_GCC_VERSION=140200/' \
	    -e 's/^CONFIG_CC_VERSION_TEXT=.*/CONFIG_CC_VERSION_TEXT="gcc (Debian 14.2.0-19) 14.2.0"/' \
	    "$KHDR_ARTEFACTS/config" > "$FX/root/boot/config-$REL"
	run install -v $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "another compiler version only: $ERR" 0 "$RC"
	assertEquals "stamp" match "$(stamp_field config)"
	# The counts add up: symbols set in either = agreeing + left out.
	local t a n
	read -r t a n <<< "$(printf '%s\n' "$ERR" | sed -n 's/^khdr-cache: config: \([0-9]*\) symbols set in .* or the running kernel.s config: \([0-9]*\) agree, \([0-9]*\) tool chain symbols not compared$/\1 \2 \3/p')"
	assertNotEquals "the config line: $ERR" "" "$t"
	assertEquals "$t symbols = $a agreeing + $n left out" "$t" "$((a + n))"
	assertTrue "some left out ($n)" "[ '${n:-0}' -ge 2 ]"
}

# Debian's own /boot/config-<release> (the linux-image package's) against
# the archive made from Debian's headers of that build: Debian's build adds
# its salt and module signing to the .config it builds with, not to the
# one it ships.
test_config_debian_boot_config_matches_its_headers() {
	need_kbuild_btf || return 0
	local deb
	deb=$(ls "$(dirname "$KHDR_DEBIAN_KERNEL")/debs/linux-image-$(cat "$KHDR_KBUILD/release")_"*.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || { skip_test "no linux-image .deb beside $KHDR_DEBIAN_KERNEL"; return 0; }
	make_kbuild_fixture "$DEB_BTF"
	mkdir -p "$FX/root/boot"
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "./boot/config-$REL" > "$FX/root/boot/config-$REL"
	assertTrue "the package's config lacks the salt" "! grep -q '^CONFIG_BUILD_SALT=' '$FX/root/boot/config-$REL'"
	run install $FXOPTS -v --archive "$KHDR_KBUILD/kheaders.tar.xz"
	assertEquals "Debian's kernel, its headers, its /boot/config: $ERR" 0 "$RC"
	assertContains "$ERR" "comparing with $FX/root/boot/config-$REL"
	assertEquals "stamp" match "$(stamp_field config)"
}

test_config_unavailable_changes_nothing() {
	need_artefacts || { skip_test "no artefacts"; return 0; }
	make_fixture
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "no config anywhere: $ERR" 0 "$RC"
	assertEquals "stamp" unavailable "$(stamp_field config)"
	assertEquals "stamp" fingerprint "$(stamp_field verified)"
	assertEquals "no warning" "" "$ERR"
}

test_config_unreadable_source_is_a_warning() {
	need_artefacts || { skip_test "no artefacts"; return 0; }
	make_fixture
	mkdir -p "$FX/root/boot"
	printf 'not a config\n' > "$FX/root/boot/config-$REL"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "$ERR" 0 "$RC"
	assertContains "$ERR" "config-$REL"
	assertContains "$ERR" "not a kernel config"
	assertEquals "stamp" unavailable "$(stamp_field config)"
}

# ---- verify --layout ----

test_verify_layout_agrees_with_its_own_kernel() {
	need_kbuild_btf || return 0
	make_kbuild_fixture "$DEB_BTF"
	run install $FXOPTS --archive "$KHDR_KBUILD/kheaders.tar.xz"
	assertEquals "install: $ERR" 0 "$RC"
	local t0=$(date +%s.%N)
	run verify --layout $FXOPTS
	local t1=$(date +%s.%N)
	assertEquals "Debian's 6.1 headers against Debian's 6.1 BTF: $ERR $(printf '%s' "$OUT" | tail -n 3)" 0 "$RC"
	assertTrue "a table row per struct: $OUT" "printf '%s\n' \"\$OUT\" | grep -Eq '^task_struct +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +0\$'"
	assertEquals "at least 15 structs" 1 "$( [ "$(printf '%s\n' "$OUT" | grep -Ec '^[a-z_]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +0$')" -ge 15 ] && echo 1)"
	assertContains "$OUT" "match: "
	local header
	header=$(printf '%s\n' "$OUT" | head -n 1)
	echo "NOTE: verify --layout of the kbuild-complete tree: $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s; $(printf '%s\n' "$OUT" | tail -n 1 | cut -d';' -f1)"
	# --json: the same, as one document
	run verify --layout --json $FXOPTS task_struct pt_regs
	assertEquals "json: $ERR" 0 "$RC"
	assertEquals match "$(printf '%s' "$OUT" | jq -r .result)"
	assertEquals 2 "$(printf '%s' "$OUT" | jq -r '.structs | length')"
	assertEquals 0 "$(printf '%s' "$OUT" | jq -r '.differences | length')"
	# The text's columns are the JSON's names.
	local col
	for col in $header; do
		assertEquals "column $col is a key of .structs[]" true \
			"$(printf '%s' "$OUT" | jq --arg k "$(echo "$col" | tr A-Z a-z)" '.structs[0] | has($k)')"
	done
	# Each struct's offsets: one per compared member, pid's as BTF has it.
	assertEquals "an offset per compared member" \
		"$(printf '%s' "$OUT" | jq -r '.structs[0].members')" \
		"$(printf '%s' "$OUT" | jq -r '.structs[0].offsets | length')"
	if command -v bpftool >/dev/null; then
		local bits
		bits=$(bpftool btf dump file "$DEB_BTF" format raw | awk '
			/^\[[0-9]+\] / { ins = ($2 == "STRUCT" && $3 == "'\''task_struct'\''") }
			ins && $1 == "'\''pid'\''" { for (i = 2; i <= NF; i++) if (sub("^bits_offset=", "", $i)) print $i; exit }')
		assertEquals "task_struct.pid as bpftool reads BTF" "$((bits / 8))" \
			"$(printf '%s' "$OUT" | jq -r '.structs[] | select(.name == "task_struct") | .offsets.pid')"
	fi
	assertEquals "no scratch directory left" "" "$(ls -d "${TMPDIR:-/tmp}"/khdr-layout.* 2>/dev/null)"
}

test_verify_layout_names_one_moved_member() {
	need_kbuild_btf || return 0
	local moved=$SHUNIT_TMPDIR/moved.btf off
	off=$(python3 "$KHDR_SRCDIR/tests/lib/btf-move-member.py" "$DEB_BTF" "$moved" task_struct pid 8) ||
		{ fail "cannot edit the BTF"; return; }
	make_kbuild_fixture "$moved"
	run install $FXOPTS --archive "$KHDR_KBUILD/kheaders.tar.xz"
	assertEquals "install: $ERR" 0 "$RC"
	run verify --layout $FXOPTS
	assertEquals "exit 3 on a mismatch: $ERR" 3 "$RC"
	assertEquals "exactly that member: $OUT" "task_struct.pid: headers $((off - 8)), kernel $off" \
		"$(printf '%s\n' "$OUT" | grep -E '^[a-z_().]+: headers ')"
	assertTrue "its row: $OUT" "printf '%s\n' \"\$OUT\" | grep -Eq '^task_struct +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +1\$'"
	run verify --layout --json $FXOPTS
	assertEquals 3 "$RC"
	assertEquals mismatch "$(printf '%s' "$OUT" | jq -r .result)"
	assertEquals "task_struct pid $((off - 8)) $off" \
		"$(printf '%s' "$OUT" | jq -r '.differences[] | "\(.struct) \(.member) \(.headers) \(.kernel)"')"
	run verify --layout -q $FXOPTS
	assertEquals "-q: exit 3 on a mismatch: $ERR" 3 "$RC"
	assertEquals "-q: nothing printed" "" "$OUT$ERR"
}

test_verify_layout_against_another_kernel() {
	need_kbuild_btf || return 0
	[ -r /sys/kernel/btf/vmlinux ] || { skip_test "the host kernel has no BTF"; return 0; }
	cmp -s /sys/kernel/btf/vmlinux "$DEB_BTF" && { skip_test "the host runs Debian's 6.1 kernel itself"; return 0; }
	make_kbuild_fixture /sys/kernel/btf/vmlinux
	run install $FXOPTS --archive "$KHDR_KBUILD/kheaders.tar.xz"
	assertEquals "install: $ERR" 0 "$RC"
	run verify --layout $FXOPTS
	assertEquals "6.1 headers against the host's BTF: $ERR" 3 "$RC"
	assertTrue "names members: $(printf '%s' "$OUT" | head -c 300)" \
		"printf '%s\n' \"\$OUT\" | grep -Eq '^task_struct\.[a-z_0-9]+: headers ([0-9]+|no such member|a bitfield), kernel [0-9]+\$'"
	assertContains "$OUT" "MISMATCH: "
	echo "NOTE: against the host's BTF ($(uname -r)): $(printf '%s\n' "$OUT" | tail -n 1 | cut -d';' -f1)"
	if command -v bpftool >/dev/null; then
		local size
		size=$(bpftool btf dump file /sys/kernel/btf/vmlinux format raw | sed -n "s/^\[[0-9]*\] STRUCT 'task_struct' size=\([0-9]*\) .*/\1/p" | head -n 1)
		assertTrue "the kernel's task_struct size is bpftool's $size: $(printf '%s\n' "$OUT" | grep '^task_struct ')" \
			"printf '%s\n' \"\$OUT\" | grep -Eq '^task_struct +[0-9-]+ +$size +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+\$'"
	fi
}

# verify --layout checks whatever build is: here Debian's own headers
# package (build -> /usr/src/linux-headers-R, as Debian links it), with no
# cache of ours at all.  The BTF has task_struct.pid moved, so the verdict
# shows the tree was compiled and compared, not merely found.
test_verify_layout_checks_a_distributions_headers() {
	need_kbuild_btf || return 0
	local hdrs moved=$SHUNIT_TMPDIR/moved.btf off
	hdrs=$(sh "$KHDR_SRCDIR/tests/lib/debian-headers.sh" 2>/dev/null) ||
		{ skip_test "Debian's headers packages unavailable"; return 0; }
	off=$(python3 "$KHDR_SRCDIR/tests/lib/btf-move-member.py" "$DEB_BTF" "$moved" task_struct pid 8) ||
		{ fail "cannot edit the BTF"; return; }
	make_kbuild_fixture "$moved"
	[ "$(cat "$hdrs/release")" = "$REL" ] || { skip_test "Debian's headers are of $(cat "$hdrs/release"), not $REL"; return 0; }
	[ "$(id -u)" = 0 ] && [ -d /usr/src ] && unshare -m true 2>/dev/null ||
		{ skip_test "needs root, /usr/src and a private mount namespace"; return 0; }
	# A copy: kbuild must not touch the shared cache of artefacts.
	cp -a "$hdrs/usr" "$FX/root/usr"
	mkdir -p "$FX/root/lib/modules/$REL"
	ln -s "/usr/src/linux-headers-$REL" "$FX/root/lib/modules/$REL/build"
	# Debian's Makefile includes /usr/src/linux-headers-<abi>-common by its
	# absolute name: in a private mount namespace /usr/src is a tmpfs that
	# names the copy (the host's /usr/src is never touched).
	OUT=$(unshare -m --propagation private bash -c '
		mount -t tmpfs khdr-usr-src /usr/src || exit 99
		ln -s "$1"/usr/src/* /usr/src/ || exit 99
		shift
		exec "$@"' _ "$FX/root" "$KHDR" verify --layout $FXOPTS task_struct 2>"$SHUNIT_TMPDIR/stderr")
	RC=$? ERR=$(cat "$SHUNIT_TMPDIR/stderr")
	[ $RC = 99 ] && { skip_test "cannot mount a tmpfs on /usr/src here: $ERR"; return 0; }
	assertEquals "exit 3, a mismatch found in Debian's tree: $ERR $(printf '%s' "$OUT" | tail -n 3)" 3 "$RC"
	assertEquals "exactly that member: $OUT" "task_struct.pid: headers $((off - 8)), kernel $off" \
		"$(printf '%s\n' "$OUT" | grep -E '^[a-z_().]+: headers ')"
	assertFalse "no cache made" "[ -e '$FX/root/var/cache/khdr' ]"
	# Nothing there at all: the message says what is missing.
	rm "$FX/root/lib/modules/$REL/build"
	run verify --layout $FXOPTS task_struct
	assertEquals "no build, no cache: $ERR" 1 "$RC"
	assertContains "$ERR" "no headers for $REL to check"
}

test_verify_layout_cannot_tell() {
	need_kbuild_btf || return 0
	need_artefacts || { skip_test "no artefacts"; return 0; }
	# No BTF
	make_kbuild_fixture "$DEB_BTF"
	rm "$FX/sys/kernel/btf/vmlinux"
	run install $FXOPTS --archive "$KHDR_KBUILD/kheaders.tar.xz"
	assertEquals "install: $ERR" 0 "$RC"
	run verify --layout $FXOPTS
	assertEquals "no BTF: $ERR" 1 "$RC"
	assertContains "$ERR" "CONFIG_DEBUG_INFO_BTF"
	run verify --layout --json $FXOPTS
	assertEquals 1 "$RC"
	assertEquals unknown "$(printf '%s' "$OUT" | jq -r .result)"
	# A struct the kernel has not
	cp "$DEB_BTF" "$FX/sys/kernel/btf/vmlinux"
	run verify --layout $FXOPTS no_such_struct_anywhere
	assertEquals "unknown struct: $ERR" 1 "$RC"
	assertContains "$ERR" "no_such_struct_anywhere"
	run verify --layout $FXOPTS 'bad name'
	assertEquals "usage: $ERR" 2 "$RC"
	# No compiler: a PATH with everything but gcc
	local nobin=$SHUNIT_TMPDIR/nobin f
	mkdir -p "$nobin"
	for f in /usr/local/sbin/* /usr/local/bin/* /usr/sbin/* /usr/bin/* /sbin/* /bin/*; do
		case ${f##*/} in gcc*|*-gcc*|cc|c89|c99) continue ;; esac
		[ -e "$nobin/${f##*/}" ] || ln -s "$f" "$nobin/${f##*/}"
	done
	OUT=$(PATH=$nobin "$KHDR" verify --layout $FXOPTS 2>"$SHUNIT_TMPDIR/stderr")
	RC=$? ERR=$(cat "$SHUNIT_TMPDIR/stderr")
	assertEquals "no compiler: $ERR" 1 "$RC"
	assertContains "$ERR" "cannot tell: kbuild in"
	assertContains "$ERR" "gcc-12: not found"
	# A headers-only tree (the in-tree archive): not kbuild-capable
	make_fixture
	mkdir -p "$FX/sys/kernel/btf"
	cp "$DEB_BTF" "$FX/sys/kernel/btf/vmlinux"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "install: $ERR" 0 "$RC"
	run verify --layout $FXOPTS
	assertEquals "headers only: $ERR" 1 "$RC"
	assertContains "$ERR" "not a kbuild tree"
}

# ---- install --verify-layout, verify_layout=yes ----

test_install_verify_layout_records_match() {
	need_kbuild_btf || return 0
	make_fingerprint_fixture "$DEB_BTF"
	run install $FXOPTS -v --verify-layout --archive "$KHDR_KBUILD/kheaders.tar.xz"
	assertEquals "install: $ERR" 0 "$RC"
	assertContains "$ERR" "layout: "
	assertEquals "stamp" fingerprint "$(stamp_field verified)"
	assertEquals "stamp" match "$(stamp_field layout)"
	run verify $FXOPTS
	assertEquals "kbuild left the tree as extracted: $OUT $ERR" 0 "$RC"
	run status $FXOPTS --json
	assertEquals match "$(printf '%s' "$OUT" | jq -r '.entries[0].layout')"
}

test_install_verify_layout_mismatch_keeps_old_state() {
	need_kbuild_btf || return 0
	[ -r /sys/kernel/btf/vmlinux ] && ! cmp -s /sys/kernel/btf/vmlinux "$DEB_BTF" ||
		{ skip_test "no BTF of another kernel on the host"; return 0; }
	make_fingerprint_fixture /sys/kernel/btf/vmlinux
	# The old state: the archive installed without the check.
	run install $FXOPTS --archive "$KHDR_KBUILD/kheaders.tar.xz"
	assertEquals "first install: $ERR" 0 "$RC"
	local old new
	old=$(readlink "$FX/root/lib/modules/$REL/build")
	# Another archive of the same tree (one member more: another CRC64, another key).
	xz -dc "$KHDR_KBUILD/kheaders.tar.xz" > "$SHUNIT_TMPDIR/k.tar"
	echo extra > "$SHUNIT_TMPDIR/khdr-extra"
	tar -rf "$SHUNIT_TMPDIR/k.tar" -C "$SHUNIT_TMPDIR" khdr-extra
	xz -0 -T2 -c "$SHUNIT_TMPDIR/k.tar" > "$SHUNIT_TMPDIR/k.tar.xz"
	rm "$SHUNIT_TMPDIR/k.tar"
	# verify_layout=yes from the configuration file
	mkdir -p "$FX/root/etc"
	echo "verify_layout = yes" > "$FX/root/etc/khdr-cache.conf"
	run install $FXOPTS --archive "$SHUNIT_TMPDIR/k.tar.xz"
	assertEquals "refused: $ERR" 1 "$RC"
	assertContains "$ERR" "layout check: "
	assertContains "$ERR" "the old state stays"
	assertTrue "names a member: $ERR" "printf '%s' \"\$ERR\" | grep -Eq 'task_struct[.a-z_]*: headers'"
	assertEquals "build still at the old entry" "$old" "$(readlink "$FX/root/lib/modules/$REL/build")"
	assertEquals "only the old entry in the cache" "${old##*/}" \
		"$(ls -A "$FX/root/var/cache/khdr" | grep -v '^lock$')"
	# --force: installed, and recorded
	run install $FXOPTS --force --archive "$SHUNIT_TMPDIR/k.tar.xz"
	assertEquals "forced: $ERR" 0 "$RC"
	new=$(readlink "$FX/root/lib/modules/$REL/build")
	assertNotEquals "$old" "$new"
	assertEquals "stamp" mismatch "$(stamp_field layout)"
}

test_install_verify_layout_not_needed_with_build_id() {
	need_kbuild_btf || return 0
	make_kbuild_fixture /dev/null
	run install $FXOPTS -v --verify-layout --archive "$KHDR_KBUILD/kheaders.tar.xz"
	assertEquals "$ERR" 0 "$RC"
	assertContains "$ERR" "layout check not needed: verified by build-id"
	assertEquals "stamp has no layout=" "" "$(stamp_field layout)"
}

. shunit2
