#!/bin/bash
# xs-test-label: live
# `xstate baseline --emit qemu` proved in a real QEMU: for pools of real CPUs
# (tests/data/cpuid) whose baseline QEMU 7.2's TCG can show, a guest run
# under `qemu-x86_64 -cpu "$(xstate baseline POOL --emit qemu)"` reads
# exactly the levelled CPU that `xstate baseline POOL --format plain`
# promises: every sub-leaf of CPUID 0xD (0..63; a leaf missing from a dump
# reads zero) and the leaf 1/7 bits that decide it.
#
# The oracle is QEMU's own CPU model (its -cpu parser and
# x86_cpu_enable_xsave_components), read with the CPUID instruction through
# `xstate cpuid` -- hence `live`: the fixture guard refuses the CPUID
# instruction to fixture tests. It skips where qemu-x86_64 is missing.
#
# TCG in QEMU 7.2 executes x87, SSE, AVX, MPX and PKU with XSAVEOPT and
# XGETBV1; it drops XSAVEC, XSAVES, AVX-512 and AMX from the guest's CPUID
# (with a warning) while still counting their components in leaf 0xD. The
# pools below have baselines inside what TCG executes; the others are
# KVM's (docs/vmm.md), and tests/unit/test_baseline_emit.c checks their
# -cpu values against the levelled CPU.
source "$(dirname "$0")/lib.sh"
command -v qemu-x86_64 >/dev/null || skip_test "qemu-x86_64 is missing (Debian: qemu-user)"
# ASan's shadow memory does not fit under qemu-user (the process is killed)
[[ ${XS_CONSUMER_CFLAGS:-} != *-fsanitize* ]] || skip_test "the tool is built with sanitizers, which qemu-user cannot run"
d="$XS_TEST_DATA/cpuid"
make_tmp

# pools: name | hosts [| baseline options]
pools=(
	"avx-xsaveopt|intel-sandy-bridge.plain.txt intel-ivy-bridge.plain.txt intel-haswell.instlat.txt intel-broadwell-ep.plain.txt"
	"avx-no-xsaveopt|amd-bulldozer-interlagos.instlat.txt amd-piledriver-abudhabi.instlat.txt intel-haswell-ep.plain.txt"
	"no-xsave|intel-nehalem-bloomfield.plain.txt intel-sandy-bridge.plain.txt amd-k10-thuban.instlat.txt amd-jaguar-kabini-hyperv.instlat.txt"
	"pkru|zhaoxin-kx-6000.instlat.txt"
	"xsave-without-avx|intel-sandy-bridge.plain.txt intel-ivy-bridge.plain.txt|--disable avx"
)

