#!/bin/bash
# '-' is standard input wherever xstate reads a file and standard output
# where it writes one: each command given its input through a pipe answers
# exactly what it answers for the file, `convert IN -` writes the bytes it
# writes to a file (its report then goes to standard error), an ELF core
# arrives through a pipe whole, and a second '-' in one command is refused.
source "$(dirname "$0")/lib.sh"
make_tmp
d="$XS_TEST_DATA"
emr="$d/cpuid/intel-emerald-rapids.instlat.txt"
zen4="$d/cpuid/amd-zen4.instlat.txt"
zen5vm="$d/cpuid/amd-zen5-vm.cpuid-r.txt"
buf="$d/buffers/amd-zen5-vm.ptrace"

# same_as_file WANT_STATUS INPUT ARGS...: `xstate ARGS` (one of them '-')
# with INPUT piped in gives the status and output of ARGS with '-' -> INPUT
# (where the output names the input, it names it '-')
same_as_file() {
	local want_status="$1" input="$2" want a
	shift 2
	local args=()
	for a in "$@"; do
		[ "$a" = - ] && args+=("$input") || args+=("$a")
	done
	run_tool "${args[@]}"
	[ "$status" -eq "$want_status" ] || fail "expected exit status $want_status from the file"
	want="${out//"$input"/-}"
	run_tool "$@" < <(cat "$input")
	[ "$status" -eq "$want_status" ] || fail "expected exit status $want_status through the pipe"
	[ "$out" = "$want" ] || fail "the pipe's answer differs from the file's: $want"
}

# the check of the issue: cat DUMP | xstate info --cpuid - --format json
same_as_file 0 "$emr" info --cpuid - --format json
for fmt in text dmesg svg; do
	same_as_file 0 "$emr" info --cpuid - --format "$fmt"
done
same_as_file 0 "$zen4" cpuid --cpuid - --format cpuid-r
same_as_file 0 "$zen4" fpstate --cpuid - --kind vcpu
same_as_file 0 "$zen4" snapshot-plan --cpuid - --format json
same_as_file 0 "$zen4" bench memory --cpuid - --format json
same_as_file 1 "$zen4" compat - "$d/cpuid/amd-zen3.instlat.txt"
same_as_file 0 "$zen4" baseline - "$d/cpuid/amd-zen3.instlat.txt" --kind vcpu
same_as_file 0 "$buf" decode - --kind ptrace --cpuid "$zen5vm" --format json
same_as_file 0 "$zen5vm" decode "$buf" --cpuid - --format json
same_as_file 0 "$buf" check - --kind ptrace --cpuid "$zen5vm"
same_as_file 1 "$buf" check - --kind ptrace --cpuid "$zen4" --format json

# a parse error names standard input
printf '0 0 not-hex\n' > "$tmp/bad.txt"
run_tool info --cpuid - < "$tmp/bad.txt"
[ "$status" -eq 2 ] && [[ "$err" == "xstate: <stdin>:1: "* ]] || fail "expected 'xstate: <stdin>:1: ...' and exit 2"

# convert IN -: the bytes on standard output, the report on standard error
expect_ok convert "$buf" "$tmp/to-file.bin" --from "$zen5vm" --to "$zen5vm"
"${xs_emulator[@]}" "$XSTATE_BIN" convert - - --from "$zen5vm" --to "$zen5vm" < "$buf" \
	> "$tmp/to-stdout.bin" 2> "$tmp/report" || fail "convert - - failed: $(cat "$tmp/report")"
cmp "$tmp/to-file.bin" "$tmp/to-stdout.bin" || fail "convert to '-' wrote other bytes than to a file"
grep -q '^converted$' "$tmp/report" && grep -q 'written: *standard output' "$tmp/report" ||
	fail "the report of convert IN - is not on standard error: $(cat "$tmp/report")"
[ ! -e ./- ] || fail "convert IN - wrote a file named '-'"

# one '-' per command: standard input cannot be read twice
run_tool compat - - < "$zen4"
[ "$status" -eq 2 ] && grep -q 'standard input is already read' <<<"$err" ||
	fail "expected exit 2 and 'standard input is already read'"

# an ELF core through a pipe: kept in a temporary file and read like the file
# (one thread, pid 99; the XSAVE area below)
core="$tmp/core"
{
	le 2 $((0x37f)); head -c 22 /dev/zero; le 4 $((0x1f80)); head -c 132 /dev/zero	# x87, MXCSR
	for i in $(seq 0 15); do le 8 $((0x1111111111111111 * (i % 8))); le 8 "$i"; done	# XMM0..15
	head -c 48 /dev/zero; le 8 7; head -c 40 /dev/zero	# XCR0 word 0x7 at 464
	le 8 3; head -c 56 /dev/zero	# XSTATE_BV x87|SSE
	head -c 256 /dev/zero	# AVX (not present)
} | one_thread_core 99 > "$core"
[ "$(stat -c %s "$core")" -eq $((120 + 20 + 336 + 20 + 832)) ] || fail "the crafted core has the wrong size"
same_as_file 0 "$core" decode - --cpuid "$zen4"
grep -q '^  xmm3         0x00000000000000033333333333333333$' <<<"$out" &&
	grep -q '^=== thread 1, pid 99 ===$' <<<"$out" || fail "the core from a pipe lost its registers"
echo "ok: '-' reads standard input and writes standard output"
