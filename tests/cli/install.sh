#!/bin/bash
# cmake --install gives a working library, header, tool, pkg-config file and
# CMake package: a consumer builds with each and prints the sizes the
# installed tool gives for a fixture.
source "$(dirname "$0")/lib.sh"
build="$XS_BUILD_DIR"
dump="$XS_TEST_DATA/cpuid/amd-zen4.instlat.txt"
make_tmp
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
test -x "$tmp/prefix/bin/xstate"
test -f "$tmp/prefix/include/xstate.h"
ls "$tmp"/prefix/lib*/libxstate.a "$tmp"/prefix/lib*/libxstate.so >/dev/null
XSTATE_BIN="$tmp/prefix/bin/xstate" expect_ok --version
XSTATE_BIN="$tmp/prefix/bin/xstate" expect_ok info --cpuid "$dump" --format json
want="$(jq -r '"\(.kernel.max_size) \(.kernel.default_size)"' <<<"$out")"
cat > "$tmp/app.c" <<'C'
#include <stdio.h>
#include <xstate.h>
int main(int argc, char **argv)
{
	xs_cpu *cpu = xs_cpu_new();
	xs_system *sys = NULL;
	struct xs_diag diag;
	int ret = 1;

	if (argc == 2 && cpu && !xs_cpu_from_file(cpu, argv[1], 0, &diag) && !xs_system_new(&sys, cpu, NULL)) {
		printf("%u %u\n", xs_system_info(sys)->kernel.max_size, xs_system_info(sys)->kernel.default_size);
		ret = 0;
	}
	xs_system_free(sys);
	xs_cpu_free(cpu);
	return ret;
}
C
# the consumer, behind the emulator where the test runs under one
consumer() {	# consumer PROGRAM
	last_cmd="$1 $dump" status=0 err=""
	out="$("${xs_emulator[@]}" "$1" "$dump" 2>&1)" || status=$?
	[ "$status" -eq 0 ] && [ "$out" = "$want" ] || fail "a consumer must print what the installed tool says: '$want'"
}
# pkg-config, static archive
libdir="$(dirname "$(ls "$tmp"/prefix/lib*/libxstate.a)")"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
cc="${XS_CC:-cc}"
flags="${XS_CONSUMER_CFLAGS:-}"
"$cc" $flags "$tmp/app.c" $(pkg-config --cflags xstate) "$libdir/libxstate.a" -o "$tmp/app-pc"
consumer "$tmp/app-pc"
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
consumer "$tmp/consumer/build/app"
echo "install: pkg-config and find_package consumers both work"
