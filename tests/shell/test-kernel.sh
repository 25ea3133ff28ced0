#!/bin/bash
# test-kernel.sh - kernel/: the packer (kernel/mkarchive) and the
# out-of-tree kheaders module, with Debian's real headers packages for its
# stock kernel (fetched with apt-get download, never installed) and that
# kernel's real build ID and notes.  Proves that a tree installed from the
# module by khdr-cache builds modules with make M= and with DKMS, with no
# headers package on the machine.
#
#   KHDR_KBUILD  the directory of tests/lib/build-kbuild-archive.sh (computed
#                here when tests/run did not)
. "$(dirname "$0")/lib.sh"

if [ -z "${KHDR_KBUILD:-}" ]; then
	KHDR_KBUILD=$(sh "$KHDR_SRCDIR/tests/lib/build-kbuild-archive.sh") || KHDR_KBUILD=
fi
MKARCHIVE=$KHDR_SRCDIR/kernel/mkarchive

need_kbuild() {
	[ -n "$KHDR_KBUILD" ] && [ -f "$KHDR_KBUILD/done" ] ||
		{ skip_test "no kbuild artefacts (tests/lib/build-kbuild-archive.sh failed: Debian's headers or kernel image unavailable?)"; return 1; }
	KREL=$(cat "$KHDR_KBUILD/release")
	KBID=$(cat "$KHDR_KBUILD/build-id")
}

# A fixture machine running Debian's stock kernel: its real notes (so its
# build ID) and its uname -v.
make_kfixture() {
	KFX=$(mktemp -d "$SHUNIT_TMPDIR/kfx.XXXXXX")
	mkdir -p "$KFX/root" "$KFX/sys/kernel" "$KFX/proc/sys/kernel"
	cp "$KHDR_DEBIAN_KERNEL/notes" "$KFX/sys/kernel/notes"
	if [ -f "$KHDR_KBUILD/uts_version" ]; then
		cp "$KHDR_KBUILD/uts_version" "$KFX/proc/sys/kernel/version"
	fi
	KFXOPTS="--root $KFX/root --sysfs $KFX/sys --procfs $KFX/proc --kernel-release $KREL"
}

kstamp() {  # key: from the entry build points at
	sed -n "s/^$1=//p" "$KFX/root$(readlink "$KFX/root/lib/modules/$KREL/build")/.khdr-stamp"
}

# One install of kheaders.ko, shared by the tests that build against it
# (an extraction costs seconds): sets KENTRY, the installed tree.
KENTRY=
installed_tree() {
	[ -n "$KENTRY" ] && return 0
	make_kfixture
	run install $KFXOPTS --archive "$KHDR_KBUILD/kheaders.ko"
	[ "$RC" = 0 ] || { fail "install --archive kheaders.ko: $ERR"; return 1; }
	KENTRY=$KFX/root$(readlink "$KFX/root/lib/modules/$KREL/build")
	KENTRY_FX=$KFX
}

# A tiny out-of-tree module, and its dkms.conf.
make_sample() {  # dir
	mkdir -p "$1"
	cat > "$1/khdrhello.c" <<'EOF'
#include <linux/init.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <generated/utsrelease.h>

static int __init khdrhello_init(void)
{
	pr_info("khdrhello: built for " UTS_RELEASE ", task_struct is %zu bytes\n",
		sizeof(struct task_struct));
	return 0;
}

static void __exit khdrhello_exit(void)
{
}

module_init(khdrhello_init);
module_exit(khdrhello_exit);
MODULE_LICENSE("GPL");
EOF
	echo 'obj-m := khdrhello.o' > "$1/Kbuild"
	cat > "$1/dkms.conf" <<'EOF'
PACKAGE_NAME="khdrhello"
PACKAGE_VERSION="1.0"
BUILT_MODULE_NAME[0]="khdrhello"
DEST_MODULE_LOCATION[0]="/updates/dkms"
AUTOINSTALL="no"
EOF
}

# Every file's path, size, mtime and mode: to show a tree is not changed.
tree_state() {
	(cd "$1" && find . -printf '%p %s %T@ %m %y\n' | LC_ALL=C sort | md5sum)
}

