# shellcheck shell=bash
# Sourced by scripts/abi-check.sh and scripts/abi-update.sh (not run by
# itself): where the ABI baseline lives, how it is written, and what a
# build must be for the comparison to mean anything.
#
# The baseline, abi/libxstate.abi, is abidw's description of libxstate.so
# (Debian: abigail-tools): every exported function and the types reachable
# from include/xstate.h, read from the library's DWARF. Private types (the
# opaque objects' definitions under src/) are left out; locations are file
# names without paths, so the file does not depend on where the tree or the
# build is. (Locations must stay: without them abidiff --headers-dir2 cannot
# tell the baseline's public types from private ones, and misses changes.)
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck disable=SC2034 # used by the scripts that source this file
baseline="$root/abi/libxstate.abi"
headers="$root/include"
# shellcheck disable=SC2034
abidw_opts=(--headers-dir "$headers" --drop-private-types --no-corpus-path --no-comp-dir-path --short-locs
	--type-id-style hash)

# abi_die MESSAGE: print and exit 2 (a usage or set-up error, not an ABI change).
abi_die() {
	echo "abi: $*" >&2
	exit 2
}

# abi_lib BUILD: the shared library of a build, checked to carry debug info
# (without DWARF abidiff sees symbols only and would miss every type change).
abi_lib() {
	local lib="$1/libxstate.so"

	[ -f "$lib" ] || abi_die "$lib: not built (cmake --build $1)"
	if ! command -v abidw >/dev/null || ! command -v abidiff >/dev/null; then
		abi_die "abidw/abidiff not found: install abigail-tools (scripts/install-deps.sh)"
	fi
	# (a whole string: `readelf | grep -q` fails under pipefail when grep stops reading early)
	[[ "$(readelf -S "$lib")" == *.debug_info* ]] ||
		abi_die "$lib has no debug info: the ABI is read from DWARF (build with -DCMAKE_BUILD_TYPE=RelWithDebInfo or Debug)"
	echo "$lib"
}

# abi_versions: the version include/xstate.h declares, "MAJOR MINOR PATCH".
abi_versions() {
	local v

	for v in MAJOR MINOR PATCH; do
		sed -n "s/^#define XS_VERSION_$v \([0-9]*\)$/\1/p" "$headers/xstate.h"
	done | paste -sd' '
}
