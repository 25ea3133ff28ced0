#!/bin/bash
# test-status.sh - khdr-cache status [--json] against fixture roots with the
# genuine archive: exit status, the state of the build link, the state of
# every entry, the JSON document, the cache's device, and that it reads
# stamps and links only (50 entries).
. "$(dirname "$0")/lib.sh"
# Many installs or extractions: their fixtures on a private tmpfs (lib.sh).
suite_on_private_tmpfs "$@"

oneTimeSetUp() {
	need_artefacts || skip_suite
}

setUp() {
	make_fixture
	CACHE=$FX/root/var/cache/khdr
}




# A notes file holding one GNU build ID (a rebuilt kernel, same release).
write_notes() {  # hex
	python3 -c 'import struct,sys; d=bytes.fromhex(sys.argv[1]); sys.stdout.buffer.write(struct.pack("<III",4,len(d),3)+b"GNU\0"+d)' \
		"$1" > "$FX/sys/kernel/notes"
}

status_json() {  # extra options...; the document in $SHUNIT_TMPDIR/status.json
	run status $FXOPTS --json "$@"
	printf '%s\n' "$OUT" > "$SHUNIT_TMPDIR/status.json"
	local prc
	python3 -m json.tool "$SHUNIT_TMPDIR/status.json" > /dev/null 2>"$SHUNIT_TMPDIR/json.err"
	prc=$?
	assertEquals "python3 -m json.tool parses: $(cat "$SHUNIT_TMPDIR/json.err")" 0 "$prc"
	jq . "$SHUNIT_TMPDIR/status.json" > /dev/null 2>"$SHUNIT_TMPDIR/json.err"
	prc=$?
	assertEquals "jq parses: $(cat "$SHUNIT_TMPDIR/json.err")" 0 "$prc"
}

jqr() { jq -r "$1" "$SHUNIT_TMPDIR/status.json"; }

entry_state() {  # key -> state from the JSON
	jq -r --arg k "$1" '.entries[] | select(.key == $k) | .state' "$SHUNIT_TMPDIR/status.json"
}

test_empty_root_is_missing() {
	need_artefacts || return 0
	run status $FXOPTS
	assertEquals "exit: $ERR" 3 "$RC"
	assertContains "$OUT" "build: missing"
	status_json
	assertEquals "json exit" 3 "$RC"
	assertEquals missing "$(jqr .build.state)"
	assertEquals missing "$(jqr .status)"
	assertEquals "no entries" 0 "$(jqr '.entries | length')"
	assertEquals "$REL" "$(jqr .kernel.release)"
	assertEquals "status wrote nothing" "" "$(ls -A "$FX/root")"
}

test_valid_after_install() {
	need_artefacts && need_debian_kernel || return 0
	install_running
	run status $FXOPTS
	assertEquals "exit: $ERR" 0 "$RC"
	assertContains "$OUT" "ours-valid"
	assertContains "$OUT" "$(key)"
	status_json
	assertEquals "json exit" 0 "$RC"
	assertEquals ours-valid "$(jqr .build.state)"
	assertEquals valid "$(jqr .status)"
	assertEquals "$FX_BUILD_ID" "$(jqr .kernel.build_id)"
	assertEquals "$REL" "$(jqr .kernel.release)"
	assertEquals "$(key)" "$(jqr .build.entry)"
	assertEquals "/var/cache/khdr/$(key)" "$(jqr .build.target)"
	assertEquals "$FX/root/lib/modules/$REL/build" "$(jqr .build.path)"
	assertEquals "$CACHE" "$(jqr .cache.path)"
	assertEquals true "$(jqr .cache.exists)"
	assertEquals "free_bytes > 0" true "$(jqr '.cache.free_bytes > 0')"
	assertEquals "free_bytes <= total_bytes" true "$(jqr '.cache.free_bytes <= .cache.total_bytes')"
	assertEquals "one entry" 1 "$(jqr '.entries | length')"
	assertEquals active "$(jqr '.entries[0].state')"
	assertEquals "$(key)" "$(jqr '.entries[0].key')"
	assertEquals "$CACHE/$(key)" "$(jqr '.entries[0].path')"
	assertEquals "$REL" "$(jqr '.entries[0].release')"
	assertEquals "$FX_BUILD_ID" "$(jqr '.entries[0].build_id')"
	assertEquals fingerprint "$(jqr '.entries[0].verified')"
	assertEquals argument "$(jqr '.entries[0].source')"
	assertEquals false "$(jqr '.entries[0].kbuild')"
	assertEquals "$(stamp_field files)" "$(jqr '.entries[0].files')"
	assertEquals "$(stamp_field bytes)" "$(jqr '.entries[0].bytes')"
	assertEquals "$(stamp_field created)" "$(jqr '.entries[0].created')"
	assertEquals "age is a number >= 0" true "$(jqr '.entries[0].age_seconds >= 0')"
	assertEquals "$REL" "$(jqr '.entries[0].linked_by')"
	# With an archive in sysfs, status names its source.
	cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$FX/sys/kernel/"
	status_json
	assertEquals sysfs-builtin "$(jqr .archive.source)"
	assertEquals "$FX/sys/kernel/kheaders.tar.xz" "$(jqr .archive.path)"
}

