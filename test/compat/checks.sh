# Sourced by the script-driven tests of test/compat (gdb_check.sh,
# tools_check.sh): a temporary directory $tmp that goes at exit, and the
# counted checks, ended by `finish`.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
check() { # CONDITION-STATUS MESSAGE
	if [ "$1" -eq 0 ]; then passed=$((passed + 1)); else
		failed=$((failed + 1)); echo "FAIL: $2"; fi
}
# ctest's SKIP_RETURN_CODE.
skip() {
	echo "skipped: $*"
	exit 77
}
# "NAME: N passed, N failed"; fails if anything did.
finish() {
	echo "$1: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
