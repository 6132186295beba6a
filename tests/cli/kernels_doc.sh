#!/bin/bash
# docs/kernels.md carries the change table exactly as the code has it.
source "$(dirname "$0")/lib.sh"
doc="$XS_SOURCE_DIR/docs/kernels.md"
missing=0
expect_ok kernels --format markdown
while IFS= read -r line; do
	if ! grep -qxF -- "$line" "$doc"; then
		echo "docs/kernels.md lacks: $line"
		missing=1
	fi
done <<<"$out"
exit $missing