# A rebuilt kernel, same release string: the old entry no longer fits.
test_rebuilt_kernel_makes_link_stale() {
	need_artefacts && need_debian_kernel || return 0
	install_running
	write_notes 00112233445566778899aabbccddeeff00112233
	run status $FXOPTS
	assertEquals "exit: $ERR" 3 "$RC"
	assertContains "$OUT" "ours-stale"
	status_json
	assertEquals 3 "$RC"
	assertEquals ours-stale "$(jqr .build.state)"
	assertEquals stale "$(jqr .status)"
	assertEquals 00112233445566778899aabbccddeeff00112233 "$(jqr .kernel.build_id)"
	assertEquals "the link still names the old entry" "$(key)" "$(jqr .build.entry)"
}

# The issue: stale = same release, other build ID.  The entry of the old
# build is not the running kernel's, even while the link still points at it.
test_old_build_entry_is_not_active_after_rebuild() {
	need_artefacts && need_debian_kernel || return 0
	install_running
	write_notes 00112233445566778899aabbccddeeff00112233
	status_json
	assertEquals "entry of another build of the running release" stale "$(entry_state "$(key)")"
}

test_foreign_directory() {
	need_artefacts || return 0
	mkdir -p "$FX/root/lib/modules/$REL/build/include"
	echo distro > "$FX/root/lib/modules/$REL/build/Makefile"
	run status $FXOPTS
	assertEquals "exit: $ERR" 3 "$RC"
	assertContains "$OUT" "foreign"
	status_json
	assertEquals foreign "$(jqr .build.state)"
	assertEquals "untouched" distro "$(cat "$FX/root/lib/modules/$REL/build/Makefile")"
}

test_foreign_link_to_existing_tree() {
	need_artefacts || return 0
	mkdir -p "$FX/root/lib/modules/$REL" "$SHUNIT_TMPDIR/distro-headers/include"
	ln -s "$SHUNIT_TMPDIR/distro-headers" "$FX/root/lib/modules/$REL/build"
	status_json
	assertEquals 3 "$RC"
	assertEquals foreign "$(jqr .build.state)"
	assertEquals "$SHUNIT_TMPDIR/distro-headers" "$(jqr .build.target)"
}

test_dangling_links_ours_and_foreign() {
	need_artefacts && need_debian_kernel || return 0
	local b=$FX/root/lib/modules/$REL/build
	mkdir -p "$FX/root/lib/modules/$REL"
	# Foreign: a headers package that was removed.
	ln -s /usr/src/linux-headers-khdr-test-gone "$b"
	run status $FXOPTS
	assertEquals "foreign dangling: exit: $ERR" 3 "$RC"
	assertContains "$OUT" "dangling"
	status_json
	assertEquals "foreign dangling" dangling "$(jqr .build.state)"
	assertEquals /usr/src/linux-headers-khdr-test-gone "$(jqr .build.target)"
	# Ours: the entry was deleted behind our back.
	rm "$b" && install_running
	rm -rf "$CACHE/$(key)"
	run status $FXOPTS
	assertEquals "our dangling: exit: $ERR" 3 "$RC"
	status_json
	assertEquals "our dangling" dangling "$(jqr .build.state)"
	assertEquals "/var/cache/khdr/$(key)" "$(jqr .build.target)"
	assertEquals "no entries" 0 "$(jqr '.entries | length')"
}

