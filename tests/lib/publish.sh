# tests/lib/publish.sh - sourced by the artefact builders.
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
