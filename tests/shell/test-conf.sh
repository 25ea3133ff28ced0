#!/bin/bash
# test-conf.sh - <root>/etc/khdr-cache.conf: honoured by install, status,
# env and prune, overridden by options, and every bad line refused with
# its number.
. "$(dirname "$0")/lib.sh"
# Many installs or extractions: their fixtures on a private tmpfs (lib.sh).
suite_on_private_tmpfs "$@"

oneTimeSetUp() {
	need_artefacts || skip_suite
}

setUp() {
	make_fixture
	mkdir -p "$FX/root/etc"
	CONF=$FX/root/etc/khdr-cache.conf
}


test_cache_dir_honoured() {
	need_artefacts && need_debian_kernel || return 0
	printf '# where the cache lives\n\ncache_dir = /srv/khdr\n   # indented comment\n' > "$CONF"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "install: $ERR" 0 "$RC"
	assertTrue "entry under /srv/khdr" "[ -f '$FX/root/srv/khdr/$(key)/.khdr-stamp' ]"
	assertEquals "link" "/srv/khdr/$(key)" "$(readlink "$FX/root/lib/modules/$REL/build")"
	assertFalse "nothing in the default cache" "[ -e '$FX/root/var/cache/khdr' ]"
	assertSameTree "tree" "$(reference_tree)" "$FX/root/srv/khdr/$(key)"
	run status $FXOPTS --json
	assertEquals "status: $ERR" 0 "$RC"
	assertEquals "status: cache path" "$FX/root/srv/khdr" "$(printf '%s\n' "$OUT" | jq -r .cache.path)"
	assertEquals "status: ours-valid" ours-valid "$(printf '%s\n' "$OUT" | jq -r .build.state)"
	assertEquals "status: the entry" "$(key)" "$(printf '%s\n' "$OUT" | jq -r '.entries[0].key')"
	run env $FXOPTS
	assertEquals "env: $ERR" 0 "$RC"
	assertContains "env" "$OUT" "BCC_KERNEL_SOURCE='$FX/root/srv/khdr/$(key)'"
	run verify $FXOPTS
	assertEquals "verify: $OUT $ERR" 0 "$RC"
}

test_option_overrides_cache_dir() {
	need_artefacts && need_debian_kernel || return 0
	echo cache_dir=/srv/khdr > "$CONF"
	run install $FXOPTS --cache-dir /var/cache/other --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "install: $ERR" 0 "$RC"
	assertTrue "entry under the option's dir" "[ -f '$FX/root/var/cache/other/$(key)/.khdr-stamp' ]"
	assertFalse "nothing under the file's dir" "[ -e '$FX/root/srv/khdr' ]"
	assertEquals "/var/cache/other/$(key)" "$(readlink "$FX/root/lib/modules/$REL/build")"
	run status $FXOPTS --cache-dir /var/cache/other --json
	assertEquals "status with the option: $ERR" 0 "$RC"
	assertEquals "$FX/root/var/cache/other" "$(printf '%s\n' "$OUT" | jq -r .cache.path)"
}

test_keep_honoured_by_prune() {
	need_artefacts && need_debian_kernel || return 0
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "install: $ERR" 0 "$RC"
	local c=$FX/root/var/cache/khdr now k i
	now=$(date +%s)
	for i in 1 2 3; do
		k=$REL@$(printf '%040d' "$i")
		mkdir -p "$c/$k/include/linux"
		sed -e "s/^key=.*/key=$k/" -e "s/^build_id=.*/build_id=$(printf '%040d' "$i")/" \
			-e "s/^created=.*/created=$((now - i * 1000))/" "$c/$(key)/.khdr-stamp" > "$c/$k/.khdr-stamp"
	done
	echo keep=2 > "$CONF"
	run prune $FXOPTS
	assertEquals "prune: $ERR" 0 "$RC"
	assertTrue "active kept" "[ -d '$c/$(key)' ]"
	assertTrue "keep=2: the newest stale build kept" "[ -d '$c/$REL@$(printf '%040d' 1)' ]"
	assertFalse "older ones removed" "[ -e '$c/$REL@$(printf '%040d' 2)' ]"
	assertFalse "older ones removed" "[ -e '$c/$REL@$(printf '%040d' 3)' ]"
	# --keep on the command line wins over the file.
	echo keep=3 > "$CONF"
	run prune $FXOPTS --keep 1
	assertEquals "prune --keep 1: $ERR" 0 "$RC"
	assertFalse "--keep 1 beats keep=3" "[ -e '$c/$REL@$(printf '%040d' 1)' ]"
	assertTrue "active kept" "[ -d '$c/$(key)' ]"
}

test_verify_strict_refuses_fingerprint() {
	need_artefacts && need_debian_kernel || return 0
	printf 'verify=strict\n' > "$CONF"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "exit: $ERR" 1 "$RC"
	assertContains "names the policy" "$ERR" "verify=strict"
	assertContains "names the build ID" "$ERR" "$FX_BUILD_ID"
	assertNothingInstalled strict
	# The same through the option, without the file.
	rm "$CONF"
	run install $FXOPTS --strict --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "--strict: exit" 1 "$RC"
	assertNothingInstalled "--strict"
	# The default accepts it.
	printf 'verify=default\n' > "$CONF"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "verify=default: $ERR" 0 "$RC"
}

# Each bad file: exit 1, the line number in the message, nothing done.
bad_conf() {  # line-number content...
	local n=$1 cmd
	shift
	printf '%s\n' "$@" > "$CONF"
	for cmd in install status prune env verify; do
		if [ $cmd = install ]; then
			run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
		else
			run $cmd $FXOPTS
		fi
		assertEquals "$cmd with '$*': exit: $ERR" 1 "$RC"
		assertContains "$cmd with '$*': line number" "$ERR" "line $n"
		assertContains "$cmd with '$*': the file" "$ERR" "khdr-cache.conf"
	done
	assertNothingInstalled "bad: $*"
}

test_bad_lines_refused_with_line_number() {
	need_artefacts || return 0
	bad_conf 3 '# comment' '' 'colour=blue'
	assertContains "names the key" "$ERR" "colour"
	bad_conf 2 'cache_dir=/srv/khdr' 'keep=abc'
	assertContains "names the value" "$ERR" "abc"
	bad_conf 4 '' '' '# x' 'verify=maybe'
	assertContains "$ERR" "maybe"
	bad_conf 1 'cache_dir=relative/dir'
	assertContains "$ERR" "relative/dir"
	bad_conf 2 '# ok' 'cache_dir=/a/../b'
	bad_conf 1 'keep=0'
	bad_conf 1 'keep=-1'
	bad_conf 1 'just some words'
	bad_conf 3 'keep=2' 'verify=strict' 'cache_dir=/srv/./khdr'
}

test_comments_and_blank_lines_fine() {
	need_artefacts && need_debian_kernel || return 0
	printf '# khdr-cache.conf\n\n   \n\t# tab then comment\nkeep = 2\n\nverify=default\nload_module=no\n# end\n' > "$CONF"
	run install $FXOPTS --archive "$KHDR_ARTEFACTS/kheaders.tar.xz"
	assertEquals "install: $ERR" 0 "$RC"
	run status $FXOPTS
	assertEquals "status: $ERR" 0 "$RC"
	# An empty file too.
	: > "$CONF"
	run status $FXOPTS
	assertEquals "empty file: $ERR" 0 "$RC"
}

. shunit2
