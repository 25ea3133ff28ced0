# kbuild-fixture.sh - sourced by the suites about kbuild trees made from a
# headers-only archive and a kit (test-kit, test-kbuild, test-kbuild-dkms):
# their genuine inputs, found once, and the two trees they compare.

# HDRS KREL (Debian's headers of its stock kernel R), MODS (R's linux-image
# .deb unpacked), DKH (Linux's gen_kheaders.sh archive of those headers),
# KIT KVER (the kit of linux-source-6.1): 0, or 1 after skip_test saying
# which is missing.
kbuild_inputs() {
	HDRS=$(sh "$KHDR_SRCDIR/tests/lib/debian-headers.sh" 2>/dev/null) ||
		{ skip_test "Debian's headers packages unavailable (tests/lib/debian-headers.sh failed)"; return 1; }
	KREL=$(cat "$HDRS/release")
	MODS=$(sh "$KHDR_SRCDIR/tests/lib/debian-modules.sh" 2>/dev/null) && [ "$(cat "$MODS/release")" = "$KREL" ] ||
		{ skip_test "Debian's linux-image-$KREL could not be unpacked (tests/lib/debian-modules.sh)"; return 1; }
	DKH=$(sh "$KHDR_SRCDIR/tests/lib/debian-kheaders.sh" 2>/dev/null) ||
		{ skip_test "no gen_kheaders.sh archive of Debian's headers (tests/lib/debian-kheaders.sh failed)"; return 1; }
	KIT=$(sh "$KHDR_SRCDIR/tests/lib/build-kit.sh") ||
		{ skip_test "no kit (tests/lib/build-kit.sh failed: linux-source-6.1 missing?)"; return 1; }
	KVER=$(cat "$KIT/version")
}

# Debian's headers as installed, in dir: the include line and the links
# into linux-kbuild pointed at the unpacked packages.  The reference tree.
debian_tree() {  # dir
	cp -a "$HDRS/usr/src/linux-headers-$KREL" "$1" &&
	rm "$1/scripts" "$1/tools" &&
	ln -s "$HDRS"/usr/lib/linux-kbuild-*/scripts "$1/scripts" &&
	ln -s "$HDRS"/usr/lib/linux-kbuild-*/tools "$1/tools" &&
	sed -i "s|^include /usr/src/|include $HDRS/usr/src/|" "$1/Makefile"
}

# A machine in dir where R is installed but not running (another release
# runs): R's image, config and modules, and the kit in usr/lib/khdr-cache/kbuild.
kbuild_root() {  # dir
	mkdir -p "$1/boot" "$1/lib/modules/$KREL" "$1/sys/kernel" "$1/proc" "$1/run" \
		"$1/usr/lib/khdr-cache/kbuild" &&
	cp "$MODS/boot/vmlinuz-$KREL" "$MODS/boot/config-$KREL" "$1/boot/" &&
	ln -s "$MODS/lib/modules/$KREL/kernel" "$1/lib/modules/$KREL/kernel" &&
	echo 'Linux version 6.1.0-other (a@b) (gcc) #1 SMP' > "$1/proc/version" &&
	cp -a "$KIT/kit" "$1/usr/lib/khdr-cache/kbuild/$KVER-x86"
}
