#!/bin/bash
# make bench, the engine's profile: instructions per operation of
# `bench_engine --profile ROW` under valgrind's callgrind, on CPU models
# from the fixtures (callgrind's CPUID is its own, so the model is a dump),
# and the functions that execute them. Instruction counts repeat on a busy
# machine where times do not; they are what the engine was optimised
# against (docs/benchmarks.md, method).
#
#   scripts/bench-profile.sh BENCH_ENGINE OUT.json [LABEL]
#
# Instructions per operation = (Ir of 2N operations - Ir of N) / N, so the
# set-up (parsing the dump, building the machines) cancels. Without
# valgrind it writes nothing and says so (exit 0).
set -euo pipefail
bench="${1:?usage: bench-profile.sh BENCH_ENGINE OUT.json [LABEL]}"
out="${2:?usage: bench-profile.sh BENCH_ENGINE OUT.json [LABEL]}"
label="${3:-this code}"
command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null ||
	{ echo "bench-profile.sh: no valgrind (apt-get install valgrind): no profile" >&2; exit 0; }
command -v jq >/dev/null || { echo "bench-profile.sh needs jq" >&2; exit 1; }
cd "$(dirname "$0")/.."
n=2000
# model:XCR0 — the issue's Zen 3 (x87, SSE, AVX) and a Zen 4 with AVX-512
models="amd-zen3-milan.instlat.txt:0x7 amd-zen4.instlat.txt:0xe7"
rows=("XSAVE64 full state" "XSAVEC64 full state" "XRSTOR64 full state" "XRSTOR64 compacted full"
	"XRSTOR64+XSAVE64 full" "XSAVE64 x87+SSE" "XSAVE64 AVX")
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

ir() {	# ir DUMP XCR0 ROW ITERATIONS [CALLGRIND_OUT]: instructions of the whole run
	valgrind --tool=callgrind --callgrind-out-file="${5:-/dev/null}" "$bench" --profile "$3" \
		--cpuid "tests/data/cpuid/$1" --xcr0 "$2" --iterations "$4" 2>&1 |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

for m in $models; do
	dump="${m%%:*}" xcr0="${m##*:}"
	for row in "${rows[@]}"; do
		a="$(ir "$dump" "$xcr0" "$row" "$n")"
		b="$(ir "$dump" "$xcr0" "$row" $((2 * n)))"
		jq -n --arg cpu "$dump" --arg xcr0 "$xcr0" --arg op "$row" --argjson per $(((b - a) / n)) \
			'{cpu: $cpu, xcr0: $xcr0, op: $op, instructions: $per}'
	done
done | jq -s . >"$tmp/rows.json"

# Where XSAVE64 of the full state spends them (the first model): self cost per operation.
first="${models%% *}"
ir "${first%%:*}" "${first##*:}" "XSAVE64 full state" $((4 * n)) "$tmp/cg.out" >/dev/null
callgrind_annotate --inclusive=no "$tmp/cg.out" 2>/dev/null |
	sed -n 's/^ *\([0-9,]*\) ([ 0-9.]*%) *\([^ ]*\).*/\1 \2/p' | tr -d , | head -n 12 |
	jq -R --argjson n $((4 * n)) 'split(" ") | select(.[1] != "PROGRAM") | {function: (.[1] | sub("^.*:"; "")),
		instructions: ((.[0] | tonumber) / $n | floor)} | select(.instructions > 0)' |
	jq -s . >"$tmp/top.json"
jq -n --arg lbl "$label" --arg tool "$(valgrind --version)" --argjson n "$n" \
	--slurpfile rows "$tmp/rows.json" --slurpfile top "$tmp/top.json" --arg top_of "${first%%:*} XCR0 ${first##*:}" '{
	"label": $lbl, tool: $tool, iterations: [$n, 2 * $n],
	method: "valgrind --tool=callgrind on bench_engine --profile ROW --cpuid DUMP --xcr0 MASK; instructions per operation = (Ir(2N) - Ir(N)) / N",
	rows: $rows[0], top_functions_of: "XSAVE64 full state, \($top_of)", top_functions: $top[0]}' >"$out"
echo "profile: $(jq '.rows | length' "$out") rows in $out"
