#!/bin/bash
# xstate bench switch: the JSON's keys, bytes per task equal to the fpstate
# sizes `xstate fpstate` reports for each policy, and the errors for bad
# input. Tiny runs; no assertion on any time (they are noise on a CI box).
# On a dump, never the live CPU: there is no hardware row (the guard of
# fixture tests makes the live CPU unreadable, so a dump can never be taken
# for this CPU); bench_switch_live.sh runs it on the live CPU.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/bench_switch_lib.sh"
fixture="$XS_TEST_DATA/cpuid/amd-zen4.instlat.txt"	# XSAVES and CET-S: 2456 / 2456 / 2480
make_tmp

# ---- bad input: exit 2 and a message naming the problem ----
expect_usage() {	# expect_usage "message part" ARGS...
	expect_error 2 "$1" bench switch "${@:2}"
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
expect_ok bench switch --help
grep -q "^usage: xstate bench switch" <<<"$out" || fail "no usage line"

bench_switch_json "$tmp/fixture.json" --cpuid "$fixture" "${tiny[@]}"
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

# the text form of the same run names every backend and the rule
expect_ok bench switch --cpuid "$fixture" "${tiny[@]}"
for word in hardware engine engine_noopt "case3/case1" "case3i/case1" "case 3i" "noise rule" "absent: --no-anchor"; do
	grep -qF -- "$word" <<<"$out" || fail "text output lacks '$word'"
done
echo "bench switch: ok"
