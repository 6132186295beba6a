#!/bin/bash
# xs-test-label: live
# `xstate decode CORE` on real core files of a process that holds known
# vector registers: a helper built here loads a byte pattern into XMM0..15
# (YMM0..15 where this CPU and kernel have AVX), says so with a bare write
# system call (nothing touches the registers after the loads), and spins.
#   1. gdb's gcore writes its core (NT_X86_XSTATE, no layout note): the
#      live CPU model lays it out, and every register holds the pattern;
#   2. the kernel writes one when the process aborts, where core_pattern
#      is a plain file name (not a pipe to a collector): from Linux 6.12 it
#      has NT_X86_XSAVE_LAYOUT, which then lays it out.
# Skips without a C compiler, gdb/gcore or ptrace; part 2 is left out (with
# a note) where the kernel does not write cores into the working directory.
source "$(dirname "$0")/lib.sh"
make_tmp
cc="${XS_CC:-cc}"
command -v "$cc" > /dev/null || skip_test "no C compiler ($cc)"
command -v gcore > /dev/null && command -v gdb > /dev/null || skip_test "gdb's gcore is not installed"

# pattern byte j of register i
pat() { echo $(((($1 * 37 + $2 * 11) + 1) & 255)); }
cat > "$tmp/hold.c" <<'EOF'
/* Loads the pattern into XMM0..15 (or YMM0..15 with AVX), writes "ready\n", spins. */
#include <stdio.h>
static unsigned char pat[16][32];
int main(void)
{
	static const char ready[] = "ready\n";
	int avx = __builtin_cpu_supports("avx");

	for (int i = 0; i < 16; i++)
		for (int j = 0; j < 32; j++)
			pat[i][j] = (unsigned char)(i * 37 + j * 11 + 1);
	printf("avx %d\n", avx);
	fflush(stdout);
#define REGS(op, p) op " 0*32(%0), %%" p "0\n" op " 1*32(%0), %%" p "1\n" op " 2*32(%0), %%" p "2\n" \
	op " 3*32(%0), %%" p "3\n" op " 4*32(%0), %%" p "4\n" op " 5*32(%0), %%" p "5\n" \
	op " 6*32(%0), %%" p "6\n" op " 7*32(%0), %%" p "7\n" op " 8*32(%0), %%" p "8\n" \
	op " 9*32(%0), %%" p "9\n" op " 10*32(%0), %%" p "10\n" op " 11*32(%0), %%" p "11\n" \
	op " 12*32(%0), %%" p "12\n" op " 13*32(%0), %%" p "13\n" op " 14*32(%0), %%" p "14\n" \
	op " 15*32(%0), %%" p "15\n"
#define READY_AND_SPIN "mov $1, %%eax\n mov $1, %%edi\n mov %1, %%rsi\n mov $6, %%edx\n syscall\n" \
	"1: pause\n jmp 1b\n"
	if (avx)
		__asm__ volatile(REGS("vmovdqu", "ymm") READY_AND_SPIN :: "r"(pat), "r"(ready)
				 : "rax", "rdi", "rsi", "rdx", "rcx", "r11", "memory");
	else
		__asm__ volatile(REGS("movdqu", "xmm") READY_AND_SPIN :: "r"(pat), "r"(ready)
				 : "rax", "rdi", "rsi", "rdx", "rcx", "r11", "memory");
	return 0;
}
EOF
"$cc" -O1 -o "$tmp/hold" "$tmp/hold.c" || fail "the helper does not build"

# start the helper in DIR; sets $pid and $avx once it holds the pattern
start_helper() {
	(cd "$1" && exec "$tmp/hold" > "$1/hold.out") &
	pid=$!
	for _ in $(seq 100); do
		grep -q '^ready$' "$1/hold.out" 2>/dev/null && break
		sleep 0.05
	done
	grep -q '^ready$' "$1/hold.out" || fail "the helper did not start"
	avx=$(awk '/^avx/ { print $2 }' "$1/hold.out")
}

# expect_registers: the decoded $out holds the pattern in XMM0..15 and, with AVX, YMM0..15
expect_registers() {
	local i j n w hex regs=xmm

	[ "$avx" -ne 0 ] && regs="xmm ymm"
	for i in $(seq 0 15); do
		for n in $regs; do
			w=16
			[ "$n" = ymm ] && w=32
			hex=0x
			for ((j = w - 1; j >= 0; j--)); do
				hex+=$(printf %02x "$(pat "$i" "$j")")
			done
			grep -q "^  $(printf '%-12s' "$n$i") $hex\$" <<<"$out" ||
				fail "$n$i is not $hex in the decoded core"
		done
	done
	echo "  XMM0..15$([ "$avx" -ne 0 ] && echo ' and YMM0..15') hold the pattern"
}

# 1. gcore
mkdir "$tmp/g"
start_helper "$tmp/g"
if ! gcore -o "$tmp/g/core" "$pid" > "$tmp/gcore.log" 2>&1; then
	kill -KILL "$pid"
	grep -qi 'ptrace\|permission\|not permitted' "$tmp/gcore.log" && skip_test "gcore cannot attach (ptrace): $(tail -n 1 "$tmp/gcore.log")"
	fail "gcore failed: $(cat "$tmp/gcore.log")"
fi
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
expect_ok decode "$tmp/g/core.$pid"
grep -q "^core file: 1 thread with NT_X86_XSTATE; layout from" <<<"$out" &&
	grep -q "^=== thread 1, pid $pid ===$" <<<"$out" || fail "the gcore core was not read as a core of pid $pid"
echo "gcore: $(head -n 1 <<<"$out")"
expect_registers
expect_ok decode "$tmp/g/core.$pid" --format json
[ "$(jq '.threads | length' <<<"$out")" = 1 ] || fail "the JSON does not list one thread"

# 2. a kernel core dump, where the kernel writes it here
pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null || echo '|')
if [[ "$pattern" == "|"* || "$pattern" == /* ]] || ! (ulimit -c unlimited) 2>/dev/null; then
	echo "note: no kernel core here (core_pattern '$pattern'): gcore only"
	exit 0
fi
mkdir "$tmp/k"
ulimit -c unlimited
start_helper "$tmp/k"
kill -ABRT "$pid"
wait "$pid" 2>/dev/null || true
core=$(find "$tmp/k" -maxdepth 1 -type f -name 'core*' | head -n 1)
if [ -z "$core" ]; then
	echo "note: the kernel wrote no core into the working directory (core_pattern '$pattern')"
	exit 0
fi
expect_ok decode "$core"
echo "kernel: $(head -n 1 <<<"$out")"
release=$(uname -r)
major=${release%%.*} minor=${release#*.}
minor=${minor%%[!0-9]*}
if [ "$major" -gt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -ge 12 ]; }; then
	grep -q 'layout from NT_X86_XSAVE_LAYOUT$' <<<"$out" || fail "Linux $release writes NT_X86_XSAVE_LAYOUT, the decoder did not use it"
fi
expect_registers
