#!/bin/bash
# xs-test-label: fixture
# docs/vmm.md shows real output: every fenced block whose first line is
# `$ xstate ...` (or `$ xstate ... | jq ...`) is run again from the
# repository root and must print exactly the lines below it (stderr is in
# the block only where the command says 2>&1). Blocks that start with
# another command (the qemu-x86_64 run) are shown as run once, not
# compared. `bash tests/cli/baseline_vmm_doc.sh --update` (with XSTATE_BIN
# set) rewrites the blocks from a build.
source "$(dirname "$0")/lib.sh"
root="$XS_SOURCE_DIR"
doc="$root/docs/vmm.md"
make_tmp

# the tool as the commands in the document name it, behind the emulator if any
cat >"$tmp/xstate" <<EOF
#!/bin/bash
exec ${XS_EMULATOR:-} "$XSTATE_BIN" "\$@"
EOF
chmod +x "$tmp/xstate"

# the document with every `$ xstate` block's output made afresh
regenerate() {
	local line in_block=0 skip=0 n=0
	while IFS= read -r line || [ -n "$line" ]; do
		if [ "$skip" -eq 1 ]; then
			[ "$line" = '```' ] || continue
			skip=0 in_block=0
			printf '%s\n' "$line"
			continue
		fi
		printf '%s\n' "$line"
		if [ "$in_block" -eq 0 ] && [ "$line" = '```' ]; then
			in_block=1
			continue
		fi
		if [ "$in_block" -eq 1 ]; then
			in_block=2
			if [[ $line == '$ xstate '* ]]; then
				(cd "$root" && PATH="$tmp:$PATH" bash -o pipefail -c "${line#\$ }") || true
				skip=1 n=$((n + 1))
			fi
		elif [ "$in_block" -eq 2 ] && [ "$line" = '```' ]; then
			in_block=0
		fi
	done <"$doc"
	echo "$n" >"$tmp/count"
}

if [ "${1:-}" = --update ]; then
	regenerate >"$tmp/new"
	cp "$tmp/new" "$doc"
	echo "docs/vmm.md: $(cat "$tmp/count") examples regenerated"
	exit 0
fi
regenerate >"$tmp/new"
n=$(cat "$tmp/count")
[ "$n" -ge 10 ] || fail "docs/vmm.md: only $n xstate examples found"
if ! diff -u "$doc" "$tmp/new"; then
	echo "FAIL: docs/vmm.md examples are stale (- the document, + the tool): XSTATE_BIN=build/xstate XS_SOURCE_DIR=. bash tests/cli/baseline_vmm_doc.sh --update"
	exit 1
fi
echo "docs/vmm.md: $n examples match the tool"
