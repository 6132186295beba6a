#!/bin/bash
# make bench, step 1 of 2: run every benchmark of a Release build and keep
# the results as JSON (and each program's text) in OUT.
#
#   scripts/bench-run.sh BUILD OUT
#
# Every bench/bench_* program takes --json FILE (bench_corpus also the
# corpus directory, bench_uabi also the AMX model below and the fixtures;
# bench_engine re-runs itself under qemu-x86_64 for its QEMU column);
# `xstate bench switch` runs on the live CPU with the anchor, and on the
# CET-capable models below with the engine alone (the live CPU may have no
# XSAVES or no CET-S); `xstate bench memory` runs on every CPU fixture;
# scripts/bench-profile.sh counts the engine's instructions (valgrind). The
# machine (/proc/cpuinfo, the kernel's x86/fpu boot lines, uname, the load,
# the commit, QEMU's version) goes to OUT/machine.json. Step 2 is
# scripts/bench-report.sh.
set -euo pipefail
build="${1:?usage: bench-run.sh BUILD OUT}"
out="${2:?usage: bench-run.sh BUILD OUT}"
mkdir -p "$out"
build="$(cd "$build" && pwd)"
out="$(cd "$out" && pwd)"
# From the source tree: the fixtures' names in the results are relative to it.
cd "$(dirname "$0")/.."
fixtures="tests/data/cpuid"
xstate="$build/xstate"
# One AMD and one Intel model with XSAVES and CET supervisor state.
cet_models="amd-zen4.instlat.txt intel-tiger-lake.instlat.txt"
# bench_uabi also converts on this model (AMX, the largest UABI layout) and
# on one fixture per kind of task buffer (UABI size, kernel format).
uabi_models="intel-emerald-rapids.instlat.txt"
# Extra options for every `xstate bench switch`, e.g. "--switches 2000 --rounds 3" for a quick try.
switch_args=(${BENCH_SWITCH_ARGS:-})

command -v jq >/dev/null || { echo "make bench needs jq (apt-get install jq)" >&2; exit 1; }
rm -f "$out"/*.json "$out"/*.txt

# ---- the machine ----------------------------------------------------------------
cpuinfo() {	# cpuinfo FIELD: the first CPU's value
	sed -n "s/^$1[[:space:]]*: //p" /proc/cpuinfo | head -n 1
}
# The kernel's own account of its xstate (empty when dmesg is not readable).
fpu_lines="$( (dmesg 2>/dev/null || journalctl -k -b --no-pager 2>/dev/null || true) |
	sed -n 's/^.*\(x86\/fpu: .*\)$/\1/p')"
flags="$(cpuinfo flags)"
jq -n --arg model "$(cpuinfo 'model name')" --arg vendor "$(cpuinfo vendor_id)" \
	--arg family "$(cpuinfo 'cpu family')" --arg modelnr "$(cpuinfo model)" \
	--arg stepping "$(cpuinfo stepping)" --arg microcode "$(cpuinfo microcode)" \
	--arg flags "$flags" --argjson cpus "$(nproc)" --arg release "$(uname -r)" \
	--arg uname "$(uname -srvm)" --arg fpu "$fpu_lines" --arg load "$(cat /proc/loadavg)" \
	--arg date "$(date -u +%Y-%m-%d)" --argjson started "$(date +%s)" \
	--arg commit "$(git describe --always --dirty 2>/dev/null || echo unknown)" \
	--arg qemu "$( (qemu-x86_64 --version 2>/dev/null || true) | head -n 1)" '{
	model_name: $model, vendor: $vendor,
	family: ($family | tonumber), model: ($modelnr | tonumber), stepping: ($stepping | tonumber? // null),
	microcode: $microcode, cpus: $cpus, kernel_release: $release, uname: $uname, date: $date,
	commit: $commit, qemu_version: (if $qemu == "" then null else $qemu end),
	flags_of_interest: ([$flags | split(" ")[]
		| select(test("^(fpu|fxsr|xsave|xsaveopt|xsavec|xsaves|xgetbv1|xsaveerptr|avx|avx2|avx512f|pku|ospke|shstk|user_shstk|ibt|amx_tile|apx|hypervisor)$"))]),
	fpu_boot_lines: (if $fpu == "" then null else ($fpu | split("\n")) end),
	load_at_start: $load, run_started: $started}' >"$out/machine.json"
echo "== machine: $(jq -r '"\(.model_name), family \(.family) model \(.model), \(.cpus) CPUs, Linux \(.kernel_release)"' "$out/machine.json")"

# ---- the library's hot paths --------------------------------------------------------
for prog in "$build"/bench/bench_*; do
	name="$(basename "$prog")"
	args=(--json "$out/${name#bench_}.json")
	[ "$name" = bench_corpus ] && args+=("$fixtures")
	if [ "$name" = bench_uabi ]; then
		for m in $uabi_models; do args+=(--cpuid "$fixtures/$m"); done
		args+=(--fixtures "$fixtures")
	fi
	echo "== $name ${args[*]:2}"
	"$prog" "${args[@]}" | tee "$out/${name#bench_}.txt"
done

# The engine's instruction counts (valgrind; skipped without it).
echo "== scripts/bench-profile.sh (callgrind)"
scripts/bench-profile.sh "$build/bench/bench_engine" "$out/profile.json" "this code ($(jq -r .commit "$out/machine.json"))"

# The series' experiment: text for people, then JSON for the report.
summary() {
	jq -r '"\(.cpu):\n" + ([.backends | to_entries[] | select(.value.available) | .key as $be | .value as $v
		| "  \($be): " + ([$v.ratios | keys_unsorted[] as $k
			| "\($k | sub("_case1"; "") | sub("_init"; "i"))/case1 \($v.ratios[$k] * 1000 | round / 1000) (\($v.verdict[$k]))"]
			| join(", "))] | join("\n"))' "$1"
}
echo "== xstate bench switch (live CPU, anchor)"
"$xstate" bench switch "${switch_args[@]}" --format json >"$out/switch.json"
summary "$out/switch.json"
for m in $cet_models; do
	echo "== xstate bench switch --cpuid $m"
	"$xstate" bench switch --cpuid "$fixtures/$m" "${switch_args[@]}" --no-anchor --format json >"$out/switch-${m%%.*}.json"
	summary "$out/switch-${m%%.*}.json"
done

echo "== xstate bench memory (every fixture)"
for f in "$fixtures"/*; do
	[ -f "$f" ] && [ "${f%.md}" = "$f" ] || continue
	"$xstate" bench memory --cpuid "$f" --format json
done | jq -s 'add | map(.cpu |= sub(".*/"; ""))' >"$out/memory.json"
echo "$(jq length "$out/memory.json") CPU models"
# The report states how long make bench took (build-bench/results/started is the Makefile's)
# and how loaded the machine was.
jq --arg load "$(cat /proc/loadavg)" --argjson finished "$(date +%s)" \
	'. + {load_at_end: $load, run_finished: $finished}' "$out/machine.json" >"$out/machine.json.new"
mv "$out/machine.json.new" "$out/machine.json"
date +%s >"$out/finished"
