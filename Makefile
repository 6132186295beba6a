# libxstate — the two set-up commands:
#   make run    build, then `xstate info` for this machine's CPU
#   make test   install missing Debian packages, build with -Werror and with
#               ASan+UBSan, run every test in both builds
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build

.PHONY: all deps run test test-werror test-asan fuzz bench clean

all: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS)

deps:
	@./scripts/install-deps.sh

run: all
	./$(BUILD)/xstate info

test: deps test-werror test-asan

test-werror:
	cmake -S . -B build-werror -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXS_WERROR=ON
	cmake --build build-werror -j $(JOBS)
	cd build-werror && ctest --output-on-failure -j $(JOBS)

test-asan:
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DXS_WERROR=ON -DXS_SANITIZE=ON \
		-DCMAKE_C_COMPILER=clang
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf build build-werror build-asan build-fuzz build-bench
