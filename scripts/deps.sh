#!/bin/sh
# Installs what building and testing nsshare needs on Debian.
#   deps.sh              install what is missing on this machine
#   deps.sh --list SUITE print the packages for a Debian suite (matrix.sh)
set -eu

# What every suite has under one name.  A package that scripts/test.sh
# needs in every row of the matrix goes here.  clang is there for the
# fuzzer and TSan builds: on bullseye it is clang-11, whose compiler-rt
# (libclang_rt.fuzzer, .tsan) comes with it in libclang-common-11-dev.
# test/real/egl.c needs glvnd's libEGL, Mesa's EGL and its llvmpipe
# (in libgl1-mesa-dri); it reaches GL through eglGetProcAddress.
# test/compat/gdb_check.sh debugs a namespace with gdb.
common="gcc g++ make cmake pkgconf libelf-dev zlib1g check valgrind gdb libunwind-dev
	libsqlite3-0 python3 clang libegl1 libegl-mesa0 libgl1-mesa-dri"

# The packages for Debian suite $1: the common ones, and the runtime
# libraries of test/real whose package names change between releases
# (OpenSSL's libcrypto, libxml2, libpython), compiler-rt, which from
# LLVM 14 on is a package of its own that clang only recommends, and
# libosmesa6 (test/real/osmesa.c), which Mesa 25.1 and later, in testing,
# no longer build.
# Testing and unstable both call themselves forky (/etc/os-release).
packages_for() {
	os=libosmesa6
	case $1 in
	bullseye) ssl=libssl1.1 xml=libxml2 py=3.9 rt= ;;
	bookworm) ssl=libssl3 xml=libxml2 py=3.11 rt=libclang-rt-dev ;;
	trixie) ssl=libssl3t64 xml=libxml2 py=3.13 rt=libclang-rt-dev ;;
	forky | sid)
		ssl=libssl3t64 xml=libxml2-16 py=3.14 rt=libclang-rt-dev os=''
		;;
	*)
		echo "deps.sh: no package list for Debian suite \"$1\";" \
			"add it to packages_for in scripts/deps.sh" >&2
		return 1
		;;
	esac
	# Unquoted: one line, one space between names, none for an empty $rt
	# or $os.
	# shellcheck disable=SC2086
	echo $common $ssl $xml libpython$py libpython$py-stdlib $rt $os
}

if [ "${1:-}" = --list ]; then
	packages_for "${2:?deps.sh --list SUITE}"
	exit 0
fi

suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
packages=$(packages_for "$suite")
missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	exec sudo "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
