#!/bin/sh
# Tools that read a namespace's objects under nsshare (issue 12, point 2),
# each run of stock's the oracle: libunwind walking from the base libc's
# qsort back into the namespace's module and on to main, valgrind running
# the program, perf sampling it.  Under nsshare the tool must see what it
# sees with stock: the same frames, no warning stock does not give, and
# no object named after nsshare's images (/proc/PID/fd/N, memfd:).
# Usage: tools_check.sh unwind|valgrind|perf PROG MODULE LIBNSSHARE
# PROG must not be linked with libnsshare: stock runs it plain.  Exit 77
# (skipped) where the tool is missing or cannot run here.
set -u
tool=$1 prog=$2 mod=$3 lib=$4
. "$(dirname "$0")/checks.sh"
# Names of nsshare's images where a tool shows an object's file.
image_names='/proc/[0-9]+/fd/|memfd:|nsshare-root'

# Lines of file $1 that file $2 lacks, as sets.
extra_lines() {
	LC_ALL=C sort -u "$1" >"$1.set"
	LC_ALL=C sort -u "$2" >"$2.set"
	LC_ALL=C comm -23 "$1.set" "$2.set"
}

# Calls function $1 for stock's run and then nsshare's, with $r the run's
# name and $p its LD_PRELOAD (empty for stock).
both() {
	for r in stock nsshare; do
		p=
		[ $r = stock ] || p=$lib
		"$1"
	done
}

# Runs the command as run $r: $tmp/$r.out, .err and .rc.
run() {
	if [ -n "$p" ]; then
		LD_PRELOAD=$p "$@" >"$tmp/$r.out" 2>"$tmp/$r.err"
	else
		env -u LD_PRELOAD "$@" >"$tmp/$r.out" 2>"$tmp/$r.err"
	fi
	echo $? >"$tmp/$r.rc"
}

# The program's output is stock's.
same_output() {
	cmp -s "$tmp/stock.out" "$tmp/nsshare.out"
	check $? "the program's output: $(cat "$tmp/nsshare.out"), with stock: $(cat "$tmp/stock.out")"
}

# The warnings in $tmp/RUN.warn: nsshare's are among stock's.
no_new_warnings() {
	extra=$(extra_lines "$tmp/nsshare.warn" "$tmp/stock.warn")
	[ -z "$extra" ]
	check $? "$tool warns under nsshare of what it does not with stock: $extra"
}

unwind_once() {
	run "$prog" "$mod" 1 walk
	[ "$(cat "$tmp/$r.rc")" -eq 0 ]
	check $? "$r: exit $(cat "$tmp/$r.rc"): $(cat "$tmp/$r.out" "$tmp/$r.err")"
}

valgrind_once() {
	run valgrind -q --log-file="$tmp/$r.log" "$prog" "$mod" 200
	# What valgrind warns of, numbers out.  valgrind before 3.17 (Debian
	# 11's) does not know F_ADD_SEALS, fcntl 1033, with which nsshare
	# seals its images: a gap of valgrind's own (the image goes unsealed
	# under it, src/image.c).
	grep -i 'warning' "$tmp/$r.log" | grep -v 'unimplemented fcntl command: 1033' |
		sed 's/^==[0-9]*==//; s/[0-9]\{1,\}/N/g' >"$tmp/$r.warn"
	# Errors, by the first frame of each ("at"), which warnings lack.
	grep -c '^==[0-9]*==    at ' "$tmp/$r.log" >"$tmp/$r.errors"
}

perf_once() {
	run perf record -q -o "$tmp/$r.data" -- "$prog" "$mod" 200000
	if [ $r = stock ] && [ "$(cat "$tmp/$r.rc")" -ne 0 ]; then
		skip "perf record cannot run here: $(head -n 3 "$tmp/$r.err")"
	fi
	perf report -i "$tmp/$r.data" --stdio --sort dso,sym \
		>"$tmp/$r.report" 2>"$tmp/$r.rerr"
	# What perf warns of, in either step, numbers out.
	cat "$tmp/$r.err" "$tmp/$r.rerr" | sed 's/[0-9]\{1,\}/N/g' >"$tmp/$r.warn"
}

case $tool in
unwind)
	both unwind_once
	# Stock has to walk through its namespace's own libc for there to be
	# something to compare with.
	grep -qx main "$tmp/stock.out" ||
		skip "libunwind does not walk to main with stock: $(cat "$tmp/stock.out")"
	for fn in toolmod_cmp toolmod_run main; do
		grep -qx "$fn" "$tmp/nsshare.out"
		check $? "libunwind's walk from the namespace lacks $fn: $(tr '\n' ' ' <"$tmp/nsshare.out")"
	done
	same_output
	! grep -Eq "$image_names" "$tmp/nsshare.out"
	check $? "a frame named after an image: $(cat "$tmp/nsshare.out")"
	;;
valgrind)
	command -v valgrind >/dev/null || skip "no valgrind"
	both valgrind_once
	grep -q '^toolmod_run: ' "$tmp/stock.out" ||
		skip "the program does not run under valgrind with stock: $(cat "$tmp/stock.log")"
	same_output
	no_new_warnings
	# An error valgrind finds under nsshare it finds with stock too (with
	# stock it may name fewer frames: the namespace's own libc).
	[ "$(cat "$tmp/nsshare.errors")" -le "$(cat "$tmp/stock.errors")" ]
	check $? "valgrind finds errors under nsshare that it does not with stock: $(cat "$tmp/nsshare.log")"
	! grep -Eq "$image_names" "$tmp/nsshare.log"
	check $? "valgrind names an image: $(cat "$tmp/nsshare.log")"
	;;
perf)
	command -v perf >/dev/null || skip "no perf"
	both perf_once
	[ "$(cat "$tmp/nsshare.rc")" -eq 0 ]
	check $? "perf record under nsshare: exit $(cat "$tmp/nsshare.rc"): $(cat "$tmp/nsshare.err")"
	same_output
	# The namespace's module is sampled, under its own name, by symbol.
	grep -Eq 'libcompat-toolmod\.so +\[\.\] toolmod_cmp' "$tmp/nsshare.report"
	check $? "perf has no samples of the module's toolmod_cmp: $(grep -v '^#' "$tmp/nsshare.report" | head -n 12)"
	! grep -Eq "$image_names" "$tmp/nsshare.report"
	check $? "perf names an image: $(grep -E "$image_names" "$tmp/nsshare.report")"
	no_new_warnings
	;;
*)
	echo "usage: tools_check.sh unwind|valgrind|perf PROG MODULE LIBNSSHARE" >&2
	exit 2
	;;
esac
finish "$tool"