# Run "$@" where no headers of the host can be seen: in a private mount
# namespace with empty tmpfs over /usr/src and /lib/modules (the host may
# have Debian's linux-headers-* installed, as a kernel developer's machine
# does), so what is built is built from our tree or fails.  dkms's own
# /var/lib/dkms (it writes its signing key there) is a tmpfs too.  Exits
# 97 when the namespace cannot be made.
without_host_headers() {  # command...
	unshare -m --propagation private sh -c '
		mount -t tmpfs khdr-nohdr /usr/src && mount -t tmpfs khdr-nohdr /lib/modules || exit 97
		[ ! -d /var/lib/dkms ] || mount -t tmpfs khdr-nohdr /var/lib/dkms || exit 97
		[ -z "$(ls -A /usr/src)" ] && [ -z "$(ls -A /lib/modules)" ] || exit 97
		exec "$@"' sh "$@"
}

need_hidden_headers() {
	[ "$(id -u)" = 0 ] && without_host_headers true ||
		{ skip_test "cannot hide the host's headers (unshare -m and tmpfs need root)"; return 1; }
}

# --- the packer ----------------------------------------------------------

# Pack Debian's headers again, in another temporary directory and with
# another umask, and compare with the cached archive made by an earlier,
# separate run: byte for byte.  Then check the archive's properties.
test_packer_reproducible_and_canonical() {
	need_kbuild && need_debian_kernel || return 0
	local hdrs out=$SHUNIT_TMPDIR/again.tar.xz
	hdrs=$(sh "$KHDR_SRCDIR/tests/lib/debian-headers.sh" 2>/dev/null) ||
		{ skip_test "Debian's headers packages unavailable"; return 0; }
	mkdir "$SHUNIT_TMPDIR/pt"
	(umask 077 && TMPDIR=$SHUNIT_TMPDIR/pt "$MKARCHIVE" --khdr-cache "$KHDR" \
		--kernel-image "$KHDR_DEBIAN_KERNEL/vmlinuz" --sysroot "$hdrs" \
		"$hdrs/usr/src/linux-headers-$KREL" "$out") 2> "$SHUNIT_TMPDIR/mkarchive.err"
	rc=$?
	assertEquals "mkarchive: $(cat "$SHUNIT_TMPDIR/mkarchive.err")" 0 "$rc"
	cmp "$KHDR_KBUILD/kheaders.tar.xz" "$out" > /dev/null
	assertEquals "two runs give byte-identical archives" 0 $?
	assertEquals "its temporary files are gone" "" "$(ls -A "$SHUNIT_TMPDIR/pt")"

	# Member order, owners, mtimes, links, modes; the manifest's fields.
	python3 - "$out" "$KREL" "$KBID" "$hdrs/usr/src/linux-headers-$KREL" > "$SHUNIT_TMPDIR/props" 2>&1 <<'EOF'
import os, posixpath, re, sys, tarfile
path, release, build_id, amd64 = sys.argv[1:]
bad = []
with tarfile.open(path, "r:xz") as t:
    m = t.getmembers()
if m[0].name != "khdr-manifest" or not m[0].isfile():
    bad.append("first member is %r" % m[0].name)
names = [x.name for x in m[1:]]
if names != sorted(names, key=lambda n: n.encode()):
    bad.append("members not in byte order")
if len(set(names)) != len(names):
    bad.append("duplicate members")
mtimes = {x.mtime for x in m}
if len(mtimes) != 1:
    bad.append("%d different mtimes" % len(mtimes))
for x in m:
    if x.uid or x.gid:
        bad.append("%s owned by %d:%d" % (x.name, x.uid, x.gid))
    if x.mode & 0o7022:
        bad.append("%s mode %o" % (x.name, x.mode))
    if x.name.startswith(("/", "./")) or ".." in x.name.split("/"):
        bad.append("member name %s" % x.name)
    if x.issym():
        if x.linkname.startswith("/"):
            bad.append("absolute symlink %s -> %s" % (x.name, x.linkname))
        target = posixpath.normpath(posixpath.join(posixpath.dirname(x.name), x.linkname))
        if target.startswith("../") or target == "..":
            bad.append("symlink %s -> %s leaves the tree" % (x.name, x.linkname))
    if x.islnk() or x.ischr() or x.isblk() or x.isfifo():
        bad.append("%s is of type %r" % (x.name, x.type))
try:
    with tarfile.open(path, "r:xz") as t:
        man = t.extractfile("khdr-manifest").read().decode()
except KeyError:
    man = ""
kv = dict(l.split("=", 1) for l in man.splitlines() if "=" in l)
files = [x for x in m[1:] if x.isfile()]
uts = re.search(r'UTS_VERSION "(.*)"', open(amd64 + "/include/generated/utsversion.h").read()).group(1)
want = {"format": "1", "release": release, "arch": "x86_64", "build_id": build_id,
        "kbuild": "yes", "uts_version": uts, "trimmed": "yes",
        "files": str(len(files)), "bytes": str(sum(x.size for x in files))}
for k, v in want.items():
    if kv.get(k) != v:
        bad.append("manifest %s=%r, want %r" % (k, kv.get(k), v))
if not re.fullmatch(r"khdr-cache mkarchive \S+", kv.get("created_by", "")):
    bad.append("manifest created_by=%r" % kv.get("created_by"))
# What kbuild needs for M= is there, as files (not links out of the tree).
have = {x.name: x for x in m}
for f in ("Makefile", ".config", ".kernelvariables", "Module.symvers",
          "include/config/auto.conf", "include/linux/kconfig.h",
          "arch/x86/Makefile", "arch/x86/module.lds", "scripts/Makefile.build",
          "scripts/Makefile.clean", "scripts/basic/fixdep", "scripts/mod/modpost",
          "scripts/sign-file", "tools/objtool/objtool"):
    if f not in have or not have[f].isfile():
        bad.append("missing %s" % f)
print("\n".join(bad) if bad else "ok")
EOF
	assertEquals "archive properties" "ok" "$(head -c 2000 "$SHUNIT_TMPDIR/props")"
	# The merged Makefile is -common's real one, not Debian's one-line include.
	assertNotContains "top Makefile" "$(tar -xOJf "$out" Makefile | head -n 5)" "include /usr/src"
}

