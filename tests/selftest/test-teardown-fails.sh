#!/bin/bash
# tearDown fails after the first test: that test fails, the rest never run.
. "$KHDR_SRCDIR/tests/shell/lib.sh"
tearDown() { false; }
test_a_first() { assertTrue true; }
test_b_second() { assertTrue true; }
. shunit2
