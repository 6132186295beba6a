#!/bin/bash
# The engine replayed on every real CPU of the corpus (tests/data/traces,
# docs/traces.md): each trace's CPUID, XCR0, MXCSR_MASK and traits, every
# recorded case against the outputs that CPU gave. The oracles are the
# recorded outputs, so this runs alike on any x86-64 CPU, one without XSAVE
# included (qemu-x86_64 -cpu Nehalem): replaying never executes an XSAVE
# instruction.
source "$(dirname "$0")/lib.sh"
dir="$XS_TEST_DATA/traces"
mapfile -t traces < <(find "$dir" -maxdepth 1 -name '*.xstrace' | sort)
[ "${#traces[@]}" -ge 1 ] || fail "no *.xstrace in $dir: the corpus only grows"

# Every trace named vendor-FAMILYh-MODELh-..., as its CPUID says (the corpus
# keeps one trace per real CPU; docs/traces.md "Adding a CPU").
run_tool verify --against trace --format json "$dir"
[ "$status" -eq 0 ] || fail "every recorded case agrees with the engine (exit status 0)"
jq -e --argjson n "${#traces[@]}" '
	(.traces | length) == $n and .differ == 0 and .cases == .agree and
	.cases == ([.traces[].cases] | add) and
	all(.traces[]; .cases > 0 and .differ == 0 and .agree == .cases and
		(.cpu.family | type) == "number" and (.cpu.model | type) == "number" and
		(.cpu.vendor | length) > 0 and (.kernel | length) > 0)' <<<"$out" >/dev/null ||
	fail "expected ${#traces[@]} traces, each replayed with 0 differ, family and model as numbers"
while read -r file vendor family model; do
	case "$vendor" in
	AuthenticAMD) v=amd ;; GenuineIntel) v=intel ;; HygonGenuine) v=hygon ;; *) v=other ;;
	esac
	want=$(printf '%s-%02xh-%02xh-' "$v" "$family" "$model")
	case "$(basename "$file")" in
	"$want"*.xstrace) ;;
	*) fail "$file: a trace of a $vendor family $family model $model is named $want*.xstrace" ;;
	esac
done < <(jq -r '.traces[] | "\(.file) \(.cpu.vendor) \(.cpu.family) \(.cpu.model)"' <<<"$out")
cases=$(jq .cases <<<"$out")

# The text report ends with the total, as every verify target does.
run_tool verify --against trace "${traces[@]}"
[ "$status" -eq 0 ] && [ "$(tail -n 1 <<<"$out")" = "$cases cases: $cases agree, 0 differ" ] ||
	fail "expected '$cases cases: $cases agree, 0 differ' on the last line"
echo "${#traces[@]} trace(s), $cases cases: every one agrees"
