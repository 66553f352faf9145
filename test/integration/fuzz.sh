#!/usr/bin/env bash
# libFuzzer harnesses of the pure C core (enumeration parser, state text and
# binary decoders), ABM_FUZZ_SECONDS (default 20) per harness.  No server.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
bash test/fuzz/run.sh "${ABM_FUZZ_SECONDS:-20}"
exit $?
