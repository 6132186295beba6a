#!/bin/bash
# xstate bench switch: the JSON's keys, bytes per task equal to the fpstate
# sizes `xstate fpstate` reports for each policy, and the errors for bad
# input. Tiny runs; no assertion on any time (they are noise on a CI box).
set -euo pipefail
fixture="$XS_TEST_DATA/cpuid/amd-zen4.instlat.txt"	# XSAVES and CET-S: 2456 / 2456 / 2480
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
tiny=(--tasks 4 --switches 200 --rounds 3 --no-anchor)

# ---- bad input: exit 2 and a message naming the problem ----
expect_usage() {	# expect_usage "message part" ARGS...
	local want="$1" rc=0
	shift
	"$XSTATE_BIN" bench switch "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" -eq 2 ] || fail "bench switch $*: exit $rc, expected 2"
	grep -qF -- "$want" "$tmp/err" || fail "bench switch $*: stderr lacks '$want': $(cat "$tmp/err")"
}
expect_usage "--tasks: 1 is out of range (at least 2)" --tasks 1
expect_usage "--tasks: expected a number, got 'many'" --tasks many
expect_usage "--switches: 0 is out of range (at least 1)" --switches 0
expect_usage "--rounds: 1001 is out of range (at most 1000)" --rounds 1001
expect_usage "--rounds: expected a non-negative number, got '-3'" --rounds -3
expect_usage "--format: unknown format 'xml' (expected text|json)" --format xml
expect_usage "unrecognized option" --bogus
expect_usage "unexpected argument 'extra'" --no-anchor extra
expect_usage "is a directory" --cpuid "$XS_TEST_DATA/cpuid"
expect_usage "no-such-dump" --cpuid "$tmp/no-such-dump"
"$XSTATE_BIN" bench switch --help | grep -q "^usage: xstate bench switch"

# ---- the JSON ----
# jq is installed by scripts/install-deps.sh (make test)
command -v jq >/dev/null || { echo "jq is missing: run scripts/install-deps.sh"; exit 1; }
json() { jq -e "$@"; }

check_json() {	# check_json FILE DUMP(or empty for the live CPU)
	local f="$1" dump="$2" cpuargs=()
	[ -n "$dump" ] && cpuargs=(--cpuid "$dump")
	json '.cpu and .kernel and (.live | type == "boolean") and .tasks == 4 and .switches == 200
	      and .rounds == 3 and (.noise_rule | length > 0)' "$f" >/dev/null || fail "$f: top-level keys"
	json '.anchor.available == false and .anchor.why_absent == "--no-anchor"' "$f" >/dev/null ||
		fail "$f: --no-anchor"
	json '.backends | keys == ["engine", "engine_noopt", "hardware"]' "$f" >/dev/null || fail "$f: backends"
	for be in hardware engine engine_noopt; do
		# the hardware has cases 1-3 (no CET-S in user mode), the engine also case 3i
		if [ "$be" = hardware ]; then
			keys='["case1", "case2", "case3"]' policies='["off", "guest-only", "all"]'
		else
			keys='["case1", "case2", "case3", "case3_init"]' policies='["off", "guest-only", "all", "all"]'
		fi
		json --arg be "$be" --argjson keys "$keys" --argjson policies "$policies" '.backends[$be]
			| ([$keys[1:][] | "\(.)_case1"]) as $pairs
			| (.available | type == "boolean")
			and (.cases | keys == $keys)
			and ([.cases[].policy] == $policies)
			and ([.cases[].title | length > 0] | all)
			and (if .available then
				.why_absent == null and (.save | test("^X")) and (.restore | test("^XRSTOR"))
				and ([.cases[].ns_per_switch | (.rounds | length) == 3
				      and .min <= .median and .median <= .max and .spread >= 0 and .iqr >= 0 and .iqr <= .spread] | all)
				and (.ratios | keys == $pairs)
				and (.delta_ns | keys == $pairs)
				and (.ratio_quartiles | keys == $pairs)
				and ([.ratio_quartiles[] | .min <= .q1 and .q1 <= .median and .median <= .q3 and .q3 <= .max] | all)
				and ([.ratio_quartiles | to_entries[] | .value.median] == [.ratios[]])
				and ([.verdict[] | . == "within noise" or . == "outside noise"] | all)
				and ([.verdict | to_entries[] | .key as $k | .value == "within noise"] as $v
				     | [.ratio_quartiles | to_entries[] | .value.q1 <= 1 and 1 <= .value.q3] == $v)
			else
				(.why_absent | length > 0) and .ratios == null and .verdict == null
				and ([.cases[].ns_per_switch == null] | all)
			end)' "$f" >/dev/null || fail "$f: backend $be"
	done
	# bytes per task: what `xstate fpstate` says a task's fpstate takes under each policy
	for c in 1 2 3; do
		policy=$(jq -r ".backends.engine.cases.case$c.policy" "$f")
		size=$("$XSTATE_BIN" fpstate "${cpuargs[@]}" --cet-s "$policy" --format json | jq .size)
		for be in hardware engine engine_noopt; do
			got=$(jq ".backends.$be.cases.case$c.bytes_per_task" "$f")
			[ "$got" = "$size" ] || fail "$f: $be case $c ($policy): $got bytes per task, fpstate says $size"
		done
	done
	# case 3i has the fpstates of case 3
	json '[.backends.engine, .backends.engine_noopt][] | .cases.case3_init.bytes_per_task == .cases.case3.bytes_per_task
	      and .cases.case3_init.xfeatures == .cases.case3.xfeatures' "$f" >/dev/null || fail "$f: case 3i's fpstates"
}

"$XSTATE_BIN" bench switch --cpuid "$fixture" "${tiny[@]}" --format json >"$tmp/fixture.json"
check_json "$tmp/fixture.json" "$fixture"
# a dump is not the CPU running the test: no hardware row, and the engine uses XSAVES
json '.backends.hardware.available == false and (.backends.hardware.why_absent | test("not this CPU"))
      and .backends.engine.save == "XSAVES64" and .backends.engine.restore == "XRSTORS64"
      and .backends.engine.cases.case1.bytes_per_task == 2456
      and .backends.engine.cases.case2.bytes_per_task == 2456
      and .backends.engine.cases.case3.bytes_per_task == 2480
      and .backends.engine.cases.case3.xfeatures == "0x1ae7"' "$tmp/fixture.json" >/dev/null ||
	fail "fixture: backends and CET-S"
# case 3 moves CET-S with data, case 3i leaves it in its init configuration: XSAVES skips it
json '.backends.engine.cases | .case1.cet_s_registers == null and .case2.cet_s_registers == null
      and .case3.cet_s_registers == "data" and .case3.cet_s_saved == true
      and .case3_init.cet_s_registers == "init" and .case3_init.cet_s_saved == false' "$tmp/fixture.json" >/dev/null ||
	fail "fixture: CET-S in cases 3 and 3i"

"$XSTATE_BIN" bench switch "${tiny[@]}" --format json >"$tmp/live.json"
check_json "$tmp/live.json" ""
json '.live == true' "$tmp/live.json" >/dev/null || fail "live: .live"

# the text form of the same run names every backend and the rule
"$XSTATE_BIN" bench switch --cpuid "$fixture" "${tiny[@]}" >"$tmp/text"
for word in hardware engine engine_noopt "case3/case1" "case3i/case1" "case 3i" "noise rule" "absent: --no-anchor"; do
	grep -qF -- "$word" "$tmp/text" || fail "text output lacks '$word'"
done
echo "bench switch: ok"
