#!/bin/bash
# Accept a deliberate ABI change: rewrite abi/libxstate.abi from a build's
# libxstate.so and say what the change means for the version numbers
# (docs/architecture.md, "ABI"):
#   functions added, a library-owned struct grown at its end, enumerators
#   added: compatible -- raise XS_VERSION_MINOR (include/xstate.h) and the
#       project() VERSION in CMakeLists.txt;
#   anything removed, a signature changed, a struct a program allocates
#   changed in size or layout: incompatible -- raise XS_VERSION_MAJOR and
#       project() VERSION's major: the soname (libxstate.so.MAJOR) changes
#       with it, so old programs keep the old library instead of crashing
#       with the new one.
# abidiff's verdict settles removals (exit bit 8); for the rest (exit 4)
# the script says what to look for in the report, since abidiff cannot know
# who allocates a struct.
# Usage: scripts/abi-update.sh [BUILD_DIR]  (default build-werror, the
# gcc RelWithDebInfo build of `make test-werror`)
set -euo pipefail
# shellcheck source=scripts/abi-lib.sh
source "$(dirname "$0")/abi-lib.sh"
build="${1:-$root/build-werror}"
lib="$(abi_lib "$build")"
new="$(mktemp)"
trap 'rm -f "$new"' EXIT
abidw "${abidw_opts[@]}" --out-file "$new" "$lib"
status=0
first=false
old_major=""
if [ -f "$baseline" ]; then
	old_major="$(sed -n "s/.*soname='libxstate\.so\.\([0-9]*\)'.*/\1/p" "$baseline" | head -n 1)"
	abidiff "$baseline" "$new" || status=$?
else
	first=true
fi
mkdir -p "$(dirname "$baseline")"
cp "$new" "$baseline"
read -r major minor patch <<<"$(abi_versions)"
echo "abi: wrote abi/libxstate.abi from $lib (version $major.$minor.$patch)"
if $first; then
	echo "abi: the first baseline"
elif [ "$status" -eq 0 ]; then
	echo "abi: no change from the previous baseline"
elif [ $((status & 8)) -ne 0 ] && [ -n "$old_major" ] && [ "$major" -gt "$old_major" ]; then
	echo "abi: incompatible change (abidiff exit $status), with the major version already raised:"
	echo "     libxstate.so.$old_major -> libxstate.so.$major"
elif [ $((status & 8)) -ne 0 ]; then
	echo "abi: INCOMPATIBLE change (abidiff exit $status): raise the major version (XS_VERSION_MAJOR and"
	echo "     CMakeLists.txt project VERSION, $major.x.x -> $((major + 1)).0.0): the soname becomes libxstate.so.$((major + 1))"
elif [ $((status & 4)) -ne 0 ]; then
	# abidiff cannot know who allocates a struct: read its report above
	echo "abi: a change abidiff does not call incompatible (exit $status). Read the report above:"
	echo "     - functions added, a member added at the end of a struct the library allocates and"
	echo "       returns by pointer (xs_system_info, xs_fpstate_info, ...), new enumerators: compatible;"
	echo "       raise the minor version (XS_VERSION_MINOR and CMakeLists.txt project VERSION,"
	echo "       $major.$minor.x -> $major.$((minor + 1)).0) unless this release has already;"
	echo "     - any other size or layout change, above all of a struct a program allocates"
	echo "       (xs_options, xs_diag, xs_verdict, xs_component_info, ...): incompatible; raise the"
	echo "       major version ($major.x.x -> $((major + 1)).0.0, soname libxstate.so.$((major + 1)))"
else
	abi_die "abidiff failed (exit $status)"
fi
