#!/bin/sh
# gdb on a namespace under nsshare (issue 12, point 2), stock's gdb session
# of the same program as the oracle: a breakpoint in a namespace's module
# hits, one in shared code called from the namespace hits, backtraces
# through shared code (the base libc's qsort) name every frame, gdb warns
# of nothing it does not warn of with stock, and `info sharedlibrary`
# lists what stock lists: each proxy by the name of what it stands for,
# beside nsshare's own libraries in the base (and the namespace's root,
# where the debugger sees it: README).
# Usage: gdb_check.sh PROG MODULE LIBNSSHARE
# PROG must not be linked with libnsshare: stock runs it plain.
set -u
prog=$1 mod=$2 lib=$3
command -v gdb >/dev/null || { echo "FAIL: no gdb (scripts/deps.sh installs it)"; exit 1; }
. "$(dirname "$0")/checks.sh"

cat > "$tmp/cmds" <<'GDB'
set breakpoint pending on
set pagination off
set confirm off
break gdbmod_cmp
break gdbshared_hit
run
echo ==bt1\n
bt
echo ==end\n
delete 1
continue
echo ==bt2\n
bt
echo ==end\n
echo ==libs\n
info sharedlibrary
echo ==end\n
delete
continue
GDB

# $1: run name; $2: LD_PRELOAD value or empty.
session() {
	if [ -n "$2" ]; then env="set environment LD_PRELOAD=$2"
	else env="unset environment LD_PRELOAD"; fi
	gdb -nx -q -batch -ex "$env" -x "$tmp/cmds" --args "$prog" "$mod" \
		>"$tmp/$1.out" 2>&1 </dev/null
	# The section between ==NAME and ==end.
	for part in bt1 bt2 libs; do
		sed -n "/^==$part\$/,/^==end\$/p" "$tmp/$1.out" >"$tmp/$1.$part"
	done
	# Library names, one per line, sorted.
	sed -n 's/.*[[:space:]]\(\/[^[:space:]]*\)$/\1/p' "$tmp/$1.libs" |
		sed 's,.*/,,' | LC_ALL=C sort >"$tmp/$1.names"
	# What gdb warns of, numbers out.
	grep -E 'BFD:|warning:|[Ee]rror' "$tmp/$1.out" | sed 's/[0-9]\{1,\}/N/g' |
		LC_ALL=C sort -u >"$tmp/$1.warn"
}

session stock ""
# Stock has to show what the checks look for: a gdb that does not see a
# namespace's objects with stock either (gdb 10, Debian 11: its breakpoint
# in the namespace's module never hits) has nothing to compare with, and
# the test is skipped (ctest's SKIP_RETURN_CODE).
if ! grep -q 'Breakpoint 1, gdbmod_cmp' "$tmp/stock.out" ||
	! grep -Eq 'Breakpoint 2(\.[0-9]+)?, gdbshared_hit' "$tmp/stock.out"; then
	cat "$tmp/stock.out"
	skip "$(gdb --version | head -n 1) does not stop in a" \
		"namespace's module with stock glibc either"
fi

# nsshare's own libraries: libnsshare and what it needs beyond the program.
# A namespace's root is nsshare's too: ld.so lists it before glibc 2.35,
# and a gdb that follows ld.so's probes (gdb 18, Debian testing) keeps it
# from the moment the namespace was made, after src/rdebug.c has taken it
# off the list; it is left out of the comparison, one per namespace.
ldd "$prog" | awk '{ print $1 }' | sed 's,.*/,,' | LC_ALL=C sort -u >"$tmp/prog.deps"
ldd "$lib" | awk '{ print $1 }' | sed 's,.*/,,' | LC_ALL=C sort -u >"$tmp/lib.deps"
{ basename "$(readlink -f "$lib")"
  LC_ALL=C comm -13 "$tmp/prog.deps" "$tmp/lib.deps" | grep -v vdso
} | LC_ALL=C sort >"$tmp/own"

session nsshare "$lib"
out=$tmp/nsshare.out
grep -q 'Breakpoint 1, gdbmod_cmp' "$out"
check $? "no stop at the breakpoint in the namespace's module"
grep -Eq 'Breakpoint 2(\.[0-9]+)?, gdbshared_hit' "$out"
check $? "no stop at the breakpoint in shared code called from the namespace"
for bt in bt1 bt2; do
	! grep -q '^#.* ?? ' "$tmp/nsshare.$bt"
	check $? "$bt has frames without a name: $(cat "$tmp/nsshare.$bt")"
	grep -q ' gdbmod_run ' "$tmp/nsshare.$bt" && grep -q ' main ' "$tmp/nsshare.$bt"
	check $? "$bt does not reach gdbmod_run and main: $(cat "$tmp/nsshare.$bt")"
done
grep -q 'qsort' "$tmp/nsshare.bt1"
check $? "bt1 does not pass through the base libc's qsort"
# Stock's frames, function names only, are among nsshare's, in order.
# (nsshare's may have more: with stock, gdb 13 on Debian 12 loses the
# frame of qsort in the namespace's own libc, __GI_qsort, which it shows
# in the base copy.)
for bt in bt1 bt2; do
	for run in stock nsshare; do
		sed -n 's/^#[0-9]* *\(0x[0-9a-f]* in \)\{0,1\}\([^ ]*\) .*/\2/p' \
			"$tmp/$run.$bt" >"$tmp/$run.$bt.fn"
	done
	awk 'BEGIN { i = 0 } NR == FNR { want[n++] = $0; next }
	     i < n && $0 == want[i] { i++ }
	     END { exit i == n ? 0 : 1 }' "$tmp/stock.$bt.fn" "$tmp/nsshare.$bt.fn"
	check $? "$bt's functions lack stock's: $(tr '\n' ' ' <"$tmp/nsshare.$bt.fn") against $(tr '\n' ' ' <"$tmp/stock.$bt.fn")"
done
extra=$(LC_ALL=C comm -13 "$tmp/stock.warn" "$tmp/nsshare.warn")
[ -z "$extra" ]
check $? "gdb warns under nsshare of what it does not with stock: $extra"
# The libraries: stock's, and nsshare's own.
LC_ALL=C sort "$tmp/stock.names" "$tmp/own" >"$tmp/want"
roots=$(grep -c '^nsshare-root$' "$tmp/nsshare.names")
[ "$roots" -le 1 ]
check $? "$roots roots listed for one namespace"
grep -v '^nsshare-root$' "$tmp/nsshare.names" >"$tmp/nsshare.names.noroot"
mv "$tmp/nsshare.names.noroot" "$tmp/nsshare.names"
cmp -s "$tmp/want" "$tmp/nsshare.names"
check $? "info sharedlibrary lists $(tr '\n' ' ' <"$tmp/nsshare.names"), stock's and nsshare's own are $(tr '\n' ' ' <"$tmp/want")"
! grep -q '/proc/[0-9]*/fd/' "$tmp/nsshare.libs"
check $? "a library named /proc/PID/fd/N: $(cat "$tmp/nsshare.libs")"
grep -q 'gdbmod_run: 2, base: 1' "$out"
check $? "the program's output: $(grep gdbmod_run "$out")"
[ "$failed" -eq 0 ] || { echo "--- nsshare's session:"; cat "$out"; }
finish gdb
