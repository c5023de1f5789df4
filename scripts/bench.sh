#!/bin/sh
# Builds nsshare and its benchmarks, compares stock dlmopen with nsshare's
# in one run, then shows what the closure scan costs against a stock
# dlmopen.  Extra arguments name the libraries to load.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$top/build" -j"$(nproc)" --target nsshare nsshare-bench scan-bench
"$top/build/bench/nsshare-bench" "$top/build/libnsshare.so.0" "$@"
echo
"$top/build/bench/scan-bench" "$@"
