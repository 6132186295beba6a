#!/bin/bash
# cmake --install gives a working library, header, tool, pkg-config file and
# CMake package: a consumer builds with each and runs.
set -euo pipefail
root="$(cd "$XS_SOURCE_DIR" && pwd)"
build="$(dirname "$XSTATE_BIN")"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
test -x "$tmp/prefix/bin/xstate"
test -f "$tmp/prefix/include/xstate.h"
ls "$tmp"/prefix/lib*/libxstate.a "$tmp"/prefix/lib*/libxstate.so >/dev/null
"$tmp/prefix/bin/xstate" --version
cat > "$tmp/app.c" <<'C'
#include <stdio.h>
#include <xstate.h>
int main(void)
{
	xs_cpu cpu;
	static xs_system sys;

	if (xs_cpu_from_host(&cpu) || xs_system_init(&sys, &cpu, NULL))
		return 1;
	printf("%u\n", sys.kernel.max_size);
	return 0;
}
C
# pkg-config, static archive
libdir="$(dirname "$(ls "$tmp"/prefix/lib*/libxstate.a)")"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
cc="${XS_CC:-cc}"
flags="${XS_CONSUMER_CFLAGS:-}"
"$cc" $flags "$tmp/app.c" $(pkg-config --cflags xstate) "$libdir/libxstate.a" -o "$tmp/app-pc"
"$tmp/app-pc"
# find_package(xstate)
mkdir -p "$tmp/consumer"
cp "$tmp/app.c" "$tmp/consumer/app.c"
cat > "$tmp/consumer/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.18)
project(consumer C)
find_package(xstate REQUIRED)
add_executable(app app.c)
target_link_libraries(app PRIVATE xstate::xstate)
CM
cmake -S "$tmp/consumer" -B "$tmp/consumer/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
	-DCMAKE_C_COMPILER="$cc" -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null
cmake --build "$tmp/consumer/build" >/dev/null
"$tmp/consumer/build/app"
echo "install: pkg-config and find_package consumers both work"
