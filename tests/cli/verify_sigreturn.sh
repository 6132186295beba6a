#!/bin/bash
# xs-test-label: live
# make test: the sigreturn oracle (signal frames the handler rewrote, on the
# running kernel), >= 10,000 cases with a fixed seed.
source "$(dirname "$0")/lib.sh"
verify_against sigreturn 10000 20261203
