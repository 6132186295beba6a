#!/bin/bash
# The library's file-level call graph, read from the object files of a build
# (nm: what each file defines and what it calls), and two rules on it:
#   1. no circles: no file calls into a file that (directly or through others)
#      calls back into it;
#   2. layers: a file calls only into its own folder or into folders listed
#      before it in src/layers.txt (one folder per line, lowest first).
# Usage: scripts/check-layers.sh BUILD_DIR [--graph]
# --graph prints the edges ("caller callee") instead of checking them.
set -euo pipefail
build="${1:?usage: check-layers.sh BUILD_DIR [--graph]}"
root="$(cd "$(dirname "$0")/.." && pwd)"
objdir="$build/CMakeFiles/xstate_objs.dir"
[ -d "$objdir" ] || { echo "check-layers: $objdir: no library objects (build first)" >&2; exit 2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# file -> the global symbols it defines / the symbols it uses
find "$objdir" -name '*.c.o' | sort | while read -r o; do
	f="${o#"$objdir"/}"
	f="${f%.o}"
	nm -g --defined-only "$o" | awk -v f="$f" 'NF == 3 { print $3, f }' >> "$tmp/defs"
	nm -u "$o" | awk -v f="$f" '{ print f, $2 }' >> "$tmp/uses"
done
sort -u "$tmp/defs" > "$tmp/defs.s"
# caller callee, one line per distinct edge between two files
awk 'NR == FNR { def[$1] = $2; next }
     ($2 in def) && def[$2] != $1 { print $1, def[$2] }' "$tmp/defs.s" "$tmp/uses" | sort -u > "$tmp/edges"

if [ "${2:-}" = "--graph" ]; then
	cat "$tmp/edges"
	exit 0
fi

status=0
nfiles=$(cut -d' ' -f2 "$tmp/defs.s" | sort -u | wc -l)
nedges=$(wc -l < "$tmp/edges")

# 1. circles: tsort names the files of every loop it finds
if ! tsort "$tmp/edges" > /dev/null 2> "$tmp/loops"; then
	echo "check-layers: files that call back into their callers:"
	grep -v 'input contains a loop' "$tmp/loops" | sed 's/^tsort: /  /'
	status=1
fi

# 2. layers
layers="$root/src/layers.txt"
if [ -f "$layers" ]; then
	awk 'NR == FNR { if ($0 !~ /^#/ && NF) rank[$1] = ++n; next }
	     function layer(f,   d) { d = f; sub(/\/[^\/]*$/, "", d); return d }
	     {
		a = layer($1); b = layer($2)
		if (!(a in rank)) { printf "check-layers: %s: folder %s is not in src/layers.txt\n", $1, a; bad = 1; next }
		if (!(b in rank)) { printf "check-layers: %s: folder %s is not in src/layers.txt\n", $2, b; bad = 1; next }
		if (rank[b] > rank[a]) { printf "check-layers: %s calls up into %s\n", $1, $2; bad = 1 }
	     }
	     END { exit bad }' "$layers" "$tmp/edges" || status=1
fi
kept=""
[ -f "$layers" ] && kept=", every call down the layers of src/layers.txt"
[ $status -eq 0 ] && echo "check-layers: $nfiles files, $nedges calls between files: no circles$kept"
exit $status
