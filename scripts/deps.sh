#!/bin/sh
# Installs what building and testing nsshare needs on Debian.
#   deps.sh              install what is missing on this machine
#   deps.sh --list SUITE print the packages for a Debian suite (matrix.sh)
# The runtime libraries of test/real differ by suite: OpenSSL's libcrypto
# and libpython change their package names between releases.  clang
# builds the fuzzers (scripts/fuzz.sh, run by scripts/test.sh).
set -eu

# The packages for Debian suite $1.
packages_for() {
	common="gcc g++ make cmake pkgconf libelf-dev zlib1g check valgrind
		libsqlite3-0 libxml2 python3 clang"
	case $1 in
	bullseye) echo "$common libssl1.1 libpython3.9 libpython3.9-stdlib" ;;
	# libFuzzer's runtime is a Recommends of clang there (LLVM >= 15).
	trixie) echo "$common libssl3t64 libpython3.13 libpython3.13-stdlib libclang-rt-dev" ;;
	*) echo "$common libssl3 libpython3.11 libpython3.11-stdlib" ;;
	esac
}

if [ "${1:-}" = --list ]; then
	packages_for "${2:?deps.sh --list SUITE}"
	exit 0
fi

suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
missing=""
for p in $(packages_for "$suite"); do
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
