#!/bin/bash
# make test: the KVM oracle where /dev/kvm exists, fixed seed.
set -euo pipefail
out=$("$XSTATE_BIN" verify --against kvm --iterations 5000 --seed 20261125)
echo "$out"
case "$out" in SKIP:*) exit 77 ;; esac	# CTest: skipped
tail -n 1 <<<"$out" | grep -qx "5000 cases: 5000 agree, 0 differ"
