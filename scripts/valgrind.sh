#!/bin/sh
# Runs the demo and the linked integration programs under valgrind and
# fails on any leak definitely lost in libnsshare.
# Usage: scripts/valgrind.sh BUILD_DIR
set -eu
build=${1:?usage: valgrind.sh BUILD_DIR}
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
status=0
# The library's sources: frames are printed with their full paths, so
# that a leak in any of them is ours and none in a test of the same name.
src=$(cd "$(dirname "$0")/../src" && pwd)
# Programs that make hundreds of objects make fewer (test/instance).
export NSSHARE_UNDER_VALGRIND=1
for prog in "$build/nsshare-demo" "$build"/test/*/*-linked; do
	[ -x "$prog" ] || continue
	name=$(basename "$prog")
	# Forked children end with other threads' work cut in half: not leaks.
	valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite \
		--child-silent-after-fork=yes --fullpath-after= \
		--show-leak-kinds=definite --log-file="$log/$name" \
		"$prog" >/dev/null 2>&1 || true
	# A frame of ours: the library's file or one of its sources.
	if grep -q -e libnsshare -e "($src/" "$log/$name"; then
		echo "valgrind: $name: leak in libnsshare"
		cat "$log/$name"
		status=1
	fi
done
[ $status -eq 0 ] && echo "valgrind: no leaks in libnsshare"
exit $status
