# shellcheck shell=bash
# Sourced by bench_switch.sh (fixture) and bench_switch_live.sh (live): the
# checks of `xstate bench switch --format json` that hold for any CPU model.
tiny=(--tasks 4 --switches 200 --rounds 3 --no-anchor)

# jq is installed by scripts/install-deps.sh (make test)
command -v jq >/dev/null || fail "jq is missing: run scripts/install-deps.sh"
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
		size=$(xstate fpstate "${cpuargs[@]}" --cet-s "$policy" --format json | jq .size)
		for be in hardware engine engine_noopt; do
			got=$(jq ".backends.$be.cases.case$c.bytes_per_task" "$f")
			[ "$got" = "$size" ] || fail "$f: $be case $c ($policy): $got bytes per task, fpstate says $size"
		done
	done
	# case 3i has the fpstates of case 3
	json '[.backends.engine, .backends.engine_noopt][] | .cases.case3_init.bytes_per_task == .cases.case3.bytes_per_task
	      and .cases.case3_init.xfeatures == .cases.case3.xfeatures' "$f" >/dev/null || fail "$f: case 3i's fpstates"
}


# bench_switch_json FILE ARGS...: `xstate bench switch ARGS --format json`
# into FILE; the checks' failures then show this command and its output.
bench_switch_json() {
	local f="$1"
	shift
	expect_ok bench switch "$@" --format json
	printf '%s\n' "$out" >"$f"
}