# Every entry state at once: several releases, links, kernels and boots.
test_entry_states() {
	need_artefacts && need_debian_kernel || return 0
	install_running
	local now stale ref orph inst boot broken
	now=$(date +%s)
	stale=$REL@1111111111111111111111111111111111111111
	ref=6.1.0-khdr-ref@2222222222222222222222222222222222222222
	orph=6.1.0-khdr-gone@3333333333333333333333333333333333333333
	inst=6.1.0-khdr-inst@4444444444444444444444444444444444444444
	boot=6.1.0-khdr-boot@5555555555555555555555555555555555555555
	broken=6.1.0-khdr-broken@6666666666666666666666666666666666666666
	clone_entry "$stale" "$REL" 1111111111111111111111111111111111111111 $((now - 1000))
	clone_entry "$ref" 6.1.0-khdr-ref 2222222222222222222222222222222222222222 $((now - 2000))
	clone_entry "$orph" 6.1.0-khdr-gone 3333333333333333333333333333333333333333 $((now - 3000))
	clone_entry "$inst" 6.1.0-khdr-inst 4444444444444444444444444444444444444444 $((now - 4000))
	clone_entry "$boot" 6.1.0-khdr-boot 5555555555555555555555555555555555555555 $((now - 5000))
	clone_entry "$broken" 6.1.0-khdr-broken 6666666666666666666666666666666666666666 $((now - 6000))
	rm "$CACHE/$broken/.khdr-stamp"
	# Referenced: another release's build points at it (its kernel is gone,
	# the link alone keeps it).
	mkdir -p "$FX/root/lib/modules/6.1.0-khdr-ref"
	ln -s "/var/cache/khdr/$ref" "$FX/root/lib/modules/6.1.0-khdr-ref/build"
	# Installed releases without a link: modules, or only a kernel in /boot.
	mkdir -p "$FX/root/lib/modules/6.1.0-khdr-inst/kernel" "$FX/root/boot"
	: > "$FX/root/boot/vmlinuz-6.1.0-khdr-boot"
	# Orphaned: lib/modules/<rel> exists but holds neither kernel/ nor a link.
	mkdir -p "$FX/root/lib/modules/6.1.0-khdr-gone"
	run status $FXOPTS
	assertEquals "exit: $ERR" 0 "$RC"
	local k
	local table
	table=$(printf '%s\n' "$OUT" | sed -n '/^entries:/,$p')
	for k in "$(key)" "$stale" "$ref" "$orph" "$inst" "$boot" "$broken"; do
		assertTrue "text lists $k, its build ID cut to 12 digits: $table" \
			"printf '%s\n' '$table' | grep -qE ' $(short_key "$k")( |\$)'"
		assertNotContains "text cuts the build ID of $k" "$table" "$k"
	done
	status_json
	assertEquals 0 "$RC"
	assertEquals "seven entries" 7 "$(jqr '.entries | length')"
	assertEquals active "$(entry_state "$(key)")"
	assertEquals stale "$(entry_state "$stale")"
	assertEquals referenced "$(entry_state "$ref")"
	assertEquals 6.1.0-khdr-ref "$(jq -r --arg k "$ref" '.entries[] | select(.key == $k) | .linked_by' "$SHUNIT_TMPDIR/status.json")"
	assertEquals orphaned "$(entry_state "$orph")"
	assertEquals "release with modules installed" stale "$(entry_state "$inst")"
	assertEquals "release with only /boot/vmlinuz" stale "$(entry_state "$boot")"
	assertEquals broken "$(entry_state "$broken")"
	assertEquals "stale created" $((now - 1000)) \
		"$(jq -r --arg k "$stale" '.entries[] | select(.key == $k) | .created' "$SHUNIT_TMPDIR/status.json")"
	assertEquals "stale age" true \
		"$(jq -r --arg k "$stale" '.entries[] | select(.key == $k) | .age_seconds >= 1000' "$SHUNIT_TMPDIR/status.json")"
	# The running kernel's own build is still ours-valid among all that.
	assertEquals ours-valid "$(jqr .build.state)"
	# Text: each state word on its entry's line.
	run status $FXOPTS
	printf '%s\n' "$OUT" > "$SHUNIT_TMPDIR/status.txt"
	assertTrue "text: active" "grep -q '^ *active .*$(short_key "$(key)")' '$SHUNIT_TMPDIR/status.txt'"
	assertTrue "text: stale" "grep -q '^ *stale .*$(short_key "$stale")' '$SHUNIT_TMPDIR/status.txt'"
	assertTrue "text: orphaned" "grep -q '^ *orphaned .*$(short_key "$orph")' '$SHUNIT_TMPDIR/status.txt'"
	assertTrue "text: referenced" "grep -q '^ *referenced .*$(short_key "$ref")' '$SHUNIT_TMPDIR/status.txt'"
	assertTrue "text: broken" "grep -q '^ *broken .*$(short_key "$broken")' '$SHUNIT_TMPDIR/status.txt'"
	# Rows: active first, then by release (as sort -V), newest first.
	local want
	want=$(printf '%s\n' "$stale $((now - 1000))" "$ref $((now - 2000))" "$orph $((now - 3000))" \
		"$inst $((now - 4000))" "$boot $((now - 5000))" "$broken $((now - 6000))" |
		awk '{ split($1, k, "@"); print k[1], -$2, $1 }' | sort -k1,1V -k2,2n | cut -d' ' -f3)
	want=$(printf '%s\n' "$(key)" $want | while read -r k; do short_key "$k"; done)
	assertEquals "rows: active first, then by release and age" "$want" \
		"$(sed -n '/^entries:/,$p' "$SHUNIT_TMPDIR/status.txt" |
		   awk '{ for (i = 1; i <= NF; i++) if ($i ~ /@/) { print $i; break } }')"
	# Each row names the archive it came from, under SOURCE.
	assertTrue "text: SOURCE column" "grep -q '^  STATE  *SOURCE ' '$SHUNIT_TMPDIR/status.txt'"
	assertTrue "text: the active entry's source" "grep -q '^ *active  *argument .*$(short_key "$(key)")' '$SHUNIT_TMPDIR/status.txt'"
	# --wide: whole keys.
	run status $FXOPTS --wide
	assertEquals "--wide exit: $ERR" 0 "$RC"
	for k in "$(key)" "$stale" "$broken"; do
		assertContains "--wide lists $k whole" "$OUT" "  $k"
	done
	assertContains "--wide: the kernel's whole build ID" "$OUT" "build ID $FX_BUILD_ID"
	# status changed nothing.
	assertTrue "broken entry still there" "[ -d '$CACHE/$broken' ]"
	assertTrue "orphaned entry still there" "[ -f '$CACHE/$orph/.khdr-stamp' ]"
}

