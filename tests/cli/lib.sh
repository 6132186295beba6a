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
#   expect_error STATUS NEEDLE ARGS...   run_tool, then fail unless the status
#                         is STATUS and stderr starts "xstate: " and holds NEEDLE
#   fail MESSAGE          prints MESSAGE and the last run_tool's command,
#                         status, stdout and stderr; exits 1
#   skip_test REASON      exit 77 (CTest: Skipped) -- live tests only: a
#                         fixture test has no oracle that could be missing
#   verify_against ORACLE N SEED   `xstate verify` agrees in all N cases, or
#                         skips where the tool says the oracle is missing
#   make_tmp              a scratch directory in $tmp, removed at exit
#   help_commands TEXT    the commands an `xstate --help` TEXT lists, one a line
#   le WIDTH VALUE        VALUE as WIDTH little-endian bytes
#   one_thread_core PID   stdin's 832-byte XSAVE area as an x86-64 ELF core
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

expect_error() {
	local want="$1" needle="$2"
	shift 2
	run_tool "$@"
	[ "$status" -eq "$want" ] || fail "expected exit status $want"
	[[ "$err" == "xstate: "* ]] || fail "stderr does not start with 'xstate: '"
	grep -qF -- "$needle" <<<"$err" || fail "stderr lacks '$needle'"
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

help_commands() {
	awk '/^commands:/ { on = 1; next } on && NF { print $1 } on && !NF { exit }' <<<"$1"
}

le() {
	local i v="$2"
	for ((i = 0; i < $1; i++)); do
		printf "\\x$(printf %02x $((v & 255)))"
		v=$((v >> 8))
	done
}

# one_thread_core PID: an ELF core (<elf.h> layouts; x86-64 is little-endian)
# of one thread: NT_PRSTATUS with pr_pid PID and an NT_X86_XSTATE note
# holding the 832 bytes read from stdin
one_thread_core() {
	printf '\177ELF\2\1\1\0\0\0\0\0\0\0\0\0'	# ELFCLASS64, ELFDATA2LSB
	le 2 4; le 2 62; le 4 1; le 8 0; le 8 64; le 8 0	# ET_CORE, EM_X86_64, phoff 64
	le 4 0; le 2 64; le 2 56; le 2 1; le 2 64; le 2 0; le 2 0
	# PT_NOTE at 120: NT_PRSTATUS (pid at 32) and NT_X86_XSTATE (832 bytes)
	le 4 4; le 4 0; le 8 120; le 8 0; le 8 0; le 8 $((20 + 336 + 20 + 832)); le 8 0; le 8 4
	le 4 5; le 4 336; le 4 1; printf 'CORE\0\0\0\0'
	le 8 0; le 8 0; le 8 0; le 8 0; le 4 "$1"; head -c 300 /dev/zero
	le 4 6; le 4 832; le 4 $((0x202)); printf 'LINUX\0\0\0'
	head -c 832
}

xs_on_error() {	# the ERR trap: a command outside run_tool failed under set -e
	echo "FAIL: ${BASH_SOURCE[1]}:$2: \`$3\` exited with status $1"
}
trap 'xs_on_error $? "$LINENO" "$BASH_COMMAND"' ERR
