#!/bin/bash
# Every command reads its options through one parser (tools/xstate/options.c)
# from one table, which also writes its --help: every option a usage line
# names is one the command takes, a bad option or value is refused the same
# way by every command (exit 2, "xstate: " first, the command's usage after
# an unknown option), and the options several commands share read their
# values by one rule (--kind task|vcpu, lists of names that say which option
# held the bad one).
source "$(dirname "$0")/lib.sh"
zen4="$XS_TEST_DATA/cpuid/amd-zen4.instlat.txt"
zen3="$XS_TEST_DATA/cpuid/amd-zen3.instlat.txt"

expect_ok --help
commands=$(help_commands "$out")
[ "$(wc -w <<<"$commands")" -ge 12 ] || fail "xstate --help lists too few commands"
n=0
for cmd in $commands "bench memory" "bench switch"; do
	# shellcheck disable=SC2086 # "bench memory" is two words
	expect_ok $cmd --help
	[[ "$out" == "usage: xstate ${cmd%% *}"* ]] || fail "xstate $cmd --help does not start with its usage"
	# the usage lines wrap within 80 columns
	sed '/^$/q' <<<"$out" | awk 'length > 80 { exit 1 }' || fail "xstate $cmd: a usage line is wider than 80 columns"
	[ "$cmd" = bench ] && continue	# bench's options are its benchmarks'
	# the command's own usage lines (bench's help has one form per benchmark)
	usage=$(awk -v c="xstate $cmd " '/^$/ { exit } index($0 " ", c) { on = 1; print; next }
		on && /^ +\[/ { print; next } { on = 0 }' <<<"$out")
	[ -n "$usage" ] || fail "xstate $cmd --help has no usage line of its own"
	# shellcheck disable=SC2013 # option names are words
	for opt in $(grep -oE -- '--[a-z][a-z0-9-]*' <<<"$usage" | sort -u); do
		# a value that is not one (and an operand) keeps every command from doing any work
		# shellcheck disable=SC2086
		run_tool $cmd "$opt" --zz-not-an-option extra
		[ "$status" -eq 2 ] || fail "xstate $cmd $opt ...: expected exit status 2"
		grep -qF -- "unrecognized option '$opt'" <<<"$err" && fail "xstate $cmd --help names $opt, which it does not take"
		n=$((n + 1))
	done
	# an unknown option: getopt's message with the command's name, then the usage
	# shellcheck disable=SC2086
	expect_error 2 "xstate: $cmd: unrecognized option '--bogus'" $cmd --bogus
	grep -q "^usage: xstate ${cmd%% *}" <<<"$err" || fail "xstate $cmd --bogus does not show the usage"
done
[ "$n" -ge 60 ] || fail "only $n options found in the usage lines"

# --kind task|vcpu (process and guest too) is one rule for fpstate, compat and baseline
for kind in task process vcpu guest; do
	expect_ok fpstate --cpuid "$zen4" --kind "$kind" --format json
	want=$([ "$kind" = task ] || [ "$kind" = process ] && echo task || echo guest)
	[ "$(jq -r .kind <<<"$out")" = "$want" ] || fail "fpstate --kind $kind is not a $want fpstate"
done
for cmd in fpstate compat baseline; do
	expect_error 2 "--kind: expected task or vcpu, got 'host'" $cmd "$zen4" "$zen3" --kind host
done
# a value list names the option it came in
expect_error 2 "--disable-b: unknown CPU feature 'avx9'" compat "$zen4" "$zen3" --disable-b avx9
expect_error 2 "--disable-a: empty name in 'avx,'" compat "$zen4" "$zen3" --disable-a avx,
expect_error 2 "--request: unknown state component 'warp'" check - --kind ptrace --request warp
# a value out of range, for every counted option alike
expect_error 2 "--iterations: 0 is out of range (at least 1)" verify --iterations 0
expect_error 2 "--tasks: 1 is out of range (at least 2)" bench switch --tasks 1
# a value is checked where it is given: before the operands are counted
expect_error 2 "--format: unknown format 'yaml' (expected text|json|markdown)" kernels --format yaml extra
expect_error 2 "--kind: expected ptrace, sigframe or kvm, got 'bad'" check --kind bad
# the options every command takes: -h is --help, --quiet anywhere
expect_ok kernels -h
[[ "$out" == "usage: xstate kernels"* ]] || fail "-h is not --help"
expect_ok cpuid --cpuid "$zen4" --quiet --format plain
want="$out"
expect_ok cpuid --quiet --cpuid "$zen4" --format plain
[ "$out" = "$want" ] || fail "--quiet changed the output"
echo "ok: $n options of the usage lines taken; errors alike in every command"
