#!/usr/bin/env bash
# Sets up what is missing, builds the web app and serves it on
# http://127.0.0.1:8080 (override with PORT=...). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-web.sh
# wasm-opt (npm binaryen) for trunk's size optimisation step.
export PATH="$PWD/tests/node_modules/.bin:$PATH"
exec trunk serve --release --offline --address 127.0.0.1 --port "${PORT:-8080}"
