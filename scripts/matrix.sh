#!/bin/sh
# The distro matrix: builds nsshare and runs its whole test suite
# (scripts/test.sh: plain build, ASan+UBSan build, valgrind) in a Debian
# chroot per suite, installs the Debian package it builds in a throwaway
# view of the chroot (package_check), then prints a markdown table of the
# results.
#
#   scripts/matrix.sh [SUITE...]   default: bullseye bookworm trixie forky
#
# Needs root (debootstrap, chroot, mount namespace) and Debian's archive.
# The chroots are made once and kept in $NSSHARE_MATRIX_DIR (default
# /var/cache/nsshare-matrix); a kept chroot gets what it lacks from
# scripts/deps.sh inside it.  Each run copies the working tree into the
# chroot afresh, so what is tested is what is checked out here; runs of
# one suite wait for each other ($NSSHARE_MATRIX_DIR/SUITE.lock).
# $NSSHARE_MIRROR overrides the archive (default http://deb.debian.org/debian).
# Debian testing is "forky" (glibc 2.42 or newer); a debootstrap too old to
# know a suite's name gets the script of unstable, which serves them all.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${NSSHARE_MATRIX_DIR:-/var/cache/nsshare-matrix}
mirror=${NSSHARE_MIRROR:-http://deb.debian.org/debian}
[ $# -gt 0 ] || set -- bullseye bookworm trixie forky

if [ "$(id -u)" -ne 0 ]; then
	echo "matrix.sh: needs root for debootstrap and chroot" >&2
	exit 2
fi
if ! command -v debootstrap >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap
fi
mkdir -p "$cache"

# Debian's release number for suite $1, for the table.
release_of() {
	case $1 in
	buster) echo 10 ;; bullseye) echo 11 ;; bookworm) echo 12 ;;
	trixie) echo 13 ;; forky) echo testing ;; *) echo "$1" ;;
	esac
}

# Makes the chroot of suite $1 unless it is already there, and sets
# $made to the seconds debootstrap took ("kept" for a kept chroot).  It is
# built under a temporary name, so a debootstrap that fails leaves nothing
# that looks usable.
make_chroot() {
	root=$cache/$1
	if [ -e "$root/.nsshare-ready" ]; then
		made=kept
		return 0
	fi
	rm -rf "$root.new"
	include=$("$top/scripts/deps.sh" --list "$1") || return 1
	include=$(echo "$include" | tr -s ' \t\n' ',' | sed 's/^,//; s/,$//')
	script=/usr/share/debootstrap/scripts/$1
	[ -e "$script" ] || script=/usr/share/debootstrap/scripts/sid
	echo "matrix: debootstrap $1 into $root" >&2
	since=$(date +%s)
	# debootstrap does not follow a dependency on a virtual package
	# (bullseye's gdb needs libsource-highlight4v5, which needs the
	# virtual libboost-regex1.74.0-icu67) and gives up on the whole
	# include list; then the chroot is made bare, and scripts/deps.sh
	# installs the list inside it with apt-get at the first test run.
	if ! debootstrap --variant=minbase --include="$include" "$1" "$root.new" \
		"$mirror" "$script" >"$cache/$1.debootstrap.log" 2>&1; then
		echo "matrix: debootstrap $1 with the package list failed" \
			"($cache/$1.debootstrap.log); again without it" >&2
		rm -rf "$root.new"
		debootstrap --variant=minbase "$1" "$root.new" "$mirror" \
			"$script" >"$cache/$1.debootstrap.bare.log" 2>&1 || {
			tail -n 20 "$cache/$1.debootstrap.bare.log" >&2
			return 1
		}
	fi
	made="$(( $(date +%s) - since )) s"
	echo "matrix: debootstrap $1 took $made" >&2
	allow_expired_release "$root.new"
	rm -rf "$root"
	mv "$root.new" "$root"
	touch "$root/.nsshare-ready"
}

