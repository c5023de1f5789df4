#!/bin/sh
# nsshare-tag against someone who swaps names in the file's directory
# while it works: the only file ever replaced is the one read, and a
# victim elsewhere keeps its bytes, owner and mode.
# Usage: tag_race.sh TAG SHIM ATTACKER MODULE
#   TAG_RACE_ROUNDS  rounds of the real race (200)
# First the swaps at the exact moment between reading the file and
# replacing it (swap_shim.c, LD_PRELOADed), then a real race: an
# unprivileged process (swap_attacker.c) swapping a symbolic link in a
# loop while root runs nsshare-tag --set, a bounded number of times.
set -u
tag=$1 shim=$2 attacker=$3 module=$4
rounds=${TAG_RACE_ROUNDS:-200}

work=$(mktemp -d "${TMPDIR:-/tmp}/nsshare-tag-race.XXXXXX") || exit 1
chmod 755 "$work"
attacker_pid=
cleanup() {
	[ -n "$attacker_pid" ] && kill "$attacker_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=tag_lib.sh
. "$(dirname "$0")/tag_lib.sh"
unique() { "$tag" --show "$1" 2>/dev/null | grep -q ': unique$'; }
meta() { stat -c '%u %g %a' "$1"; }

if [ "$(id -u)" = 0 ]; then
	other=65534 # the attacker: nobody
else
	other=$(id -u)
fi

# The victim: a 0600 file outside the attacker's directory.
mkdir -m 755 "$work/safe"
victim=$work/safe/lib.so
printf 'victim bytes\n' >"$victim"
chmod 600 "$victim"
cp -p "$victim" "$work/victim.orig"
victim_meta=$(meta "$victim")
victim_intact() {
	cmp -s "$work/victim.orig" "$victim" &&
		[ "$(meta "$victim")" = "$victim_meta" ]
}

# attacker_dir NAME: a fresh directory of the attacker's with lib.so,
# an untagged module of the attacker's.
attacker_dir() {
	d=$work/$1
	rm -rf "$d"
	mkdir -m 755 "$d"
	cp "$module" "$d/lib.so"
	chown -R "$other:$other" "$d"
}

# swap_set FILE ACTIONS: nsshare-tag --set FILE with the shim doing
# ACTIONS right after FILE has been read; sets $rc and $err.
swap_set() {
	rm -f "$work/swapped"
	TAG_SWAP_WATCH=$1 TAG_SWAP_ACTIONS=$2 TAG_SWAP_DONE=$work/swapped \
		LD_PRELOAD=$shim "$tag" --set "$1" >"$work/stdout" 2>"$work/stderr"
	rc=$?
	err=$(cat "$work/stderr")
}
tab=$(printf '\t')
nl='
'

# --- a symbolic link to the victim swapped in for the file -------------
attacker_dir sym
ln -s "$victim" "$work/sym/.swap"
swap_set "$work/sym/lib.so" "rename$tab$work/sym/.swap$tab$work/sym/lib.so"
check "symlink swap: the swap happened" [ -e "$work/swapped" ]
check "symlink swap: --set exits 1 (got $rc)" is_status 1
check "symlink swap: says the file was replaced (got '$err')" [ "$err" = \
	"nsshare-tag: $work/sym/lib.so: replaced while being tagged; nothing was changed" ]
check "symlink swap: the victim keeps its bytes, owner and mode" victim_intact
check "symlink swap: the symlink is left as it is" \
	[ "$(readlink "$work/sym/lib.so")" = "$victim" ]
check "symlink swap: no temporary file left" no_temporary_left "$work/sym"
check "symlink swap: no temporary file next to the victim" \
	no_temporary_left "$work/safe"

# --- another regular file swapped in for the file -----------------------
attacker_dir file
cp "$module" "$work/file/.other"
printf 'other' >>"$work/file/.other"
chmod 640 "$work/file/.other"
cp -p "$work/file/.other" "$work/other.orig"
swap_set "$work/file/lib.so" "rename$tab$work/file/.other$tab$work/file/lib.so"
check "file swap: the swap happened" [ -e "$work/swapped" ]
check "file swap: --set exits 1 (got $rc)" is_status 1
check "file swap: says the file was replaced (got '$err')" [ "$err" = \
	"nsshare-tag: $work/file/lib.so: replaced while being tagged; nothing was changed" ]
check "file swap: the file swapped in keeps its bytes" \
	cmp -s "$work/other.orig" "$work/file/lib.so"
check "file swap: the file swapped in keeps its mode" \
	[ "$(meta "$work/file/lib.so")" = "$(meta "$work/other.orig")" ]
check "file swap: no temporary file left" no_temporary_left "$work/file"

# --- the file's directory swapped for a symlink to the victim's ----------
# The directory nsshare-tag holds is the one it read the file in: the
# file read is tagged where it now is, the victim named by the same path
# is not touched.
attacker_dir dir
mkdir "$work/dir/sub"
mv "$work/dir/lib.so" "$work/dir/sub/lib.so"
chown "$other:$other" "$work/dir/sub"
ln -s "$work/safe" "$work/dir/.swap"
swap_set "$work/dir/sub/lib.so" \
	"rename$tab$work/dir/sub$tab$work/dir/moved${nl}rename$tab$work/dir/.swap$tab$work/dir/sub"
check "directory swap: the swap happened" [ -e "$work/swapped" ]
check "directory swap: --set exits 0 (got $rc, '$err')" is_status 0
check "directory swap: the victim keeps its bytes, owner and mode" victim_intact
check "directory swap: the file read is tagged, in the directory moved" \
	unique "$work/dir/moved/lib.so"
check "directory swap: the file read keeps its owner" \
	[ "$(stat -c %u "$work/dir/moved/lib.so")" = "$other" ]
check "directory swap: no temporary file next to the victim" \
	no_temporary_left "$work/safe"

# --- the file's mode changed by its owner meanwhile -----------------------
attacker_dir mode
chmod 644 "$work/mode/lib.so"
swap_set "$work/mode/lib.so" "chmod${tab}604$tab$work/mode/lib.so"
check "chmod meanwhile: the chmod happened" [ -e "$work/swapped" ]
check "chmod meanwhile: --set exits 1 (got $rc)" is_status 1
check "chmod meanwhile: says the file changed (got '$err')" [ "$err" = \
	"nsshare-tag: $work/mode/lib.so: changed while being tagged; nothing was changed" ]
check "chmod meanwhile: the file keeps its bytes" \
	cmp -s "$module" "$work/mode/lib.so"
check "chmod meanwhile: the file keeps the mode its owner gave it" \
	[ "$(stat -c %a "$work/mode/lib.so")" = 604 ]

# --- the real race -----------------------------------------------------------
# The attacker, nobody, flips its lib.so between a hard link to its own
# module and a symbolic link to root's victim, each by one atomic
# rename, as fast as it can, while root tags lib.so again and again.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	attacker_dir race
	mv "$work/race/lib.so" "$work/race/pristine"
	ln "$work/race/pristine" "$work/race/lib.so"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$attacker" "$work/race" "$victim" &
	attacker_pid=$!
	# Started, not timed: the rounds begin once it flips.
	waited=0
	while [ ! -e "$work/race/.ready" ] && [ $waited -lt 600 ]; do
		sleep 0.1
		waited=$((waited + 1))
	done
	check "real race: the attacker is flipping the link" [ -e "$work/race/.ready" ]
	harmed=0 bad_status=0 tagged=0 left=0
	i=0
	while [ $i -lt "$rounds" ]; do
		"$tag" --set "$work/race/lib.so" >/dev/null 2>"$work/stderr"
		rc=$?
		case $rc in
		0) tagged=$((tagged + 1)) ;;
		1) ;;
		*) bad_status=$((bad_status + 1))
		   echo "round $i: exit $rc: $(cat "$work/stderr")" ;;
		esac
		if ! victim_intact; then
			harmed=$((harmed + 1))
			echo "round $i: the victim changed: $(meta "$victim")"
			cp -p "$work/victim.orig" "$victim"
		fi
		no_temporary_left "$work/race" || left=$((left + 1))
		i=$((i + 1))
	done
	check "real race: the attacker was still flipping at the end" \
		kill "$attacker_pid"
	wait "$attacker_pid" 2>/dev/null
	attacker_pid=
	echo "real race: $rounds rounds, $tagged tagged the attacker's module"
	check "real race: the victim kept its bytes, owner and mode in every round ($harmed did not)" \
		[ $harmed = 0 ]
	check "real race: nsshare-tag exited 0 or 1 in every round ($bad_status did not)" \
		[ $bad_status = 0 ]
	check "real race: no temporary file left in any round ($left left one)" \
		[ $left = 0 ]
	check "real race: the pristine module was never changed" \
		cmp -s "$module" "$work/race/pristine"
else
	skip "real race: needs root and setpriv"
fi

finish
