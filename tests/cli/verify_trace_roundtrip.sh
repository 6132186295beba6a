#!/bin/bash
# xs-test-label: live
# Record a trace of this CPU (verify --against cpu --record), replay it
# (verify --against trace): the same cases, the same verdict for every one
# of them, the same rule groups. Skips where the CPU has no XSAVE.
source "$(dirname "$0")/lib.sh"
make_tmp
trace="$tmp/this-cpu.xstrace"

run_tool verify --against cpu --iterations 500 --seed 20261207 --keep-going --format json --record "$trace"
if [ "$status" -eq 0 ] && jq -e .skip <<<"$out" >/dev/null; then
	skip_test "$(jq -r .skip <<<"$out")"
fi
[ "$status" -le 1 ] || fail "the live run failed"
live=$out live_status=$status
[ -s "$trace" ] || fail "no trace written"

run_tool verify --against trace --keep-going --format json "$trace"
[ "$status" -le 1 ] || fail "the trace does not replay"
replay=$out
# A case forgiven only on a re-run on the CPU was recorded as it ran the
# last time (and agreed): the live run counts such cases as differing only
# beyond the share a kernel explains (the re-run group), never the replay.
jq -e -n --argjson live "$live" --argjson replay "$replay" '
	($live.groups | map(select(.rule | startswith("agreed only on a re-run"))) | map(.count) | add // 0) as $extra |
	$replay.cases == 500 and $live.cases == 500 and
	$replay.traces[0].judged_otherwise == 0 and
	$replay.agree == $live.agree + $extra and $replay.differ == $live.differ - $extra and
	($replay.groups | map({rule, count})) ==
		($live.groups | map(select(.rule | startswith("agreed only on a re-run") | not)) | map({rule, count}))' \
	>/dev/null || fail "live: $(jq -c '{cases, agree, differ, groups: [.groups[] | {rule, count}]}' <<<"$live")"
[ "$status" -eq "$live_status" ] || [ "$(jq .differ <<<"$replay")" -ne "$(jq .differ <<<"$live")" ] ||
	fail "the replay's exit status $status differs from the live run's $live_status"
echo "500 cases recorded ($(stat -c %s "$trace") bytes) and replayed: $(jq -c '{agree, differ}' <<<"$replay")"
