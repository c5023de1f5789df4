# shellcheck shell=sh disable=SC2154 # $rc: set by the scripts that source this
# Sourced by the tag test scripts: assertions and their tally.
passed=0 failed=0 skipped=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
pass() { passed=$((passed + 1)); }
skip() { echo "SKIP: $*"; skipped=$((skipped + 1)); }
# check DESCRIPTION COMMAND...: one assertion.
check() {
	desc=$1
	shift
	if "$@"; then pass; else fail "$desc"; fi
}
# The status of the last run, in $rc.
is_status() { [ "$rc" = "$1" ]; }
# no_temporary_left DIR: nsshare-tag left no temporary file in DIR.
no_temporary_left() {
	for f in "$1"/.*.nsshare-tag.*; do
		[ -e "$f" ] && return 1
	done
	return 0
}
# Prints the tally; fails if an assertion did.
finish() {
	echo "$passed passed, $failed failed, $skipped skipped"
	[ $failed = 0 ]
}
