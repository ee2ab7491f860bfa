#!/usr/bin/env bash
# Quick start: installs what is missing, then runs `assay serve` on the embedded default (SQLite,
# local blobs, in-process workers, a supervised clamd). Extra arguments go to `assay serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-system-deps.sh runtime
bash scripts/ensure-node-deps.sh
exec node bin/assay.js serve "$@"
