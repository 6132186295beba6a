#!/bin/sh
# Install the Debian 12 packages the build and the tests need, when missing.
# Needs root (or sudo) only when something is missing.
set -eu
PKGS="cmake make gcc binutils clang libclang-rt-14-dev pkg-config libcmocka-dev libjansson-dev libzstd-dev qemu-user cpuid gnuplot-nox jq libxml2-utils libvirt-clients gdb valgrind abigail-tools"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends $missing
