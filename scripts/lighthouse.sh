#!/usr/bin/env bash
# Lighthouse (mobile, simulated throttling) on the landing page and a shared
# report of dist/, as BENCHMARKS.md records it. Installs Lighthouse into a
# cache outside the repo on first use (not needed by scripts/test.sh).
# RUNS=N runs each page N times (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
LH_DIR="${LH_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rstscope-lighthouse}"
if [ ! -d "$LH_DIR/node_modules/lighthouse" ]; then
  npm install --prefix "$LH_DIR" --no-audit --no-fund lighthouse@12 >/dev/null
fi
if [ ! -f dist/index.html ]; then
  export PATH="$PWD/tests/node_modules/.bin:$PATH"
  trunk build --release --offline
fi
export LIGHTHOUSE_MODULE="$LH_DIR/node_modules/lighthouse/core/index.js"
export CHROME_LAUNCHER_MODULE="$LH_DIR/node_modules/chrome-launcher/dist/index.js"
exec node tests/lighthouse.mjs
