#!/bin/sh
# order_test.sh PROBE PROBE_LINKED PRELOAD MODDIR
# Runs each case with stock dlmopen, with nsshare preloaded and with
# nsshare linked, and requires the same report from all three: the
# namespace's load order, the constructor order, and which object each
# reference of the modules was bound to.  The expected bindings are also
# checked against stock's, so that a broken case cannot pass by
# comparing nothing.
set -u
probe=$1 linked=$2 preload=$3 mods=$4
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

# A real deep closure: libxml2 through libicu, libz, liblzma, libstdc++.
xml=$(ldconfig -p | awk '$1 == "libxml2.so.2" { print $NF; exit }')
if [ -n "$xml" ]; then
	run_case libxml2 "$xml"
	for lib in libxml2.so.2 libicuuc libz.so.1 liblzma.so.5 libm.so.6 \
		libc.so.6 libstdc++.so.6 libgcc_s.so.1; do
		if grep '^load:' "$tmp/libxml2.stock" | grep -qF " $lib"; then
			ok
		else
			bad "libxml2: stock's namespace lacks $lib"
		fi
	done
else
	echo "libxml2.so.2 not installed: that case is skipped" >&2
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
