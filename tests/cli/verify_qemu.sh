#!/bin/bash
# xs-test-label: live
# The verifier as a conformance test of an emulator (docs/emulators.md):
# `xstate verify --against cpu --keep-going --format json` under Debian's
# qemu-user (TCG's XSAVE family). This checks the report's shape, not
# QEMU's bugs: it parses as JSON, every differing case is in exactly one
# rule group with an example, and the exit status says whether any differ.
# Skips where qemu-x86_64 is not installed (Debian: qemu-user).
source "$(dirname "$0")/lib.sh"
command -v qemu-x86_64 >/dev/null || skip_test "qemu-x86_64 is not installed (Debian package qemu-user)"
# an ASan binary under qemu-user reserves its shadow for real: tens of GiB, then the OOM killer
[[ ${XS_CONSUMER_CFLAGS:-} != *-fsanitize* ]] || skip_test "the tool is built with sanitizers, which qemu-user cannot run"

check_report() {	# the last run_tool's JSON report with --keep-going
	jq -e . <<<"$out" >/dev/null || fail "the report is not JSON"
	if jq -e .skip <<<"$out" >/dev/null; then
		skip_test "$(jq -r .skip <<<"$out")"
	fi
	jq -e '
		.cases > 0 and .cases == .agree + .differ and
		([.groups[].count] | add // 0) == .differ and
		all(.groups[]; (.rule | length) > 0 and .count > 0 and
			(.example.divergence | length) > 0 and
			((.example.case | type) == "number" or (.rule | startswith("agreed only on a re-run")))) and
		([.groups[].rule] | unique | length) == (.groups | length)' <<<"$out" >/dev/null ||
		fail "the group counts do not add up to differ, or a group lacks its rule or example"
	if [ "$(jq .differ <<<"$out")" -gt 0 ]; then
		[ "$status" -eq 1 ] || fail "cases differ: expected exit status 1"
	else
		[ "$status" -eq 0 ] || fail "no case differs: expected exit status 0"
	fi
}

for cpu in max max,-mpx; do
	for traits in measured table; do
		xs_emulator=(qemu-x86_64 -cpu "$cpu")
		run_tool verify --against cpu --traits "$traits" --keep-going --format json --iterations 2000 \
			--seed 20261207
		check_report
		echo "qemu-x86_64 -cpu $cpu, --traits $traits: $(jq -c '{cases, agree, differ, groups: (.groups | length)}' <<<"$out")"
	done
done
