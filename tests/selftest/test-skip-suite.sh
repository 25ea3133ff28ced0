#!/bin/bash
# A suite whose every test needs what is missing: oneTimeSetUp skips it,
# each test is counted as skipped, and neither setUp (which would fail
# here) nor a test body runs.
. "$KHDR_SRCDIR/tests/shell/lib.sh"
need_nothing() { skip_test "the fake need is never met"; return 1; }
oneTimeSetUp() { need_nothing || skip_suite; }
setUp() { return 1; }
test_one() { fail "the body ran"; }
test_two() { fail "the body ran"; }
test_three() { fail "the body ran"; }
. shunit2
