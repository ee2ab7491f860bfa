#!/usr/bin/env bash
# The long fuzz run: every target in test/fuzz with FUZZ_RUNS random inputs (default 20000) from a
# random seed (printed per target; FUZZ_SEED=<n> repeats a run). Failing inputs land in
# test/fuzz/crashes/<target>/. Arguments, if any, are the fuzz test files to run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh test
export FUZZ_RUNS=${FUZZ_RUNS:-20000}
export FUZZ_SEED=${FUZZ_SEED:-random}
if [ $# -gt 0 ]; then files=("$@"); else mapfile -t files < <(find test/fuzz -name '*.fuzz.test.ts' | sort); fi
exec node --import tsx --test --test-concurrency=1 --test-timeout=0 "${files[@]}"
