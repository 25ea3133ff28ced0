#!/bin/bash
# test-extract.sh - extract of the genuine kbuild-made archive gives the
# tree GNU tar gives, from every container; and extract's own rules.
. "$(dirname "$0")/lib.sh"

test_extract_matches_tar() {
	need_artefacts || return
	local ref
	ref=$(reference_tree)
	run extract --archive "$KHDR_ARTEFACTS/kheaders.tar.xz" --to "$SHUNIT_TMPDIR/x"
	assertEquals "exit: $ERR" 0 "$RC"
	assertSameTree "extract vs tar -xJf" "$ref" "$SHUNIT_TMPDIR/x"
	# The archive has symlinks; they must be links, not copies.
	assertTrue "symlinks kept" "[ -L '$SHUNIT_TMPDIR/x/include/dt-bindings/input/linux-event-codes.h' ]"
	assertEquals "mtime kept" "$(stat -c %Y "$ref/include/linux/kconfig.h")" \
		"$(stat -c %Y "$SHUNIT_TMPDIR/x/include/linux/kconfig.h")"
	assertEquals "directory mtime kept" "$(stat -c %Y "$ref/include/linux")" \
		"$(stat -c %Y "$SHUNIT_TMPDIR/x/include/linux")"
}

test_every_module_container_gives_the_same_tree() {
	need_artefacts || return
	local ref f
	ref=$(reference_tree)
	for f in kheaders.ko kheaders.ko.xz kheaders.ko.zst kheaders.ko.gz; do
		run extract --archive "$KHDR_ARTEFACTS/$f" --to "$SHUNIT_TMPDIR/$f"
		assertEquals "$f exit: $ERR" 0 "$RC"
		assertSameTree "$f" "$ref" "$SHUNIT_TMPDIR/$f"
	done
}

# Inline decoding (--threads 1), the decoder thread (the default, 2) and four
# threads must write the same tree: contents, types, modes, link targets,
# link counts and every mtime, for the in-tree archive (one xz block) and
# the kbuild-complete one (1 MiB blocks, decoded several at once).
test_threads_give_the_same_tree() {
	need_artefacts || return
	local a t listing
	for a in "$KHDR_ARTEFACTS/kheaders.tar.xz" ${KHDR_KBUILD:+"$KHDR_KBUILD/kheaders.tar.xz"}; do
		for t in 1 2 4; do
			run extract --threads $t --archive "$a" --to "$SHUNIT_TMPDIR/t$t"
			assertEquals "$a --threads $t exit: $ERR" 0 "$RC"
			(cd "$SHUNIT_TMPDIR/t$t" && find . -mindepth 1 -printf '%p %y %m %n %s %T@ %l\n' | sort) \
				> "$SHUNIT_TMPDIR/list$t"
		done
		listing=$(wc -l < "$SHUNIT_TMPDIR/list1")
		assertTrue "$a: a real tree ($listing entries)" "[ $listing -gt 5000 ]"
		for t in 2 4; do
			assertSameTree "$a: --threads 1 vs $t" "$SHUNIT_TMPDIR/t1" "$SHUNIT_TMPDIR/t$t"
			assertEquals "$a: metadata of --threads 1 vs $t" "" \
				"$(diff "$SHUNIT_TMPDIR/list1" "$SHUNIT_TMPDIR/list$t" | head -5)"
		done
		rm -rf "$SHUNIT_TMPDIR"/t[124]
	done
	[ -n "${KHDR_KBUILD:-}" ] || echo "SKIP reason: no kbuild-complete archive; compared the in-tree archive only"
}

# Threads started by an extraction: liblzma's block workers show as more
# than the one decoder thread.  (LeakSanitizer cannot work under ptrace: an
# ASan build is counted with leak detection off.)
threads_started() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -qq -e trace=clone,clone3 -o "$SHUNIT_TMPDIR/clones" \
		"$KHDR" extract -q "$@" >/dev/null 2>&1 || { echo failed; return; }
	grep -c 'clone' "$SHUNIT_TMPDIR/clones"
}

# The kbuild-complete archive is made of many blocks and is decoded by
# several threads; the kernel's own archive is one big block, which would
# not fit the memory budget, so it gets the decoder thread alone.
test_blocks_decoded_at_once_within_the_memory_budget() {
	need_artefacts || return
	command -v strace >/dev/null || { skip_test "no strace"; return; }
	assertEquals "in-tree archive: the decoder thread only" 1 \
		"$(threads_started --archive "$KHDR_ARTEFACTS/kheaders.tar.xz" --to "$SHUNIT_TMPDIR/one")"
	assertEquals "--threads 1 starts no thread" 0 \
		"$(threads_started --threads 1 --archive "$KHDR_ARTEFACTS/kheaders.tar.xz" --to "$SHUNIT_TMPDIR/inline")"
	if [ -z "${KHDR_KBUILD:-}" ]; then
		echo "SKIP reason: no kbuild-complete archive for the multi-block case"
		return
	fi
	assertTrue "kbuild-complete archive: more than one block" \
		"[ $(xz --robot --list "$KHDR_KBUILD/kheaders.tar.xz" | awk '$1 == "totals" { print $3 }') -gt 1 ]"
	assertEquals "kbuild-complete archive: decoder thread + 2 block workers" 3 \
		"$(threads_started --archive "$KHDR_KBUILD/kheaders.tar.xz" --to "$SHUNIT_TMPDIR/many")"
	rm -rf "$SHUNIT_TMPDIR/one" "$SHUNIT_TMPDIR/inline" "$SHUNIT_TMPDIR/many"
}

