#!/bin/bash
# setUp fails before the second test: shunit2 2.1.8 stops the whole suite
# ("shunit2:FATAL setup() returned non-zero"), so the second and third
# tests never run.
. "$KHDR_SRCDIR/tests/shell/lib.sh"
N=0
setUp() { N=$((N + 1)); [ $N != 2 ]; }
test_a_first() { assertTrue true; }
test_b_second() { assertTrue true; }
test_c_third() { assertTrue true; }
. shunit2
