#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this). Installs what is
# missing first (scripts/setup-web.sh skips what is already there).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "setup"
bash scripts/setup-web.sh
# wasm-opt (npm binaryen) for trunk's size optimisation step.
export PATH="$PWD/tests/node_modules/.bin:$PATH"

if [ ! -d ../shared/captures ]; then
  echo "NOTE: ../shared/captures not found: the real-capture tests will print SKIPPED."
fi

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p rstscope-app --target wasm32-unknown-unknown -- -D warnings

step "the core builds for wasm32v1-none (no_std)"
cargo build -p rstscope-core --target wasm32v1-none --release

step "unit and integration tests"
cargo test --workspace --profile ci   # includes the app crate's native tests

step "fuzzing, briefly (scripts/fuzz.sh documents a longer run)"
bash scripts/fuzz.sh 20

step "web app build"
trunk build --release --offline

step "browser tests"
cargo build -p rstscope-cli -p rstscope-scenarios --release
node --test tests/e2e/

step "Python package, DuckDB recipe, Spark job (scripts/python.sh)"
bash scripts/python.sh
