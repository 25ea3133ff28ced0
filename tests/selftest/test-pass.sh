#!/bin/bash
# Two tests that pass.
. "$KHDR_SRCDIR/tests/shell/lib.sh"
test_one() { assertEquals 1 1; }
test_two() { assertTrue true; }
. shunit2
