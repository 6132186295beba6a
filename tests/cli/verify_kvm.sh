#!/bin/bash
# xs-test-label: live
# make test: the KVM oracle where /dev/kvm exists, fixed seed.
source "$(dirname "$0")/lib.sh"
verify_against kvm 5000 20261125
