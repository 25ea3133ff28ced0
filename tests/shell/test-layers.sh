#!/bin/bash
# test-layers.sh - src/ is in folders by layer (DESIGN.md 3), and
# tools/check-layers holds it so: every include names its folder, none runs
# up a layer, every source file is in a layer folder, and the command-line
# options stay in cmd/.  The checker is shown
# to fail on a small tree that breaks each rule.
. "$(dirname "$0")/lib.sh"

CHECK=$KHDR_SRCDIR/tools/check-layers

test_the_source_tree_keeps_its_layers() {
	local out rc
	out=$("$CHECK" "$KHDR_SRCDIR/src" 2>&1)
	rc=$?
	assertEquals "tools/check-layers src/: $out" 0 "$rc"
	assertEquals "no defect printed" "" "$out"
}

# README's Layout names every file of src/ under its folder (a name, or a
# glob such as cmd-*.c), so the map a newcomer reads stays whole.
test_the_readme_maps_every_source_file() {
	local map f dir base n=0 missing=""
	map=$(sed -n '/^## Layout/,/^## /p' "$KHDR_SRCDIR/README.md")
	assertNotEquals "README.md has a Layout section" "" "$map"
	for f in "$KHDR_SRCDIR"/src/*/*.[ch]; do
		dir=$(basename "$(dirname "$f")") base=$(basename "$f")
		n=$((n + 1))
		# The lines of that folder's block: from "    dir/" to the next folder.
		echo "$map" | awk -v d="    $dir/" -v b="$base" '
			index($0, d) == 1 { on = 1; next }
			/^    [a-z]+\// { on = 0 }
			on { for (i = 1; i <= NF; i++) { g = $i; if (g !~ /^[a-z0-9*._-]+$/) continue; gsub(/\./, "\\.", g); gsub(/\*/, ".*", g)
				if (b ~ ("^" g "$")) found = 1 } }
			END { exit !found }' || missing="$missing $dir/$base"
	done
	assertTrue "files found in src/ ($n)" "[ $n -gt 80 ]"
	assertEquals "files of src/ the README's Layout does not name" "" "$missing"
}

# The opening lines a file of the tree must have.
head_of() { printf '/* SPDX */\n/* %s - what it is for. */\n' "$1"; }

# A tree with one file per rule broken, and one that keeps them.
mk_tree() {
	local t=$SHUNIT_TMPDIR/tree
	rm -rf "$t"
	mkdir -p "$t/base" "$t/format" "$t/cmd"
	{ head_of khdr.h; printf '#include <stdio.h>\n'; } > "$t/base/khdr.h"
	{ head_of tar.h; printf '#include "base/khdr.h"\n'; } > "$t/format/tar.h"
	{ head_of args.c; printf '#include "format/tar.h"\n#include "base/khdr.h"\n'; } > "$t/cmd/args.c"
	echo "$t"
}

test_a_tree_that_keeps_the_rules_passes() {
	local t out rc
	t=$(mk_tree)
	out=$("$CHECK" "$t" 2>&1)
	rc=$?
	assertEquals "a clean tree: $out" 0 "$rc"
}

test_an_include_that_runs_up_is_named() {
	local t out rc
	t=$(mk_tree)
	printf '#include "cmd/commands.h"\n' >> "$t/format/tar.h"
	head_of commands.h > "$t/cmd/commands.h"
	out=$("$CHECK" "$t" 2>&1)
	rc=$?
	assertEquals "exit status" 1 "$rc"
	assertContains "$out" 'format/tar.h:4: #include "cmd/commands.h" runs up from format/ to cmd/'
	assertEquals "that one defect alone" 1 "$(echo "$out" | wc -l)"
}

test_an_include_without_its_folder_is_named() {
	local t out rc
	t=$(mk_tree)
	printf '#include "khdr.h"\n' >> "$t/format/tar.h"
	out=$("$CHECK" "$t" 2>&1)
	rc=$?
	assertEquals "exit status" 1 "$rc"
	assertContains "$out" 'format/tar.h:4: #include "khdr.h" does not name its folder'
}

test_a_missing_header_and_a_file_outside_the_layers_are_named() {
	local t out rc
	t=$(mk_tree)
	printf '#include "format/nothere.h"\n' >> "$t/cmd/args.c"
	printf '\n' > "$t/stray.c"
	mkdir "$t/misc" && printf '\n' > "$t/misc/x.h"
	out=$("$CHECK" "$t" 2>&1)
	rc=$?
	assertEquals "exit status" 1 "$rc"
	assertContains "$out" 'cmd/args.c:5: #include "format/nothere.h": no such header'
	assertContains "$out" 'stray.c: not in a layer folder'
	assertContains "$out" 'misc/x.h: not in a layer folder'
}

test_the_options_below_cmd_are_named() {
	local t out rc
	t=$(mk_tree)
	printf 'int f(const struct khdr_opts *o);\n' >> "$t/format/tar.h"
	printf 'struct khdr_opts { int x; };\n' >> "$t/cmd/args.c"
	out=$("$CHECK" "$t" 2>&1)
	rc=$?
	assertEquals "exit status" 1 "$rc"
	assertContains "$out" 'format/tar.h:4: the command-line options (khdr_opts) below cmd/'
	assertNotContains "cmd/ may have them" "$out" 'cmd/args.c'
}

test_a_file_that_does_not_say_what_it_is_for_is_named() {
	local t out rc
	t=$(mk_tree)
	printf '/* SPDX */\n/* kv.c - see kv.h. */\n' > "$t/format/kv.c"
	printf '/* SPDX */\n#include "base/khdr.h"\n' > "$t/format/kv.h"
	printf '/* SPDX */\n/*\n * conf.h - key=value lines of the configuration.\n */\n' > "$t/format/conf.h"
	out=$("$CHECK" "$t" 2>&1)
	rc=$?
	assertEquals "exit status" 1 "$rc"
	assertContains "$out" "format/kv.c: does not open with 'kv.c - what it is for'"
	assertContains "$out" "format/kv.h: does not open with 'kv.h - what it is for'"
	assertNotContains "a multi-line opening comment is fine" "$out" "format/conf.h"
}

. shunit2
