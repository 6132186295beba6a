#!/bin/bash
# A test labelled fixture (tests/CMakeLists.txt) calls none of the live
# oracles in its source: the CPU (xs_cpu_from_host, xs_hw_init -- these also
# fail at run time in fixture tests, tests/unit/fixture_guard.c), the running
# kernel (uname, /proc, arch_prctl and ptrace system calls, getauxval,
# dmesg), /dev/kvm, or `xstate verify --against` (lib.sh's verify_against).
# Comment lines are not code. A test that needs one is a live test: mark it
# `xs-test-label: live`.
source "$(dirname "$0")/lib.sh"
[ -s "$XS_TEST_LABELS" ] || fail "XS_TEST_LABELS ($XS_TEST_LABELS) lists no test"
c_live='xs_cpu_from_host\(|xs_hw_init\(|xt_live_|xt_cmdline_|"/dev/kvm|"/proc/|(^|[^_[:alnum:]])(ptrace|uname|getauxval|syscall|ioctl|sigaltstack)\(|(xt_run|popen|system)\("dmesg'
sh_live='--against|verify_against|/dev/kvm|/proc/|(^|[|;&(`$][[:space:]]*)(dmesg|uname)([[:space:]]|$)'
found=0 fixtures=0
while read -r label src; do
	[ "$label" = fixture ] || continue
	[ "$src" -ef "$0" ] && continue	# its patterns are not calls
	fixtures=$((fixtures + 1))
	case "$src" in
	*.c) code=$(grep -nvE '^[[:space:]]*(\*|/\*|//)' "$src" | grep -E "$c_live" || true) ;;
	# `verify --against trace` replays recorded CPUs: fixture work, no live oracle
	*.sh) code=$(grep -nvE '^[[:space:]]*#' "$src" | sed -E 's/--against[= ]trace([[:space:]]|$)/\1/g' |
		grep -E -- "$sh_live" || true) ;;
	*) fail "$src: a test neither C nor shell" ;;
	esac
	if [ -n "$code" ]; then
		echo "$src is labelled fixture but reads a live oracle:"
		sed 's/^/  /' <<<"$code"
		found=1
	fi
done <"$XS_TEST_LABELS"
[ "$found" -eq 0 ] || fail "label those tests live (tests/CMakeLists.txt) or give them fixtures"
echo "$fixtures fixture tests read no live oracle"
