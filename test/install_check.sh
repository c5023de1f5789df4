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

# A program built the way the README says, against the installed files.
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
	$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --define-prefix --cflags --libs nsshare) \
	-Wl,-rpath,"$(dirname "$lib")" || fail "cannot build with pkg-config"
out=$("$prefix/app")
[ "$out" = "ok 128" ] || fail "app printed '$out'"
readelf -d "$prefix/app" | grep -q 'libnsshare.so.0' || fail "app does not need libnsshare"
echo "1 passed, 0 failed"
