#!/bin/bash
# The ways a test skips: through a need_X helper, inline, and the mistake
# the convention forbids (a skip that returns non-zero fails).
. "$KHDR_SRCDIR/tests/shell/lib.sh"
need_nothing() { skip_test "the fake need is never met"; return 1; }
test_need_skips() {
	need_nothing || return 0
	fail "ran on after the skip"
}
test_inline_skips() {
	[ -e /nonexistent/khdr ] || { skip_test "no /nonexistent/khdr"; return 0; }
	fail "ran on after the skip"
}
test_skip_then_nonzero() {
	need_nothing || return
}
test_passes() { assertTrue true; }
. shunit2
