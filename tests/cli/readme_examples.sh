#!/bin/bash
# The README's examples on fixtures are what the tool prints today: regenerate
# them (scripts/readme-examples.sh --print) and compare every block that does
# not depend on the machine (blocks marked `# live` are skipped).
set -euo pipefail
root="$XS_SOURCE_DIR"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$root/scripts/readme-examples.sh" "$XSTATE_BIN" --print > "$tmp/new"
sed -n '/<!-- examples:begin/,/<!-- examples:end -->/p' "$root/README.md" > "$tmp/old"
# one file per block, named by its position, without the live ones
split_blocks() {
	awk -v dir="$1" '
		/^```$/ && !open { open = 1; n++; f = sprintf("%s/%03d", dir, n); next }
		/^```$/ && open { open = 0; next }
		open { print > f }' "$2"
	grep -l '^\$ .*# live$' "$1"/* 2>/dev/null | xargs -r rm -f
}
mkdir "$tmp/a" "$tmp/b"
split_blocks "$tmp/a" "$tmp/old"
split_blocks "$tmp/b" "$tmp/new"
n=$(ls "$tmp/b" | wc -l)
[ "$n" -ge 15 ] || { echo "only $n fixture examples generated"; exit 1; }
if ! diff -r "$tmp/a" "$tmp/b"; then
	echo "README.md examples are stale: run scripts/readme-examples.sh build/xstate"
	exit 1
fi
echo "README: $n fixture examples match the tool"
