#!/usr/bin/env bash
# npm run bench: build, then run every benchmark with the load pinned to CPU 1 (the
# servers pin themselves to CPU 0) when taskset is available.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null
npx tsc -p tsconfig.bench.json
if command -v taskset >/dev/null 2>&1; then
  exec taskset -c 1 node dist-bench/bench/run.js
fi
exec node dist-bench/bench/run.js
