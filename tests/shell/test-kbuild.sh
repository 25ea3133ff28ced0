#!/bin/bash
# test-kbuild.sh - install makes a kbuild tree of a headers-only archive
# with the kbuild kit of its version (DESIGN.md section 12), from genuine
# parts only: the archive Linux's own gen_kheaders.sh packs of Debian's
# headers of its stock kernel R (tests/lib/debian-kheaders.sh, what a stock
# CONFIG_IKHEADERS kernel carries), the kit kernel/mkkit makes of Debian's
# linux-source-6.1 (tests/lib/build-kit.sh), R's image, modules and config
# from Debian's linux-image .deb (tests/lib/debian-modules.sh).  A module
# built in the tree install makes has the vermagic and the __versions
# CRCs of the same module built against Debian's linux-headers packages.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kbuild-fixture.sh"
suite_on_private_tmpfs "$@"

oneTimeSetUp() {
	command -v make > /dev/null && command -v gcc > /dev/null ||
		{ skip_test "no make or gcc"; skip_suite; return 0; }
	kbuild_inputs || { skip_suite; return 0; }
	W=$SHUNIT_TMPDIR/kbuild
	mkdir -p "$W"
	DEB_HDRS=$HDRS/usr/src/linux-headers-$KREL
	DEB_TREE=$W/debian
	debian_tree "$DEB_TREE"
	make_module "$W/mod-deb"
	make -C "$DEB_TREE" M="$W/mod-deb" > "$W/mod-deb.log" 2>&1
	DEB_RC=$?
}

# A module that uses a few exported symbols (some GPL-only) and prints an offset.
make_module() {  # dir
	mkdir -p "$1"
	cat > "$1/kbtest.c" <<'EOF'
// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/workqueue.h>

static void *buf;
static void kbtest_work(struct work_struct *w) { }
static DECLARE_WORK(kbtest_w, kbtest_work);

static int __init kbtest_init(void)
{
	buf = kmalloc(64, GFP_KERNEL);
	schedule_work(&kbtest_w);
	pr_info("kbtest: pid at %zu\n", offsetof(struct task_struct, pid));
	return buf ? 0 : -ENOMEM;
}

static void __exit kbtest_exit(void)
{
	flush_work(&kbtest_w);
	kfree(buf);
}

module_init(kbtest_init);
module_exit(kbtest_exit);
MODULE_LICENSE("GPL");
EOF
	echo 'obj-m := kbtest.o' > "$1/Kbuild"
}

# A machine where R is installed, not running (another release runs): R's
# image, config and modules under the root, and the kit (kbuild_root).
setUp() {
	R=$(mktemp -d "$W/root.XXXXXX")
	kbuild_root "$R"
	KITS=$R/usr/lib/khdr-cache/kbuild
	O="--root $R --sysfs $R/sys --procfs $R/proc --kernel-release $KREL"
}

entry() { echo "$R$(readlink "$R/lib/modules/$KREL/build")"; }
stamp() { sed -n "s/^$1=//p" "$(entry)/.khdr-stamp"; }
# Every path under the cache and the link, with type and size: what a refusal must leave alone.
state() { (cd "$R" && find var/cache/khdr lib/modules/$KREL/build -printf '%p %y %s %l\n' 2>/dev/null | sort | md5sum); }
# The lines kconfig would act on: no comments, sorted.
settings() { grep -v '^#' "$1" | grep . | LC_ALL=C sort; }
# The same with hex numbers as decimal: autoconf.h writes a hex symbol's
# 0 as 0x0 whatever the .config said, so a derived config cannot tell.
numeric_settings() {
	settings "$1" | awk -F= -v OFS== '
		$2 ~ /^0x[0-9a-fA-F]+$/ {
			v = 0
			for (i = 3; i <= length($2); i++)
				v = v * 16 + index("0123456789abcdef", tolower(substr($2, i, 1))) - 1
			$2 = sprintf("%.0f", v)
		}
		{ print }' 
}

# vermagic and __versions of the module built in tree, against Debian's.
assert_builds_like_debian() {  # tree moddir
	local rc vk vd
	[ "$DEB_RC" = 0 ] || { fail "the module did not build against Debian's headers: $(tail -n 5 "$W/mod-deb.log")"; return; }
	make_module "$2"
	make -C "$1" M="$2" > "$2.log" 2>&1
	rc=$?
	assertEquals "module built in the tree install made: $(tail -n 20 "$2.log")" 0 "$rc"
	[ -f "$2/kbtest.ko" ] || return
	vk=$(modinfo -F vermagic "$2/kbtest.ko")
	vd=$(modinfo -F vermagic "$W/mod-deb/kbtest.ko")
	assertEquals "vermagic" "$vd" "$vk"
	/sbin/modprobe --dump-modversions "$W/mod-deb/kbtest.ko" > "$W/crc-deb"
	/sbin/modprobe --dump-modversions "$2/kbtest.ko" > "$2.crc"
	assertTrue "Debian's module has symbol versions" "[ $(grep -c . "$W/crc-deb") -ge 8 ]"
	assertEquals "__versions (CRCs and names)" "$(cat "$W/crc-deb")" "$(cat "$2.crc")"
}

