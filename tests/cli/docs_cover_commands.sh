#!/bin/bash
# Every subcommand `xstate --help` lists is documented in the man page and the README.
set -euo pipefail
root="$XS_SOURCE_DIR"
status=0
for cmd in $("$XSTATE_BIN" --help | awk '/^commands:/{on=1; next} on && NF {print $1} on && !NF {exit}'); do
	grep -q "^\.B $cmd\b\|^\.B $cmd \\\\" "$root/docs/xstate.1" || grep -q "^\.B ${cmd//-/\\\\-}\b" "$root/docs/xstate.1" \
		|| { echo "docs/xstate.1 does not document '$cmd'"; status=1; }
	grep -q "xstate $cmd\`" "$root/README.md" || { echo "README.md does not list 'xstate $cmd'"; status=1; }
done
exit $status
