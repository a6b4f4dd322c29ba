#!/usr/bin/env bash
# Scores the engine on ground truth and writes ACCURACY.md and the floor the
# test suite holds it to (crates/scenarios/accuracy-floor.json): the
# generated train and held-out splits, and the hand labels of the real
# captures in ../shared/captures (skipped when that folder is absent).
#
#   scripts/accuracy.sh                      # regenerate ACCURACY.md and the floor
#   scripts/accuracy.sh --errors             # also list wrong train and real verdicts
#   scripts/accuracy.sh --errors --family conntrack-invalid
#
# Held-out errors are never listed: only their aggregates are reported.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p rstscope-scenarios
exec target/release/rstscope-scenarios accuracy "$@"
