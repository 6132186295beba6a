#!/bin/bash
# xs-test-label: fixture
# The library's source layers hold: no file calls into a file that calls
# back into it, and every call between files goes down the layers of
# src/layers.txt (scripts/check-layers.sh reads the built objects with nm;
# docs/architecture.md, "Layers").
source "$(dirname "$0")/lib.sh"
build="$XS_BUILD_DIR"
command -v nm >/dev/null || fail "nm (binutils) is needed to read the objects"
command -v tsort >/dev/null || fail "tsort (coreutils) is needed to find circles"
"$XS_SOURCE_DIR/scripts/check-layers.sh" "$build"
# every folder of src/ with sources is a layer
for dir in "$XS_SOURCE_DIR"/src/*/; do
	name="src/$(basename "$dir")"
	compgen -G "$dir*.c" >/dev/null || continue
	grep -qxF "$name" "$XS_SOURCE_DIR/src/layers.txt" || fail "$name has sources but is not in src/layers.txt"
done
