#!/bin/bash
# Every subcommand `xstate --help` lists is documented in the man page and the README.
source "$(dirname "$0")/lib.sh"
root="$XS_SOURCE_DIR"
missing=0
expect_ok --help
for cmd in $(help_commands "$out"); do
	grep -q "^\.B $cmd\b\|^\.B $cmd \\\\" "$root/docs/xstate.1" || grep -q "^\.B ${cmd//-/\\\\-}\b" "$root/docs/xstate.1" \
		|| { echo "docs/xstate.1 does not document '$cmd'"; missing=1; }
	grep -q "xstate $cmd\`" "$root/README.md" || { echo "README.md does not list 'xstate $cmd'"; missing=1; }
done
exit $missing
