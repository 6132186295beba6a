#!/bin/bash
# Regenerates the "Examples" section of README.md (between the examples
# markers) by running each command below from the repository root, so every
# output shown is real. Commands on fixtures are checked by
# tests/cli/readme_examples.sh; those marked `# live` depend on the machine.
# Usage: scripts/readme-examples.sh [path/to/xstate] [--print]
set -uo pipefail
cd "$(dirname "$0")/.."
bin="$(realpath "${1:-build/xstate}")"
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
xstate decode $b/amd-zen5-vm.ptrace --kind ptrace | head -n 24
xstate check $b/amd-zen5-vm.ptrace --kind ptrace --cpuid $d/amd-zen5-vm.cpuid-r.txt
xstate check $b/amd-zen5-vm.ptrace --kind ptrace --cpuid $d/amd-zen4.instlat.txt --format json
xstate convert $b/amd-zen5-vm.ptrace /tmp/zen3.xsave --from $d/amd-zen5-vm.cpuid-r.txt --to $d/amd-zen3.instlat.txt
xstate convert $b/amd-zen5-vm.ptrace /tmp/zen3.xsave --from $d/amd-zen5-vm.cpuid-r.txt --to $d/amd-zen3.instlat.txt --force
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

render() {
	echo '<!-- examples:begin (scripts/readme-examples.sh writes this part) -->'
	while IFS= read -r cmd; do
		echo
		echo '```'
		echo "\$ $cmd"
		(set +o pipefail; PATH="$(dirname "$bin"):$PATH"; eval "${cmd%%  # live}" 2>&1; echo "(exit status $?)") |
			sed -e '/^(exit status 0)$/d'
		echo '```'
	done < <(examples)
	echo '<!-- examples:end -->'
}

if [ "${2:-}" = "--print" ]; then
	render
	exit 0
fi
new="$(mktemp)"
render > "$new.part"
awk -v part="$new.part" '
	/<!-- examples:begin/ { while ((getline l < part) > 0) print l; skip = 1; next }
	/<!-- examples:end -->/ { skip = 0; next }
	!skip' README.md > "$new"
mv "$new" README.md
rm -f "$new.part"
