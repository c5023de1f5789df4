#!/bin/sh
# oracle_test.sh PROBEDIR PRELOAD MODDIR
# Runs each case with stock dlmopen, with nsshare preloaded and with
# nsshare linked, and requires the same report from all three.
# order_probe reports the namespace's load order, the constructor order,
# and which object each reference of the modules was bound to; the
# expected bindings are also checked against stock's, so that a broken
# case cannot pass by comparing nothing.  error_probe reports dlerror()
# for failing calls: nsshare's must be stock's, or stock's with the name
# the caller gave in front where stock's does not name it.
set -u
dir=$1 preload=$2 mods=$3
probe=$dir/order_probe_plain linked=$dir/order_probe_linked
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

# run_case NAME MODULE SYM...
run_case() {
	name=$1
	shift
	"$probe" "$@" >"$tmp/$name.stock" 2>&1
	LD_PRELOAD=$preload "$probe" "$@" >"$tmp/$name.preload" 2>&1
	"$linked" "$@" >"$tmp/$name.linked" 2>&1
	for kind in preload linked; do
		if cmp -s "$tmp/$name.stock" "$tmp/$name.$kind"; then
			ok
		else
			bad "$name: nsshare ($kind) differs from stock:"
			diff -u "$tmp/$name.stock" "$tmp/$name.$kind" >&2
		fi
	done
}

# expect NAME LINE: stock's report has LINE (the oracle agrees with
# what the case was built to show).
expect() {
	if grep -qxF "$2" "$tmp/$1.stock"; then
		ok
	else
		bad "$1: stock's report lacks '$2':"
		cat "$tmp/$1.stock" >&2
	fi
}

run_case over "$mods/libord-m.so" m_sin m_atoi m_malloc
expect over "m_sin: libord-over.so"
expect over "m_atoi: libord-over.so"
expect over "m_malloc: libc.so.6"

run_case deep "$mods/libord-dm.so" dm_cos dm_exp dm_atoi dm_dup dm_sc dd_cos
expect deep "dm_cos: libord-db.so"
expect deep "dd_cos: libord-db.so"
expect deep "dm_exp: libm.so.6"
expect deep "dm_atoi: libc.so.6"
expect deep "dm_dup: libord-db.so"
expect deep "dm_sc: libord-dc.so"

# A glibc library opened by name: the namespace gets the rest of glibc
# and ld.so after it, as from stock.
run_case glibc_libm libm.so.6
expect glibc_libm "load: libm.so.6 libc.so.6 ld-linux-x86-64.so.2"
run_case glibc_libc libc.so.6

# A real deep closure: libxml2 through libicu, libz, liblzma, libstdc++
# (libxml2.so.2 before Debian 14, libxml2.so.16 from it).
xml=$(ldconfig -p | awk '$1 ~ /^libxml2\.so\.[0-9]+$/ { print $NF; exit }')
if [ -n "$xml" ]; then
	run_case libxml2 "$xml"
	objects=$(grep '^load:' "$tmp/libxml2.stock" | wc -w)
	if [ "$objects" -ge 6 ] &&
		grep '^load:' "$tmp/libxml2.stock" | grep -qF " libc.so.6"; then
		ok
	else
		bad "libxml2: stock's namespace is not a deep closure:"
		cat "$tmp/libxml2.stock" >&2
	fi
else
	echo "libxml2 is not installed: that case is skipped" >&2
fi

# Errors: line by line, "CASE: MESSAGE".  Files that are not shared
# objects, or only the start of one.
printf 'hello, world\n' >"$tmp/text.so"
: >"$tmp/empty.so"
z=$(ldconfig -p | awk '$1 == "libz.so.1" { print $NF; exit }')
head -c 40 "$z" >"$tmp/head40.so"
head -c 100 "$z" >"$tmp/head100.so"
set -- "$mods" "$tmp/text.so" "$tmp/empty.so" "$tmp/head40.so" "$tmp/head100.so"
"$dir/error_probe_plain" "$@" >"$tmp/errors.stock" 2>&1
LD_PRELOAD=$preload "$dir/error_probe_plain" "$@" >"$tmp/errors.preload" 2>&1
"$dir/error_probe_linked" "$@" >"$tmp/errors.linked" 2>&1
lines=$(wc -l <"$tmp/errors.stock")
[ "$lines" -ge 13 ] && ok || bad "error_probe printed $lines lines"
for kind in preload linked; do
	if [ "$(wc -l <"$tmp/errors.$kind")" -ne "$lines" ]; then
		bad "errors ($kind): not one line per case:"
		diff -u "$tmp/errors.stock" "$tmp/errors.$kind" >&2
		continue
	fi
	i=0
	while [ "$i" -lt "$lines" ]; do
		i=$((i + 1))
		want=$(sed -n "${i}p" "$tmp/errors.stock")
		got=$(sed -n "${i}p" "$tmp/errors.$kind")
		case_=${want%%: *}
		msg=${want#*: }
		gotmsg=${got#*: }
		if [ "$got" = "$want" ] || [ "${gotmsg#*: }" = "$msg" ]; then
			ok
		else
			bad "errors ($kind), $case_: stock says '$msg', nsshare '$gotmsg'"
		fi
	done
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
