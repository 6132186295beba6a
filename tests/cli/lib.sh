# shellcheck shell=bash
# Sourced by every tests/cli/*.sh (not a test itself): strict mode, the tool
# behind the emulator where the test runs under one, and failures that say
# what ran. CTest shows a test's output only when it fails
# (--output-on-failure), so every failure prints the command, its exit
# status and its output.
#
#   xstate ARGS...        the built tool ($XSTATE_BIN, behind $XS_EMULATOR)
#   run_tool ARGS...      runs `xstate ARGS`; sets $out (stdout), $err
#                         (stderr) and $status; never exits
#   expect_ok ARGS...     run_tool, then fail unless the status is 0
#   fail MESSAGE          prints MESSAGE and the last run_tool's command,
#                         status, stdout and stderr; exits 1
#   skip_test REASON      exit 77 (CTest: Skipped) -- live tests only: a
#                         fixture test has no oracle that could be missing
#   verify_against ORACLE N SEED   `xstate verify` agrees in all N cases, or
#                         skips where the tool says the oracle is missing
#   make_tmp              a scratch directory in $tmp, removed at exit
#
# A command outside run_tool that fails under `set -e` is reported by the
# ERR trap below with its line and status.
set -Eeuo pipefail

# shellcheck disable=SC2206 # XS_EMULATOR is words: "qemu-x86_64 -cpu Nehalem"
xs_emulator=(${XS_EMULATOR:-})

xstate() {
	"${xs_emulator[@]}" "$XSTATE_BIN" "$@"
}

last_cmd="" out="" err="" status=0

run_tool() {
	local errfile

	last_cmd="xstate $*"
	status=0
	errfile=$(mktemp)
	out=$(xstate "$@" 2>"$errfile") || status=$?
	err=$(cat "$errfile")
	rm -f "$errfile"
}

fail() {
	echo "FAIL: $*"
	if [ -n "$last_cmd" ]; then
		echo "command: $last_cmd${XS_EMULATOR:+  (under $XS_EMULATOR)}"
		echo "exit status: $status"
		echo "stdout:"
		printf '%s\n' "$out"
		echo "stderr:"
		printf '%s\n' "$err"
	fi
	exit 1
}

expect_ok() {
	run_tool "$@"
	[ "$status" -eq 0 ] || fail "expected exit status 0"
}

skip_test() {
	if [ "${XS_TEST_LABEL:-}" = fixture ]; then
		fail "a fixture test skipped ($*): fixture tests read no live oracle, so none can be missing"
	fi
	echo "SKIP: $*"
	exit 77
}

# verify_against ORACLE N SEED: `xstate verify --against ORACLE` agrees with
# the model in all N cases; skips where the tool reports the oracle missing
# ("SKIP: reason", exit 0).
verify_against() {
	local want="$2 cases: $2 agree, 0 differ"

	run_tool verify --against "$1" --iterations "$2" --seed "$3"
	if [ "$status" -eq 0 ] && grep -q '^SKIP:' <<<"$out"; then
		skip_test "$(grep -m1 '^SKIP:' <<<"$out")"
	fi
	[ "$status" -eq 0 ] && [ "$(tail -n 1 <<<"$out")" = "$want" ] ||
		fail "verify --against $1: expected exit status 0 and '$want' on the last line"
	printf '%s\n' "$out"
}

make_tmp() {
	tmp="$(mktemp -d)"
	trap 'rm -rf "$tmp"' EXIT
}

xs_on_error() {	# the ERR trap: a command outside run_tool failed under set -e
	echo "FAIL: ${BASH_SOURCE[1]}:$2: \`$3\` exited with status $1"
}
trap 'xs_on_error $? "$LINENO" "$BASH_COMMAND"' ERR
