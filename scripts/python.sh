#!/usr/bin/env bash
# The Python package (crates/python), the DuckDB recipe and the Spark job:
# builds the package into a virtualenv and runs their tests against the CLI
# of the same tree.
#
#   scripts/python.sh             # what scripts/test.sh runs
#   scripts/python.sh --no-tests  # set up and build only (scripts/bench-scale.sh)
#
# Makes target/venv (RSTSCOPE_VENV=DIR elsewhere) and installs into it what
# is missing: maturin, pyarrow, duckdb, pyspark and pandas (which Spark's
# Arrow functions need), pytest. Spark needs Java (17 here); without it the
# Spark tests print SKIPPED. Needs the release
# CLI and generator: cargo build --release -p rstscope-cli -p rstscope-scenarios.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

VENV=${RSTSCOPE_VENV:-$ROOT/target/venv}
PY=$VENV/bin/python
say() { printf 'python: %s\n' "$*"; }

if [ ! -x "$PY" ]; then
  say "making the virtualenv $VENV"
  if ! python3 -m venv "$VENV"; then
    apt-get install -y python3-venv >/dev/null && python3 -m venv "$VENV"
  fi
fi
# One pip call for whatever is missing: module name, then what pip installs.
# (pandas: PySpark's Arrow functions import it, and do not support 3.x yet.)
missing=$("$PY" -c 'import importlib.util as u
need = {"maturin": "maturin", "pyarrow": "pyarrow", "duckdb": "duckdb", "pyspark": "pyspark",
        "pandas": "pandas>=2.2,<3", "pytest": "pytest"}
print(*[pip for module, pip in need.items() if not u.find_spec(module)])')
if [ -n "$missing" ]; then
  say "installing $missing"
  # shellcheck disable=SC2086 # one word per package
  "$PY" -m pip install -q --disable-pip-version-check $missing
fi
if ! command -v java >/dev/null; then
  say "no java: trying apt-get install default-jre-headless for Spark"
  apt-get install -y default-jre-headless >/dev/null 2>&1 ||
    say "NOTE: no Java could be installed; the Spark tests will print SKIPPED"
fi

# The crate is its own workspace (pyo3 needs Python to build); its target
# directory sits beside the main one so warm runs rebuild nothing.
export CARGO_TARGET_DIR=$ROOT/target/python
export PYO3_PYTHON=$PY
MANIFEST=crates/python/Cargo.toml
cargo fmt --manifest-path "$MANIFEST" -- --check
cargo clippy --manifest-path "$MANIFEST" --release --all-targets -- -D warnings
say "building the package"
VIRTUAL_ENV=$VENV "$VENV/bin/maturin" develop --release --quiet --manifest-path "$MANIFEST"

[ "${1:-}" = --no-tests ] && exit 0
export RSTSCOPE_BIN_DIR=${RSTSCOPE_BIN_DIR:-$ROOT/target/release}
cd crates/python
"$PY" -m pytest -q -rs tests/
