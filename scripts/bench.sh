#!/usr/bin/env bash
# Benchmarks, on demand only (never part of the test suite): builds, then runs the named benches
# in sequence (default: all). Each prints raw figures, a ratio against a baseline measured in the
# same run, and a VERDICT line. See docs/benchmarks.md.
#
#   npm run bench                      # ingest, pipeline, lookup
#   npm run bench -- ingest lookup
#   BENCH_REPEAT=5 npm run bench -- ingest
#   BENCH_REF=HEAD npm run bench       # build and measure a commit (git archive), not the work tree
set -euo pipefail
cd "$(dirname "$0")/.."
all=(ingest pipeline lookup)
benches=("$@")
[ ${#benches[@]} -eq 0 ] && benches=("${all[@]}")
for b in "${benches[@]}"; do
  [ -f "bench/$b.ts" ] || { echo "unknown bench: $b (have: ${all[*]})" >&2; exit 2; }
done

need=()
for tool in curl wrk clamdscan yara sha256sum; do command -v "$tool" >/dev/null || need+=("$tool"); done
if [ ${#need[@]} -gt 0 ]; then
  echo "bench: missing tools: ${need[*]} (Debian packages: curl wrk clamdscan yara coreutils)" >&2
  exit 1
fi

# Measure what users run: the compiled dist/ through bin/assay.js, from a snapshot taken now, so a
# rebuild of dist/ while the benches run cannot change or break the server under test.
app=.tmp/bench/app
rm -rf "$app"
mkdir -p "$app/rules" "$app/signatures"
if [ -n "${BENCH_REF:-}" ]; then
  src=.tmp/bench/ref
  rm -rf "$src"
  mkdir -p "$src"
  git archive "$BENCH_REF" | tar -x -C "$src"
  ln -s "$PWD/node_modules" "$src/node_modules"
  (cd "$src" && node node_modules/typescript/bin/tsc -p tsconfig.build.json)
  export BENCH_BUILT_FROM="commit $(git rev-parse --short "$BENCH_REF") (BENCH_REF=$BENCH_REF)"
else
  src=.
  npm run build --silent
  dirty=$(git status --porcelain --untracked-files=no -- src | head -1 || true)
  export BENCH_BUILT_FROM="work tree at $(git rev-parse --short HEAD 2>/dev/null || echo '?')${dirty:+ + uncommitted changes in src/}"
fi
cp -r "$src/dist" "$src/bin" "$src/package.json" "$app/"
cp -r "$src/rules/yara" "$app/rules/"
cp -r "$src/signatures/clamav" "$app/signatures/"
if [ -d "$src/registries" ]; then cp -r "$src/registries" "$app/"; fi
export BENCH_APP_DIR="$PWD/$app"
echo "bench: server built from $BENCH_BUILT_FROM"

if [ -z "${BENCH_MAGIKA_DIR:-}" ] && [ -f ../shared/magika/model.onnx ]; then
  export BENCH_MAGIKA_DIR=$(cd ../shared/magika && pwd)
fi

status=0
for b in "${benches[@]}"; do
  node --import tsx "bench/$b.ts" || { echo "bench $b failed" >&2; status=1; }
done
exit $status
