#!/bin/sh
# Runs one port and compares its result with the one expected.txt records.
# Usage: run.sh EXPECTED_FILE TEST KIND GLIBC COMMAND...
# A result is pass (exit 0), skip (77) or fail (anything else).  Exits 0
# when the result is the expected one (an expected failure included), 77
# for an expected skip (ctest's SKIP_RETURN_CODE), 1 otherwise.
set -u
expected_file=$1 test=$2 kind=$3 glibc=$4
shift 4

# The first line naming TEST and this glibc (or *) wins.
line=$(awk -v t="$test" -v g="$glibc" \
	'!/^[ \t]*(#|$)/ && $1 == t && ($2 == g || $2 == "*") { print; exit }' \
	"$expected_file")
if [ -z "$line" ]; then
	echo "run.sh: $expected_file has no line for $test on glibc $glibc"
	exit 1
fi
case $kind in
stock) col=3 ;;
preload) col=4 ;;
linked) col=5 ;;
isolate) col=6 ;;
*) echo "run.sh: unknown kind $kind"; exit 1 ;;
esac
want=$(echo "$line" | awk -v c=$col '{ print $c }')
reason=$(echo "$line" | sed -n 's/^[^#]*# *//p')

"$@"
status=$?
case $status in
0) got=pass ;;
77) got=skip ;;
*) got=fail ;;
esac

echo "port: $test ($kind, glibc $glibc): exit status $status: $got, expected $want${reason:+ ($reason)}"
if [ "$got" != "$want" ]; then
	echo "port: UNEXPECTED RESULT"
	exit 1
fi
[ "$got" = skip ] && exit 77
exit 0
