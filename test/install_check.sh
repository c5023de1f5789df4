#!/bin/sh
# Installs the build into a temporary prefix and checks what users get:
# the files, the SONAME, the exported symbols and a pkg-config build.
# Usage: install_check.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

cmake --install "$build" --prefix "$prefix" >/dev/null
lib=$(find "$prefix" -name 'libnsshare.so.0' | head -n 1)
[ -n "$lib" ] || fail "libnsshare.so.0 not installed"
[ -f "$prefix/include/nsshare.h" ] || fail "nsshare.h not installed"
pc=$(find "$prefix" -name nsshare.pc | head -n 1)
[ -n "$pc" ] || fail "nsshare.pc not installed"

soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = "libnsshare.so.0" ] || fail "SONAME is '$soname'"

exported=$(nm -D --defined-only "$lib" | awk '{print $3}' | LC_ALL=C sort | tr '\n' ' ')
[ "$exported" = "dl_iterate_ns_phdr dlclose dlerror dlinfo dlmopen dlopen " ] ||
	fail "exports '$exported', want 'dl_iterate_ns_phdr dlclose dlerror dlinfo dlmopen dlopen '"

# A program built the way the README says, against the installed files
# (the .pc file finds the prefix from where it is, as in a package).
cat > "$prefix/app.c" <<'APP'
#include <nsshare.h>
#include <stdio.h>
int main(void)
{
	void *h = dlmopen(LM_ID_NEWLM, "libz.so.1", RTLD_NOW | RTLD_SHARED);
	Lmid_t ns = 0;
	if (!h || dlinfo(h, RTLD_DI_LMID, &ns) != 0 || ns == 0) {
		printf("failed: %s\n", h ? "namespace" : dlerror());
		return 1;
	}
	printf("ok %d\n", RTLD_SHARED);
	return 0;
}
APP
PKG_CONFIG_PATH=$(dirname "$pc") cc -o "$prefix/app" "$prefix/app.c" \
	$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags --libs nsshare) \
	-Wl,-rpath,"$(dirname "$lib")" || fail "cannot build with pkg-config"
out=$("$prefix/app")
[ "$out" = "ok 128" ] || fail "app printed '$out'"
readelf -d "$prefix/app" | grep -q 'libnsshare.so.0' || fail "app does not need libnsshare"

# The same program built by CMake: find_package(nsshare), nsshare::nsshare.
for f in nsshare.3 nsshare.7 nsshare-tag.1; do
	find "$prefix" -name "$f*" | grep -q . || fail "man page $f not installed"
done
mkdir "$prefix/cmake-app"
cp "$prefix/app.c" "$prefix/cmake-app/app.c"
cat > "$prefix/cmake-app/CMakeLists.txt" <<'CML'
cmake_minimum_required(VERSION 3.18)
project(app C)
find_package(nsshare 0.1 REQUIRED)
add_executable(app app.c)
target_link_libraries(app PRIVATE nsshare::nsshare)
set_target_properties(app PROPERTIES BUILD_RPATH "${NSSHARE_RPATH}")
CML
cmake -S "$prefix/cmake-app" -B "$prefix/cmake-app/build" \
	-DCMAKE_PREFIX_PATH="$prefix" -DNSSHARE_RPATH="$(dirname "$lib")" \
	>"$prefix/cmake.log" 2>&1 &&
	cmake --build "$prefix/cmake-app/build" >>"$prefix/cmake.log" 2>&1 ||
	{ cat "$prefix/cmake.log"; fail "cannot build with find_package(nsshare)"; }
out=$("$prefix/cmake-app/build/app")
[ "$out" = "ok 128" ] || fail "the CMake-built app printed '$out'"
readelf -d "$prefix/cmake-app/build/app" | grep -q 'libnsshare.so.0' ||
	fail "the CMake-built app does not need libnsshare"
# A version this package does not promise to be compatible with.
sed -i 's/find_package(nsshare 0.1 REQUIRED)/find_package(nsshare 1.0 REQUIRED)/' \
	"$prefix/cmake-app/CMakeLists.txt"
cmake -S "$prefix/cmake-app" -B "$prefix/cmake-app/build1" \
	-DCMAKE_PREFIX_PATH="$prefix" >/dev/null 2>&1 &&
	fail "find_package(nsshare 1.0) accepted version 0.x"
echo "2 passed, 0 failed"
