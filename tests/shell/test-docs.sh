#!/bin/bash
# test-docs.sh - the man pages and the bash completion say what the program
# does: every command and option of --help is in khdr-cache(8), every key
# the configuration parser knows is in khdr-cache.conf(5), and the
# completion offers exactly the options each 'COMMAND --help' lists.
. "$(dirname "$0")/lib.sh"

MAN8=$KHDR_SRCDIR/man/khdr-cache.8
MAN5=$KHDR_SRCDIR/man/khdr-cache.conf.5
COMPLETION=$KHDR_SRCDIR/completion/khdr-cache

# The page as text to grep: roff escapes of '-' dropped.
page_text() { sed 's/\\//g' "$1"; }

# The commands of 'khdr-cache --help', one a line.
help_commands() {
	"$KHDR" --help | sed -n '/^Commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p'
}

# The options (short and long) of the Options: block of a help text on stdin,
# sorted, one a line: only the option column, not the descriptions.
help_options() {
	sed -n '/^Options:/,/^$/p' | cut -c1-28 | grep -oE -- '-{1,2}[a-zA-Z][a-z-]*' | sort -u
}

command_options() { "$KHDR" "$1" --help | help_options; }

# What the completion offers for the words given (the last is the one being
# completed), sorted, one a line.  Runs in its own bash, as a shell would.
complete_words() {
	bash -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_khdr_cache
		printf "%s\n" "${COMPREPLY[@]}"' bash "$COMPLETION" "$@" 2>/dev/null | sed '/^$/d' | sort -u
}

test_pages_render_without_warnings() {
	command -v man > /dev/null || { skip_test "no man(1) to render the pages"; return 0; }
	local p out
	for p in "$MAN8" "$MAN5"; do
		assertTrue "$p exists" "[ -f '$p' ]"
		out=$(MANWIDTH=80 man --warnings -l "$p" 2>&1 > /dev/null)
		assertEquals "man --warnings on $(basename "$p")" "" "$out"
		out=$(MANWIDTH=80 man -l "$p" 2> /dev/null | wc -l)
		assertTrue "$(basename "$p") renders ($out lines)" "[ $out -gt 20 ]"
	done
}

test_every_command_and_option_is_in_the_man_page() {
	local cmds c opt n=0
	cmds=$(help_commands)
	assertNotEquals "--help lists commands" "" "$cmds"
	for c in $cmds; do
		# Each command has its own entry in COMMANDS.
		sed -n '/^\.SH COMMANDS/,/^\.SH /p' "$MAN8" | grep -qx "\.B $c" ||
			fail "khdr-cache.8 COMMANDS has no entry for $c"
		for opt in $(command_options "$c" | grep -- '^--'); do
			n=$((n + 1))
			page_text "$MAN8" | grep -q -- "$opt\\b" ||
				fail "khdr-cache.8 lacks $opt (from 'khdr-cache $c --help')"
		done
	done
	assertTrue "options were checked ($n)" "[ $n -gt 20 ]"
}

# The checks above and below go through --help; this one ties --help to the
# source: the option table of src/cmd/args.c and the commands' table of
# src/cmd/khdr-cache.c, so an option or command missing from --help (and so
# from the man page and completion checks) fails here.
test_help_shows_the_whole_option_and_command_tables() {
	local table help names
	table=$(grep -oE '^[[:space:]]*\{ "[a-z-]+", (required|no)_argument' "$KHDR_SRCDIR/src/cmd/args.c" |
		grep -oE '"[a-z-]+"' | tr -d '"' | sed 's/^/--/' | sort)
	assertTrue "options found in src/cmd/args.c ($(echo "$table" | wc -l))" \
		"[ $(echo "$table" | wc -l) -gt 25 ]"
	help=$("$KHDR" --help | help_options | grep -- '^--')
	assertEquals "the option table vs khdr-cache --help" "$table" "$help"
	names=$(grep -oE '&command_[a-z]+' "$KHDR_SRCDIR/src/cmd/khdr-cache.c" | sed 's/&command_//' | sort)
	assertEquals "the command table vs khdr-cache --help" "$names" "$(help_commands | sort)"
	assertEquals "each command file exports its struct command" "$names" \
		"$(grep -ho '^const struct command command_[a-z]*' "$KHDR_SRCDIR"/src/cmd/cmd-*.c | sed 's/.*command_//' | sort)"
}

