# tests/lib/publish.sh - sourced by the artefact builders.
#
# claim OUT: take OUT's lock (fd 9, held until exit: a second run waits
# here, then finds OUT done and prints it); remove what a killed run left
# (no other run is building: the lock is ours); set $tmp to a fresh private
# directory, removed at exit.
claim() {
	exec 9> "$1.lock"
	flock 9
	if [ -f "$1/done" ]; then echo "$1"; exit 0; fi
	rm -rf "$1.tmp" "$1".tmp.* "$1".old.*
	tmp=$(mktemp -d "$1.tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	trap 'exit 1' HUP INT TERM
}
#
# publish DIR OUT: make the finished DIR (mkdir's mode, not a mktemp dir's
# 0700) the artefact directory OUT with one rename(2).  mv -T refuses a
# non-empty OUT (an older build, another key, one without done from an
# older script), so that goes aside first and is removed after.  The
# caller holds OUT's lock.
publish() {
	if [ -e "$2" ]; then
		_publish_old=$(mktemp -d "$2.old.XXXXXX")
		mv -T "$2" "$_publish_old/x"
		mv -T "$1" "$2"
		rm -rf "$_publish_old"
	else
		mv -T "$1" "$2"
	fi
}
