#!/bin/bash
# make bench, step 1 of 2: run every benchmark of a Release build and keep
# the results as JSON (and each program's text) in OUT.
#
#   scripts/bench-run.sh BUILD OUT
#
# Every bench/bench_* program takes --json FILE (bench_corpus also the
# corpus directory); `xstate bench switch` runs on the live CPU with the
# anchor, and on the CET-capable models below with the engine alone (the
# live CPU may have no XSAVES or no CET-S); `xstate bench memory` runs on
# every CPU fixture. Step 2 is scripts/bench-report.sh.
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
# Extra options for every `xstate bench switch`, e.g. "--switches 2000 --rounds 3" for a quick try.
switch_args=(${BENCH_SWITCH_ARGS:-})

command -v jq >/dev/null || { echo "make bench needs jq (apt-get install jq)" >&2; exit 1; }
rm -f "$out"/*.json "$out"/*.txt

for prog in "$build"/bench/bench_*; do
	name="$(basename "$prog")"
	args=(--json "$out/${name#bench_}.json")
	[ "$name" = bench_corpus ] && args+=("$fixtures")
	echo "== $name"
	"$prog" "${args[@]}" | tee "$out/${name#bench_}.txt"
done

# The series' experiment: text for people, then JSON for the report.
summary() {
	jq -r '"\(.cpu): " + ([.backends | to_entries[] | select(.value.available)
		| "\(.key) case2/case1 \(.value.ratios.case2_case1 * 1000 | round / 1000) (\(.value.verdict.case2_case1)),"
		+ " case3/case1 \(.value.ratios.case3_case1 * 1000 | round / 1000) (\(.value.verdict.case3_case1))"]
		| join("; "))' "$1"
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
# The report states how long make bench took (build-bench/results/started is the Makefile's).
date +%s >"$out/finished"
