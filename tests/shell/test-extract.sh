#!/bin/bash
# test-extract.sh - extract of the genuine kbuild-made archive gives the
# tree GNU tar gives, from every container; and extract's own rules.
. "$(dirname "$0")/lib.sh"
# Many installs or extractions: their fixtures on a private tmpfs (lib.sh).
suite_on_private_tmpfs "$@"

test_extract_matches_tar() {
	need_artefacts || return 0
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

# The one line extract prints counts the files it wrote, in the singular
# for one, the size in IEC units, and names --to as an absolute path.
test_extract_says_what_it_counted() {
	need_artefacts || return 0
	OUT=$(cd "$SHUNIT_TMPDIR" && "$KHDR" extract --archive "$KHDR_ARTEFACTS/kheaders.tar.xz" --to ./rel// 2>&1)
	RC=$?
	assertEquals "exit: $OUT" 0 "$RC"
	local n
	n=$(find "$SHUNIT_TMPDIR/rel" -type f | wc -l)
	assertTrue "files, size, absolute --to: $OUT" \
		"printf '%s\n' '$OUT' | grep -qE '^extracted $n files, [0-9]+\.[0-9] MiB from .* into $SHUNIT_TMPDIR/rel\$'"
	mkdir "$SHUNIT_TMPDIR/one" && printf 'hello\n' > "$SHUNIT_TMPDIR/one/f"
	tar -cJf "$SHUNIT_TMPDIR/one.tar.xz" -C "$SHUNIT_TMPDIR/one" f
	run extract --archive "$SHUNIT_TMPDIR/one.tar.xz" --to "$SHUNIT_TMPDIR/one-x"
	assertEquals "one file: exit: $ERR" 0 "$RC"
	assertEquals "one file, in the singular" \
		"extracted 1 file, 6 B from $SHUNIT_TMPDIR/one.tar.xz into $SHUNIT_TMPDIR/one-x" "$OUT"
	run extract -q --archive "$SHUNIT_TMPDIR/one.tar.xz" --to "$SHUNIT_TMPDIR/one-q"
	assertEquals "-q: exit: $ERR" 0 "$RC"
	assertEquals "-q: nothing printed" "" "$OUT$ERR"
}

test_every_module_container_gives_the_same_tree() {
	need_artefacts || return 0
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
	need_artefacts || return 0
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

# bench/writetree is the floor the benchmark holds install against: it must
# write the whole tree, as it is (files, modes, file mtimes, symlinks), and
# report its four figures.
test_bench_writetree_writes_the_tree() {
	need_artefacts || return 0
	local ref out wt=${KHDR%/*}/bench/writetree
	[ -x "$wt" ] || { fail "no $wt (make check-programs builds it)"; return; }
	ref=$(reference_tree)
	out=$("$wt" "$ref" "$SHUNIT_TMPDIR/wt")
	assertEquals "exit" 0 $?
	assertTrue "write, CPU, syncfs and machine figures: '$out'" \
		"echo '$out' | grep -Eqx '([0-9]+(\.[0-9]+)? ){3}[0-9]+'"
	assertSameTree "writetree vs tar -xJf" "$ref" "$SHUNIT_TMPDIR/wt"
	(cd "$ref" && find . -mindepth 1 ! -type d -printf '%p %y %m %s %T@ %l\n' | sort) > "$SHUNIT_TMPDIR/l.ref"
	(cd "$SHUNIT_TMPDIR/wt" && find . -mindepth 1 ! -type d -printf '%p %y %m %s %T@ %l\n' | sort) > "$SHUNIT_TMPDIR/l.wt"
	assertTrue "a real tree" "[ $(wc -l < "$SHUNIT_TMPDIR/l.ref") -gt 5000 ]"
	assertEquals "metadata" "" "$(diff "$SHUNIT_TMPDIR/l.ref" "$SHUNIT_TMPDIR/l.wt" | head -5)"
}

# Threads started by an extraction (lib.sh's strace: no leak check).  With
# --seccomp-bpf strace stops the program at clone calls only, not at each
# of its system calls.
threads_started() {
	strace -f -qq --seccomp-bpf -e trace=clone,clone3 -o "$SHUNIT_TMPDIR/clones" \
		"$KHDR" extract -q "$@" >/dev/null 2>&1 || { echo failed; return; }
	grep -c 'clone' "$SHUNIT_TMPDIR/clones"
}

# The kbuild-complete archive is made of 1 MiB blocks, decoded by one
# worker per thread within a 12 MiB budget (a 1 MiB buffer per worker and
# one for the reader, and each worker's decoder: 1,114,168 bytes says
# xz --list): 5 workers at most.  The kernel's own archive is one big block:
# one decoder thread ahead of the writer.
test_blocks_decoded_at_once_within_the_memory_budget() {
	need_artefacts || return 0
	command -v strace >/dev/null || { skip_test "no strace"; return 0; }
	assertEquals "in-tree archive: the decoder thread only" 1 \
		"$(threads_started --archive "$KHDR_ARTEFACTS/kheaders.tar.xz" --to "$SHUNIT_TMPDIR/one")"
	assertEquals "--threads 1 starts no thread" 0 \
		"$(threads_started --threads 1 --archive "$KHDR_ARTEFACTS/kheaders.tar.xz" --to "$SHUNIT_TMPDIR/inline")"
	if [ -z "${KHDR_KBUILD:-}" ]; then
		echo "SKIP reason: no kbuild-complete archive for the multi-block case"
		return 0
	fi
	local a="$KHDR_KBUILD/kheaders.tar.xz"
	assertEquals "kbuild-complete archive: 1 MiB blocks, 1 MiB dictionary" \
		"1048576 1114168" \
		"$(xz --robot -lvv "$a" | awk '$1 == "block" { print $8, $15; exit }')"
	assertEquals "kbuild-complete archive: 2 block workers" 2 \
		"$(threads_started --archive "$a" --to "$SHUNIT_TMPDIR/many")"
	assertEquals "--threads 4: 4 block workers" 4 \
		"$(threads_started --threads 4 --archive "$a" --to "$SHUNIT_TMPDIR/four")"
	assertEquals "--threads 16: the budget's 5" 5 \
		"$(threads_started --threads 16 --archive "$a" --to "$SHUNIT_TMPDIR/sixteen")"
	assertSameTree "--threads 2 vs 16" "$SHUNIT_TMPDIR/many" "$SHUNIT_TMPDIR/sixteen"
	rm -rf "$SHUNIT_TMPDIR/one" "$SHUNIT_TMPDIR/inline" "$SHUNIT_TMPDIR/many" \
		"$SHUNIT_TMPDIR/four" "$SHUNIT_TMPDIR/sixteen"
}

# Damage in one block of the multi-block archive: whichever decoder reads
# it, and however many threads, the extraction fails on that block with the
# message the stream decoder gives, and nothing past it is written.
test_damaged_block_fails_alike_with_any_threads() {
	need_artefacts || return 0
	[ -n "${KHDR_KBUILD:-}" ] || { skip_test "no kbuild-complete archive"; return 0; }
	local a="$SHUNIT_TMPDIR/flipped.tar.xz" off t
	off=$(xz --robot -lvv "$KHDR_KBUILD/kheaders.tar.xz" |
		awk '$1 == "block" && $3 == 5 { print $5 + 1000 }')
	assertTrue "block 5 found ($off)" "[ -n '$off' ]"
	flip_byte "$KHDR_KBUILD/kheaders.tar.xz" "$a" "$off"
	for t in 1 2 4; do
		run extract --threads $t --archive "$a" --to "$SHUNIT_TMPDIR/d$t"
		assertEquals "--threads $t: exit" 1 "$RC"
		assertContains "--threads $t: says so" "$ERR" "xz data is corrupt"
		assertContains "--threads $t: and what it means" "$ERR" "a damaged archive"
		# Block 5 starts 4 MiB into the tar; the last member is far past it.
		assertFalse "--threads $t: nothing from past the damage" \
			"[ -e '$SHUNIT_TMPDIR/d$t/$(last_member "$KHDR_KBUILD/kheaders.tar.xz")' ]"
	done
	rm -rf "$SHUNIT_TMPDIR"/d[124] "$a"
}

# A damaged index: the block decoder cannot plan and leaves the stream to
# the stream decoder, which reads the blocks and then finds the index bad.
test_damaged_index_is_refused() {
	need_artefacts || return 0
	[ -n "${KHDR_KBUILD:-}" ] || { skip_test "no kbuild-complete archive"; return 0; }
	local a="$SHUNIT_TMPDIR/index.tar.xz" size t
	size=$(stat -c %s "$KHDR_KBUILD/kheaders.tar.xz")
	# The index ends with its CRC32 just before the 12-byte footer.
	flip_byte "$KHDR_KBUILD/kheaders.tar.xz" "$a" $((size - 12 - 6))
	for t in 1 2; do
		run extract --threads $t --archive "$a" --to "$SHUNIT_TMPDIR/i$t"
		assertEquals "--threads $t: exit" 1 "$RC"
		assertContains "--threads $t: says so" "$ERR" "xz data is corrupt"
	done
	rm -rf "$SHUNIT_TMPDIR"/i[12] "$a"
}

# Copy $1 to $2 with the byte at offset $3 inverted.
flip_byte() {
	python3 -c '
import sys
data = bytearray(open(sys.argv[1], "rb").read())
data[int(sys.argv[3])] ^= 0xff
open(sys.argv[2], "wb").write(data)' "$@"
}

# The last regular file of an archive, as tar lists it.
last_member() {
	tar -tJf "$1" | grep -v '/$' | tail -1
}

# A file system out of inodes, not bytes (the free-space check before
# extraction counts bytes only): the message says which ran out.
test_out_of_inodes_is_named() {
	need_artefacts || return 0
	command -v unshare >/dev/null && unshare -m true 2>/dev/null ||
		{ skip_test "unshare -m is not available"; return 0; }
	local small=$SHUNIT_TMPDIR/small out rc
	mkdir -p "$small"
	out=$(unshare -m --propagation private sh -c '
		mount -t tmpfs -o size=256m,nr_inodes=500 khdr-test "$1" || exit 97
		"$2" extract --archive "$3" --to "$1/tree"' ns \
		"$small" "$KHDR" "$KHDR_ARTEFACTS/kheaders.tar.xz" 2>&1)
	rc=$?
	[ $rc -ne 97 ] || { skip_test "cannot mount a tmpfs"; return 0; }
	assertEquals "exit: $out" 1 $rc
	assertContains "$out" "No space left on device"
	assertContains "$out" "no free inodes left, 500 in all"
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
	need_artefacts || return 0
	command -v setpriv >/dev/null || { skip_test "setpriv missing"; return 0; }
	[ "$(id -u)" = 0 ] || { skip_test "needs root to switch to nobody"; return 0; }
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
	need_artefacts || return 0
	make_fixture
	cp "$KHDR_ARTEFACTS/kheaders.tar.xz" "$FX/sys/kernel/kheaders.tar.xz"
	run extract $FXOPTS --to "$SHUNIT_TMPDIR/fromsys"
	assertEquals "exit: $ERR" 0 "$RC"
	assertSameTree "sysfs" "$(reference_tree)" "$SHUNIT_TMPDIR/fromsys"
}

# A progress bar on a terminal (script(1) gives one), none on a pipe or with -q.
test_progress_bar_only_on_a_terminal() {
	need_artefacts || return 0
	command -v script >/dev/null || { skip_test "script(1) missing (util-linux)"; return 0; }
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