# Lets apt in chroot $1 use a Release file past its Valid-Until.  Only
# testing, unstable and snapshots carry that field; a snapshot's Release
# has expired for good, and apt-get update in the chroot (deps.sh does it
# when a package is missing) would refuse it.  Stable releases have none.
allow_expired_release() {
	if cat "$1"/var/lib/apt/lists/*Release 2>/dev/null |
		grep -q '^Valid-Until:'; then
		echo 'Acquire::Check-Valid-Until "false";' \
			>"$1/etc/apt/apt.conf.d/90nsshare-matrix"
	fi
}

# Copies the working tree, without build directories and git's objects,
# to /src/nsshare in the chroot of suite $1.
copy_tree() {
	dest=$cache/$1/src/nsshare
	rm -rf "$dest"
	mkdir -p "$dest"
	tar -C "$top" --exclude=./.git --exclude='./build*' -cf - . |
		tar -C "$dest" -xf -
}

# Runs command $2 as root in the chroot of suite $1, with /proc (proxies
# are loaded from /proc/<pid>/fd) and /dev, in a mount namespace of its
# own so that nothing stays mounted when it ends.  The chroot's / is made
# a mount point, as on a real system, for tests that unshare(1) in turn.
in_chroot() {
	unshare --mount --propagation private sh -eu -c '
		root=$1
		mount --bind "$root" "$root"
		mount -t proc proc "$root/proc"
		mount --rbind /dev "$root/dev"
		exec chroot "$root" /usr/bin/env -i HOME=/root \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
			/bin/sh -c "$2"' sh "$cache/$1" "$2"
}

# Builds suite $1's Debian package in its chroot (CPack) and installs it
# in a throwaway view of the chroot, an overlay over it in a mount
# namespace of its own, where it runs what a user of the package would:
# the demo, pkg-config, nsshare-tag.  Prints passed or failed; the log is
# $cache/$1.package.log.
package_check() {
	plog=$cache/$1.package.log
	if ! in_chroot "$1" "cd /src/nsshare && cmake --build build --target package" \
		>"$plog" 2>&1; then
		echo failed
		return
	fi
	deb=$(cd "$cache/$1/src/nsshare/build" && ls nsshare_*.deb | head -n 1)
	view=$(mktemp -d)
	if unshare --mount --propagation private sh -eu -c '
		lower=$1 view=$2 deb=$3
		mkdir "$view/upper" "$view/work" "$view/root"
		mount -t overlay overlay \
			-o "lowerdir=$lower,upperdir=$view/upper,workdir=$view/work" \
			"$view/root"
		mount -t proc proc "$view/root/proc"
		mount --rbind /dev "$view/root/dev"
		cp "$lower/src/nsshare/build/$deb" "$view/root/tmp/"
		exec chroot "$view/root" /usr/bin/env -i HOME=/root \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 /bin/sh -euxc "
			dpkg-deb -c /tmp/$deb | grep -q man7/nsshare.7
			dpkg -i /tmp/$deb
			/usr/libexec/nsshare/nsshare-demo
			pkg-config --cflags --libs nsshare
			nsshare-tag --version
			dpkg -P nsshare"' sh "$cache/$1" "$view" "$deb" >>"$plog" 2>&1; then
		echo passed
	else
		echo failed
	fi
	rm -rf "$view"
}

# What ctest passed in log $1, build by build: "124/124", or
# "89/89 (41 disabled)" where it skipped tests the suite disables.
ctest_counts() {
	awk '/\*\*\*Not Run \(Disabled\)/ { disabled++ }
	/tests passed, [0-9]+ tests failed out of [0-9]+/ {
		printf "%s%d/%d", (builds++ ? ", " : ""), $9 - $4, $9
		if (disabled)
			printf " (%d disabled)", disabled
		disabled = 0
	}' "$1"
}

rows=""
status=0
for suite in "$@"; do
	# One run at a time per chroot: another run's copy_tree would replace
	# the tree under this one's tests.  The lock goes when fd 9 closes.
	exec 9>"$cache/$suite.lock"
	if ! flock -n 9; then
		echo "matrix: $suite: waiting for another run in its chroot" >&2
		flock 9
	fi
	log=$cache/$suite.log
	start=$(date +%s)
	result=failed
	made=-
	glibc="?"
	package=-
	if make_chroot "$suite"; then
		copy_tree "$suite"
		glibc=$(in_chroot "$suite" "getconf GNU_LIBC_VERSION" | sed 's/^glibc //')
		echo "matrix: $suite (glibc $glibc): scripts/test.sh, log in $log" >&2
		if in_chroot "$suite" "cd /src/nsshare && scripts/test.sh" >"$log" 2>&1; then
			result=passed
		else
			tail -n 40 "$log" >&2
		fi
		package=$(package_check "$suite")
		if [ "$package" != passed ]; then
			result=failed
			tail -n 20 "$cache/$suite.package.log" >&2
		fi
	fi
	[ "$result" = passed ] || status=1
	gcc=$(in_chroot "$suite" "gcc -dumpfullversion" 2>/dev/null || echo "?")
	valgrind=$(grep -c "valgrind: no leaks in libnsshare" "$log" 2>/dev/null || true)
	[ "${valgrind:-0}" -gt 0 ] && valgrind=clean || valgrind="-"
	rows="$rows| Debian $(release_of "$suite") ($suite) | $glibc | $gcc | $(ctest_counts "$log" 2>/dev/null) | $valgrind | $package | $result | $made | $(( $(date +%s) - start )) s |
"
	exec 9>&-
done

echo
echo "| distro | glibc | gcc | ctest passed (plain, ASan+UBSan) | valgrind | package | result | debootstrap | time |"
echo "|---|---|---|---|---|---|---|---:|---:|"
printf '%s' "$rows"
exit $status
