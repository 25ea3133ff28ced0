#!/bin/bash
# test-runner.sh - the runner and the suites' conventions, so that no
# failure is lost: tests/run reports each fake suite of tests/selftest as
# what it is (a pass, a skip, a failed assertion, a failing setUp or
# oneTimeSetUp, a suite that dies or is killed mid-way), and no suite
# holds an assertion that cannot fail or a skip that counts as a failure.
. "$(dirname "$0")/lib.sh"

SELF=$KHDR_SRCDIR/tests/selftest

# Run tests/run on one fake suite; its output in $OUT (and indented, for
# messages that this runner's runner must not parse, in $SHOW), status in
# $RC, the closing line in $LAST, the "Failed:" list in $FAILED.
run_fake() {  # suite
	OUT=$("$KHDR_SRCDIR/tests/run" --shell-dir "$SELF" "$1" 2>&1)
	RC=$?
	SHOW=$(sed 's/^/| /' <<<"$OUT")
	LAST=$(tail -n 1 <<<"$OUT")
	FAILED=$(sed -n '/^Failed:$/,/^$/{ /^  /s/^  //p; }' <<<"$OUT")
}

test_a_passing_suite_passes() {
	run_fake test-pass
	assertEquals "closing line: $SHOW" "2 passed, 0 failed, 0 skipped" "$LAST"
	assertEquals "exit status" 0 "$RC"
}

test_skips_count_as_skips_and_a_skip_returning_nonzero_fails() {
	run_fake test-skip
	assertEquals "closing line: $SHOW" "1 passed, 1 failed, 2 skipped" "$LAST"
	assertEquals "the failure" \
		"test-skip/test_skip_then_nonzero (skipped, then returned non-zero: after a skip, return 0)" "$FAILED"
	assertNotEquals "exit status" 0 "$RC"
}

test_a_suite_skipped_in_oneTimeSetUp_skips_every_test() {
	run_fake test-skip-suite
	assertEquals "closing line: $SHOW" "0 passed, 0 failed, 3 skipped" "$LAST"
	assertNotContains "no body ran: $SHOW" "$OUT" "the body ran"
	assertEquals "exit status" 0 "$RC"
}

test_a_failed_assertion_and_a_nonzero_return_fail() {
	run_fake test-assert
	assertEquals "closing line: $SHOW" "1 passed, 2 failed, 0 skipped" "$LAST"
	assertEquals "the failures" \
		"$(printf '%s\n' test-assert/test_fails_an_assertion test-assert/test_returns_nonzero)" "$FAILED"
	assertNotEquals "exit status" 0 "$RC"
}

test_a_failing_setUp_fails_the_tests_it_stopped() {
	run_fake test-setup-fails
	assertEquals "closing line: $SHOW" "1 passed, 2 failed, 0 skipped" "$LAST"
	assertEquals "the failures" "$(printf '%s\n' \
		"test-setup-fails/test_b_second (did not run: setup() returned non-zero return code.)" \
		"test-setup-fails/test_c_third (did not run: setup() returned non-zero return code.)")" "$FAILED"
}

test_a_failing_oneTimeSetUp_fails_every_test() {
	run_fake test-onetime-fails
	assertEquals "closing line: $SHOW" "0 passed, 2 failed, 0 skipped" "$LAST"
	assertEquals "the failures" "$(printf '%s\n' \
		"test-onetime-fails/test_one (did not run: oneTimeSetUp() returned non-zero return code.)" \
		"test-onetime-fails/test_two (did not run: oneTimeSetUp() returned non-zero return code.)")" "$FAILED"
	assertNotEquals "exit status" 0 "$RC"
}

test_a_suite_that_exits_mid_way_fails() {
	run_fake test-dies
	assertEquals "closing line: $SHOW" "1 passed, 2 failed, 0 skipped" "$LAST"
	assertEquals "the failures" \
		"$(printf '%s\n' test-dies/test_b_exits "test-dies/test_c_never (did not run)")" "$FAILED"
}

test_a_suite_killed_mid_way_fails() {
	run_fake test-killed
	assertEquals "closing line: $SHOW" "1 passed, 2 failed, 0 skipped" "$LAST"
	assertEquals "the failures" "$(printf '%s\n' \
		"test-killed/test_b_killed (the suite died in it: no shunit2 report)" \
		"test-killed/test_c_never (did not run)")" "$FAILED"
}

test_a_failing_tearDown_fails() {
	run_fake test-teardown-fails
	assertEquals "closing line: $SHOW" "0 passed, 2 failed, 0 skipped" "$LAST"
	assertContains "the test before it: $FAILED" "$FAILED" \
		"test-teardown-fails/test_a_first (tearDown() returned non-zero return code.)"
}

# ---- the suites' conventions ----

# Asserts that take $? after a command substitution ($(...) or `...`) in
# their own arguments: $? is then the substitution's status, never the
# status of the command under test.  Continued lines are joined first.
void_status_asserts() {  # file...
	awk '{
		if (sub(/\\$/, "")) { buf = buf $0; next }
		line = buf $0; buf = ""
		if (line ~ /(assert|fail)[A-Za-z]*[ \t]/ && line ~ /(\$\(|`).*\$\?/)
			print FILENAME ":" FNR ": " line
	}' "$@"
}

test_no_assert_takes_the_status_of_a_substitution() {
	# The check finds the pattern, in one line or continued ...
	assertEquals "the check finds both in $SELF/void-status.sample" 2 \
		"$(void_status_asserts "$SELF/void-status.sample" | wc -l)"
	# ... and no suite has it.
	local found
	found=$(void_status_asserts "$KHDR_SRCDIR"/tests/shell/*.sh)
	assertEquals "capture the status first (rc=\$?), then assert on \"\$rc\"" "" "$found"
}

# In a test, every skip returns 0: after "need_X ||" and after skip_test
# (lib.sh says why).  need_X helpers themselves return 1.
skips_not_returning_zero() {  # file...
	awk '
	/^[A-Za-z_][A-Za-z0-9_]*\(\) *\{/ { fn = $0; sub(/\(.*/, "", fn) }
	{
		if (pend) {
			if ($0 !~ /^[ \t]*return 0[ \t]*$/) print FILENAME ":" FNR ": " fn ": after skip_test: " $0
			pend = 0
		}
		if (fn !~ /^test/) next
		if ($0 ~ /need_[a-z_]+/ && $0 ~ /\|\|[ \t]*return/ && $0 !~ /\|\|[ \t]*return 0([ \t;}]|$)/)
			print FILENAME ":" FNR ": " fn ": " $0
		if ($0 ~ /skip_test /) {
			if ($0 !~ /return/) pend = 1
			else if ($0 !~ /return 0([ \t;}]|$)/) print FILENAME ":" FNR ": " fn ": " $0
		}
	}' "$@"
}

test_every_skip_in_a_test_returns_zero() {
	assertEquals "the check finds the fake suite's mistake" 1 \
		"$(skips_not_returning_zero "$SELF/test-skip.sh" | wc -l)"
	local found
	found=$(skips_not_returning_zero "$KHDR_SRCDIR"/tests/shell/test-*.sh)
	assertEquals "a skip returns 0 (need_X || return 0; { skip_test ...; return 0; })" "" "$found"
}

. shunit2
