#!/bin/bash
# test-kit.sh - the kbuild kit (kernel/mkkit) and the headers-only archive
# of a stock CONFIG_IKHEADERS kernel (kernel/mkarchive --gen-kheaders),
# with Debian's real headers for its stock kernel and the kit of Debian's
# linux-source-6.1 (tests/lib/build-kit.sh, cached by its inputs):
#  - --gen-kheaders packs what Linux's own kernel/gen_kheaders.sh packs,
#    byte for byte;
#  - (test-kbuild.sh: install makes a kbuild tree of such an archive with
#    the kit, in which modules build as against Debian's headers;)
#  - a kit of another version is refused, naming both; --force says so;
#  - the kit's manifest lists the kit; its package installs it under
#    /usr/lib/khdr-cache/kbuild/<version>-<srcarch>/.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kbuild-fixture.sh"
suite_on_private_tmpfs "$@"

MKKIT=$KHDR_SRCDIR/kernel/mkkit
MKARCHIVE=$KHDR_SRCDIR/kernel/mkarchive

oneTimeSetUp() {
	command -v make > /dev/null && command -v gcc > /dev/null ||
		{ skip_test "no make or gcc"; skip_suite; return 0; }
	kbuild_inputs || { skip_suite; return 0; }
	W=$SHUNIT_TMPDIR/kit
	mkdir -p "$W"
	# The headers-only archive of those headers, as a stock kernel carries.
	GEN=$W/gen.tar.xz
	"$MKARCHIVE" --gen-kheaders --sysroot "$HDRS" "$HDRS/usr/src/linux-headers-$KREL" "$GEN" \
		2> "$W/gen.err"
	GEN_RC=$?
}

# A fresh headers-only tree from the archive.
headers_tree() {  # dir
	mkdir -p "$1" && tar -xJf "$GEN" -C "$1"
}

test_gen_kheaders_is_what_linux_packs() {
	assertEquals "mkarchive --gen-kheaders: $(cat "$W/gen.err")" 0 "$GEN_RC"
	local src m=$W/merged t0 rc
	src=$(sh "$KHDR_SRCDIR/tests/lib/build-artefacts.sh" --source-only 2>/dev/null) ||
		{ skip_test "no linux-source-6.1 for its gen_kheaders.sh"; return 0; }
	# Debian's headers merged as kbuild sees them (-common, then -amd64
	# over it), and Linux's own script run in it, at one time.
	mkdir -p "$m/kernel"
	for d in "$HDRS"/usr/src/linux-headers-*-common "$HDRS/usr/src/linux-headers-$KREL"; do
		(cd "$d" && tar -cf - include arch/x86/include) | tar -xf - -C "$m"
	done
	t0=$(stat -c %Y "$m/include/generated/autoconf.h")
	# The script as it is but for the batch size of its perl runs (one
	# process a file takes minutes on a loaded machine; the same result).
	sed 's/xargs -0 -P8 -n1 perl/xargs -0 -P2 -n500 perl/' "$src/kernel/gen_kheaders.sh" > "$W/gen_kheaders.sh"
	grep -q 'n500 perl' "$W/gen_kheaders.sh" || fail "gen_kheaders.sh: its perl line changed"
	(cd "$m" && SRCARCH=x86 XZ=xz KBUILD_BUILD_TIMESTAMP=@$t0 \
		sh "$W/gen_kheaders.sh" linux.tar.xz > /dev/null 2>&1)
	assertEquals "Linux's gen_kheaders.sh ran" 0 $?
	"$MKARCHIVE" --gen-kheaders --mtime "$t0" "$m" "$W/ours.tar.xz" 2> "$W/ours.err"
	rc=$?
	assertEquals "mkarchive --gen-kheaders on the merged tree: $(cat "$W/ours.err")" 0 "$rc"
	xz -dc "$m/linux.tar.xz" > "$W/linux.tar"
	xz -dc "$W/ours.tar.xz" > "$W/ours.tar"
	cmp "$W/linux.tar" "$W/ours.tar" > /dev/null
	assertEquals "the same tar as gen_kheaders.sh's, byte for byte" 0 $?
	# And what it holds: *.h of include/ and arch/x86/include/ only, no manifest.
	local other
	other=$(tar -tJf "$GEN" | grep -v '/$' | grep -v '^\./\(include\|arch/x86/include\)/.*\.h$' | head -n 3)
	assertEquals "members other than *.h of include/ and arch/x86/include/" "" "$other"
	tar -xOJf "$GEN" ./include/linux/kernel.h | grep -q 'SPDX-License-Identifier'
	assertEquals "SPDX lines kept" 0 $?
	tar -xOJf "$GEN" ./include/linux/kernel.h | grep -v SPDX | grep -q '/\*'
	assertNotEquals "other comments stripped" 0 $?
}

