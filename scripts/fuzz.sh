#!/bin/sh
# Builds the libFuzzer harnesses (clang, NSSHARE_FUZZ=ON, in build-fuzz)
# and runs every fuzz-* executable there for SECONDS in all (default 60,
# split evenly), from a seed corpus of real objects: the test modules and
# a few system libraries.  Fails on any crash; crash inputs are kept in
# build-fuzz/fuzz/crashes, the grown corpus in build-fuzz/fuzz/corpus.
#   scripts/fuzz.sh [SECONDS]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
total=${1:-60}
build=$top/build-fuzz
out=$build/fuzz
"$top/scripts/deps.sh"

CC=clang cmake -S "$top" -B "$build" -DNSSHARE_FUZZ=ON \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# The fuzzers; the seeds are the test modules of the normal build
# (scripts/test.sh builds it first), or of this one where that is missing.
help=$(cmake --build "$build" --target help)
targets=$(echo "$help" | grep -o 'fuzz-[A-Za-z0-9_.-]*' | sort -u)
[ -n "$targets" ] || { echo "fuzz.sh: no fuzz-* target" >&2; exit 1; }
# shellcheck disable=SC2086
cmake --build "$build" -j"$(nproc)" --target $targets

mkdir -p "$out/seeds" "$out/crashes" "$out/logs"
mods=$top/build/test
if ! ls "$mods"/modules/*.so >/dev/null 2>&1; then
	mods=$build/test
	for t in shared-damage unitmod_gnu unitmod_sysv tagmod; do
		echo "$help" | grep -qw "$t" &&
			cmake --build "$build" --target "$t" >/dev/null 2>&1 || true
	done
fi
for f in "$mods"/modules/*.so "$mods"/*/lib*.so; do
	[ -f "$f" ] && cp "$f" "$out/seeds/"
done
# Small system libraries: libc.so.6 (2 MB) would slow every execution.
for lib in libz.so.1 libbz2.so.1.0 libdl.so.2; do
	path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64|64bit|AArch64/ { print $NF; exit }')
	[ -n "$path" ] && [ -f "$path" ] && cp -L "$path" "$out/seeds/$lib"
done

fuzzers=$(find "$build" -path "$build/fuzz" -prune -o -type f -perm -u+x \
	-name 'fuzz-*' -print | sort)
n=$(echo "$fuzzers" | wc -l)
each=$((total / n))
[ "$each" -ge 1 ] || each=1
status=0
for exe in $fuzzers; do
	name=$(basename "$exe")
	mkdir -p "$out/corpus/$name"
	log=$out/logs/$name.log
	rc=0
	# Leaks are valgrind's job (scripts/valgrind.sh): glibc's dlopen
	# keeps caches LSan would report.
	# A crash inside ld.so (fuzz-proxy's dlopen of an input that its
	# trial child survived) leaves libFuzzer's report waiting for the
	# symbolizer under ld.so's lock for ever (seen once, Debian forky):
	# timeout ends it, and it is said, not counted as nsshare's crash.
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	timeout -k 10 $((each + 120)) \
	"$exe" -max_total_time="$each" -timeout=30 -rss_limit_mb=4096 \
		-print_final_stats=1 -artifact_prefix="$out/crashes/$name-" \
		"$out/corpus/$name" "$out/seeds" >"$log" 2>&1 || rc=$?
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "fuzz.sh: $name: hung in its crash report (a crash in ld.so" \
			"while it held its lock); not counted, log in $log"
		grep -E 'deadly signal|==ERROR' "$log" | head -3
		rc=0
	fi
	# fuzz-proxy dlopens damaged objects, whose constructors run in the
	# fuzzer's process and may write anywhere, its input buffer included,
	# while later inputs run (seen once, Debian 13: an input that is no
	# ELF file at all).  Counted only if the input does it again alone.
	if [ "$rc" -ne 0 ] && grep -q 'overwrites-const-input' "$log"; then
		unit=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
		if [ -n "$unit" ] && ASAN_OPTIONS=detect_leaks=0 \
			timeout 120 "$exe" "$unit" >>"$log" 2>&1; then
			echo "fuzz.sh: $name: its input was overwritten, but not" \
				"by $unit alone (an earlier input's code); not" \
				"counted, log in $log"
			rc=0
		fi
	fi
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" |
		tail -1)
	[ -n "$secs" ] && [ "$secs" -gt 0 ] || secs=$each
	echo "fuzz.sh: $name: ${runs:-0} runs in ${secs}s" \
		"($(( ${runs:-0} / secs )) exec/s), exit $rc"
	if [ "$rc" -ne 0 ]; then
		status=1
		grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -20
	fi
done
[ $status -eq 0 ] && echo "fuzz.sh: no crash in $total s" ||
	echo "fuzz.sh: crash inputs in $out/crashes" >&2
exit $status
