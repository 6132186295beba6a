#!/bin/bash
# xs-test-label: live
# make test: the engine against this CPU (XSAVE-family instructions),
# >= 10,000 cases with a fixed seed. Skips where the CPU has no XSAVE.
source "$(dirname "$0")/lib.sh"
verify_against cpu 10000 20261126
