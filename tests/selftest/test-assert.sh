#!/bin/bash
# A failing assertion, a test that returns non-zero without asserting, and
# a test that passes.
. "$KHDR_SRCDIR/tests/shell/lib.sh"
test_fails_an_assertion() { assertEquals "one is two" 1 2; }
test_returns_nonzero() { false; }
test_passes() { assertTrue true; }
. shunit2
