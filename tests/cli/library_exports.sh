#!/bin/bash
# xs-test-label: fixture
# libxstate.so exports its interface and nothing else: every dynamic
# symbol it defines is a function include/xstate.h declares with XS_API,
# and every function the header declares is marked XS_API and exported
# (the library is built with -fvisibility=hidden; internal functions live
# in the layers' own headers under src/).
source "$(dirname "$0")/lib.sh"
lib="$XS_BUILD_DIR/libxstate.so"
header="$XS_SOURCE_DIR/include/xstate.h"
[ -f "$lib" ] || fail "$lib: the shared library is not built"
command -v nm >/dev/null || fail "nm (binutils) is needed to read the library"
# a function declaration starts at column 0 with its return type; typedefs are types
unmarked=$(grep -nE '^[a-z][a-z0-9_ ]*[ *]xs_[a-z0-9_]+\(' "$header" | grep -vE '^[0-9]+:(typedef|XS_API) ' || true)
[ -z "$unmarked" ] || fail "include/xstate.h declares functions without XS_API: $unmarked"
declared=$(grep -oE '^XS_API [^(]*[ *]xs_[a-z0-9_]+\(' "$header" | sed -E 's/\($//; s/.*[ *]//' | sort -u)
# instrumentation a sanitizer build adds (ASan's ODR indicators) is the compiler's, not the library's
exported=$(nm -D --defined-only "$lib" | awk '{ print $NF }' | grep -vE '^__(odr_)?asan' | sort -u)
[ -n "$declared" ] && [ -n "$exported" ] || fail "no declarations or no exports found"
extra=$(comm -23 <(printf '%s\n' "$exported") <(printf '%s\n' "$declared"))
missing=$(comm -13 <(printf '%s\n' "$exported") <(printf '%s\n' "$declared"))
[ -z "$extra" ] || fail "libxstate.so exports symbols include/xstate.h does not declare: $(echo $extra)"
[ -z "$missing" ] || fail "include/xstate.h declares functions libxstate.so does not export: $(echo $missing)"
echo "libxstate.so exports the $(wc -l <<<"$declared") functions include/xstate.h declares, nothing else"
