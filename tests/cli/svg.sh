#!/bin/bash
# xstate info --format svg: well-formed SVG (xmllint) for every CPU fixture;
# for the AMX Xeon every component Linux enables drawn and named, each box
# at its offset and as tall as its size on one linear scale, the layout
# covered without gaps (padding drawn), the alignment padding CPUID 0xD
# asks for, the host/guest/user marks; text escaped for XML; and the
# drawings in docs/img/ current (scripts/make-svg-examples.sh --check).
source "$(dirname "$0")/lib.sh"
make_tmp
d="$XS_TEST_DATA/cpuid"
command -v xmllint > /dev/null || fail "xmllint is missing: scripts/install-deps.sh installs libxml2-utils"

for dump in "$d"/*.txt; do
	run_tool info --cpuid "$dump" --format svg
	[ "$status" -eq 0 ] || fail "info --format svg failed for $dump"
	printf '%s\n' "$out" > "$tmp/one.svg"
	xmllint --noout "$tmp/one.svg" || fail "$dump: not well-formed SVG"
done

emr="$d/intel-emerald-rapids.instlat.txt"
expect_ok info --cpuid "$emr" --format svg
printf '%s\n' "$out" > "$tmp/emr.svg"
xmllint --noout "$tmp/emr.svg" || fail "not well-formed SVG"
expect_ok info --cpuid "$emr" --format json
json="$out"

# attr FORMAT COMPONENT ATTRIBUTE: an attribute of a component's group in one layout
attr() {
	xmllint --xpath "string(//*[local-name()='g'][@data-format='$1']/*[local-name()='g'][@data-name='$2']/@$3)" "$tmp/emr.svg"
}

# every component the kernel enables is in the compacted drawing, every user one in the standard
for name in $(jq -r '.features[].name' <<<"$json"); do
	[ -n "$(attr compacted "$name" data-offset)" ] || fail "$name is not drawn in the compacted layout"
	grep -q ">$name<\|>$name ([0-9]*):" "$tmp/emr.svg" || fail "$name is not named in the drawing"
	user=$(jq -r --arg n "$name" '.features[] | select(.name == $n) | .in_user' <<<"$json")
	if [ "$user" = true ]; then
		[ "$(attr standard "$name" data-offset)" = \
		  "$(jq -r --arg n "$name" '.features[] | select(.name == $n) | .offset_standard' <<<"$json")" ] ||
			fail "$name: the standard drawing's offset differs from info's"
	fi
	[ "$(attr compacted "$name" data-offset)" = \
	  "$(jq -r --arg n "$name" '.features[] | select(.name == $n) | .offset_compacted' <<<"$json")" ] ||
		fail "$name: the compacted drawing's offset differs from info's"
done

# numbers of the InstLatx64 dump's CPUID 0xD (README's info table): AMX TILEDATA 8192 bytes at
# 2816 in the standard format; compacted, CET_S ends at 2464 + 24 = 2488 and the 64-byte aligned
# TILECFG starts at 2496, after 8 bytes of padding
[ "$(attr standard amx_tiledata data-offset)" = 2816 ] && [ "$(attr standard amx_tiledata data-size)" = 8192 ] ||
	fail "amx_tiledata is not 8192 bytes at 2816 in the standard drawing"
[ "$(attr compacted amx_tilecfg data-offset)" = 2496 ] || fail "amx_tilecfg is not at 2496 compacted"
pad=$(xmllint --xpath "string(//*[local-name()='g'][@data-format='compacted']/*[local-name()='g'][@class='padding'][@data-offset='2488']/@data-size)" "$tmp/emr.svg")
[ "$pad" = 8 ] || fail "the 8 bytes of alignment padding before amx_tilecfg are not drawn (got '$pad')"
# marks: TILEDATA is dynamic (user ABI only), CET_S guest-only, PKRU everywhere
[ "$(attr compacted amx_tiledata data-host)$(attr compacted amx_tiledata data-guest)$(attr compacted amx_tiledata data-user)" = nonoyes ] ||
	fail "amx_tiledata's marks are not host no, guest no, user yes"
[ "$(attr compacted cet_s data-host)$(attr compacted cet_s data-guest)$(attr compacted cet_s data-user)" = noyesno ] ||
	fail "cet_s's marks are not host no, guest yes, user no"
[ "$(attr compacted pkru data-host)$(attr compacted pkru data-guest)$(attr compacted pkru data-user)" = yesyesyes ] ||
	fail "pkru's marks are not yes, yes, yes"

# to scale: each box's top is top + offset / (bytes per px), its height size / (bytes per px),
# and the boxes of a layout follow each other from 0 to its size. 28 boxes: standard x87, sse,
# legacy padding, header, avx, unused 832..1087 (no MPX), opmask, zmm_hi256, hi16_zmm, pkru,
# unused 2696..2751, tilecfg, tiledata; compacted x87, sse, padding, header, avx, opmask,
# zmm_hi256, hi16_zmm, pkru, pasid, cet_u, cet_s, alignment padding, tilecfg, tiledata
awk '
	function fail(msg) { print "FAIL: " msg; bad = 1; exit 1 }
	function abs(v) { return v < 0 ? -v : v }
	function num(line, key,   m) { return match(line, key "=\"[0-9.]+\"") ? substr(line, RSTART + length(key) + 2, RLENGTH - length(key) - 3) + 0 : -1 }
	/<g class="layout"/ { if (fmt != "" && end != size) fail(fmt ": boxes end at " end " of " size)
		fmt = $0; size = num($0, "data-size"); bpp = num($0, "data-bytes-per-px"); top = num($0, "data-top"); end = 0; next }
	/<g class="(component|padding|header)"/ { off = num($0, "data-offset"); sz = num($0, "data-size"); want_rect = 1
		if (off != end) fail("a gap or overlap at byte " end " (next box at " off ")")
		end = off + sz; next }
	want_rect && /<rect/ { want_rect = 0; boxes++
		if (abs(num($0, "y") - (top + off / bpp)) > 0.01) fail("the box at byte " off " is drawn at y " num($0, "y"))
		if (abs(num($0, "height") - sz / bpp) > 0.01) fail("the box of " sz " bytes is " num($0, "height") " px tall") }
	END { if (bad) exit 1; if (end != size) { print "FAIL: the last layout ends at " end " of " size; exit 1 }
	      if (boxes != 28) { print "FAIL: " boxes " boxes, not 28"; exit 1 } }' "$tmp/emr.svg" ||
	fail "the drawing is not to scale"

# a brand with characters XML reserves is escaped
expect_ok cpuid --cpuid "$d/amd-zen4.instlat.txt" --format plain
# brand bytes "A&B<" (little-endian in EAX) and nothing more
printf '%s\n' "$out" | sed -e 's/^80000002 0 .*/80000002 0 3c422641 00000000 00000000 00000000/' \
	-e '/^80000003 /d' -e '/^80000004 /d' > "$tmp/brand.txt"
expect_ok info --cpuid "$tmp/brand.txt" --format svg
printf '%s\n' "$out" > "$tmp/brand.svg"
xmllint --noout "$tmp/brand.svg" || fail "a brand with & and < breaks the SVG"
grep -q 'A&amp;B&lt;' "$tmp/brand.svg" || fail "the brand is not escaped"

# the pictures in docs/img are what the tool draws today
"$XS_SOURCE_DIR/scripts/make-svg-examples.sh" "$XSTATE_BIN" --check || fail "docs/img is stale"
echo "ok: SVG layouts well-formed, complete and to scale"