test_threads_is_1_to_16() {
	local bad
	for bad in 0 17 2x -1 ''; do
		run extract --threads "$bad" --archive /nonexistent --to "$SHUNIT_TMPDIR/threads"
		assertEquals "--threads '$bad': exit" 2 "$RC"
		assertContains "--threads '$bad': names the option" "$ERR" "invalid --threads '$bad' (1 to 16)"
	done
	assertFalse "nothing created" "[ -e '$SHUNIT_TMPDIR/threads' ]"
}

test_extract_unprivileged() {
	need_artefacts || return
	command -v setpriv >/dev/null || { skip_test "setpriv missing"; return; }
	[ "$(id -u)" = 0 ] || { skip_test "needs root to switch to nobody"; return; }
	local d
	d=$(mktemp -d /tmp/khdr-unpriv.XXXXXX)
	chmod 0755 "$d"
	cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$d/"
	cp "$KHDR" "$d/khdr-cache"
	mkdir "$d/out" && chown nobody "$d/out"
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$d/khdr-cache" extract --archive "$d/kheaders.tar.xz" --to "$d/out/tree" 2>"$d/err"
	local rc=$?
	assertEquals "exit as nobody: $(cat "$d/err")" 0 "$rc"
	assertEquals "owned by nobody" nobody "$(stat -c %U "$d/out/tree/include/linux/kconfig.h")"
	assertSameTree "unprivileged" "$(reference_tree)" "$d/out/tree"
	# A symlink planted at DIR is refused, its target untouched.
	mkdir "$d/victim" && chown nobody "$d/victim"
	ln -s "$d/victim" "$d/out/planted"
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$d/khdr-cache" extract --archive "$d/kheaders.tar.xz" --to "$d/out/planted" 2>"$d/err"
	assertEquals "planted symlink refused" 1 $?
	assertContains "$(cat "$d/err")" "symlink"
	assertEquals "victim untouched" "" "$(ls -A "$d/victim")"
	rm -rf "$d"
}

test_extract_from_sysfs_by_default() {
	need_artefacts || return
	make_fixture
	cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$FX/sys/kernel/kheaders.tar.xz"
	run extract $FXOPTS --to "$SHUNIT_TMPDIR/fromsys"
	assertEquals "exit: $ERR" 0 "$RC"
	assertSameTree "sysfs" "$(reference_tree)" "$SHUNIT_TMPDIR/fromsys"
}

# A progress bar on a terminal (script(1) gives one), none on a pipe or with -q.
test_progress_bar_only_on_a_terminal() {
	need_artefacts || return
	command -v script >/dev/null || { skip_test "script(1) missing (util-linux)"; return; }
	local a=$KHDR_ARTEFACTS/kheaders.tar.xz
	script -qec "'$KHDR' extract --archive '$a' --to '$SHUNIT_TMPDIR/tty'" "$SHUNIT_TMPDIR/tty.log" >/dev/null
	assertEquals "exit on a terminal" 0 $?
	assertContains "bar: $(head -c 300 "$SHUNIT_TMPDIR/tty.log")" "$(cat "$SHUNIT_TMPDIR/tty.log")" "extracting ["
	local mib
	mib=$(xz --robot --list "$a" | awk '$1 == "totals" { printf "%.1f", $5 / 1048576 }')
	assertContains "of the xz index's size" "$(cat "$SHUNIT_TMPDIR/tty.log")" "/$mib MiB"
	assertEquals "the line is cleared at the end" 1 "$(grep -c "$(printf '\r\033\\[K')extracted" "$SHUNIT_TMPDIR/tty.log")"
	assertSameTree "with a bar" "$(reference_tree)" "$SHUNIT_TMPDIR/tty"
	script -qec "'$KHDR' -q extract --archive '$a' --to '$SHUNIT_TMPDIR/q'" "$SHUNIT_TMPDIR/q.log" >/dev/null
	assertNotContains "quiet: no bar" "$(cat "$SHUNIT_TMPDIR/q.log")" "extracting ["
	"$KHDR" extract --archive "$a" --to "$SHUNIT_TMPDIR/pipe" 2>&1 | cat > "$SHUNIT_TMPDIR/pipe.log"
	assertNotContains "pipe: no bar" "$(cat "$SHUNIT_TMPDIR/pipe.log")" "extracting ["
}

. shunit2