test_packer_trims_by_default_and_no_trim_keeps_all() {
	need_kbuild || return 0
	local hdrs a=$KHDR_KBUILD/kheaders.tar.xz out=$SHUNIT_TMPDIR/notrim.tar.xz
	# Default (the cached archive): trimmed=yes, only arch/x86, no empty
	# include/config files, header comments gone, SPDX lines kept.
	tar -tJf "$a" > "$SHUNIT_TMPDIR/trim.list"
	assertContains "default manifest" "$(tar -xOJf "$a" khdr-manifest)" "trimmed=yes"
	assertEquals "other architectures dropped" "" \
		"$(grep '^arch/[^/]*/' "$SHUNIT_TMPDIR/trim.list" | grep -v '^arch/x86/' | head -n 3)"
	assertEquals "no empty include/config files" "" \
		"$(tar -tvJf "$a" --wildcards 'include/config/*' | awk '$1 ~ /^-/ && $3 == 0' | head -n 3)"
	grep -qx 'arch/x86/include/asm/ptrace.h' "$SHUNIT_TMPDIR/trim.list"
	assertEquals "arch/x86/include kept" 0 $?
	local h
	h=$(tar -xOJf "$a" include/linux/sched.h)
	assertContains "SPDX kept" "$h" "SPDX-License-Identifier"
	assertEquals "comments stripped" 1 "$(printf '%s\n' "$h" | grep -c '/\*')"
	hdrs=$(sh "$KHDR_SRCDIR/tests/lib/debian-headers.sh" 2>/dev/null) ||
		{ skip_test "Debian's headers packages unavailable"; return 0; }
	"$MKARCHIVE" --no-trim --build-id 00112233 --sysroot "$hdrs" \
		"$hdrs/usr/src/linux-headers-$KREL" "$out" 2> "$SHUNIT_TMPDIR/notrim.err"
	rc=$?
	assertEquals "mkarchive --no-trim: $(cat "$SHUNIT_TMPDIR/notrim.err")" 0 "$rc"
	assertContains "--no-trim manifest" "$(tar -xOJf "$out" khdr-manifest)" "trimmed=no"
	tar -tJf "$out" > "$SHUNIT_TMPDIR/notrim.list"
	grep -q '^arch/arm64/' "$SHUNIT_TMPDIR/notrim.list"
	assertEquals "--no-trim keeps arch/arm64" 0 $?
	grep -q '^arch/x86/Makefile$' "$SHUNIT_TMPDIR/notrim.list"
	assertEquals "--no-trim keeps arch/x86" 0 $?
}

