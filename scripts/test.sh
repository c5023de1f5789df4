#!/bin/sh
# Builds nsshare and runs every test twice: a plain build, then a build
# with ASan and UBSan.  Then valgrind looks for leaks in the library, and
# the fuzzers run for a minute (scripts/fuzz.sh).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
jobs=$(nproc)

run_suite() {
	dir=$1
	shift
	cmake -S "$top" -B "$dir" "$@" >/dev/null
	cmake --build "$dir" -j"$jobs"
	(cd "$dir" && ctest --output-on-failure -j"$jobs")
}

run_suite "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
run_suite "$top/build-sanitize" -DCMAKE_BUILD_TYPE=Debug -DNSSHARE_SANITIZE=ON
# ThreadSanitizer over the tests that load from several threads at once
# (label concurrency; only their folders are built).
tsan="$top/build-tsan"
cmake -S "$top" -B "$tsan" -DCMAKE_BUILD_TYPE=Debug -DNSSHARE_TSAN=ON \
	"-DNSSHARE_TEST_DIRS=unit;compat;glibc" >/dev/null
cmake --build "$tsan" -j"$jobs"
(cd "$tsan" && ctest --output-on-failure -j"$jobs" -L concurrency)
"$top/scripts/valgrind.sh" "$top/build"
"$top/scripts/fuzz.sh" 60
