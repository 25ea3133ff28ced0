#!/bin/bash
# test-concurrency.sh - concurrent installs on one root (issue 7, item 4):
# exactly one extraction, every process exits 0 (the cache lock waits, it
# never turns one away), and the end state is one complete entry that build
# points at, with no staging left.  And install racing prune.
. "$(dirname "$0")/lib.sh"
# Many installs or extractions: their fixtures on a private tmpfs (lib.sh).
suite_on_private_tmpfs "$@"

N=8

oneTimeSetUp() {
	need_artefacts || skip_suite
}

setUp() {
	make_fixture
	CACHE=$FX/root/var/cache/khdr
	RELDIR=$FX/root/lib/modules/$REL
	LINK=$RELDIR/build
	ARCHIVE=$KHDR_ARTEFACTS/kheaders.tar.xz
}


# Start $N installs in the background; their pids in PIDS, output in
# $SHUNIT_TMPDIR/par.<i>.{out,err}.
start_installs() {
	local i
	PIDS=()
	rm -f "$SHUNIT_TMPDIR"/par.*
	for i in $(seq 1 $N); do
		"$KHDR" install -v -v $FXOPTS --archive "$ARCHIVE" \
			>"$SHUNIT_TMPDIR/par.$i.out" 2>"$SHUNIT_TMPDIR/par.$i.err" 9>&- &
		PIDS+=($!)
	done
}

# Wait for them: each exits 0 (the lock blocks; no install gives up on it).
wait_installs() {  # what
	local i rc
	for i in $(seq 1 $N); do
		wait "${PIDS[$((i - 1))]}"
		rc=$?
		assertEquals "$1: install $i: $(cat "$SHUNIT_TMPDIR/par.$i.err")" 0 "$rc"
	done
}

# One entry, complete, linked; no staging, no temporary link.
assertOneEntry() {  # what
	assertEquals "$1: one entry (and the lock) in the cache" "$(key) lock" \
		"$(ls -A "$CACHE" | sort | paste -sd' ')"
	assertEquals "$1: build points at it" "/var/cache/khdr/$(key)" "$(readlink "$LINK")"
	assertEquals "$1: no temporary link" "" "$(ls -A "$RELDIR" | grep '^\.')"
	assertSameTree "$1" "$(reference_tree)" "$(entry_dir)"
}

# Extractions and outcomes, as the -v -v output tells them ("extracted N
# files" is an info message, "installed"/"up to date" the result lines).
assertOneExtraction() {  # what
	local out err
	out=$(cat "$SHUNIT_TMPDIR"/par.*.out)
	err=$(cat "$SHUNIT_TMPDIR"/par.*.err)
	assertEquals "$1: one extraction: $(echo "$err" | grep extracted)" 1 "$(echo "$err" | grep -c '^khdr-cache: extracted ')"
	assertEquals "$1: one install" 1 "$(echo "$out" | grep -c "^installed $(key):")"
	assertEquals "$1: the others up to date" $((N - 1)) \
		"$(echo "$out" | grep -c "^up to date: ")"
}

# All eight start together on an empty root.
test_eight_concurrent_installs() {
	need_artefacts && need_debian_kernel || return 0
	start_installs
	wait_installs "free start"
	assertOneExtraction "free start"
	assertOneEntry "free start"
}

# All eight past the warm path and waiting at the lock (held here), then
# let go at once: each must look again once it holds the lock.
test_eight_installs_released_at_once() {
	need_artefacts && need_debian_kernel || return 0
	command -v flock >/dev/null || { skip_test "flock(1) missing"; return 0; }
	mkdir -p "$CACHE" && chmod 0755 "$CACHE"
	exec 9>"$CACHE/lock"
	flock -x 9
	start_installs
	# Until every one of them waits for the lock.
	local t
	for t in $(seq 1 100); do
		[ "$(waiting_for_lock)" -ge $N ] && break
		sleep 0.1
	done
	assertEquals "all $N wait at the lock" $N "$(waiting_for_lock)"
	flock -u 9
	exec 9>&-
	wait_installs "released at once"
	assertOneExtraction "released at once"
	assertOneEntry "released at once"
}

# A run that waits for the lock says so once, naming the holder; status,
# meanwhile, counts the holder's staging as in progress, not as a leftover
# for prune.
test_waiting_for_the_lock_names_the_holder() {
	need_artefacts && need_debian_kernel || return 0
	command -v flock >/dev/null || { skip_test "flock(1) missing"; return 0; }
	local holder c t i pids=()
	install_running
	mkdir "$CACHE/.staging-inuse"
	flock -x "$CACHE/lock" sleep 4 &
	holder=$!
	for t in $(seq 1 50); do
		grep -q "FLOCK .* $holder [0-9a-f]*:[0-9a-f]*:$(stat -c %i "$CACHE/lock") " /proc/locks && break
		sleep 0.1
	done
	run status $FXOPTS
	assertContains "status: in progress" "$OUT" "1 staging dir(s) in use: an install, prune or verify in progress (pid $holder)"
	assertNotContains "status: no leftover" "$OUT" "leftover"
	"$KHDR" status $FXOPTS --json > "$SHUNIT_TMPDIR/st.json"
	assertEquals "json: in progress" 1 "$(jq .cache.in_progress "$SHUNIT_TMPDIR/st.json")"
	assertEquals "json: no leftovers" 0 "$(jq .cache.leftovers "$SHUNIT_TMPDIR/st.json")"
	i=0
	for c in "install --force --archive $ARCHIVE" "prune" "verify"; do
		"$KHDR" $c $FXOPTS > "$SHUNIT_TMPDIR/w.$i.out" 2> "$SHUNIT_TMPDIR/w.$i.err" &
		pids+=($!)
		i=$((i + 1))
	done
	wait $holder
	i=0
	for c in install prune verify; do
		wait "${pids[$i]}"
		assertEquals "$c waited once for pid $holder: $(cat "$SHUNIT_TMPDIR/w.$i.err")" 1 \
			"$(grep -c "waiting for the cache lock held by pid $holder " "$SHUNIT_TMPDIR/w.$i.err")"
		i=$((i + 1))
	done
	wait
	assertEquals "the staging is gone once free" "" "$(ls -A "$CACHE" | grep '^\.')"
}

