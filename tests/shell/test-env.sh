#!/bin/bash
# test-env.sh - install --no-link and khdr-cache env [--shell]: the cache
# filled without touching lib/modules, and the variables BCC and bpftrace
# read, shell-quoted for eval.
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


test_no_link_fills_the_cache_only() {
	need_artefacts && need_debian_kernel || return 0
	run install $FXOPTS --no-link --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "exit: $ERR" 0 "$RC"
	assertContains "names the cache under the root" "$OUT" "cached $(key) in $CACHE/ "
	assertTrue "entry filled" "[ -f '$CACHE/$(key)/.khdr-stamp' ]"
	assertTrue "kconfig.h" "[ -f '$CACHE/$(key)/include/linux/kconfig.h' ]"
	assertFalse "no build link" "[ -e '$FX/root/lib/modules/$REL/build' -o -L '$FX/root/lib/modules/$REL/build' ]"
	assertEquals "lib/modules/<rel> holds no build" "" "$(ls -A "$FX/root/lib/modules/$REL" 2>/dev/null)"
	# Again: the entry is there, still no link.
	run install $FXOPTS --no-link --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "second: $ERR" 0 "$RC"
	assertFalse "still no build link" "[ -e '$FX/root/lib/modules/$REL/build' -o -L '$FX/root/lib/modules/$REL/build' ]"
	# status knows the entry is the running kernel's, and that build is missing.
	run status $FXOPTS --json
	assertEquals "status: build missing" 3 "$RC"
	assertEquals active "$(printf '%s\n' "$OUT" | jq -r '.entries[0].state')"
}

test_env_prints_the_three_variables() {
	need_artefacts && need_debian_kernel || return 0
	run install $FXOPTS --no-link --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	run env $FXOPTS
	assertEquals "exit: $ERR" 0 "$RC"
	local e="$CACHE/$(key)" v
	for v in BCC_KERNEL_SOURCE BPFTRACE_KERNEL_SOURCE KERNEL_HEADERS; do
		assertEquals "$v" "$v='$e'" "$(printf '%s\n' "$OUT" | grep "^$v=")"
	done
	assertEquals "three lines" 3 "$(printf '%s\n' "$OUT" | wc -l)"
	# eval of the plain form sets the variables too.
	(eval "$OUT"; [ "$BCC_KERNEL_SOURCE" = "$e" ] && [ "$KERNEL_HEADERS" = "$e" ])
	assertTrue "plain form evals" $?
}

test_env_shell_exports() {
	need_artefacts && need_debian_kernel || return 0
	run install $FXOPTS --no-link --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	local got
	got=$(unset BCC_KERNEL_SOURCE BPFTRACE_KERNEL_SOURCE
	      eval "$("$KHDR" env --shell $FXOPTS)"
	      sh -c 'echo "$BCC_KERNEL_SOURCE|$BPFTRACE_KERNEL_SOURCE|$KERNEL_HEADERS"')
	local e=$CACHE/$(key)
	assertEquals "exported to a child" "$e|$e|$e" "$got"
	assertTrue "BCC finds kconfig.h there" "[ -f '${got%%|*}/include/linux/kconfig.h' ]"
}

test_env_with_link_installed() {
	need_artefacts && need_debian_kernel || return 0
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	run env $FXOPTS
	assertEquals "exit: $ERR" 0 "$RC"
	assertContains "$OUT" "BCC_KERNEL_SOURCE='$CACHE/$(key)'"
}

# A relative --root: the variables name absolute paths all the same (a
# relative one would mean another directory to the tool that reads it).
test_env_with_relative_root_prints_absolute_paths() {
	need_artefacts && need_debian_kernel || return 0
	run install $FXOPTS --no-link --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "install: $ERR" 0 "$RC"
	OUT=$(cd "$FX" && "$KHDR" env --root root/ --sysfs ./sys --procfs proc -r "$REL" 2>&1)
	RC=$?
	assertEquals "exit: $OUT" 0 "$RC"
	assertEquals "KERNEL_HEADERS absolute" "KERNEL_HEADERS='$CACHE/$(key)'" \
		"$(printf '%s\n' "$OUT" | grep '^KERNEL_HEADERS=')"
}

test_env_without_entry() {
	need_artefacts && need_debian_kernel || return 0
	run env $FXOPTS
	assertEquals "no cache: exit" 3 "$RC"
	assertEquals "no cache: nothing on stdout" "" "$OUT"
	assertContains "no cache: says so" "$ERR" "install"
	# A cache with another build's entry only.
	run install $FXOPTS --no-link --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	python3 -c 'import struct,sys; d=bytes.fromhex(sys.argv[1]); sys.stdout.buffer.write(struct.pack("<III",4,len(d),3)+b"GNU\0"+d)' \
		00112233445566778899aabbccddeeff00112233 > "$FX/sys/kernel/notes"
	run env $FXOPTS --shell
	assertEquals "other build only: exit" 3 "$RC"
	assertEquals "other build only: nothing on stdout" "" "$OUT"
	assertContains "names the build" "$ERR" "00112233445566778899aabbccddeeff00112233"
	# An entry without its stamp is no entry.
	cp "$KHDR_DEBIAN_KERNEL/notes" "$FX/sys/kernel/notes"
	rm "$CACHE/$(key)/.khdr-stamp"
	run env $FXOPTS
	assertEquals "broken entry: exit" 3 "$RC"
	assertEquals "" "$OUT"
}

# A root whose path holds a single quote and a space survives eval.
test_env_quoting() {
	need_artefacts && need_debian_kernel || return 0
	local odd="$SHUNIT_TMPDIR/it's a root"
	mkdir "$odd" && mv "$FX" "$odd/fx"
	FX="$odd/fx"
	local opts=(--root "$FX/root" --sysfs "$FX/sys" --procfs "$FX/proc" --kernel-release "$REL")
	run install "${opts[@]}" --no-link --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "install: $ERR" 0 "$RC"
	local e="$FX/root/var/cache/khdr/$(key)" got
	got=$(eval "$("$KHDR" env --shell "${opts[@]}")"
	      sh -c 'printf "%s\n" "$BCC_KERNEL_SOURCE"')
	assertEquals "quoted path survives eval" "$e" "$got"
	assertTrue "and it holds kconfig.h" "[ -f \"\$got/include/linux/kconfig.h\" ]"
	got=$(eval "$("$KHDR" env "${opts[@]}")"; printf '%s\n' "$BPFTRACE_KERNEL_SOURCE")
	assertEquals "plain form too" "$e" "$got"
}

. shunit2
