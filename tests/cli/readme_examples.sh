#!/bin/bash
# The README's examples on fixtures are what the tool prints today: they are
# regenerated (scripts/readme-examples.sh --print --no-live, which does not
# run the `# live` commands) and compared block by block with the README's
# blocks that are not marked `# live`. The live ones show the machine that
# last regenerated the README and are never compared.
source "$(dirname "$0")/lib.sh"
root="$XS_SOURCE_DIR"
make_tmp
"$root/scripts/readme-examples.sh" "$XSTATE_BIN" --print --no-live > "$tmp/new" ||
	fail "scripts/readme-examples.sh --print --no-live failed"
sed -n '/<!-- examples:begin/,/<!-- examples:end -->/p' "$root/README.md" > "$tmp/old"
# one file per block, named by its position, without the live ones
split_blocks() {
	awk -v dir="$1" '
		/^```$/ && !open { open = 1; n++; f = sprintf("%s/%03d", dir, n); next }
		/^```$/ && open { open = 0; next }
		open { print > f }' "$2"
	{ grep -l '^\$ .*# live$' "$1"/* || true; } | xargs -r rm -f
}
mkdir "$tmp/a" "$tmp/b"
split_blocks "$tmp/a" "$tmp/old"
split_blocks "$tmp/b" "$tmp/new"
# renumber what is left, so that a live block between two fixture ones
# shifts nothing
renumber() {
	local i=0 f
	for f in "$1"/*; do
		i=$((i + 1))
		mv "$f" "$1/$(printf 'n%03d' "$i")"
	done
}
renumber "$tmp/a"
renumber "$tmp/b"
n=$(ls "$tmp/b" | wc -l)
[ "$n" -ge 15 ] || fail "only $n fixture examples generated"
if ! diff -r "$tmp/a" "$tmp/b"; then
	echo "FAIL: README.md examples are stale: run scripts/readme-examples.sh build/xstate --keep-live"
	echo "(or without --keep-live on the machine the README's prose describes)"
	exit 1
fi
echo "README: $n fixture examples match the tool"
