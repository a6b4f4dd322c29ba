#!/usr/bin/env bash
# Many captures on all cores, and captures per second per core through the
# CLI, the Python package and Spark local mode:
#
#   scripts/bench-scale.sh [--files N] [--size SIZE] [--runs R] [--no-spark]
#
# Writes N captures of SIZE (default 16 of 64MiB, `rstscope-scenarios bulk`
# with seeds 1..N) to /tmp/rstscope-scale-SIZE/ once, then times each way of
# analysing all of them (best of R; see crates/python/bench/scale.py) and
# prints a table. The load average is printed with it: on a shared machine
# the numbers move with it (BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p rstscope-cli -p rstscope-scenarios
bash scripts/python.sh --no-tests
exec "${RSTSCOPE_VENV:-target/venv}/bin/python" crates/python/bench/scale.py "$@"
