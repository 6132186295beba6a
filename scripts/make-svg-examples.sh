#!/bin/bash
# Draws the buffer layouts the README and docs show (`xstate info --format
# svg`) into docs/img/, from CPU fixtures only, so any machine redraws the
# same pictures: an AMD Zen 4 (AVX-512, PKRU, CET) and an Intel Emerald
# Rapids Xeon (AMX). tests/cli/svg.sh checks they are current.
#
# Usage: scripts/make-svg-examples.sh [path/to/xstate] [--check]
#   --check   compare with docs/img/ instead of writing (exit 1 when stale)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$(realpath "${1:-$root/build/xstate}")"
check=false
[ "${2:-}" = --check ] && check=true
# shellcheck disable=SC2206 # XS_EMULATOR is words: "qemu-x86_64 -cpu Nehalem"
emulator=(${XS_EMULATOR:-})

# picture: fixture
examples() {
	cat <<LIST
amd-zen4.svg amd-zen4.instlat.txt
intel-emerald-rapids.svg intel-emerald-rapids.instlat.txt
LIST
}

status=0
while read -r picture fixture; do
	new="$(mktemp)"
	"${emulator[@]}" "$bin" info --cpuid "$root/tests/data/cpuid/$fixture" --format svg > "$new"
	if $check; then
		cmp -s "$new" "$root/docs/img/$picture" || { echo "docs/img/$picture is stale: run scripts/make-svg-examples.sh"; status=1; }
		rm -f "$new"
	else
		mv "$new" "$root/docs/img/$picture"
		chmod 644 "$root/docs/img/$picture"
		echo "docs/img/$picture"
	fi
done < <(examples)
exit $status
