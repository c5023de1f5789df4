#!/bin/sh
# Installs what building and testing nsshare needs on Debian or Ubuntu.
set -eu
packages="gcc g++ make cmake pkgconf libelf-dev zlib1g check valgrind
	libsqlite3-0 libxml2 libssl3 libpython3.11 libpython3.11-stdlib python3"
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
