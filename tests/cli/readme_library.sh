#!/bin/bash
# The README's library program ("## The library") builds against the
# library as it is and does what it says: sizes for a CPU dump; a precise
# message and exit 2 for a dump it cannot load (it stops there, with no
# uninitialised model); XMM0's low byte of each thread of a core (built
# here: ELF header, NT_PRSTATUS, NT_X86_XSTATE with XMM0 = 0x..5a).
source "$(dirname "$0")/lib.sh"
make_tmp
root="$XS_SOURCE_DIR"
build="$XS_BUILD_DIR"
sed -n '/^## The library/,/^## /p' "$root/README.md" | awk '/^```c$/ { on = 1; next } /^```$/ { on = 0 } on' > "$tmp/app.c"
grep -q 'int main' "$tmp/app.c" || fail "README.md has no library program under '## The library'"
# shellcheck disable=SC2086 # XS_CONSUMER_CFLAGS is words
"${XS_CC:-cc}" -std=c11 -Wall -Wextra -Werror ${XS_CONSUMER_CFLAGS:-} -I"$root/include" "$tmp/app.c" \
	"$build/libxstate.a" -o "$tmp/app" || fail "the README's program does not build"
app() { "${xs_emulator[@]}" "$tmp/app" "$@"; }

out=$(app "$XS_TEST_DATA/cpuid/amd-zen4.instlat.txt") || fail "the program failed on a fixture"
# amd-zen4: 2456 bytes per task, 2480 per vCPU (README, bench memory table)
[ "$out" = "2456 bytes per task, 2480 per vCPU" ] || fail "unexpected output: $out"

printf 'CPUID 0000000D: nonsense\n' > "$tmp/bad.txt"
status=0
err=$(app "$tmp/bad.txt" 2>&1 >/dev/null) || status=$?
[ "$status" -eq 2 ] && [[ "$err" == "$tmp/bad.txt:1: "* ]] ||
	fail "a bad dump: exit $status and '$err' (wanted 2 and FILE:LINE: ...)"

# a core: one thread (pid 0), XMM0 = 0x5a in its low byte
{
	head -c 24 /dev/zero; le 4 $((0x1f80)); head -c 132 /dev/zero; le 1 $((0x5a)); head -c 255 /dev/zero
	head -c 48 /dev/zero; le 8 7; head -c 40 /dev/zero; le 8 3; head -c 56 /dev/zero; head -c 256 /dev/zero
} | one_thread_core 0 > "$tmp/core"
out=$(app "$XS_TEST_DATA/cpuid/amd-zen4.instlat.txt" "$tmp/core") || fail "the program failed on a core"
[ "$(tail -n 1 <<<"$out")" = "thread 1: xmm0 low byte 0x5a" ] || fail "unexpected output: $out"
echo "ok: the README's library program builds and runs"
