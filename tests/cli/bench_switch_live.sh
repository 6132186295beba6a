#!/bin/bash
# xs-test-label: live
# xstate bench switch on the live CPU: the JSON holds what it holds for a
# dump (bench_switch_lib.sh), bytes per task equal the live fpstate sizes,
# and the hardware backend runs where this CPU has XSAVEC (absent, with the
# reason, where not). Tiny runs; no assertion on any time.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/bench_switch_lib.sh"
make_tmp
bench_switch_json "$tmp/live.json" "${tiny[@]}"
check_json "$tmp/live.json" ""
json '.live == true' "$tmp/live.json" >/dev/null || fail "live: .live"
echo "bench switch (live CPU): ok"