test_packer_refuses_what_kbuild_cannot_use() {
	need_kbuild || return 0
	need_lib_modules && need_hidden_headers || return 0
	local hdrs
	hdrs=$(sh "$KHDR_SRCDIR/tests/lib/debian-headers.sh" 2>/dev/null) ||
		{ skip_test "Debian's headers packages unavailable"; return 0; }
	# Debian's -amd64 tree includes -common by absolute path, hidden here
	# (the host may have Debian's headers installed).
	without_host_headers "$MKARCHIVE" --build-id 00 "$hdrs/usr/src/linux-headers-$KREL" "$SHUNIT_TMPDIR/x.tar.xz" 2> "$SHUNIT_TMPDIR/err"
	assertEquals "unresolvable include: exit" 1 $?
	assertContains "$(cat "$SHUNIT_TMPDIR/err")" "--sysroot"
	# A headers-only tree (what the in-tree archive holds) is not kbuild.
	mkdir -p "$SHUNIT_TMPDIR/ho/include/generated"
	cp -r "$hdrs/usr/src/linux-headers-$KREL/include/generated/." "$SHUNIT_TMPDIR/ho/include/generated/"
	"$MKARCHIVE" --build-id 00 "$SHUNIT_TMPDIR/ho" "$SHUNIT_TMPDIR/x.tar.xz" 2> "$SHUNIT_TMPDIR/err"
	assertEquals "headers only: exit" 1 $?
	assertContains "$(cat "$SHUNIT_TMPDIR/err")" "not a kbuild tree"
	"$MKARCHIVE" --build-id xyz "$SHUNIT_TMPDIR/ho" "$SHUNIT_TMPDIR/x.tar.xz" 2> "$SHUNIT_TMPDIR/err"
	assertEquals "bad build ID: exit" 1 $?
	assertContains "$(cat "$SHUNIT_TMPDIR/err")" "not hexadecimal"
	assertFalse "no output left" "[ -e '$SHUNIT_TMPDIR/x.tar.xz' ]"
}

# A built tree keeps certs/signing_key.pem, the module signing key: it must
# never reach an archive that any user can read from /sys.  A small tree made
# of the kbuild files of Debian's (merged) headers, plus a fresh key.
test_packer_leaves_out_private_keys() {
	need_kbuild || return 0
	command -v openssl > /dev/null || { skip_test "openssl is not installed"; return 0; }
	local t=$SHUNIT_TMPDIR/keytree f
	mkdir -p "$t"
	(cd "$t" && tar -xJf "$KHDR_KBUILD/kheaders.tar.xz" Makefile .config .kernelvariables \
		include/config/auto.conf include/generated arch/x86/Makefile \
		scripts/Makefile.build scripts/Kbuild.include scripts/Makefile.modpost \
		scripts/basic/fixdep scripts/mod/modpost)
	assertEquals "subset unpacked" 0 $?
	mkdir -p "$t/certs"
	openssl req -new -nodes -utf8 -sha256 -days 1 -batch -x509 -subj /CN=khdr-test \
		-newkey rsa:2048 -keyout "$t/certs/signing_key.pem" -out "$t/certs/signing_key.x509" \
		-outform DER > /dev/null 2>&1
	cp "$t/certs/signing_key.pem" "$t/certs/renamed.txt"
	assertTrue "a key to leave out" "grep -q 'PRIVATE KEY' '$t/certs/signing_key.pem'"
	"$MKARCHIVE" --build-id 00 "$t" "$SHUNIT_TMPDIR/k.tar.xz" 2> "$SHUNIT_TMPDIR/err"
	rc=$?
	assertEquals "exit: $(cat "$SHUNIT_TMPDIR/err")" 0 "$rc"
	tar -tJf "$SHUNIT_TMPDIR/k.tar.xz" > "$SHUNIT_TMPDIR/list"
	assertTrue "public certificate packed" "grep -qx 'certs/signing_key.x509' '$SHUNIT_TMPDIR/list'"
	for f in certs/signing_key.pem certs/renamed.txt; do
		assertFalse "$f left out" "grep -qx '$f' '$SHUNIT_TMPDIR/list'"
		assertContains "$f: warned" "$(cat "$SHUNIT_TMPDIR/err")" "leaving out $f"
	done
	assertEquals "no private key anywhere in the archive" 0 \
		"$(xz -dc "$SHUNIT_TMPDIR/k.tar.xz" | grep -c 'PRIVATE KEY')"
}

