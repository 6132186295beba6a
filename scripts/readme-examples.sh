#!/bin/bash
# Regenerates the "Examples" section of README.md (between the examples
# markers) by running each command below, so every output shown is real.
#
# Usage: scripts/readme-examples.sh [path/to/xstate] [--print] [--no-live|--keep-live]
#   --print      write the section to stdout instead of README.md
#   --no-live    leave out the commands marked `# live`
#   --keep-live  do not run them: keep their blocks as README.md has them
#                (to refresh the fixture examples on a machine other than
#                the one the README's prose describes)
#
# Commands on fixtures name every CPU they need (--cpuid, --from/--to, dump
# arguments) and never read this machine: tests/cli/readme_examples.sh
# checks their blocks byte for byte, on any machine and under qemu. Those
# marked `# live` show the machine that ran them and are never compared.
# Every command runs in a scratch directory where tests/ is the
# repository's, so the paths shown are the repository's and what a command
# writes stays out of the checkout. XS_EMULATOR, when set, runs the tool
# behind it (tests/cli/lib.sh).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$(realpath "${1:-$root/build/xstate}")"
print=false live=run
for opt in "${@:2}"; do
	case "$opt" in
	--print) print=true ;;
	--no-live) live=omit ;;
	--keep-live) live=keep ;;
	*) echo "readme-examples.sh: unknown option '$opt'" >&2; exit 2 ;;
	esac
done
d=tests/data/cpuid
b=tests/data/buffers

examples() {
	cat <<LIST
xstate info --cpuid $d/intel-emerald-rapids.instlat.txt
xstate info --cpuid $d/amd-zen4.instlat.txt --kernel 6.6 --format dmesg
xstate info --cpuid $d/amd-zen4.instlat.txt --format json | head -n 16
xstate info --cpuid $d --format csv | head -n 5
xstate cpuid --cpuid $d/amd-zen4.instlat.txt --format plain | grep '^0000000d'
xstate fpstate --cpuid $d/amd-zen4.instlat.txt --kind task
xstate decode $b/amd-zen5-vm.ptrace --kind ptrace --cpuid $d/amd-zen5-vm.cpuid-r.txt | head -n 24
xstate check $b/amd-zen5-vm.ptrace --kind ptrace --cpuid $d/amd-zen5-vm.cpuid-r.txt
xstate check $b/amd-zen5-vm.ptrace --kind ptrace --cpuid $d/amd-zen4.instlat.txt --format json
xstate convert $b/amd-zen5-vm.ptrace zen3.xsave --from $d/amd-zen5-vm.cpuid-r.txt --to $d/amd-zen3.instlat.txt
xstate convert $b/amd-zen5-vm.ptrace zen3.xsave --from $d/amd-zen5-vm.cpuid-r.txt --to $d/amd-zen3.instlat.txt --force
xstate compat $d/intel-skylake-sp.plain.txt $d/intel-skylake-client.instlat.txt
xstate compat $d/amd-zen3.instlat.txt $d/amd-zen4.instlat.txt --kind vcpu
xstate compat $d/intel-skylake-client.instlat.txt $d/intel-skylake-sp.plain.txt --kernel 6.18.34
xstate baseline $d/amd-zen3.instlat.txt $d/amd-zen4.instlat.txt $d/intel-skylake-sp.plain.txt --kind vcpu
xstate snapshot-plan --cpuid $d/intel-emerald-rapids.instlat.txt --guest-kernel 6.1
xstate kernels | head -n 12
xstate bench memory --cpuid $d
xstate info  # live
xstate verify --against ptrace --iterations 20000 --seed 7  # live
xstate verify --against cpu --iterations 20000 --seed 7  # live
xstate verify --against kvm --iterations 20000 --seed 7  # live
xstate verify --against sigreturn --iterations 20000 --seed 7  # live
LIST
}

# shellcheck disable=SC2206 # words: "qemu-x86_64 -cpu Nehalem"
emulator=(${XS_EMULATOR:-})
xstate() {
	"${emulator[@]}" "$bin" "$@"
}

# The README's current block for a command, without its fences.
old_block() {
	awk -v want="\$ $1" '
		/^```$/ { if (open && found) exit; open = !open; next }
		open && $0 == want { found = 1 }
		open && found { print }' "$root/README.md"
}

render() {
	local work cmd

	work="$(mktemp -d)"
	ln -s "$root/tests" "$work/tests"
	echo '<!-- examples:begin (scripts/readme-examples.sh writes this part) -->'
	while IFS= read -r cmd; do
		if [ "$cmd" != "${cmd%  # live}" ] && [ "$live" != run ]; then
			[ "$live" = omit ] && continue
			if ! old_block "$cmd" | grep -q .; then
				echo "readme-examples.sh: README.md has no block for '$cmd' to keep" >&2
				rm -rf "$work"
				return 1
			fi
			printf '\n```\n'
			old_block "$cmd"
			echo '```'
			continue
		fi
		echo
		echo '```'
		echo "\$ $cmd"
		(cd "$work" && set +o pipefail && eval "${cmd%%  # live}" 2>&1; echo "(exit status $?)") |
			sed -e '/^(exit status 0)$/d'
		echo '```'
	done < <(examples)
	echo '<!-- examples:end -->'
	rm -rf "$work"
}

if $print; then
	render
	exit
fi
new="$(mktemp)"
render > "$new.part" || exit 1
awk -v part="$new.part" '
	/<!-- examples:begin/ { while ((getline l < part) > 0) print l; skip = 1; next }
	/<!-- examples:end -->/ { skip = 0; next }
	!skip' "$root/README.md" > "$new"
cat "$new" > "$root/README.md"	# keeps README.md's mode
rm -f "$new" "$new.part"