test_install_makes_a_kbuild_tree_with_the_kit() {
	run install -v $O --archive "$DKH/kheaders.tar.xz"
	assertEquals "install: $ERR" 0 "$RC"
	local t
	t=$(entry)
	assertEquals "kbuild" synthesized "$(stamp kbuild)"
	assertEquals "kit" "$KITS/$KVER-x86" "$(stamp kit)"
	assertEquals "kit_version" "$KVER" "$(stamp kit_version)"
	assertContains "kit_origin" "$(stamp kit_origin)" "linux-source-6.1"
	assertEquals "symvers_image" "$R/boot/vmlinuz-$KREL" "$(stamp symvers_image)"
	assertEquals "symvers_modules" "$R/lib/modules/$KREL/kernel" "$(stamp symvers_modules)"
	assertEquals "config_from" "$R/boot/config-$KREL" "$(stamp config_from)"
	assertEquals "no stub Makefile" archive "$(stamp makefile)"
	assertEquals "no kit_forced" "" "$(stamp kit_forced)"
	# modpost writes in the order of its hash table: the same lines.
	LC_ALL=C sort "$t/Module.symvers" > "$W/ours.symvers"
	LC_ALL=C sort "$DEB_HDRS/Module.symvers" > "$W/debian.symvers"
	cmp "$W/ours.symvers" "$W/debian.symvers" > /dev/null
	assertEquals "Module.symvers is Debian's, every line" 0 $?
	cmp "$t/.config" "$R/boot/config-$KREL" > /dev/null
	assertEquals ".config is boot/config-R" 0 $?
	assertEquals "auto.conf sets what Debian's does" "$(settings "$DEB_HDRS/include/config/auto.conf")" \
		"$(settings "$t/include/config/auto.conf")"
	assertEquals "kernel.release" "$KREL" "$(cat "$t/include/config/kernel.release")"
	assertEquals "files: the archive's, the kit's and the build's" \
		"$(find "$t" -type f ! -name .khdr-stamp | wc -l)" "$(stamp files)"
	assertEquals "bytes: theirs" "$(find "$t" -type f ! -name .khdr-stamp -printf '%s\n' | awk '{ n += $1 } END { print n }')" \
		"$(stamp bytes)"
	assertTrue "the kit's modpost" "[ -x '$t/scripts/mod/modpost' ]"
	assertContains "the log says what made it: $ERR" "$ERR" "kbuild tree: the kit for Linux $KVER"
	assert_builds_like_debian "$t" "$W/mod-install"

	# status shows it; verify makes the files again and finds the same tree.
	run status $O
	assertContains "status: $OUT" "$OUT" " kit "
	run status $O --json
	assertEquals "status --json: the kit" "$KVER" "$(echo "$OUT" | jq -r '.entries[0].kit')"
	assertEquals "status --json: kbuild" true "$(echo "$OUT" | jq -r '.entries[0].kbuild')"
	run verify $O
	assertEquals "verify: $OUT $ERR" 0 "$RC"
	assertContains "$OUT" "identical"
	# A file of the kit changed in the tree is found.
	echo '# changed' >> "$t/scripts/Makefile.build"
	run verify $O
	assertEquals "verify after a change: $OUT $ERR" 3 "$RC"
	assertContains "$OUT" "changed  scripts/Makefile.build"
}

# No config anywhere: .config and auto.conf derived from the archive's
# autoconf.h, int and hex told from y by the kit's kconfig-numeric.
test_config_derived_from_autoconf_h() {
	rm "$R/boot/config-$KREL"
	run install $O --archive "$DKH/kheaders.tar.xz"
	assertEquals "install: $ERR" 0 "$RC"
	local t
	t=$(entry)
	assertEquals "config_from" "include/generated/autoconf.h" "$(stamp config_from)"
	assertEquals "auto.conf sets what Debian's does" "$(numeric_settings "$DEB_HDRS/include/config/auto.conf")" \
		"$(numeric_settings "$t/include/config/auto.conf")"
	assertEquals ".config sets what Debian's does" "$(numeric_settings "$DEB_HDRS/.config")" \
		"$(numeric_settings "$t/.config")"
	# Debian's spelling differs in that one respect only, and only here.
	assertEquals "lines spelt otherwise" "CONFIG_MTD_NAND_DISKONCHIP_PROBE_ADDRESS=0x0" \
		"$(settings "$t/include/config/auto.conf" | LC_ALL=C comm -13 <(settings "$DEB_HDRS/include/config/auto.conf") -)"
	assert_builds_like_debian "$t" "$W/mod-derived"
	run verify $O
	assertEquals "verify: $OUT $ERR" 0 "$RC"
}