test_kit_of_another_version_is_refused() {
	[ "$GEN_RC" = 0 ] || { fail "no headers-only archive: $(cat "$W/gen.err")"; return 0; }
	local other=$W/kit-6.1.191 t=$W/tree-refused rc
	cp -a "$KIT/kit" "$other"
	sed -i '1,/^$/{s/^version=.*/version=6.1.191/;s/^version_code=.*/version_code=393663/}' "$other/khdr-kit"
	headers_tree "$t"
	"$MKKIT" --assemble "$other" "$t" 2> "$W/refused.err"
	rc=$?
	assertEquals "another version's kit: status" 1 "$rc"
	grep -q '6\.1\.191' "$W/refused.err" && grep -q "$KVER" "$W/refused.err"
	rc=$?
	assertTrue "the message names both versions: $(cat "$W/refused.err")" "$rc"
	[ ! -e "$t/Makefile" ] && [ ! -e "$t/scripts" ] && [ ! -e "$t/khdr-kit" ]
	assertTrue "nothing was copied" $?

	"$MKKIT" --assemble --force "$other" "$t" 2> "$W/forced.err"
	rc=$?
	assertEquals "--force: $(cat "$W/forced.err")" 0 "$rc"
	grep -q 'warning' "$W/forced.err"
	assertTrue "--force warns" $?
	assertEquals "the tree's manifest says it was forced" "forced=$KVER" \
		"$(sed -n '/^$/q; /^forced=/p' "$t/khdr-kit")"
	assertTrue "the kit's files are there" "[ -x '$t/scripts/mod/modpost' ]"

	# A tree without a version, and a directory that is no kit.
	"$MKKIT" --assemble "$KIT/kit" "$W" 2> "$W/nover.err"
	rc=$?
	assertEquals "no version.h: $(cat "$W/nover.err")" 1 "$rc"
	"$MKKIT" --assemble "$W" "$t" 2> "$W/nokit.err"
	rc=$?
	assertEquals "not a kit: status" 1 "$rc"
	grep -q 'not a kbuild kit' "$W/nokit.err"
	rc=$?
	assertTrue "not a kit: $(cat "$W/nokit.err")" "$rc"
}

test_kit_manifest_lists_the_kit() {
	local k=$KIT/kit f missing= extra
	assertEquals "version" "$KVER" "$(sed -n '/^$/q; s/^version=//p' "$k/khdr-kit")"
	local mk=$HOME/.cache/khdr-cache-tests/linux-source-6.1/Makefile
	[ ! -f "${KHDR_TEST_CACHE:-$HOME/.cache/khdr-cache-tests}/linux-source-6.1/Makefile" ] ||
		mk=${KHDR_TEST_CACHE:-$HOME/.cache/khdr-cache-tests}/linux-source-6.1/Makefile
	assertEquals "the source's version" \
		"$(sed -n 's/^VERSION = //p' "$mk").$(sed -n 's/^PATCHLEVEL = //p' "$mk").$(sed -n 's/^SUBLEVEL = //p' "$mk")" "$KVER"
	assertEquals "version_code" "$(grep -h '^#define LINUX_VERSION_CODE' \
		"$HDRS/usr/src/linux-headers-$KREL/include/generated/uapi/linux/version.h" | cut -d' ' -f3)" \
		"$(sed -n '/^$/q; s/^version_code=//p' "$k/khdr-kit")"
	sed '1,/^$/d' "$k/khdr-kit" > "$W/listed"
	for f in Makefile arch/x86/Makefile scripts/Kbuild.include scripts/Makefile.build \
		scripts/basic/fixdep scripts/mod/modpost scripts/genksyms/genksyms scripts/sign-file \
		scripts/module.lds tools/objtool/objtool; do
		grep -qx "$f" "$W/listed" || missing="$missing $f"
	done
	assertEquals "needed files not listed" "" "$missing"
	extra=$(cd "$k" && find . ! -type d ! -name khdr-kit ! -path ./kconfig-numeric | sed 's|^\./||' | LC_ALL=C sort |
		LC_ALL=C comm -3 - "$W/listed")
	assertEquals "files listed but absent, or present but unlisted" "" "$extra"
	assertEquals "files=" "$(grep -c . "$W/listed")" "$(sed -n '/^$/q; s/^files=//p' "$k/khdr-kit")"
	assertEquals "no sources of host programs" "" "$(grep '\.c$' "$W/listed")"
}

test_kit_package() {
	local deb
	deb=$(ls "$KIT"/khdr-kbuild-"$KVER"_*.deb 2>/dev/null)
	assertNotNull "build-kit.sh made the package" "$deb"
	[ -n "$deb" ] || return 0
	assertEquals "Package" "khdr-kbuild-$KVER" "$(dpkg-deb -f "$deb" Package)"
	dpkg-deb -c "$deb" | awk '{ print $6 }' > "$W/deb.list"
	local d=./usr/lib/khdr-cache/kbuild/$KVER-x86
	grep -qx "$d/khdr-kit" "$W/deb.list" && grep -qx "$d/scripts/mod/modpost" "$W/deb.list" &&
		grep -qx "$d/tools/objtool/objtool" "$W/deb.list"
	assertTrue "the kit is in $d" $?
	dpkg-deb -x "$deb" "$W/debroot"
	diff -r "$KIT/kit" "$W/debroot/$d" > /dev/null
	assertEquals "the package holds the kit as it is" 0 $?
}

. shunit2