# How many processes wait for the cache lock?  /proc/locks lists each
# blocked waiter as "->" under the lock it waits for.
waiting_for_lock() {
	local ino
	ino=$(stat -c %i "$CACHE/lock")
	grep -c -- "-> FLOCK .*:$ino " /proc/locks
}

# Entries and staging in the cache all the while: the warm path, the locked
# path and a valid entry that only needs linking, all at once.
test_concurrent_relink_of_existing_entry() {
	need_artefacts && need_debian_kernel || return 0
	run install $FXOPTS --archive "$ARCHIVE"
	assertEquals "first: $ERR" 0 "$RC"
	local created
	created=$(stamp_field created)
	rm "$LINK"
	sleep 1
	start_installs
	wait_installs "relink"
	assertEquals "relink: nothing extracted" 0 "$(cat "$SHUNIT_TMPDIR"/par.*.err | grep -c '^khdr-cache: extracted ')"
	assertEquals "relink: not re-extracted" "$created" "$(stamp_field created)"
	assertOneEntry "relink"
}

# ---- install racing prune (prune is being written; skipped until then) ----

# The old entry, linked; the kernel rebuilt (a new build ID), so install
# extracts a new entry and moves the link while prune may drop the old one.
set_build_id() {  # hex
	python3 -c 'import struct,sys; d=bytes.fromhex(sys.argv[1]); sys.stdout.buffer.write(struct.pack("<III",4,len(d),3)+b"GNU\0"+d)' \
		"$1" > "$FX/sys/kernel/notes"
}

test_install_racing_prune() {
	need_artefacts && need_debian_kernel || return 0
	"$KHDR" prune --help >/dev/null 2>&1 || { skip_test "prune not built yet"; return 0; }
	local old_notes=$SHUNIT_TMPDIR/notes.old new=00112233445566778899aabbccddeeff00112233
	local delay round ipid ppid irc prc old
	cp "$FX/sys/kernel/notes" "$old_notes"
	old=$(key)
	# Prune started at different moments of the install: before it, during
	# the extraction, around the commit and the link switch.
	round=0
	for delay in 0 0.05 0.2 0.4 0.7 1.0; do
		round=$((round + 1))
		rm -rf "$FX/root/var" "$FX/root/lib"
		cp "$old_notes" "$FX/sys/kernel/notes"
		run install $FXOPTS --archive "$ARCHIVE"
		assertEquals "round $round: old install: $ERR" 0 "$RC"
		set_build_id "$new"
		"$KHDR" install $FXOPTS --archive "$ARCHIVE" >"$SHUNIT_TMPDIR/i.out" 2>&1 &
		ipid=$!
		sleep "$delay"
		"$KHDR" prune $FXOPTS --keep 1 >"$SHUNIT_TMPDIR/p.out" 2>&1 &
		ppid=$!
		wait $ipid; irc=$?
		wait $ppid; prc=$?
		assertEquals "round $round (prune after ${delay}s): install: $(cat "$SHUNIT_TMPDIR/i.out")" 0 $irc
		# prune waits for the lock as install does: it never gives up.
		assertEquals "round $round: prune: $(cat "$SHUNIT_TMPDIR/p.out")" 0 "$prc"
		assertEquals "round $round: build points at the new entry" "/var/cache/khdr/$REL@$new" "$(readlink "$LINK")"
		assertEquals "round $round: no staging or trash left" "" "$(ls -A "$FX/root/var/cache/khdr" | grep '^\.')"
		assertSameTree "round $round: the new entry" "$(reference_tree)" "$(entry_dir)"
		# The old entry: pruned, or still whole.
		if [ -e "$FX/root/var/cache/khdr/$old" ]; then
			assertSameTree "round $round: the old entry, if kept" "$(reference_tree)" "$FX/root/var/cache/khdr/$old"
		fi
		# A second prune, now that nothing runs, never touches what build uses.
		"$KHDR" prune $FXOPTS --keep 1 >"$SHUNIT_TMPDIR/p.out" 2>&1
		prc=$?
		assertEquals "round $round: prune afterwards: $(cat "$SHUNIT_TMPDIR/p.out")" 0 $prc
		assertTrue "round $round: the linked entry survives prune" "[ -f '$FX/root/var/cache/khdr/$REL@$new/.khdr-stamp' ]"
	done
}

. shunit2
