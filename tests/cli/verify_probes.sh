#!/bin/bash
# xs-test-label: live
# verify's live probes (tools/xstate/verify_probe.c) measure the traits on
# this CPU before the cpu and sigreturn runs: every probe this CPU allows
# gives a value (none unclear), the report says how many and which differ
# from the table, and the engine, run with them, agrees with the CPU.
source "$(dirname "$0")/lib.sh"
verify_against cpu 2000 7
summary=$(grep '^traits: ' <<<"$out") || fail "no 'traits:' summary line"
measured=$(sed -n 's/^traits: \([0-9]*\) of \([0-9]*\) measured on this CPU, .*/\1/p' <<<"$summary")
# MXCSR_MASK, the pointer rules, FCS/FDS, the #AC rules and init_opt need
# only FXSR and XSAVE; XINUSE needs XGETBV1, the modified optimisation XSAVEOPT
[ -n "$measured" ] && [ "$measured" -ge 8 ] || fail "expected >= 8 traits measured: $summary"
if grep -q 'probe is unclear' <<<"$out"; then
	fail "a probe was unclear on this CPU"
fi
differ=$(sed -n 's/.*measured on this CPU, \([0-9]*\) differ.*/\1/p' <<<"$summary")
[ "$(grep -c '^trait .* — using measured$' <<<"$out" || true)" -eq "$differ" ] ||
	fail "the summary counts $differ differing traits, the lines say otherwise"
verify_against sigreturn 2000 7
grep -q '^traits: ' <<<"$out" || fail "sigreturn: no 'traits:' summary line"
