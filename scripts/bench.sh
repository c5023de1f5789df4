#!/bin/sh
# Builds nsshare and its benchmarks, compares stock dlmopen with nsshare's
# in one run, then shows what the closure scan costs against a stock
# dlmopen, how the costs grow with namespaces and closures, and what
# instances past glibc's namespaces cost per handle.
#
#   scripts/bench.sh [LIBRARY[:SYMBOL]...]
#
# SYMBOL is a function the library defines, for the dlsym figures (known
# libraries have one).  Default: five Debian 12 libraries from small to
# large.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
[ $# -gt 0 ] || set -- libz.so.1 libsqlite3.so.0 libxml2.so.2 \
	libcrypto.so.3 libpython3.11.so.1.0
cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$top/build" -j"$(nproc)" --target nsshare nsshare-bench scan-bench \
	instance-bench scale-bench
"$top/build/bench/nsshare-bench" "$top/build/libnsshare.so.0" "$@"
echo
libs=""
for arg; do
	libs="$libs ${arg%%:*}"
done
# shellcheck disable=SC2086 # one word per library
"$top/build/bench/scan-bench" $libs
echo
"$top/build/bench/scale-bench" "$top/build/libnsshare.so.0"
echo
"$top/build/bench/instance-bench" "$top/build/libnsshare.so.0" libz.so.1