test_leftover_staging_counted() {
	need_artefacts && need_debian_kernel || return 0
	install_running
	mkdir "$CACHE/.staging-abc123"
	status_json
	assertEquals 0 "$RC"
	assertEquals 1 "$(jqr .cache.leftovers)"
	assertEquals "not an entry" 1 "$(jqr '.entries | length')"
}

# The text says what the JSON says, in the same words and units: the
# overall status, the sizes (IEC, the JSON's exact bytes), absolute paths.
test_text_reads_as_the_json() {
	need_artefacts && need_debian_kernel || return 0
	install_running
	status_json
	run status $FXOPTS
	assertEquals "exit: $ERR" 0 "$RC"
	printf '%s\n' "$OUT" > "$SHUNIT_TMPDIR/status.txt"
	assertEquals "status: line = .status" "status:    $(jqr .status)" "$(sed -n 1p "$SHUNIT_TMPDIR/status.txt")"
	assertTrue "SIZE is the entry's bytes in IEC units ($(iec_size "$(jqr '.entries[0].bytes')"))" \
		"grep -qF ' $(iec_size "$(jqr '.entries[0].bytes')") ' '$SHUNIT_TMPDIR/status.txt'"
	assertTrue "free space in IEC units: $(grep '^cache:' "$SHUNIT_TMPDIR/status.txt")" \
		"grep -qE '^cache: .*, [0-9]+(\.[0-9])? (B|KiB|MiB|GiB|TiB|PiB) free$' '$SHUNIT_TMPDIR/status.txt'"
	assertEquals "build: the link's absolute path, as .build.path" \
		"build:     $(jqr .build.path): ours-valid -> $(jqr .build.target)" \
		"$(grep '^build:' "$SHUNIT_TMPDIR/status.txt")"
	# Stale: the status line follows the JSON's word.
	write_notes 00112233445566778899aabbccddeeff00112233
	run status $FXOPTS
	assertEquals "stale exit" 3 "$RC"
	assertEquals "stale: status: line" "status:    stale" "$(printf '%s\n' "$OUT" | sed -n 1p)"
}