# the hosts (full paths) and options of a pool entry
pool_args() {
	local h rest=${1#*|} opts=()
	args=()
	for h in ${rest%%|*}; do args+=("$d/$h"); done
	if [[ $rest == *"|"* ]]; then
		read -ra opts <<<"${rest#*|}"
		args+=("${opts[@]}")
	fi
}

# leaf 0xD's 64 sub-leaves and the bits that decide it, from a plain dump:
# "0xd.N EAX EBX ECX EDX" lines (a sub-leaf the dump lacks reads zero),
# then the masked registers "1.ecx", "7.0.ebx" ... OSPKE is left out: it
# follows CR4.PKE, which qemu-user's Linux emulation does not set (a Linux
# guest sets it; the plain dump shows it set).
decisive() {
	local regs l1c l7b l7c l7d l71d
	regs=$(awk '
		/^[0-9a-f]+ [0-9a-f]+ / { r[$1 " " $2] = $3 " " $4 " " $5 " " $6 }
		function get(k) { return (k in r) ? r[k] : "00000000 00000000 00000000 00000000" }
		END {
			for (s = 0; s < 64; s++)
				print "0xd." s, get(sprintf("0000000d %x", s))
			split(get("00000001 0"), a, " "); l1c = a[3]
			split(get("00000007 0"), a, " "); b = a[2]; c = a[3]; e = a[4]
			split(get("00000007 1"), a, " ")
			print "regs", l1c, b, c, e, a[4]
		}')
	grep -v '^regs' <<<"$regs"
	read -r _ l1c l7b l7c l7d l71d <<<"$(grep '^regs' <<<"$regs")"
	printf '1.ecx %08x\n' $((0x$l1c & 0x1c000000))		# XSAVE 26, OSXSAVE 27, AVX 28
	printf '7.0.ebx %08x\n' $((0x$l7b & 0x00014000))	# MPX 14, AVX512F 16
	printf '7.0.ecx %08x\n' $((0x$l7c & 0x00000088))	# PKU 3, SHSTK 7
	printf '7.0.edx %08x\n' $((0x$l7d & 0x01180000))	# ARCH_LBR 19, IBT 20, AMX_TILE 24
	printf '7.1.edx %08x\n' $((0x$l71d & 0x00200000))	# APX 21
}

declare -A seen
start=$EPOCHREALTIME
for entry in "${pools[@]}"; do
	name=${entry%%|*}
	pool_args "$entry"
	expect_ok baseline "${args[@]}" --emit qemu
	cpu=$out
	[ -z "$err" ] || fail "$name: --emit qemu wrote to stderr"
	expect_ok baseline "${args[@]}" --format plain
	printf '%s\n' "$out" | decisive >"$tmp/$name.want"
	qerr=$tmp/$name.qemu-stderr
	qemu-x86_64 -cpu "$cpu" "$XSTATE_BIN" cpuid --format plain >"$tmp/$name.dump" 2>"$qerr" ||
		fail "$name: qemu-x86_64 -cpu '$cpu' exited with status $? ($(cat "$qerr"))"
	# no warning: TCG shows every bit the value asks for
	[ ! -s "$qerr" ] || fail "$name: qemu-x86_64 -cpu '$cpu' warned: $(cat "$qerr")"
	decisive <"$tmp/$name.dump" >"$tmp/$name.got"
	if ! diff -u "$tmp/$name.want" "$tmp/$name.got"; then
		fail "$name: QEMU's leaf 0xD and leaf 1/7 bits under -cpu '$cpu' differ from baseline --format plain (- promised, + QEMU)"
	fi
	seen[$(md5sum <"$tmp/$name.got" | cut -c1-32)]=$name
	echo "$name (${args[*]##*/}): QEMU shows the promised CPUID 0xD under -cpu $cpu"
done
# the comparison discriminates: no two pools share their leaf 0xD
[ "${#seen[@]}" -eq "${#pools[@]}" ] || fail "two pools gave QEMU the same leaf 0xD: the pools do not test the emitter"

# The xsave bits are pinned both ways: a model with MPX, XSAVEC and more
# (Skylake-Client-v4) still shows the Sandy Bridge pool's leaf 0xD. TCG
# warns about that model's other features (pcid, x2apic...), never about
# one that decides xsave state.
pool_args "${pools[0]}"
expect_ok baseline "${args[@]}" --emit qemu --model Skylake-Client-v4
cpu=$out
qemu-x86_64 -cpu "$cpu" "$XSTATE_BIN" cpuid --format plain >"$tmp/model.dump" 2>"$tmp/model.err" ||
	fail "qemu-x86_64 -cpu '$cpu' failed: $(cat "$tmp/model.err")"
if grep -E '\.(xsave|xsaveopt|xsavec|xgetbv1|xsaves|avx|mpx|avx512f|pku|amx-tile) ' "$tmp/model.err"; then
	fail "TCG refused a bit that decides xsave state under -cpu '$cpu'"
fi
decisive <"$tmp/model.dump" | diff -u "$tmp/avx-xsaveopt.want" - ||
	fail "--model Skylake-Client-v4: the model's own xsave features leaked into the guest's CPUID"
echo "--model Skylake-Client-v4: the pool's leaf 0xD still holds (MPX and XSAVEC pinned off)"
echo "time: $(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }') s for ${#pools[@]} pools and one model"
