#!/bin/bash
# docs/traits.md shows each fixture's traits row exactly as the table in
# src/engine/traits.c gives it (`xstate info --format json`, "traits").
source "$(dirname "$0")/lib.sh"
doc="$XS_SOURCE_DIR/docs/traits.md"
data="$XS_TEST_DATA/cpuid"
# one line of the doc's table: fixture | row | value and provenance letter of each trait
row_jq='def hex: if . < 16 then "0123456789abcdef"[.:.+1]
                else ((. / 16 | floor) | hex) + ("0123456789abcdef"[(. % 16):(. % 16 + 1)]) end;
	"| " + $f + " | " + .traits[0].row + " | "
	+ ([.traits[] | ((if .name == "mxcsr_mask" then "0x" + (.value | hex) else (.value | tostring) end)
	                 + " " + (.provenance[0:1] | ascii_upcase))] | join(" | ")) + " |"'
fixtures=$(sed -n 's/^| \([a-z0-9-]*\.[a-z-]*\.txt\) | .*/\1/p' "$doc")
[ "$(wc -w <<<"$fixtures")" -ge 6 ] || fail "docs/traits.md: expected the table's fixture lines"
missing=0
for f in $fixtures; do
	expect_ok info --cpuid "$data/$f" --format json
	line=$(jq -r --arg f "$f" "$row_jq" <<<"$out")
	if ! grep -qxF -- "$line" "$doc"; then
		echo "docs/traits.md lacks: $line"
		missing=1
	fi
done
# every trait the library knows is described
expect_ok info --cpuid "$data/amd-zen4.instlat.txt" --format json
for name in $(jq -r '.traits[].name' <<<"$out"); do
	grep -q "^| \`$name\` |" "$doc" || { echo "docs/traits.md does not describe $name"; missing=1; }
done
exit $missing
