# libxstate — the two set-up commands:
#   make run    build, then `xstate info` for this machine's CPU
#   make test   install missing Debian packages, build with -Werror and with
#               ASan+UBSan, run every test in both builds, the fixture tests
#               of the -Werror build again under qemu-x86_64 for each of
#               QEMU_CPUS, and a short run of every fuzz target on its seed
#               corpus
#   make fuzz   run every libFuzzer target for FUZZ_SECONDS (default 60)
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
FUZZ_SECONDS ?= 60
FUZZ_BUILD ?= build-fuzz
WERROR_BUILD ?= build-werror
ASAN_BUILD ?= build-asan
# qemu-x86_64 -cpu models for the fixture tests (README "Tests"): no AVX and
# no XSAVE; AVX and XSAVEOPT without XSAVEC, XSAVES or AVX-512. TCG lacks
# x2apic and tsc-deadline and warns about them on stderr: turned off.
QEMU_CPUS ?= Nehalem SandyBridge,-x2apic,-tsc-deadline
empty :=
space := $(empty) $(empty)
comma := ,
QEMU_MODELS := $(foreach c,$(QEMU_CPUS),$(firstword $(subst $(comma),$(space),$(c))))
FUZZ_TARGETS := fuzz_cpu_parse fuzz_uabi fuzz_decode fuzz_convert fuzz_model fuzz_trace

.PHONY: all deps run test test-werror test-asan test-fuzz fuzz fuzz-build bench clean

all: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS)

deps:
	@./scripts/install-deps.sh

run: all
	./$(BUILD)/xstate info

test: deps test-werror test-asan test-fuzz

# Every test natively, then the fixture tests under each qemu CPU model
# (tests NAME@MODEL, label qemu-MODEL); every run goes on after a failure,
# and the target fails if any did.
test-werror:
	cmake -S . -B $(WERROR_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXS_WERROR=ON -DXS_ABI_CHECK=ON \
		"-DXS_TEST_QEMU_CPUS=$(subst $(space),;,$(strip $(QEMU_CPUS)))"
	cmake --build $(WERROR_BUILD) -j $(JOBS)
	@cd $(WERROR_BUILD) && status=0 && \
	echo "== $(WERROR_BUILD): every test, natively" && \
	{ ctest --output-on-failure -j $(JOBS) -LE '^qemu$$' || status=1; } && \
	for m in $(QEMU_MODELS); do \
		echo "== $(WERROR_BUILD): the fixture tests under qemu-x86_64 -cpu $$m"; \
		ctest --output-on-failure -j $(JOBS) -L "^qemu-$$m$$" || status=1; \
	done; exit $$status

test-asan:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DXS_WERROR=ON -DXS_SANITIZE=ON -DXS_ABI_CHECK=ON \
		-DCMAKE_C_COMPILER=clang
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS)

# libFuzzer with ASan+UBSan (clang). The seeds in fuzz/corpus stay as they are:
# `make fuzz` grows a copy in $(FUZZ_BUILD)/corpus, `make test-fuzz` writes
# what it finds to a scratch directory.
fuzz-build:
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
		-DXS_BUILD_FUZZ=ON -DXS_BUILD_TESTS=OFF -DXS_BUILD_BENCH=OFF -DXS_WERROR=ON
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_targets

fuzz: deps fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$t && cp fuzz/corpus/$$t/* $(FUZZ_BUILD)/corpus/$$t/ && \
		echo "== $$t for $(FUZZ_SECONDS) s" && \
		$(FUZZ_BUILD)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_BUILD)/$$t- $(FUZZ_BUILD)/corpus/$$t || exit 1; \
	done

test-fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
		rm -rf $(FUZZ_BUILD)/scratch/$$t && mkdir -p $(FUZZ_BUILD)/scratch/$$t && \
		echo "== $$t: 20000 runs on the seeds" && \
		$(FUZZ_BUILD)/fuzz/$$t -runs=20000 -artifact_prefix=$(FUZZ_BUILD)/$$t- \
			$(FUZZ_BUILD)/scratch/$$t fuzz/corpus/$$t || exit 1; \
	done

# Benchmarks: a Release build in build-bench, every bench/bench_* program
# (bench_engine also under qemu-x86_64 for its QEMU column), the engine's
# instruction counts (valgrind, when installed), `xstate bench switch` (the
# CET-S series' experiment) and `xstate bench memory`; results in
# build-bench/results and docs/bench/ (this CPU's in
# docs/bench/<vendor>-<family>h-<model>h.json, kept beside the other CPUs'),
# the page docs/benchmarks.md with its plots (scripts/bench-run.sh,
# bench-report.sh).
bench: deps
	@mkdir -p build-bench/results && date +%s > build-bench/results/started
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DXS_BUILD_TESTS=OFF
	cmake --build build-bench -j $(JOBS)
	./scripts/bench-run.sh build-bench build-bench/results
	./scripts/bench-report.sh build-bench/results docs

clean:
	rm -rf $(BUILD) $(WERROR_BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) build-bench