# Without a kit, headers only, and the Makefile names the kit to install;
# once the kit is there, the next install makes the same entry a kbuild
# tree in one step.
test_headers_only_until_the_kit_comes() {
	rm -r "$KITS"
	run install $O --archive "$DKH/kheaders.tar.xz"
	assertEquals "install: $ERR" 0 "$RC"
	local key
	key=$(readlink "$R/lib/modules/$KREL/build")
	assertEquals "kbuild" no "$(stamp kbuild)"
	assertEquals "makefile" headers-only "$(stamp makefile)"
	make -C "$(entry)" > "$W/stub.out" 2>&1
	assertContains "the Makefile names the kit: $(cat "$W/stub.out")" "$(cat "$W/stub.out")" "package khdr-kbuild-$KVER"
	run install -v $O --archive "$DKH/kheaders.tar.xz"
	assertContains "again, without a kit: $OUT" "$OUT" "up to date"

	mkdir -p "$KITS"
	cp -a "$KIT/kit" "$KITS/$KVER-x86"
	run install -v $O --archive "$DKH/kheaders.tar.xz"
	assertEquals "with the kit: $ERR" 0 "$RC"
	assertContains "says why: $ERR" "$ERR" "holds headers only and the kit"
	assertEquals "the same entry" "$key" "$(readlink "$R/lib/modules/$KREL/build")"
	assertEquals "kbuild" synthesized "$(stamp kbuild)"
	assertEquals "no staging or trash left" "$(basename "$key") lock" "$(ls -A "$R/var/cache/khdr" | tr '\n' ' ' | sed 's/ $//')"
	run install -v $O --archive "$DKH/kheaders.tar.xz"
	assertContains "then up to date: $OUT" "$OUT" "up to date"
	# The kit removed: the entry keeps its copy and stays a kbuild tree.
	rm -r "$KITS"
	run install -v $O --archive "$DKH/kheaders.tar.xz"
	assertContains "kit gone: $OUT $ERR" "$OUT" "up to date"
	assertTrue "still a kbuild tree" "[ -x '$(entry)/scripts/mod/modpost' ]"
}

# A root prepared with --root, then booted: the stamp names the kit, image
# and config where that install saw them, gone now; verify finds them again
# where the booted root has them, and a kit file changed there is reported.
test_verify_once_the_root_is_booted() {
	local rc t
	run install $O --archive "$DKH/kheaders.tar.xz"
	assertEquals "install: $ERR" 0 "$RC"
	assertEquals "kbuild" synthesized "$(stamp kbuild)"
	mv "$R" "$R.booted"
	R=$R.booted
	KITS=$R/usr/lib/khdr-cache/kbuild
	O="--root $R --sysfs $R/sys --procfs $R/proc --kernel-release $KREL"
	assertFalse "the stamp's image is gone" "[ -e '$(stamp symvers_image)' ]"
	run verify $O
	assertEquals "verify of the booted root: $OUT $ERR" 0 "$RC"
	t=$(entry)
	echo '# changed' >> "$KITS/$KVER-x86/scripts/Makefile.build"
	run verify $O
	rc=$RC
	assertNotEquals "verify after the kit's Makefile.build changed: $OUT" 0 "$rc"
	assertContains "names it: $OUT $ERR" "$OUT $ERR" "scripts/Makefile.build"
	assertTrue "the tree itself is untouched" "cmp -s '$t/scripts/Makefile.build' '$KIT/kit/scripts/Makefile.build'"
}