test_json_and_stamp_keys_are_in_the_man_page() {
	local k keys
	# The keys print_json writes, as the source spells them.
	keys=$(grep -oE 'json_key_[a-z0-9]+\("[a-z_]+"|\\"[a-z_]+\\"' "$KHDR_SRCDIR/src/cmd/cmd-status.c" |
		sed -E 's/^json_key_[a-z0-9]+\(//' | tr -d '"\\' | sort -u)
	assertNotEquals "JSON keys found in src/cmd/cmd-status.c" "" "$keys"
	for k in $keys; do
		sed -n '/^\.SH "JSON OUTPUT"/,/^\.SH /p' "$MAN8" | grep -qE "^\.B[IR]? $k( |$)" ||
			fail "khdr-cache.8 JSON OUTPUT lacks the key $k"
	done
	# The stamp keys install writes: the rows of the table in src/fs/stamp.c.
	keys=$(sed -n '/^static const struct field fields\[\]/,/^};/p' "$KHDR_SRCDIR/src/fs/stamp.c" |
		grep -oE '^[[:space:]]*\{ *"[a-z_0-9]+"' | tr -d ' \t{"' | sort -u)
	assertNotEquals "stamp keys found in src/fs/stamp.c" "" "$keys"
	for k in $keys; do
		sed -n '/khdr\\-stamp$/,/^\.RE/p' "$MAN8" | page_text /dev/stdin | grep -qE "^\.BR? .*\b$k\b" ||
			fail "khdr-cache.8 FILES (.khdr-stamp) lacks the stamp key $k"
	done
}

test_every_conf_key_is_in_the_conf_page() {
	local d keys k
	d=$SHUNIT_TMPDIR/conf-root
	mkdir -p "$d/root/etc" "$d/sys" "$d/proc"
	# The parser names the keys it knows when it meets one it does not.
	printf '# comment\nno_such_key = 1\n' > "$d/root/etc/khdr-cache.conf"
	run status --root "$d/root" --sysfs "$d/sys" --procfs "$d/proc" -r 1.0
	assertEquals "an unknown key is an error" 1 "$RC"
	assertContains "the error names the line" "$ERR" "line 2"
	keys=$(echo "$ERR" | sed -n 's/.*(known: \(.*\)).*/\1/p' | tr -d ',')
	# And the keys apply() compares, in case the message falls behind.
	keys="$keys $(grep -oE 'strcmp\(l->key, "[a-z_]+"\)' "$KHDR_SRCDIR/src/format/conf.c" | grep -oE '"[a-z_]+"' | tr -d '"')"
	keys=$(printf '%s\n' $keys | sort -u)
	assertNotEquals "keys found" "" "$keys"
	for k in $keys; do
		# Each key is accepted by the parser (a bad value is refused, not unknown) ...
		printf '%s = \n' "$k" > "$d/root/etc/khdr-cache.conf"
		run status --root "$d/root" --sysfs "$d/sys" --procfs "$d/proc" -r 1.0
		assertNotContains "the parser knows $k" "$ERR" "unknown key"
		# ... and documented under KEYS as key=.
		sed -n '/^\.SH KEYS/,/^\.SH /p' "$MAN5" | grep -qE "^\.B[IR]? $k=" ||
			fail "khdr-cache.conf.5 KEYS lacks $k"
	done
	rm -f "$d/root/etc/khdr-cache.conf"
}

# README's sample status is the program's: the same lines in the same
# order, the same columns in the entry table, each row as many fields.
test_readme_sample_status_is_the_programs() {
	need_artefacts && need_debian_kernel || return 0
	local readme=$KHDR_SRCDIR/README.md sample real
	make_fixture
	install_running
	run status $FXOPTS
	assertEquals "status: $ERR" 0 "$RC"
	real=$OUT
	# The indented block after "`status` after `install`".
	sample=$(sed -n '/^`status` after `install`/,/^## /p' "$readme" | sed -n 's/^    //p')
	assertNotEquals "README has a sample status" "" "$sample"
	assertEquals "line labels, in order" \
		"$(printf '%s\n' "$real" | sed -n 's/^\([a-z]*:\).*/\1/p')" \
		"$(printf '%s\n' "$sample" | sed -n 's/^\([a-z]*:\).*/\1/p')"
	assertEquals "the entry table's columns" \
		"$(printf '%s\n' "$real" | grep '^  STATE ' | tr -s ' ')" \
		"$(printf '%s\n' "$sample" | grep '^  STATE ' | tr -s ' ')"
	assertEquals "the sample's row has the header's fields" \
		"$(printf '%s\n' "$sample" | grep '^  STATE ' | wc -w)" \
		"$(printf '%s\n' "$sample" | grep '^  active ' | sed 's/ MiB/MiB/' | wc -w)"
	assertEquals "the real row too" \
		"$(printf '%s\n' "$real" | grep '^  STATE ' | wc -w)" \
		"$(printf '%s\n' "$real" | grep '^  active ' | sed 's/ MiB/MiB/' | wc -w)"
}

# README's command list names every command of --help, and verify --layout.
test_readme_lists_every_command() {
	local readme=$KHDR_SRCDIR/README.md c list
	list=$(sed -n '/^## Commands/,/^- /p' "$readme")
	for c in $(help_commands); do
		printf '%s\n' "$list" | grep -qE "^    khdr-cache $c( |$)" ||
			fail "README's command list lacks $c"
	done
	printf '%s\n' "$list" | grep -qE '^    khdr-cache verify +--layout' ||
		fail "README's command list lacks verify --layout"
}

