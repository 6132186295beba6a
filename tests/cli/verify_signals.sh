#!/bin/bash
# xs-test-label: live
# verify's children end with it: `verify --against ptrace` keeps a traced
# child; SIGTERM, SIGINT or SIGHUP to the tool (and SIGKILL, which it
# cannot catch) leave no child behind (PR_SET_PDEATHSIG). And the KVM
# oracle's skip says why: "no /dev/kvm" where the device is missing,
# "/dev/kvm: Permission denied" where it cannot be opened (each part only
# where this machine can show it).
source "$(dirname "$0")/lib.sh"
make_tmp
pid=""
trap 'if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi; rm -rf "$tmp"' EXIT
set -m	# background jobs keep SIGINT (a shell without job control ignores it in them)

children_of() { # the pids whose parent is $1 (processes may vanish meanwhile)
	awk -v p="$1" '/^PPid:/ && $2 == p { split(FILENAME, f, "/"); print f[3] }' /proc/[0-9]*/status 2>/dev/null || true
}

for sig in TERM INT HUP KILL; do
	"$XSTATE_BIN" verify --against ptrace --iterations 100000000 --seed 3 > "$tmp/out" 2>&1 &
	pid=$!
	child=""
	for _ in $(seq 100); do
		child=$(children_of "$pid" | sed -n 1p)
		[ -n "$child" ] && break
		grep -q '^SKIP:' "$tmp/out" && skip_test "$(grep -m1 '^SKIP:' "$tmp/out")"
		sleep 0.05
	done
	[ -n "$child" ] || fail "verify --against ptrace started no child: $(cat "$tmp/out")"
	kill -"$sig" "$pid"
	wait "$pid" 2>/dev/null || true
	for _ in $(seq 40); do
		kill -0 "$child" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$child" 2>/dev/null; then
		kill -KILL "$child"
		fail "SIG$sig to verify left its child $child alive"
	fi
	echo "SIG$sig: the tool and its child $child are gone"
	pid=""
done
set +m

# the KVM oracle's skip reasons
if [ "$(id -u)" -eq 0 ] && [ -e /dev/kvm ] && command -v setpriv > /dev/null &&
	! setpriv --reuid=65534 --regid=65534 --clear-groups test -r /dev/kvm; then
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$XSTATE_BIN" verify --against kvm --iterations 1)
	[ "$out" = "SKIP: /dev/kvm: Permission denied" ] || fail "as nobody: '$out'"
	echo "kvm, device not readable: $out"
fi
if [ "$(id -u)" -eq 0 ] && command -v unshare > /dev/null && unshare -m true 2>/dev/null; then
	out=$(unshare -m sh -c 'mount -t tmpfs none /dev && exec "$0" verify --against kvm --iterations 1' "$XSTATE_BIN")
	[ "$out" = "SKIP: no /dev/kvm" ] || fail "without /dev/kvm: '$out'"
	echo "kvm, no device: $out"
fi
echo "ok: no child outlives verify"
