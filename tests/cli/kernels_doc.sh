#!/bin/bash
# docs/kernels.md carries the change table exactly as the code has it.
set -euo pipefail
doc="$XS_SOURCE_DIR/docs/kernels.md"
missing=0
while IFS= read -r line; do
	if ! grep -qxF -- "$line" "$doc"; then
		echo "docs/kernels.md lacks: $line"
		missing=1
	fi
done < <("$XSTATE_BIN" kernels --format markdown)
exit $missing
