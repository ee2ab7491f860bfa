#!/usr/bin/env bash
# The whole test suite: installs what it needs, then runs every *.test.ts with node's test runner.
# Services the tests need are started by the tests themselves (clamd on the project's signatures,
# a throwaway PostgreSQL cluster unless ASSAY_TEST_DATABASE_URL names a server, Redis on 6379 or a
# throwaway redis-server unless ASSAY_TEST_REDIS_URL names one).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh test
bash scripts/ensure-node-deps.sh
if [ -z "${ASSAY_MAGIKA_MODEL_DIR:-}" ] && [ -f ../shared/magika/model.onnx ]; then
  export ASSAY_MAGIKA_MODEL_DIR=$(cd ../shared/magika && pwd)
fi
if [ $# -gt 0 ]; then files=("$@"); else
  mapfile -t files < <(find src test -name '*.test.ts' ! -name '*.case.test.ts' | sort)
fi
exec node --import tsx --test --test-concurrency=2 --test-timeout=300000 "${files[@]}"
