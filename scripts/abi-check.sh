#!/bin/bash
# xs-test-label: fixture
# The ABI of a built libxstate.so is the baseline's (abi/libxstate.abi):
# abidiff finds no function added, removed or changed and no type reachable
# from the public header changed, so every ABI change is deliberate (made
# with scripts/abi-update.sh) and visible in the diff of the baseline. Also:
# the soname is libxstate.so.MAJOR and the header's version is the build's.
# Usage: scripts/abi-check.sh BUILD_DIR [PROJECT_VERSION]  (CTest runs it as
# abi_baseline where XS_ABI_CHECK is on; see tests/CMakeLists.txt)
set -euo pipefail
# shellcheck source=scripts/abi-lib.sh
source "$(dirname "$0")/abi-lib.sh"
build="${1:?usage: abi-check.sh BUILD_DIR [PROJECT_VERSION]}"
lib="$(abi_lib "$build")"
read -r major minor patch <<<"$(abi_versions)"
if [ -n "${2:-}" ] && [ "$2" != "$major.$minor.$patch" ]; then
	echo "FAIL: include/xstate.h says version $major.$minor.$patch, CMakeLists.txt project() $2: keep them equal"
	exit 1
fi
soname="$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')"
if [ "$soname" != "libxstate.so.$major" ]; then
	echo "FAIL: the soname is '$soname', the header's major version $major (libxstate.so.$major expected)"
	exit 1
fi
[ -f "$baseline" ] || abi_die "$baseline: missing (scripts/abi-update.sh $build writes it)"
status=0
report="$(abidiff --headers-dir2 "$headers" "$baseline" "$lib")" || status=$?
if [ "$status" -ne 0 ]; then
	echo "FAIL: libxstate.so's ABI differs from abi/libxstate.abi (abidiff exit $status):"
	printf '%s\n' "$report"
	echo
	echo "If the change is deliberate, accept it: scripts/abi-update.sh $build"
	echo "(it rewrites the baseline and says which version number the change needs:"
	echo " additions the minor, XS_VERSION_MINOR; removals and changes the major, which is the soname)."
	exit 1
fi
echo "abi: libxstate.so ($soname, $major.$minor.$patch) has the ABI of abi/libxstate.abi"
