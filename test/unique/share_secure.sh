#!/bin/sh
# Every NSSHARE_* variable is ignored in a secure process (issue 11).
# Usage: share_secure.sh PROGRAM SRC_DIR MODDIR BUILD_DIR
#
# PROGRAM (share_secure.c, linked with -lnsshare) runs with NSSHARE_SHARE
# listing NORM twice: as it is, where NORM must be shared, and as a
# set-user-ID copy owned by nobody, where AT_SECURE must be 1 and NORM
# private.  The copy lives in a folder of nobody's, mode 0700, that no
# other user can enter.  A nosuid mount gives no AT_SECURE: the folder is
# tried in BUILD_DIR, /tmp and /var/tmp, and the test is skipped (77) if
# none gives it.  It needs root (chown), and is skipped without.
set -u
prog=$1 src=$2 moddir=$3 build=$4

# The variables of nsshare are the string literals "NSSHARE_..." of its
# sources; this test covers the ones listed here.
covered="NSSHARE_DEBUG NSSHARE_DEBUG_OUTPUT NSSHARE_SHARE"
read_vars=$(grep -ho '"NSSHARE_[A-Za-z0-9_]*"' "$src"/*.c | tr -d '"' | sort -u |
	tr '\n' ' ' | sed 's/ $//')
if [ "$read_vars" != "$covered" ]; then
	echo "FAIL: src/ reads $read_vars; share_secure covers $covered" >&2
	exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root to make a set-user-ID copy" >&2
	exit 77
fi

share="libunique-norm.so.1:$moddir/libunique-norm.so.1.0"
echo "== as it is" >&2
NSSHARE_DEBUG=all NSSHARE_DEBUG_OUTPUT="$build/share_secure.debug" \
	NSSHARE_SHARE=$share "$prog" || exit 1

for parent in "$build" /tmp /var/tmp; do
	dir=$(mktemp -d "$parent/share_secure.XXXXXX") || continue
	trap 'rm -rf "$dir"' EXIT
	cp "$prog" "$dir/share_secure"
	chown nobody "$dir" "$dir/share_secure"
	chmod 0700 "$dir"
	chmod 4755 "$dir/share_secure"
	echo "== set-user-ID nobody, in $dir" >&2
	NSSHARE_DEBUG=all NSSHARE_DEBUG_OUTPUT="$dir/debug" \
		NSSHARE_SHARE=$share "$dir/share_secure" secure
	status=$?
	rm -rf "$dir"
	trap - EXIT
	[ $status -eq 77 ] || exit $status
	echo "no AT_SECURE in $parent (a nosuid mount?)" >&2
done
echo "SKIP: no folder tried gives a set-user-ID program AT_SECURE" >&2
exit 77
