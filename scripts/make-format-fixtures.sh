#!/bin/bash
# Writes every fixture that has hand-written expectations (tests/data/expect)
# in the two dump formats it was not captured in, under tests/data/cpuid/formats/,
# so that test_fixtures checks the same numbers through all three parsers.
# Usage: scripts/make-format-fixtures.sh [path/to/xstate]
set -euo pipefail
cd "$(dirname "$0")/.."
xstate="${1:-build/xstate}"
data=tests/data/cpuid
for e in tests/data/expect/*.expect; do
	fixture="$(sed -n 's/^fixture *= *\([^ #]*\).*/\1/p' "$e")"
	stem="${fixture%%.*}"
	for fmt in plain cpuid-r instlat; do
		case "$fixture" in *."$fmt".txt) continue ;; esac
		"$xstate" cpuid --cpuid "$data/$fixture" --format "$fmt" > "$data/formats/$stem.$fmt.txt"
	done
done
