#!/bin/sh
# Sets up a fresh Debian 12 machine, builds nsshare and runs the demo: two
# dlmopen namespaces sharing the program's libc.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/deps.sh"
cmake -S "$top" -B "$top/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$top/build" -j"$(nproc)" --target nsshare nsshare-demo demo-greeter
"$top/build/nsshare-demo"