# The error example of khdr-cache.conf(5) is what the program prints.
test_conf_page_error_example_is_the_programs() {
	local d example
	d=$SHUNIT_TMPDIR/conf-example
	mkdir -p "$d/root/etc" "$d/sys" "$d/proc"
	printf 'cache_dir = /var/cache/khdr\n\nkeep = 0\n' > "$d/root/etc/khdr-cache.conf"
	example=$(sed -n '/^\.EX/,/^\.EE/p' "$MAN5" | grep '^khdr' | sed 's/\\(aq/'"'"'/g; s/\\//g')
	assertNotEquals "the page has the example" "" "$example"
	run status --root "$d/root" --sysfs "$d/sys" --procfs "$d/proc" -r 1.0
	assertEquals "a bad value is an error" 1 "$RC"
	assertEquals "the example, under the scratch root" \
		"$(printf '%s\n' "$example" | sed "s|/etc/khdr-cache.conf|$d/root/etc/khdr-cache.conf|")" "$ERR"
}

# --help and khdr-cache(8) give --run-dir the same default: below --root,
# and with --boot this machine's /run/khdr.
test_run_dir_default_is_the_same_in_help_and_page() {
	local help page
	help=$("$KHDR" --help | sed -n '/--run-dir/,/^  *-/p' | tr -s ' \n' ' ')
	page=$(sed -n '/^\.BI \\-\\-run\\-dir/,/^\.TP/p' "$MAN8" | page_text /dev/stdin | tr -s ' \n' ' ')
	assertContains "help: below the root" "$help" "<root>/run/khdr"
	assertContains "help: --boot" "$help" "with --boot /run/khdr"
	assertContains "page: below the root" "$page" "run/khdr below .BR --root"
	assertContains "page: --boot" "$page" ".BR --boot , .I /run/khdr of the machine it runs on"
	assertContains "help: handoff markers" "$help" "handoff markers"
	assertContains "page: handoff markers" "$page" "the markers .B handoff reads"
}

test_completion_offers_every_command() {
	[ -f "$COMPLETION" ] || { fail "no $COMPLETION"; return; }
	assertEquals "commands offered at the first word" \
		"$(help_commands | sort)" "$(complete_words khdr-cache '')"
	assertEquals "commands offered after global options" \
		"$(help_commands | sort)" "$(complete_words khdr-cache --root / -v '')"
	assertEquals "a prefix" "install" "$(complete_words khdr-cache ins)"
}

test_completion_offers_exactly_each_commands_options() {
	[ -f "$COMPLETION" ] || { fail "no $COMPLETION"; return; }
	local c want got
	for c in $(help_commands); do
		want=$(command_options "$c")
		got=$(complete_words khdr-cache "$c" -)
		assertEquals "options of '$c' (completion vs 'khdr-cache $c --help')" "$want" "$got"
		# Options given before the command count for that command too.
		got=$(complete_words khdr-cache --root / "$c" --)
		assertEquals "long options of '$c' after a global option" \
			"$(echo "$want" | grep -- '^--')" "$got"
	done
	# Before any command: every option of the global --help.
	assertEquals "options before the command" \
		"$("$KHDR" --help | help_options)" "$(complete_words khdr-cache -)"
}

test_completion_values() {
	[ -f "$COMPLETION" ] || { fail "no $COMPLETION"; return; }
	local d=$SHUNIT_TMPDIR/comp
	mkdir -p "$d/root/lib/modules/6.1.192" "$d/root/lib/modules/6.12.9-amd64"
	: > "$d/kheaders.tar.xz"
	assertEquals "-r offers the releases below --root" \
		"$(printf '6.1.192\n6.12.9-amd64')" \
		"$(complete_words khdr-cache --root "$d/root" status -r '')"
	assertEquals "--kernel-release with a prefix" "6.12.9-amd64" \
		"$(complete_words khdr-cache verify --root "$d/root" --kernel-release 6.12)"
	assertEquals "--archive completes files" "$d/kheaders.tar.xz" \
		"$(complete_words khdr-cache install --archive "$d/kh")"
	assertEquals "--root completes directories" "$d/root" \
		"$(complete_words khdr-cache install --root "$d/ro")"
	assertEquals "--to completes directories" "$d/root" \
		"$(complete_words khdr-cache extract --to "$d/r")"
	assertEquals "--cache-dir completes directories" "$d/root" \
		"$(complete_words khdr-cache prune --cache-dir "$d/r")"
	assertEquals "buildid completes files" "$d/kheaders.tar.xz" \
		"$(complete_words khdr-cache buildid "$d/k")"
	assertEquals "no option after --keep" "" "$(complete_words khdr-cache prune --keep '')"
}

. shunit2
