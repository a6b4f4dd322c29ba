#!/usr/bin/env bash
# Refits `confidence` and shows the result: fits the calibration table on
# the generator's train split (never the held-out one), rewrites
# crates/core/src/confidence/table/fitted.rs, then rebuilds and prints the
# train and real-label totals with the new table (`--errors` lists the wrong
# verdicts). Held-out is not scored here: run scripts/accuracy.sh when the
# work is done to regenerate ACCURACY.md and the floor.
#
#   scripts/calibrate.sh [--errors]
#
# Run it whenever verdicts change: the table describes the engine that
# scored the train split.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p rstscope-scenarios
target/release/rstscope-scenarios calibrate
cargo build --release --quiet -p rstscope-scenarios
exec target/release/rstscope-scenarios accuracy "$@"
