#!/bin/bash
# xs-test-label: live
# Progress of a long run: with standard error on a terminal (a pty from
# script(1)) a run of more than a second shows "LABEL: DONE/TOTAL (P%),
# RATE/s" lines; with --quiet, or with standard error a file, none, and the
# results are the same. The run is `verify --against cpu` (skipped where
# the CPU oracle is missing).
source "$(dirname "$0")/lib.sh"
make_tmp
command -v script > /dev/null || skip_test "script(1) (util-linux) is not installed"
# a run of about 2.5 s on this machine, scaled from a shorter one: the
# shorter one doubles until it takes half a second, so that the start-up
# (the trait probes) does not pass for the cases' time (a run of 2000 cases
# can be mostly start-up: scaled from it, the long run ended within the
# second before the first progress line)
n=2000
while :; do
	start=$(date +%s%N)
	run_tool verify --against cpu --iterations $n --seed 7
	grep -q '^SKIP:' <<<"$out" && skip_test "$(grep -m1 '^SKIP:' <<<"$out")"
	[ "$status" -eq 0 ] || fail "verify --against cpu failed"
	[ -z "$err" ] || fail "progress went to a standard error that is not a terminal: $err"
	ms=$((($(date +%s%N) - start) / 1000000 + 1))
	[ "$ms" -ge 500 ] && break
	n=$((n * 2))
done
n=$((n * 2500 / ms + 1))
args="verify --against cpu --iterations $n --seed 7"
want="$n cases: $n agree, 0 differ"

# on a terminal
script -qec "$XSTATE_BIN $args" /dev/null > "$tmp/tty" || fail "verify failed on a pty: $(cat "$tmp/tty")"
tr '\r' '\n' < "$tmp/tty" > "$tmp/lines"
grep -Eq "^(.\[K)?verify --against cpu: [0-9]+/$n \([0-9.]+%\), [0-9]+/s" "$tmp/lines" ||
	fail "no progress line on the terminal: $(head -c 600 "$tmp/tty")"
grep -qF "$want" "$tmp/lines" || fail "the run on a terminal ended otherwise: $(tail -n 3 "$tmp/lines")"
echo "on a terminal: $(grep -Em1 "verify --against cpu: " "$tmp/lines" | sed 's/^.\[K//')"

# --quiet
script -qec "$XSTATE_BIN $args --quiet" /dev/null > "$tmp/quiet" || fail "verify --quiet failed on a pty"
! grep -q "verify --against cpu: " "$tmp/quiet" || fail "--quiet still shows progress"
tr -d '\r' < "$tmp/quiet" | grep -qF "$want" || fail "--quiet changed the result"
echo "ok: progress on a terminal only, none with --quiet"
