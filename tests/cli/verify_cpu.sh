#!/bin/bash
# make test: the engine against this CPU (XSAVE-family instructions),
# >= 10,000 cases with a fixed seed. Skips where the CPU has no XSAVE.
set -euo pipefail
out=$("$XSTATE_BIN" verify --against cpu --iterations 10000 --seed 20261126)
echo "$out"
case "$out" in SKIP:*) exit 77 ;; esac	# CTest: skipped
tail -n 1 <<<"$out" | grep -qx "10000 cases: 10000 agree, 0 differ"
