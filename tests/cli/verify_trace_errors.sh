#!/bin/bash
# A corrupt or truncated trace is refused with a precise error -- file,
# record, field, what was expected -- and exit status 2, never a crash.
# tests/data/trace-errors holds traces broken inside the compressed body
# (make-fixtures.py says how, expected.tsv what the reader must say); the
# byte-level breakages are made here from the valid base.xstrace.
source "$(dirname "$0")/lib.sh"
make_tmp
dir="$XS_TEST_DATA/trace-errors"
base="$dir/base.xstrace"

expect_refused() {	# FILE MESSAGE: exit status 2 and MESSAGE on stderr
	expect_error 2 "$2" verify --against trace "$1"
}

n=0
while IFS=$'\t' read -r file message; do
	case "$file" in '#'* | '') continue ;; esac
	expect_refused "$dir/$file" "$message"
	n=$((n + 1))
done <"$dir/expected.tsv"
[ "$n" -ge 10 ] || fail "expected.tsv lists $n broken traces"

size=$(stat -c %s "$base")
: >"$tmp/empty.xstrace"
expect_refused "$tmp/empty.xstrace" "header: truncated: 0 byte(s), expected 16"
head -c 10 "$base" >"$tmp/short.xstrace"
expect_refused "$tmp/short.xstrace" "header: truncated: 10 byte(s), expected 16"
{ printf 'XSTRACX\032'; tail -c +9 "$base"; } >"$tmp/magic.xstrace"
expect_refused "$tmp/magic.xstrace" 'not a trace: expected the magic "XSTRACE\x1a" at byte 0'
{ head -c 8 "$base"; printf '\002\000\000\000'; tail -c +13 "$base"; } >"$tmp/version.xstrace"
expect_refused "$tmp/version.xstrace" "header: format version 2, expected 1"
{ head -c 12 "$base"; printf '\002\000\000\000'; tail -c +17 "$base"; } >"$tmp/compression.xstrace"
expect_refused "$tmp/compression.xstrace" "header: compression 2, expected 1 (zstd)"
head -c $((size / 2)) "$base" >"$tmp/cut.xstrace"
expect_refused "$tmp/cut.xstrace" "truncated: the compressed body ends inside its zstd frame"
{ cat "$base"; printf 'more'; } >"$tmp/trailing.xstrace"
expect_refused "$tmp/trailing.xstrace" "4 byte(s) after the compressed body, expected the file to end"
# one byte of the compressed body flipped: zstd's checksum or its decoder refuses it
byte=$(od -An -tu1 -j 400 -N 1 "$base" | tr -d ' ')
{ head -c 400 "$base"; printf "\\$(printf '%03o' $((byte ^ 0xff)))"; tail -c +402 "$base"; } >"$tmp/flipped.xstrace"
cmp -s "$base" "$tmp/flipped.xstrace" && fail "the flipped copy equals the base"
expect_refused "$tmp/flipped.xstrace" "compressed body: zstd:"
expect_refused "$tmp/missing.xstrace" "$tmp/missing.xstrace"
mkdir "$tmp/none"
expect_refused "$tmp/none" "no *.xstrace file in the directory"

# The base itself reads (whatever the engine thinks of its 3 cases).
run_tool verify --against trace "$base"
[ "$status" -le 1 ] && grep -qE '^3 cases: [0-3] agree, [0-3] differ$' <<<"$(tail -n 1 <<<"$out")" ||
	fail "the valid base trace replays its 3 cases"
echo "$((n + 10)) broken traces refused with exit status 2"