# --kit of another version: refused, naming both, the old entry and link
# untouched; --force uses it, and the stamp and the manifest say so.
test_kit_of_another_version() {
	local other=$W/kit-6.1.1 before
	rm -rf "$other"
	cp -a "$KIT/kit" "$other"
	sed -i '1,/^$/{s/^version=.*/version=6.1.1/;s/^version_code=.*/version_code=393473/}' "$other/khdr-kit"
	rm -r "$KITS"
	run install $O --archive "$DKH/kheaders.tar.xz"
	assertEquals "headers only first: $ERR" 0 "$RC"
	before=$(state)
	run install $O --archive "$DKH/kheaders.tar.xz" --kit "$other"
	assertEquals "refused: $ERR" 1 "$RC"
	assertContains "names the kit's version: $ERR" "$ERR" "for Linux 6.1.1,"
	assertContains "names the headers' version: $ERR" "$ERR" "the headers for Linux $KVER"
	assertContains "names the package: $ERR" "$ERR" "khdr-kbuild-$KVER"
	assertEquals "nothing changed" "$before" "$(state)"
	assertEquals "still headers only" no "$(stamp kbuild)"

	run install $O --archive "$DKH/kheaders.tar.xz" --kit "$other" --force
	assertEquals "--force: $ERR" 0 "$RC"
	assertEquals "kbuild" synthesized "$(stamp kbuild)"
	assertEquals "kit_forced" "$KVER" "$(stamp kit_forced)"
	assertEquals "the tree's manifest says it" "forced=$KVER" "$(sed -n '/^$/q; /^forced=/p' "$(entry)/khdr-kit")"
}

# The kernel runs: its notes say which image is its own.  Another image
# under boot/ would give Module.symvers of another build: refused.
test_running_kernel_image_must_be_its_own() {
	need_debian_kernel || return 0
	[ "$(cat "$KHDR_DEBIAN_KERNEL/release")" = "$KREL" ] || { skip_test "the Debian kernel image is not R's"; return 0; }
	strings -n 40 "$KHDR_DEBIAN_KERNEL/vmlinux" | grep "^Linux version $KREL (" | grep ' #[0-9]' | head -n 1 > "$R/proc/version"
	cp "$KHDR_DEBIAN_KERNEL/notes" "$R/sys/kernel/notes"
	gzip -c "$R/boot/config-$KREL" > "$R/proc/config.gz"
	run install $O --archive "$DKH/kheaders.tar.xz"
	assertEquals "running: $ERR" 0 "$RC"
	assertEquals "kbuild" synthesized "$(stamp kbuild)"
	assertEquals "config_from" "$R/proc/config.gz" "$(stamp config_from)"
	run status $O
	assertContains "status says running: $OUT" "$OUT" "(running)"

	# Other notes: the image under boot/ is no longer this kernel's.
	rm -rf "$R/var/cache/khdr" "$R/lib/modules/$KREL/build"
	printf '\004\000\000\000\024\000\000\000\003\000\000\000GNU\000' > "$R/sys/kernel/notes"
	printf '\021%.0s' $(seq 20) >> "$R/sys/kernel/notes"
	run install $O --archive "$DKH/kheaders.tar.xz"
	assertEquals "another image: $ERR" 1 "$RC"
	assertContains "says why: $ERR" "$ERR" "is not the image of this kernel"
	assertContains "names the image: $ERR" "$ERR" "$R/boot/vmlinuz-$KREL"
	assertFalse "no link" "[ -e '$R/lib/modules/$KREL/build' ]"
	assertEquals "no entry" "lock" "$(ls -A "$R/var/cache/khdr" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
}

# A kit whose manifest is not one: the message names the file and what is wrong.
test_broken_kit_manifest() {
	sed -i '1,/^$/{s/^files=.*/files=3/}' "$KITS/$KVER-x86/khdr-kit"
	run install $O --archive "$DKH/kheaders.tar.xz" --kit "$KITS/$KVER-x86"
	assertEquals "refused: $ERR" 1 "$RC"
	assertContains "names the manifest: $ERR" "$ERR" "$KITS/$KVER-x86/khdr-kit"
	assertContains "says what is wrong: $ERR" "$ERR" "files=3"
	assertFalse "no link" "[ -e '$R/lib/modules/$KREL/build' ]"
	# Found among the installed kits instead: a warning, and headers only.
	run install $O --archive "$DKH/kheaders.tar.xz"
	assertEquals "headers only: $ERR" 0 "$RC"
	assertContains "warns, naming the manifest: $ERR" "$ERR" "$KITS/$KVER-x86/khdr-kit"
	assertEquals "kbuild" no "$(stamp kbuild)"
}

# A kit others may change is no kit: its programs run in every build.
test_kit_writable_by_others_is_not_used() {
	chmod o+w "$KITS/$KVER-x86"
	run install $O --archive "$DKH/kheaders.tar.xz"
	assertEquals "installed headers only: $ERR" 0 "$RC"
	assertContains "warns: $ERR" "$ERR" "the kit $KITS/$KVER-x86 is not used"
	assertContains "says why: $ERR" "$ERR" "mode 0757"
	assertEquals "kbuild" no "$(stamp kbuild)"
	run install $O --archive "$DKH/kheaders.tar.xz" --kit "$KITS/$KVER-x86"
	assertEquals "--kit: refused: $ERR" 1 "$RC"
	assertContains "$ERR" "only root may be able to change a kit"
}

. shunit2