# --- the module ------------------------------------------------------------

test_module_embeds_the_archive() {
	need_kbuild || return 0
	local ko=$KHDR_KBUILD/kheaders.ko
	assertEquals "vermagic release" "$KREL" "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)"
	assertEquals "module name" kheaders "$(modinfo -F name "$ko")"
	assertEquals "license" GPL "$(modinfo -F license "$ko")"
	# The bytes between the symbols are the archive, exactly.
	python3 - "$ko" "$KHDR_KBUILD/kheaders.tar.xz" > "$SHUNIT_TMPDIR/embed" 2>&1 <<'EOF'
import struct, sys
ko = open(sys.argv[1], "rb").read()
want = open(sys.argv[2], "rb").read()
assert ko[:4] == b"\x7fELF" and ko[4] == 2
shoff, = struct.unpack_from("<Q", ko, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from("<HHH", ko, 0x3a)
secs = [struct.unpack_from("<IIQQQQIIQQ", ko, shoff + i * shentsize) for i in range(shnum)]
symtab = next(s for s in secs if s[1] == 2)
strtab = secs[symtab[6]]
syms = {}
for off in range(symtab[4], symtab[4] + symtab[5], 24):
    name, info, other, shndx, value, size = struct.unpack_from("<IBBHQQ", ko, off)
    n = ko[strtab[4] + name:ko.index(b"\0", strtab[4] + name)].decode()
    syms[n] = (shndx, value, info >> 4)
a, b = syms["kernel_headers_data"], syms["kernel_headers_data_end"]
assert a[0] == b[0], "symbols in different sections"
assert a[2] == 1 and b[2] == 1, "symbols not global"
sec = secs[a[0]]
name = ko[secs[shstrndx][4] + sec[0]:].split(b"\0")[0].decode()
data = ko[sec[4] + a[1]:sec[4] + b[1]]
print("ok" if data == want else "mismatch in %s: %d bytes, want %d" % (name, len(data), len(want)))
EOF
	assertEquals "embedded archive" ok "$(head -c 500 "$SHUNIT_TMPDIR/embed")"
	# The sysfs attribute, as the in-tree module names it.
	assertTrue "kheaders.tar.xz string" "grep -q 'kheaders.tar.xz' '$ko'"
}

# Changing the archive rebuilds the module (kbuild does not see .incbin).
test_module_rebuilds_when_archive_changes() {
	need_kbuild || return 0
	need_lib_modules && need_hidden_headers || return 0
	local d=$SHUNIT_TMPDIR/modsrc kdir
	installed_tree || return
	kdir=$KENTRY
	mkdir "$d"
	cp "$KHDR_SRCDIR/kernel/Kbuild" "$KHDR_SRCDIR/kernel/Makefile" "$KHDR_SRCDIR/kernel/kheaders.c" "$d/"
	printf 'first archive\n' > "$SHUNIT_TMPDIR/a.bin"
	without_host_headers make -s -C "$d" KDIR="$kdir" ARCHIVE="$SHUNIT_TMPDIR/a.bin" > "$SHUNIT_TMPDIR/make.out" 2>&1
	rc=$?
	assertEquals "first build: $(tail -n 5 "$SHUNIT_TMPDIR/make.out")" 0 "$rc"
	assertTrue "first archive inside" "grep -q 'first archive' '$d/kheaders.ko'"
	sleep 1
	printf 'second archive\n' > "$SHUNIT_TMPDIR/a.bin"
	without_host_headers make -s -C "$d" KDIR="$kdir" ARCHIVE="$SHUNIT_TMPDIR/a.bin" > "$SHUNIT_TMPDIR/make.out" 2>&1
	assertEquals "second build" 0 $?
	assertTrue "rebuilt with the new archive" "grep -q 'second archive' '$d/kheaders.ko'"
	assertFalse "old archive gone" "grep -q 'first archive' '$d/kheaders.ko'"
	# Without ARCHIVE: one clear line, non-zero.
	make -s -C "$d" KDIR="$kdir" > "$SHUNIT_TMPDIR/make.out" 2>&1
	assertNotEquals "no ARCHIVE: exit" 0 $?
	assertContains "$(cat "$SHUNIT_TMPDIR/make.out")" "give ARCHIVE="
}

test_module_install_target() {
	need_kbuild || return 0
	local d=$SHUNIT_TMPDIR/mi
	mkdir -p "$d/src"
	cp "$KHDR_SRCDIR/kernel/Makefile" "$KHDR_KBUILD/kheaders.ko" "$d/src/"
	make -s -C "$d/src" install INSTALL_MOD_PATH="$d/imp" > "$d/out" 2>&1
	rc=$?
	assertEquals "INSTALL_MOD_PATH: $(tail -n 3 "$d/out")" 0 "$rc"
	assertTrue "installed to updates/" "cmp -s '$KHDR_KBUILD/kheaders.ko' '$d/imp/lib/modules/$KREL/updates/kheaders.ko'"
	assertContains "depmod ran" "$(cat "$d/imp/lib/modules/$KREL/modules.dep" 2>&1)" "updates/kheaders.ko:"
	make -s -C "$d/src" install DESTDIR="$d/dest" > "$d/out" 2>&1
	assertEquals "DESTDIR" 0 $?
	assertEquals "0644" 644 "$(stat -c %a "$d/dest/lib/modules/$KREL/updates/kheaders.ko")"
	assertFalse "no depmod into DESTDIR" "[ -e '$d/dest/lib/modules/$KREL/modules.dep' ]"
	# khdr-cache finds the installed module by itself and verifies it by build ID.
	need_debian_kernel || return 0
	make_kfixture
	make -s -C "$d/src" install INSTALL_MOD_PATH="$KFX/root" > "$d/out" 2>&1
	run install $KFXOPTS --dry-run
	assertEquals "dry run: $ERR" 0 "$RC"
	assertContains "$OUT" "from module-file $KFX/root/lib/modules/$KREL/updates/kheaders.ko"
	assertContains "$OUT" "verified: build-id"
}

# --- khdr-cache install of the module --------------------------------------

test_install_module_at_build_id_level() {
	need_kbuild && need_debian_kernel || return 0
	installed_tree || return
	KFX=$KENTRY_FX
	assertEquals "link" "/var/cache/khdr/$KREL@$KBID" "$(readlink "$KFX/root/lib/modules/$KREL/build")"
	assertEquals verified build-id "$(kstamp verified)"
	assertEquals build_id "$KBID" "$(kstamp build_id)"
	assertEquals kbuild yes "$(kstamp kbuild)"
	assertEquals release "$KREL" "$(kstamp release)"
	assertEquals source argument "$(kstamp source)"
	assertEquals "archive size" "$(stat -c %s "$KHDR_KBUILD/kheaders.tar.xz")" "$(kstamp archive_size)"
	assertEquals "manifest kept in the tree" "$(tar -xOJf "$KHDR_KBUILD/kheaders.tar.xz" khdr-manifest)" \
		"$(cat "$KENTRY/khdr-manifest")"
	# The tree is the archive's, file for file (GNU tar's extraction).
	mkdir "$SHUNIT_TMPDIR/ref"
	tar -xJf "$KHDR_KBUILD/kheaders.tar.xz" -C "$SHUNIT_TMPDIR/ref"
	assertSameTree "installed tree" "$SHUNIT_TMPDIR/ref" "$KENTRY"
	rm -rf "$SHUNIT_TMPDIR/ref"
	# BCC's check: it uses build/ when include/linux/kconfig.h is there.
	assertTrue "include/linux/kconfig.h (BCC)" "[ -f '$KENTRY/include/linux/kconfig.h' ]"
}

test_wrong_build_id_refused_before_writing() {
	need_kbuild && need_debian_kernel || return 0
	make_kfixture
	run install $KFXOPTS --archive "$KHDR_KBUILD/wrong-build-id.ko"
	assertEquals "exit" 1 "$RC"
	assertContains "names the field: $ERR" "$ERR" "build ID"
	assertContains "names expected" "$ERR" "'$KBID'"
	assertContains "names found" "$ERR" "'00112233445566778899aabbccddeeff00112233'"
	assertFalse "no build link" "[ -e '$KFX/root/lib/modules/$KREL/build' -o -L '$KFX/root/lib/modules/$KREL/build' ]"
	assertEquals "no entry, no staging" "" "$(ls -A "$KFX/root/var/cache/khdr" 2>/dev/null | grep -v '^lock$')"
	# And another uname -v for the same release and build ID is refused too.
	[ -f "$KHDR_KBUILD/uts_version" ] || return
	echo '#2 SMP PREEMPT_DYNAMIC Debian rebuilt' > "$KFX/proc/sys/kernel/version"
	run install $KFXOPTS --archive "$KHDR_KBUILD/kheaders.ko"
	assertEquals "uts_version mismatch: exit" 1 "$RC"
	assertContains "$ERR" "uts_version"
	assertEquals "still no entry" "" "$(ls -A "$KFX/root/var/cache/khdr" 2>/dev/null | grep -v '^lock$')"
}

# --- building modules against the installed tree ---------------------------

test_make_M_builds_module_without_headers_package() {
	need_kbuild && need_debian_kernel || return 0
	installed_tree || return
	need_lib_modules && need_hidden_headers || return 0
	local s=$SHUNIT_TMPDIR/sample-make before
	make_sample "$s"
	before=$(tree_state "$KENTRY")
	without_host_headers make -C "$KENTRY" M="$s" modules > "$SHUNIT_TMPDIR/make.out" 2>&1
	rc=$?
	assertEquals "make M=: $(tail -n 8 "$SHUNIT_TMPDIR/make.out")" 0 "$rc"
	assertTrue "khdrhello.ko built" "[ -f '$s/khdrhello.ko' ]"
	assertEquals "vermagic" "$KREL SMP preempt mod_unload modversions " "$(modinfo -F vermagic "$s/khdrhello.ko")"
	assertContains "symbol versions from Module.symvers" "$(modprobe --dump-modversions "$s/khdrhello.ko" 2>&1)" "module_layout"
	without_host_headers make -C "$KENTRY" M="$s" clean > "$SHUNIT_TMPDIR/make.out" 2>&1
	rc=$?
	assertEquals "make clean: $(tail -n 3 "$SHUNIT_TMPDIR/make.out")" 0 "$rc"
	assertFalse "cleaned" "[ -e '$s/khdrhello.ko' ]"
	assertEquals "installed tree unchanged by the builds" "$before" "$(tree_state "$KENTRY")"
}

test_dkms_build_against_installed_tree() {
	need_kbuild && need_debian_kernel || return 0
	command -v dkms > /dev/null || { skip_test "dkms is not installed"; return 0; }
	installed_tree || return
	need_lib_modules && need_hidden_headers || return 0
	local d=$SHUNIT_TMPDIR/dkms before ko
	make_sample "$d/src/khdrhello-1.0"
	mkdir -p "$d/tree"
	before=$(tree_state "$KENTRY")
	without_host_headers dkms add -m khdrhello -v 1.0 --dkmstree "$d/tree" --sourcetree "$d/src" > "$d/out" 2>&1
	rc=$?
	assertEquals "dkms add: $(tail -n 5 "$d/out")" 0 "$rc"
	without_host_headers dkms build -m khdrhello -v 1.0 -k "$KREL" --kernelsourcedir "$KENTRY" \
		--dkmstree "$d/tree" --sourcetree "$d/src" > "$d/out" 2>&1
	rc=$?
	assertEquals "dkms build: $(tail -n 8 "$d/out"; cat "$d/tree/khdrhello/1.0/build/make.log" 2>/dev/null | tail -n 8)" 0 "$rc"
	ko=$d/tree/khdrhello/1.0/$KREL/$(uname -m)/module/khdrhello.ko
	assertTrue "dkms built $ko" "[ -f '$ko' ]"
	assertEquals "vermagic" "$KREL" "$(modinfo -F vermagic "$ko" 2>/dev/null | cut -d' ' -f1)"
	assertEquals "installed tree unchanged by dkms" "$before" "$(tree_state "$KENTRY")"
}

# DKMS the way it runs at boot: through /lib/modules/<release>/build, with
# its own tree in /var/lib/dkms, signing with build/scripts/sign-file.  In a
# private mount namespace with tmpfs over both (and over /usr/src: the
# host's headers hidden), so the host is untouched.
test_dkms_through_lib_modules_build_signs() {
	need_kbuild && need_debian_kernel || return 0
	command -v dkms > /dev/null || { skip_test "dkms is not installed"; return 0; }
	[ "$(id -u)" = 0 ] && command -v unshare > /dev/null || { skip_test "needs root and unshare"; return 0; }
	installed_tree || return
	grep -q '^CONFIG_MODULE_SIG=y' "$KENTRY/.config" || { skip_test "the kernel does not sign modules"; return 0; }
	local d=$SHUNIT_TMPDIR/dkms-ns
	make_sample "$d/src"
	mkdir -p "$d/out"
	need_lib_modules || return 0
	unshare -m --propagation private sh -u -c '
		mount -t tmpfs khdr-test /lib/modules || exit 3
		mount -t tmpfs khdr-test /var/lib/dkms || exit 3
		mount -t tmpfs khdr-test /usr/src || exit 3
		mkdir -p "/lib/modules/$1" /var/lib/dkms/src
		ln -s "$2" "/lib/modules/$1/build"
		cp -r "$3/src" /var/lib/dkms/src/khdrhello-1.0
		dkms add -m khdrhello -v 1.0 --sourcetree /var/lib/dkms/src > "$3/out/add" 2>&1 || exit 4
		dkms build -m khdrhello -v 1.0 -k "$1" --sourcetree /var/lib/dkms/src > "$3/out/build" 2>&1
		rc=$?
		cp /var/lib/dkms/khdrhello/1.0/build/make.log "$3/out/" 2>/dev/null
		cp /var/lib/dkms/khdrhello/1.0/"$1"/*/module/khdrhello.ko* "$3/out/" 2>/dev/null
		exit $rc
	' sh "$KREL" "$KENTRY" "$d"
	local rc=$?
	assertEquals "dkms build via /lib/modules/$KREL/build: $(tail -n 8 "$d/out/build" "$d/out/make.log" 2>/dev/null)" 0 $rc
	assertTrue "module built" "[ -f '$d/out/khdrhello.ko' ]"
	assertNotContains "signing tool found" "$(cat "$d/out/build" 2>/dev/null)" "won't be signed"
	assertEquals "signed by build/scripts/sign-file" "~Module signature appended~" \
		"$(tail -c 28 "$d/out/khdrhello.ko" 2>/dev/null | tr -d '\n')"
	assertEquals "vermagic" "$KREL" "$(modinfo -F vermagic "$d/out/khdrhello.ko" 2>/dev/null | cut -d' ' -f1)"
	# That the /lib/modules made for the test is gone is checked by
	# drop_lib_modules (lib.sh), in tearDown.
}

. shunit2
