#!/usr/bin/env bash
# Refits `confidence` and shows the result: fits the calibration table on
# the generator's train split (never the held-out one), rewrites
# crates/core/src/confidence/table/fitted.rs, then rebuilds and runs
# scripts/accuracy.sh, which writes ACCURACY.md and the floor with the new
# table (held-out and real calibration are reported there, never fitted on).
#
#   scripts/calibrate.sh
#
# Run it whenever verdicts change: the table describes the engine that
# scored the train split.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p rstscope-scenarios
target/release/rstscope-scenarios calibrate
exec scripts/accuracy.sh "$@"