# -q: the exit status alone, as systemctl is-active -q; --json still prints.
test_quiet_prints_errors_only() {
	need_artefacts && need_debian_kernel || return 0
	run status $FXOPTS -q
	assertEquals "missing: exit" 3 "$RC"
	assertEquals "missing: nothing on stdout" "" "$OUT"
	assertEquals "missing: nothing on stderr" "" "$ERR"
	install_running
	run status $FXOPTS -q
	assertEquals "valid: exit: $ERR" 0 "$RC"
	assertEquals "valid: nothing on stdout" "" "$OUT"
	run status $FXOPTS -q --json
	assertEquals "--json -q: exit" 0 "$RC"
	assertContains "--json -q: the document asked for" "$OUT" '"status": "valid"'
}

# Paths given relative, or with a trailing '/', are printed absolute, once
# each '/': the working directory is no part of what status names.
test_relative_root_prints_absolute_paths() {
	need_artefacts && need_debian_kernel || return 0
	install_running
	OUT=$(cd "$FX" && "$KHDR" status --root root/ --sysfs sys --procfs proc/ -r "$REL" 2>&1)
	RC=$?
	assertEquals "exit: $OUT" 0 "$RC"
	assertContains "build: absolute" "$OUT" "build:     $FX/root/lib/modules/$REL/build: ours-valid"
	assertContains "cache: absolute" "$OUT" "cache:     $FX/root/var/cache/khdr on "
	assertNotContains "no doubled slash" "$OUT" "//"
	OUT=$("$KHDR" status $FXOPTS --cache-dir //var//cache/khdr/ 2>&1)
	assertContains "--cache-dir squeezed" "$OUT" "cache:     $FX/root/var/cache/khdr on "
	assertContains "the same entry" "$OUT" "active "
	OUT=$(cd "$FX" && "$KHDR" status --root ./root --sysfs sys --procfs proc -r "$REL" --json 2>&1)
	printf '%s\n' "$OUT" > "$SHUNIT_TMPDIR/status.json"
	assertEquals "JSON build.path" "$FX/root/lib/modules/$REL/build" "$(jqr .build.path)"
	assertEquals "JSON cache.path" "$CACHE" "$(jqr .cache.path)"
	assertEquals "JSON entry path" "$CACHE/$(key)" "$(jqr '.entries[0].path')"
}

# Strings in the document are escaped, whatever the root is called.
test_json_with_awkward_root() {
	need_artefacts && need_debian_kernel || return 0
	local odd=$SHUNIT_TMPDIR/q\"uo\\te
	mkdir "$odd" && mv "$FX" "$odd/fx"
	FX=$odd/fx
	FXOPTS="--root $FX/root --sysfs $FX/sys --procfs $FX/proc --kernel-release $REL"
	CACHE=$FX/root/var/cache/khdr
	install_running
	status_json
	assertEquals 0 "$RC"
	assertEquals "$CACHE" "$(jqr .cache.path)"
	assertEquals "$FX/root/lib/modules/$REL/build" "$(jqr .build.path)"
	assertEquals "$CACHE/$(key)" "$(jqr '.entries[0].path')"
}

# The cache on its own file system ($1 made by mkfs.$1, mounted with -t $2):
# device, type, label and UUID as blkid and findmnt see them.
device_info_case() {
	local mkfs=$1 mounted=$2
	need_artefacts && need_debian_kernel || return 0
	[ "$(id -u)" = 0 ] || { skip_test "needs root for a loop mount"; return 0; }
	unshare -m true 2>/dev/null || { skip_test "cannot unshare a mount namespace here"; return 0; }
	losetup -f > /dev/null 2>&1 || { skip_test "no free loop device here"; return 0; }
	local img=$SHUNIT_TMPDIR/cache.img
	truncate -s 64M "$img"
	mkfs.$mkfs -q -L khdrtest -F "$img" > /dev/null 2>&1 || { skip_test "mkfs.$mkfs failed"; return 0; }
	mkdir -p "$FX/root/var/cache"
	# Install, then status, inside one mount namespace holding the loop mount.
	FX=$FX SHUNIT_TMPDIR=$SHUNIT_TMPDIR KHDR=$KHDR FXOPTS=$FXOPTS ART=$KHDR_ARTEFACTS unshare -m bash -c '
		mount -t "$2" -o loop "$1" "$FX/root/var/cache" || exit 99
		"$KHDR" install $FXOPTS --archive "$ART/kheaders.tar.xz" > "$SHUNIT_TMPDIR/install.out" 2>&1
		echo $? > "$SHUNIT_TMPDIR/install.rc"
		"$KHDR" status $FXOPTS --json > "$SHUNIT_TMPDIR/status.json" 2>"$SHUNIT_TMPDIR/status.err"
		echo $? > "$SHUNIT_TMPDIR/status.rc"
		dev=$(findmnt -n -o SOURCE --target "$FX/root/var/cache")
		echo "$dev" > "$SHUNIT_TMPDIR/dev"
		findmnt -n -o FSTYPE --target "$FX/root/var/cache" > "$SHUNIT_TMPDIR/fstype"
		blkid -p -s LABEL -o value "$dev" > "$SHUNIT_TMPDIR/label"
		blkid -p -s UUID -o value "$dev" > "$SHUNIT_TMPDIR/uuid"
		' _ "$img" "$mounted" > "$SHUNIT_TMPDIR/unshare.out" 2>&1
	[ $? = 99 ] && { skip_test "loop mount refused here: $(cat "$SHUNIT_TMPDIR/unshare.out")"; return 0; }
	assertEquals "install on the loop fs: $(cat "$SHUNIT_TMPDIR/install.out")" 0 "$(cat "$SHUNIT_TMPDIR/install.rc")"
	assertEquals "status exit: $(cat "$SHUNIT_TMPDIR/status.err")" 0 "$(cat "$SHUNIT_TMPDIR/status.rc")"
	jq . "$SHUNIT_TMPDIR/status.json" > /dev/null
	assertEquals "jq parses" 0 $?
	assertEquals khdrtest "$(cat "$SHUNIT_TMPDIR/label")"
	assertEquals "label" "$(cat "$SHUNIT_TMPDIR/label")" "$(jqr .cache.label)"
	assertEquals "uuid" "$(cat "$SHUNIT_TMPDIR/uuid")" "$(jqr .cache.uuid)"
	assertNotEquals "uuid not empty" "" "$(cat "$SHUNIT_TMPDIR/uuid")"
	assertEquals "fstype" "$(cat "$SHUNIT_TMPDIR/fstype")" "$(jqr .cache.fstype)"
	assertEquals "$mounted" "$(jqr .cache.fstype)"
	assertEquals "device" "$(cat "$SHUNIT_TMPDIR/dev")" "$(jqr .cache.device)"
	assertEquals "mountpoint" "$FX/root/var/cache" "$(jqr .cache.mountpoint)"
	assertEquals "free on a 64M fs" true "$(jqr '.cache.free_bytes > 0 and .cache.total_bytes < 70000000')"
}

test_cache_device_info_loop_ext4() { device_info_case ext4 ext4; }

# libblkid is asked for the mount table's type first (it reads far less of
# the device); an ext2 mounted by the ext4 driver is no ext4 to libblkid,
# and the probe of every type still finds its label and UUID.
test_cache_device_info_when_blkid_names_the_type_otherwise() {
	device_info_case ext2 ext4
}

# The opens (tried or done) of an strace -y log whose path lies inside an
# entry of the cache, other than the entry's .khdr-stamp.  The path is
# resolved against the directory fd strace -y names (openat(5</dir>,
# "rel")), so fd-relative opens count as well as absolute ones.
opened_inside_entries() {  # strace-log cache-dir
	python3 - "$1" "$2" <<'PY'
import re, sys
log, cache = sys.argv[1], sys.argv[2].rstrip("/")
call = re.compile(r'\b(?:open|openat|openat2)\((?:(?:-?\d+|AT_FDCWD)(?:<([^>]*)>)?, )?"([^"]*)"')
for line in open(log):
    m = call.search(line)
    if not m:
        continue
    base, path = m.group(1), m.group(2)
    if not path.startswith("/"):
        path = (base or "?") + "/" + path
    if not path.startswith(cache + "/"):
        continue
    key, _, rest = path[len(cache) + 1:].partition("/")
    if "@" in key and rest not in ("", ".khdr-stamp"):
        print(line, end="")
PY
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# 50 entries: status lists them all, reads only stamps and links.
test_fifty_entries_stamps_only() {
	need_artefacts && need_debian_kernel || return 0
	install_running
	local i now k keys=()
	now=$(date +%s)
	for i in $(seq 1 49); do
		k=$(printf '6.1.%d-khdr@%040x' "$i" "$i")
		clone_entry "$k" "6.1.$i-khdr" "$(printf '%040x' "$i")" $((now - i * 60))
		keys+=("$k")
		[ $((i % 2)) = 0 ] && mkdir -p "$FX/root/lib/modules/6.1.$i-khdr/kernel"
	done
	status_json
	assertEquals "exit: $ERR" 0 "$RC"
	assertEquals "50 entries" 50 "$(jqr '.entries | length')"
	assertEquals "none broken" 0 "$(jqr '[.entries[] | select(.state == "broken")] | length')"
	run status $FXOPTS
	assertEquals "text lists 50" 50 "$(printf '%s\n' "$OUT" | grep -cE '^ +(active|referenced|stale|orphaned|broken) .*@')"
	# Wall time: the median of 9 runs (a note, not an assertion).
	local t0 t1 times=
	for i in 1 2 3 4 5 6 7 8 9; do
		t0=$(date +%s%N)
		"$KHDR" status $FXOPTS > /dev/null 2>&1
		t1=$(date +%s%N)
		times="$times$(( (t1 - t0) / 1000 ))\n"
	done
	echo "NOTE: status with 50 entries ($(du -sh "$CACHE" | cut -f1) apparent cache, $(find "$CACHE" | wc -l) paths): median of 9 runs $(printf "$times" | median) us"
	echo "NOTE: status --json with 50 entries: $(strace -c -f "$KHDR" status $FXOPTS --json 2>&1 >/dev/null | awk '$NF == "total" {print $(NF-2), "syscalls,", $(NF-1), "failed"}')"
	# Which files does it open?  Inside an entry only .khdr-stamp; it lists
	# no entry directory (getdents64 on an entry's fd).
	strace -f -y -e trace=open,openat,openat2,getdents64 -o "$SHUNIT_TMPDIR/strace" \
		"$KHDR" status $FXOPTS --json > /dev/null 2>&1
	assertTrue "strace ran" "[ -s '$SHUNIT_TMPDIR/strace' ]"
	assertTrue "stamps were read" "grep -q '\.khdr-stamp' '$SHUNIT_TMPDIR/strace'"
	opened_inside_entries "$SHUNIT_TMPDIR/strace" "$(realpath "$CACHE")" > "$SHUNIT_TMPDIR/inside"
	assertEquals "opened inside an entry: $(head -5 "$SHUNIT_TMPDIR/inside")" "" "$(cat "$SHUNIT_TMPDIR/inside")"
	grep -E 'getdents64\([0-9]+<[^>]*@[0-9a-f]{16,}[^>]*>' "$SHUNIT_TMPDIR/strace" > "$SHUNIT_TMPDIR/listed"
	assertEquals "listed an entry directory: $(head -3 "$SHUNIT_TMPDIR/listed")" "" "$(cat "$SHUNIT_TMPDIR/listed")"
	assertTrue "opens stay few: $(grep -c 'open' "$SHUNIT_TMPDIR/strace")" \
		"[ $(grep -c 'open' "$SHUNIT_TMPDIR/strace") -lt 400 ]"
}

. shunit2
