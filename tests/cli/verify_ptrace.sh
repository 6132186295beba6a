#!/bin/bash
# xs-test-label: live
# make test: the ptrace oracle, >= 5,000 cases with a fixed seed.
source "$(dirname "$0")/lib.sh"
verify_against ptrace 5000 20261125
