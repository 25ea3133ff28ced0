# shellcheck shell=bash disable=SC2317
# tests/lib/boot.sh - sourced (bash) by tests/boot/run and tests/guest/run:
# the result lines, the prerequisites, and the inputs both boot Debian's
# stock kernel with: khdr-cache, Debian's kernel and module tree, kernel/'s
# kheaders.ko and the dracut initramfs images with 90khdr, all cached
# under $cache (~/.cache/khdr-cache-tests) as boot-*.
#
# The caller sets srcdir, builddir, cache and work (a private directory)
# before calling boot_prepare; the helpers set the variables named below.
# Most helpers are called through check(), which shellcheck cannot follow.

# --- results -------------------------------------------------------------
passed=0 failed=0 skipped=0
failures=()
pass() { echo "PASS: $1"; passed=$((passed + 1)); }
fail() { echo "FAIL: $1${2:+ ($2)}"; failed=$((failed + 1)); failures+=("$1"); }
skip() { echo "SKIP: $1 ($2)"; skipped=$((skipped + 1)); }
finish() {
	if [ ${#failures[@]} -gt 0 ]; then
		echo
		echo "Failed:"
		printf '  %s\n' "${failures[@]}"
	fi
	echo
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit
}
# check NAME WHY COMMAND...: PASS when COMMAND succeeds, else FAIL (WHY).
check() {
	local name=$1 why=$2
	shift 2
	if "$@"; then pass "$name"; else fail "$name" "$why"; fi
}
not() { ! "$@"; }
eq() { [ "$1" = "$2" ] || { echo "    expected '$2', got '$1'" >&2; return 1; }; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# --- what must be there -----------------------------------------------------
# boot_prerequisites TOOL...: qemu (else SKIP, the only reason to skip),
# dracut and the tools named; a FAIL naming what is missing ends the run.
# Sets accel and cpu.
boot_prerequisites() {
	if ! command -v qemu-system-x86_64 > /dev/null; then
		skip boot "qemu-system-x86_64 is not installed (Debian package qemu-system-x86)"
		finish
	fi
	if ! qemu-system-x86_64 -machine help > /dev/null 2>&1; then
		skip boot "qemu-system-x86_64 does not run here: $(qemu-system-x86_64 -version 2>&1 | head -n 1)"
		finish
	fi
	local missing= tool
	for tool in dracut lsinitrd depmod dpkg-deb mkfs.ext4 timeout "$@"; do
		command -v "$tool" > /dev/null || missing+=" $tool"
	done
	[ -d /usr/lib/dracut/modules.d ] || missing+=" /usr/lib/dracut/modules.d"
	if [ -n "$missing" ]; then
		fail prerequisites "missing:$missing (Debian packages dracut-core, kmod, e2fsprogs and the others tools/bootstrap installs)"
		finish
	fi
	# KVM only when the CPU really has it: the /dev/kvm of some sandboxes
	# is a software variant on which a real kernel hangs.
	if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
		accel=kvm cpu=host
	else
		accel=tcg cpu=max
	fi
}

# --- inputs: khdr-cache, Debian's kernel, kernel/'s kheaders.ko ------------
# boot_prepare: builds khdr-cache in $builddir and sets KHDR, release,
# build_id, key, vmlinuz, kbuild (tests/lib/build-kbuild-archive.sh's
# directory), deb (the linux-image .deb) and ktree (its unpacked module
# tree with modules.dep); a FAIL ends the run.
boot_prepare() {
	if ! make -s -C "$builddir" khdr-cache > "$work/make.log" 2>&1; then
		cat "$work/make.log"
		fail build "make khdr-cache in $builddir"
		finish
	fi
	export KHDR=$builddir/khdr-cache
	if ! KHDR_DEBIAN_KERNEL=$(sh "$srcdir/tests/lib/debian-kernel.sh"); then
		fail prepare/debian-kernel "tests/lib/debian-kernel.sh failed"
		finish
	fi
	export KHDR_DEBIAN_KERNEL
	if ! kbuild=$(sh "$srcdir/tests/lib/build-kbuild-archive.sh"); then
		fail prepare/kbuild-archive "tests/lib/build-kbuild-archive.sh failed"
		finish
	fi
	release=$(cat "$KHDR_DEBIAN_KERNEL/release")
	build_id=$(cat "$kbuild/build-id")
	key=$release@$build_id
	vmlinuz=$KHDR_DEBIAN_KERNEL/vmlinuz

	# The module tree of the linux-image package, with modules.dep (the
	# .deb ships none, and dracut refuses a tree without it).
	deb=$(ls "$cache/debs/linux-image-${release}_"*.deb 2>/dev/null | head -n 1)
	if [ -z "$deb" ]; then
		fail prepare/kernel-tree "no linux-image-$release .deb in $cache/debs"
		finish
	fi
	ktree=$cache/boot-kernel-$(basename "$deb" .deb)
	if [ ! -f "$ktree/done" ]; then
		local t
		t=$(now)
		rm -rf "$ktree.tmp"
		mkdir -p "$ktree.tmp"
		if dpkg-deb -x "$deb" "$ktree.tmp" &&
			depmod -b "$ktree.tmp" -F "$ktree.tmp/boot/System.map-$release" "$release"; then
			touch "$ktree.tmp/done"
			rm -rf "$ktree"
			mv "$ktree.tmp" "$ktree"
			echo "unpacked $(basename "$deb") in $(elapsed "$t") s"
		else
			fail prepare/kernel-tree "dpkg-deb -x or depmod failed"
			finish
		fi
	fi
}

# The libraries khdr-cache needs: ldd's, and those it loads with dlopen()
# (the sonames of its .note.dlopen notes), the host's x86-64 copies.
khdr_libs() {
	local so
	ldd "$KHDR" | awk '$3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
	for so in $(grep -ao '"soname":\[[^]]*\]' "$KHDR" | grep -o '"[^"]*\.so[^"]*"' | tr -d '"'); do
		ldconfig -p | awk -v s="$so" '$1 == s && /x86-64/ { print $NF; exit }'
	done
}

# kmodtree KO: a copy of that tree (hard links) with KO as
# updates/kheaders.ko, depmod run again; prints its root.
kmodtree() {
	local ko=$1 sum dir mods
	sum=$(md5sum < "$ko" | cut -c1-12)
	dir=$cache/boot-kmod-$release-$sum
	if [ ! -f "$dir/done" ]; then
		rm -rf "$dir.tmp"
		mkdir -p "$dir.tmp/lib/modules"
		mods=$dir.tmp/lib/modules/$release
		cp -al "$ktree/lib/modules/$release" "$mods" || return 1
		# depmod's output must not be written through the shared links.
		local f
		for f in "$mods"/modules.*; do
			rm -f "$f"
			cp "$ktree/lib/modules/$release/${f##*/}" "$f" || return 1
		done
		mkdir -p "$mods/updates"
		cp "$ko" "$mods/updates/kheaders.ko" || return 1
		depmod -b "$dir.tmp" -F "$ktree/boot/System.map-$release" "$release" || return 1
		touch "$dir.tmp/done"
		rm -rf "$dir"
		mv "$dir.tmp" "$dir"
	fi
	echo "$dir"
}

# --- the initramfs images ------------------------------------------------
# dracut has no option for another modules dir, but takes its whole base
# from $dracutbasedir: every stock module, plus ours from this tree.
dracut_setup() {
	dbase=$work/dracut
	mkdir -p "$dbase/modules.d" "$work/dracut-conf.d" "$work/dracut-tmp"
	local f m
	for f in /usr/lib/dracut/*; do
		[ "${f##*/}" = modules.d ] || ln -s "$f" "$dbase/"
	done
	for m in /usr/lib/dracut/modules.d/*; do
		ln -s "$m" "$dbase/modules.d/"
	done
	ln -s "$srcdir/dracut/90khdr" "$dbase/modules.d/90khdr"
}

declare -A flavour_modules=(
	[plain]="base rootfs-block khdr"
	[systemd]="systemd-initrd dracut-systemd base rootfs-block khdr"
)
drivers="virtio_blk virtio_pci ext4"

# initrd FLAVOUR WHICH TREE: build (or reuse) the image; prints its path.
initrd() {
	local flavour=$1 which=$2 tree=$3 mods=${flavour_modules[$1]} ikey out t
	ikey=$( {
		dracut --version
		echo "$mods / $drivers / $release / --no-compress"
		cat "$srcdir"/dracut/90khdr/*
		md5sum < "$KHDR"
		khdr_libs | xargs -r md5sum
		md5sum < "$tree/lib/modules/$release/updates/kheaders.ko"
	} | md5sum | cut -c1-16)
	out=$cache/boot-initrd/$flavour-$which-$ikey.img
	if [ ! -f "$out" ]; then
		# The images of older inputs go.
		rm -f "$cache/boot-initrd/$flavour-$which-"*.img
		mkdir -p "$cache/boot-initrd"
		t=$(now)
		if ! dracutbasedir=$dbase KHDR_CACHE_BINARY=$KHDR dracut -q \
			--conf /dev/null --confdir "$work/dracut-conf.d" --tmpdir "$work/dracut-tmp" \
			--kver "$release" --kmoddir "$tree/lib/modules/$release" \
			-m "$mods" --drivers "$drivers" --no-hostonly --no-early-microcode \
			--no-compress --force "$out.tmp" > "$work/dracut-$flavour.log" 2>&1; then
			cat "$work/dracut-$flavour.log" >&2
			rm -f "$out.tmp"
			return 1
		fi
		mv "$out.tmp" "$out"
		echo "dracut ($flavour): $(du -k "$out" | cut -f1) KiB in $(elapsed "$t") s" >&2
	fi
	echo "$out"
}
