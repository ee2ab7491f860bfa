#!/usr/bin/env bash
# Runs `npm ci` (which also builds dist/ through the prepare script) when node_modules is missing or stale.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent build
