#!/bin/sh
# nsshare-tag round trips and refusals.
# Usage: tag_test.sh TAG CRAFT MODULE UNIQUE_MODULE OBJECT ARCHIVE PIE
#   TAG_WRAPPER  command nsshare-tag runs under (valgrind), optional
#   TAG_FUZZ     how many damaged copies of each module to try (300)
# Every check works on copies in a temporary directory.
set -u
tag=$1 craft=$2 module=$3 unique_module=$4 object=$5 archive=$6 pie=$7
wrapper=${TAG_WRAPPER:-}
fuzz_count=${TAG_FUZZ:-300}

work=$(mktemp -d "${TMPDIR:-/tmp}/nsshare-tag-test.XXXXXX") || exit 1
chmod 755 "$work" # the unprivileged cases read files in here
cleanup() {
	chattr -R -i "$work" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=tag_lib.sh
. "$(dirname "$0")/tag_lib.sh"

# run [--as PREFIX] ARGS...: runs nsshare-tag; sets $rc, $out, $err.
run() {
	as=
	if [ "${1:-}" = --as ]; then
		as=$2
		shift 2
	fi
	# $as and $wrapper are word lists on purpose.
	# shellcheck disable=SC2086
	$as $wrapper "$tag" "$@" >"$work/stdout" 2>"$work/stderr"
	rc=$?
	out=$(cat "$work/stdout")
	err=$(cat "$work/stderr")
}

# PT_DYNAMIC of FILE: "OFFSET SIZE ENTSIZE USED"; with TAG, its index.
dynamic() { python3 "$craft" dynamic "$@"; }
# Number of dynamic entries before the first DT_NULL.
used_entries() { dynamic "$1" | cut -d' ' -f4; }

# only_entry_differs OLD NEW INDEX [LAST]: NEW is OLD with bytes changed
# inside dynamic entry INDEX (to LAST) and nowhere else (and at least one
# changed).
only_entry_differs() {
	[ "$(stat -c %s "$1")" = "$(stat -c %s "$2")" ] || return 1
	entsize=$(dynamic "$1" | cut -d' ' -f3)
	lo=$(($(dynamic "$1" | cut -d' ' -f1) + $3 * entsize))
	hi=$((lo + (${4:-$3} - $3 + 1) * entsize))
	cmp -l "$1" "$2" | awk -v lo="$lo" -v hi="$hi" '
		{ n++; o = $1 - 1; if (o < lo || o >= hi) outside = 1 }
		END { exit !(n > 0 && !outside) }'
}

readelf_unique() { readelf_matches "$1" '\(GNU_FLAGS_1\) +Flags: UNIQUE$'; }
readelf_no_flags() { ! readelf -d "$1" | grep -q GNU_FLAGS_1; }
shows() { run --show "$1" && [ "$rc" = 0 ] && [ "$out" = "$1: $2" ]; }
# matches TEXT REGEX (extended)
matches() { printf '%s\n' "$1" | grep -Eq -- "$2"; }
# readelf_matches FILE REGEX: a line of readelf -d FILE matches.
readelf_matches() { readelf -d "$1" | grep -Eq -- "$2"; }
# check_readelf MESSAGE COMMAND...: check, where readelf knows the tag
# (binutils 2.38 and later); older ones print it as a number.
check_readelf() {
	if readelf -d "$unique_module" | grep -q GNU_FLAGS_1; then
		check "$@"
	else
		skip "$1 (this readelf does not know DT_GNU_FLAGS_1)"
	fi
}
stderr_is() { [ "$err" = "$1" ]; }
stderr_matches() {
	[ "$(printf '%s\n' "$err" | wc -l)" = 1 ] &&
		matches "$err" "^nsshare-tag: $1"
}

# refused ACTION FILE REASON-REGEX: nsshare-tag ACTION FILE fails with
# status 1 and one message about FILE, and FILE is left as it was.
refused() {
	action=$1 file=$2 reason=$3
	saved=$work/refused.orig
	rm -f "$saved"
	[ -f "$file" ] && cp -p "$file" "$saved"
	run "$action" "$file"
	check "$action $file exits 1 (got $rc)" is_status 1
	check "$action $file says '$reason' (got '$err')" \
		stderr_matches "$file: $reason"
	check "$action $file prints nothing on stdout (got '$out')" [ -z "$out" ]
	if [ -f "$saved" ]; then
		check "$action $file leaves it as it was" cmp -s "$saved" "$file"
	fi
	check "$action $file leaves no temporary file" \
		no_temporary_left "$(dirname "$file")"
}

# --- usage -------------------------------------------------------------
run --help
check "--help exits 0 (got $rc)" is_status 0
check "--help prints the usage on stdout" \
	matches "$out" '^Usage: nsshare-tag --show\|--set\|--clear FILE'
check "--help prints nothing on stderr" [ -z "$err" ]
run
check "no arguments exits 2 (got $rc)" is_status 2
check "no arguments prints the usage on stderr" \
	matches "$err" '^Usage: nsshare-tag'
run --show
check "--show without a file exits 2 (got $rc)" is_status 2
run "$module"
check "a file without an action exits 2 (got $rc)" is_status 2
run --set --clear "$module"
check "two actions exit 2 (got $rc)" is_status 2
run --frobnicate "$module"
check "an unknown option exits 2 (got $rc)" is_status 2
run --version
check "--version exits 0 (got $rc)" is_status 0
check "--version prints 'nsshare-tag (nsshare) ...' (got '$out')" \
	matches "$out" '^nsshare-tag \(nsshare\) '

# --- an untagged module: set, set again, clear --------------------------
lib=$work/libtag.so
cp "$module" "$lib"
cp "$module" "$work/orig.so"
check "an untagged module shows as not unique" shows "$lib" "not unique"
check "readelf sees no GNU_FLAGS_1 in an untagged module" readelf_no_flags "$lib"
spare=$(used_entries "$lib")
run --set "$lib"
check "--set exits 0 (got $rc, '$err')" is_status 0
check "--set prints nothing (got '$out')" [ -z "$out" ]
check "--set makes the module show as unique" shows "$lib" unique
check_readelf "readelf prints 'GNU_FLAGS_1 Flags: UNIQUE' after --set" \
	readelf_unique "$lib"
check "--set changes only dynamic entry $spare, the first DT_NULL" \
	only_entry_differs "$work/orig.so" "$lib" "$spare"
check "--set moves the terminator by one entry" \
	[ "$(used_entries "$lib")" = $((spare + 1)) ]
cp "$lib" "$work/set.so"
inode=$(stat -c %i "$lib")
run --set "$lib"
check "a second --set exits 0 (got $rc, '$err')" is_status 0
check "a second --set changes nothing" cmp -s "$work/set.so" "$lib"
check "a second --set does not rewrite the file" \
	[ "$(stat -c %i "$lib")" = "$inode" ]
run --clear "$lib"
check "--clear exits 0 (got $rc, '$err')" is_status 0
check "--set then --clear gives back the original byte for byte" \
	cmp -s "$work/orig.so" "$lib"
check "--clear makes the module show as not unique" shows "$lib" "not unique"
run --clear "$lib"
check "--clear of an untagged module exits 0 (got $rc, '$err')" is_status 0
check "--clear of an untagged module changes nothing" \
	cmp -s "$work/orig.so" "$lib"
check "no temporary file is left behind" no_temporary_left "$work"

# --- a module linked with ld -z unique ------------------------------------
zlib=$work/libz-unique.so
cp "$unique_module" "$zlib"
check_readelf "readelf prints 'Flags: UNIQUE' for a -z unique module" \
	readelf_unique "$zlib"
check "a -z unique module shows as unique" shows "$zlib" unique
flags_index=$(dynamic "$zlib" 0x6ffffdf4)
run --clear "$zlib"
check "--clear of a -z unique module exits 0 (got $rc, '$err')" is_status 0
check "--clear makes a -z unique module show as not unique" \
	shows "$zlib" "not unique"
check_readelf "readelf prints 'GNU_FLAGS_1 Flags: None' after --clear of ld's tag" \
	readelf_matches "$zlib" '\(GNU_FLAGS_1\) +Flags: None$'
check "--clear changes only ld's GNU_FLAGS_1 entry ($flags_index)" \
	only_entry_differs "$unique_module" "$zlib" "$flags_index"
run --set "$zlib"
check "--clear then --set gives back what ld -z unique wrote" \
	cmp -s "$unique_module" "$zlib"

# --- mode, owner and symbolic links ---------------------------------------
cp "$module" "$lib"
chmod 4751 "$lib" # set-user-ID must survive the owner being set first
if [ "$(id -u)" = 0 ]; then
	chown 1234:5678 "$lib"
fi
before=$(stat -c '%a %u %g' "$lib")
run --set "$lib"
check "--set of a mode 4751 file exits 0 (got $rc, '$err')" is_status 0
check "--set keeps mode and owner '$before' (got '$(stat -c '%a %u %g' "$lib")')" \
	[ "$(stat -c '%a %u %g' "$lib")" = "$before" ]
check "--set of a mode 4751 file makes it show as unique" shows "$lib" unique
cp "$module" "$lib"
ln -s libtag.so "$work/link.so"
run --set "$work/link.so"
check "--set through a symlink exits 0 (got $rc, '$err')" is_status 0
check "--set through a symlink keeps the symlink" [ -L "$work/link.so" ]
check "--set through a symlink tags its target" shows "$lib" unique
rm -f "$work/link.so"

# --- both classes, both byte orders, no section headers -------------------
for class in 32 64; do
	for order in le be; do
		mini=$work/mini$class$order.so
		python3 "$craft" mini $class $order "$mini.orig"
		cp "$mini.orig" "$mini"
		run --set "$mini"
		check "ELF$class $order: --set exits 0 (got $rc, '$err')" is_status 0
		check "ELF$class $order: shows as unique after --set" \
			shows "$mini" unique
		check_readelf "ELF$class $order: readelf prints 'Flags: UNIQUE'" \
			readelf_unique "$mini"
		check "ELF$class $order: --set changes only entry 1" \
			only_entry_differs "$mini.orig" "$mini" 1
		run --clear "$mini"
		check "ELF$class $order: --clear exits 0 (got $rc)" is_status 0
		check "ELF$class $order: --set then --clear is byte-identical" \
			cmp -s "$mini.orig" "$mini"
	done
done
# An existing DT_GNU_FLAGS_1 with another flag: the bit is added there,
# not in a new entry, and removed again leaving the entry in place.
mini=$work/miniflags.so
python3 "$craft" mini 64 be "$mini.orig" 2
cp "$mini.orig" "$mini"
check "DT_GNU_FLAGS_1 0x2 shows as not unique" shows "$mini" "not unique"
run --set "$mini"
check "DT_GNU_FLAGS_1 0x2: --set exits 0 (got $rc, '$err')" is_status 0
check "DT_GNU_FLAGS_1 0x2: shows as unique after --set" shows "$mini" unique
check "DT_GNU_FLAGS_1 0x2: --set changes only that entry (0)" \
	only_entry_differs "$mini.orig" "$mini" 0
check_readelf "DT_GNU_FLAGS_1 0x2: readelf prints 'Flags: UNIQUE 2' after --set" \
	readelf_matches "$mini" '\(GNU_FLAGS_1\) +Flags: UNIQUE 2$'
run --clear "$mini"
check "DT_GNU_FLAGS_1 0x2: --set then --clear is byte-identical" \
	cmp -s "$mini.orig" "$mini"
# Two DT_GNU_FLAGS_1 entries: the last one counts, as in libnsshare, and
# --set puts the flag in both.
python3 "$craft" mini 32 le "$mini" 1,0
check "DT_GNU_FLAGS_1 0x1 then 0x0 shows as not unique" \
	shows "$mini" "not unique"
run --set "$mini"
check "two DT_GNU_FLAGS_1: --set exits 0 (got $rc, '$err')" is_status 0
check_readelf "two DT_GNU_FLAGS_1: readelf prints two 'Flags: UNIQUE' after --set" \
	[ "$(readelf -d "$mini" | grep -Ec '\(GNU_FLAGS_1\) +Flags: UNIQUE$')" = 2 ]

# PT_DYNAMIC a few bytes longer than its entries, in the other byte
# order: the entries read are the file's (libelf garbles them when asked
# for the partial entry too).
for order in le be; do
	mini=$work/minitail$order.so
	python3 "$craft" mini 32 $order "$mini.orig" - 0x11223344,0,0 3
	cp "$mini.orig" "$mini"
	run --set "$mini"
	check "PT_DYNAMIC 3 bytes over, $order: --set exits 0 (got $rc, '$err')" \
		is_status 0
	check "PT_DYNAMIC 3 bytes over, $order: shows as unique after --set" \
		shows "$mini" unique
	check_readelf "PT_DYNAMIC 3 bytes over, $order: readelf prints 'Flags: UNIQUE'" \
		readelf_unique "$mini"
	run --clear "$mini"
	check "PT_DYNAMIC 3 bytes over, $order: --set then --clear is byte-identical" \
		cmp -s "$mini.orig" "$mini"
done

# A terminating DT_NULL with a value: ld.so does not read it, but --set
# moves it into the next DT_NULL, the new terminator, for --clear to put
# back.  When that one holds a value too, --set refuses the file.
for class in 32 64; do
	mini=$work/mininull$class.so
	python3 "$craft" mini $class be "$mini.orig" - 0x12345678,0,0
	cp "$mini.orig" "$mini"
	run --set "$mini"
	check "ELF$class, DT_NULL 0x12345678: --set exits 0 (got $rc, '$err')" \
		is_status 0
	check "ELF$class, DT_NULL 0x12345678: shows as unique after --set" \
		shows "$mini" unique
	check "ELF$class, DT_NULL 0x12345678: --set changes only entries 1 and 2" \
		only_entry_differs "$mini.orig" "$mini" 1 2
	run --clear "$mini"
	check "ELF$class, DT_NULL 0x12345678: --clear exits 0 (got $rc)" is_status 0
	check "ELF$class, DT_NULL 0x12345678: --set then --clear is byte-identical" \
		cmp -s "$mini.orig" "$mini"
done
python3 "$craft" mini 64 le "$work/nulls.so" - 0x1234,0x5678,0
refused --set "$work/nulls.so" "the spare DT_NULL entry holds a value \(0x5678\) that --clear could not give back; relink with -Wl,-z,unique$"
python3 "$craft" mini 64 le "$work/nulls.so" - 0,0x5678,0
refused --set "$work/nulls.so" "the spare DT_NULL entry holds a value \(0x5678\) that --clear could not give back"
check "--show works on a file whose spare DT_NULL holds a value" \
	shows "$work/nulls.so" "not unique"

# --- refusals ---------------------------------------------------------------
echo 'not an ELF file at all' >"$work/text.so"
refused --set "$work/text.so" "not an ELF file$"
refused --show "$work/text.so" "not an ELF file$"
: >"$work/empty.so"
refused --set "$work/empty.so" "not an ELF file$"
size=$(stat -c %s "$module")
dynoff=$(dynamic "$module" | cut -d' ' -f1)
for cut in 4 63 64 200 $((dynoff + 20)) $((size / 2)) $((size - 1)); do
	head -c $cut "$module" >"$work/truncated$cut.so"
	refused --set "$work/truncated$cut.so" \
		"(not an ELF file|truncated or damaged file: |malformed ELF file: |truncated or malformed)"
done
cp "$object" "$work/object.o"
refused --set "$work/object.o" "not a shared object \(a relocatable object\)$"
cp "$archive" "$work/archive.a"
refused --set "$work/archive.a" "not a shared object \(an archive\)$"
check "the test PIE has DF_1_PIE" \
	readelf_matches "$pie" '\(FLAGS_1\) +Flags:.* PIE'
cp "$pie" "$work/pie"
refused --set "$work/pie" \
	"not a shared object \(a position-independent executable\)$"
python3 "$craft" fill-spare "$module" "$work/full.so"
check "the crafted file's only DT_NULL is its last entry" \
	[ "$(dynamic "$work/full.so" | awk '{ print $4 * $3 + $3 == $2 }')" = 1 ]
refused --set "$work/full.so" "no spare DT_NULL entry"
check "--show works on a file without a spare entry" \
	shows "$work/full.so" "not unique"
run --clear "$work/full.so"
check "--clear (nothing to do) of a file without a spare entry exits 0 (got $rc)" \
	is_status 0
# A dynamic array that is also headers: patching it would rewrite them.
python3 "$craft" mini 32 be "$work/mini.so"
python3 "$craft" move-dynamic "$work/mini.so" "$work/overhead.so" 0x19
refused --set "$work/overhead.so" \
	"malformed ELF file: PT_DYNAMIC overlaps the ELF header$"
python3 "$craft" move-dynamic "$work/mini.so" "$work/overphdr.so" 0x40
refused --set "$work/overphdr.so" \
	"malformed ELF file: PT_DYNAMIC overlaps the program header table$"
# e_shnum 0 and e_shentsize 0, but libelf still reads section 0's header
# at e_shoff for the extended count: here, the dynamic array's bytes.
python3 "$craft" mini 64 le "$work/mini64.so"
python3 "$craft" move-shdrs "$work/mini64.so" "$work/overshdr.so" \
	$(($(dynamic "$work/mini64.so" | cut -d' ' -f1) - 16))
refused --set "$work/overshdr.so" \
	"malformed ELF file: PT_DYNAMIC overlaps the section header table$"
refused --set "$work/missing.so" "No such file or directory$"
mkdir "$work/dir.so"
refused --set "$work/dir.so" "not a regular file$"

# --- several files, one of them bad ------------------------------------------
cp "$module" "$work/a.so"
cp "$module" "$work/b.so"
run --set "$work/a.so" "$work/missing.so" "$work/b.so"
check "--set of three files, one missing, exits 1 (got $rc)" is_status 1
check "--set of three files reports the missing one only (got '$err')" \
	stderr_is "nsshare-tag: $work/missing.so: No such file or directory"
check "--set of three files tags the first" shows "$work/a.so" unique
check "--set of three files tags the last" shows "$work/b.so" unique
run --show "$work/a.so" "$work/text.so" "$module"
check "--show of three files, one not ELF, exits 1 (got $rc)" is_status 1
check "--show of three files prints the two others in order (got '$out')" \
	[ "$out" = "$work/a.so: unique
$module: not unique" ]

# --- files that cannot be written -----------------------------------------------
cp "$module" "$work/immutable.so"
if chattr +i "$work/immutable.so" 2>/dev/null; then
	refused --set "$work/immutable.so" "cannot write: Operation not permitted$"
	chattr -i "$work/immutable.so"
else
	skip "cannot chattr +i in $work (not root, or not supported there)"
fi

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
	mkdir -m 755 "$work/rootdir"
	rootlib=$work/rootdir/lib.so
	cp "$module" "$rootlib"
	chmod 644 "$rootlib"
	run --as "$nobody" --set "$rootlib"
	check "nobody cannot --set root's 0644 file (got $rc)" is_status 1
	check "nobody, root's 0644 file: 'cannot write' (got '$err')" stderr_is \
		"nsshare-tag: $rootlib: cannot write: Permission denied"
	chmod 666 "$rootlib"
	run --as "$nobody" --set "$rootlib"
	check "nobody cannot --set in root's 0755 directory (got $rc)" is_status 1
	check "nobody, root's directory: no temporary file (got '$err')" stderr_is \
		"nsshare-tag: $rootlib: cannot create a temporary file in $work/rootdir: Permission denied"
	chmod 777 "$work/rootdir"
	run --as "$nobody" --set "$rootlib"
	check "nobody cannot --set root's 0666 file in a 0777 directory (got $rc)" \
		is_status 1
	check "nobody, root's 0666 file: owner cannot be kept (got '$err')" stderr_is \
		"nsshare-tag: $rootlib: cannot keep the file's owner and group: Operation not permitted"
	check "nobody's refused --set leaves root's file as it was" \
		cmp -s "$module" "$rootlib"
	check "nobody's refused --set leaves owner and mode as they were" \
		[ "$(stat -c '%u %g %a' "$rootlib")" = "0 0 666" ]
	check "nobody's refused --set leaves no temporary file" \
		no_temporary_left "$work/rootdir"
	mkdir -m 755 "$work/nobodydir"
	cp "$module" "$work/nobodydir/lib.so"
	chown -R 65534:65534 "$work/nobodydir"
	run --as "$nobody" --set "$work/nobodydir/lib.so"
	check "nobody can --set its own file (got $rc, '$err')" is_status 0
	check "nobody's --set tags its own file" \
		shows "$work/nobodydir/lib.so" unique
	check "nobody's --set keeps nobody the owner" \
		[ "$(stat -c '%u %g' "$work/nobodydir/lib.so")" = "65534 65534" ]
elif [ "$(id -u)" != 0 ]; then
	cp "$module" "$work/readonly.so"
	chmod 444 "$work/readonly.so"
	refused --set "$work/readonly.so" "cannot write: Permission denied$"
	mkdir "$work/rodir"
	cp "$module" "$work/rodir/lib.so"
	chmod 555 "$work/rodir"
	refused --set "$work/rodir/lib.so" \
		"cannot create a temporary file in $work/rodir: Permission denied$"
	chmod 755 "$work/rodir"
else
	skip "setpriv missing: no unprivileged cases"
fi

# A read-only bind mount, in a mount namespace of its own.
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	mkdir "$work/ro"
	cp "$module" "$work/ro/lib.so"
	# shellcheck disable=SC2016,SC2086 # $0 is the inner shell's; $wrapper splits
	unshare -m sh -c 'mount --bind "$0" "$0" &&
		mount -o remount,bind,ro "$0" || exit 77
		exec "$@" --set "$0/lib.so"' "$work/ro" \
		$wrapper "$tag" >"$work/stdout" 2>"$work/stderr"
	rc=$?
	err=$(cat "$work/stderr")
	if [ $rc = 77 ]; then
		skip "cannot make a read-only bind mount"
	else
		check "--set on a read-only filesystem exits 1 (got $rc)" is_status 1
		check "--set on a read-only filesystem: 'cannot write' (got '$err')" \
			stderr_is "nsshare-tag: $work/ro/lib.so: cannot write: Read-only file system"
		check "--set on a read-only filesystem leaves the file as it was" \
			cmp -s "$module" "$work/ro/lib.so"
	fi
else
	skip "not root: no read-only bind mount"
fi

# --- damaged files: refused or handled, never a crash --------------------------
mkdir "$work/fuzz"
crashes=0
for src in "$module" "$unique_module"; do
	rm -f "$work/fuzz/"*
	python3 "$craft" fuzz "$src" "$work/fuzz" "$fuzz_count" 1
	for f in "$work/fuzz/"*.so; do
		cp "$f" "$f.before"
		for action in --show --set --clear; do
			run "$action" "$f"
			if [ $rc != 0 ] && [ $rc != 1 ]; then
				keep=$(mktemp "${TMPDIR:-/tmp}/nsshare-tag-crash.XXXXXX")
				cp "$f.before" "$keep"
				echo "FAIL: $action of a damaged $(basename "$src") exits $rc, kept in $keep"
				crashes=$((crashes + 1))
			elif [ $rc = 1 ] && ! cmp -s "$f.before" "$f"; then
				echo "FAIL: $action of a damaged $(basename "$src") refused it but changed it"
				crashes=$((crashes + 1))
			fi
			cp "$f" "$f.before"
		done
	done
done
check "damaged files never crash nsshare-tag nor change when refused ($crashes did)" \
	[ $crashes = 0 ]

finish
