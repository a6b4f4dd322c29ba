#!/usr/bin/env bash
# Scores the engine on ground truth: the generated train split and the hand
# labels of the real captures in ../shared/captures (skipped when that
# folder is absent). Run without arguments it also scores the held-out
# split and writes ACCURACY.md and the floor the test suite holds it to
# (crates/scenarios/accuracy-floor.json): do that once, when the work is
# done, so no rule or number is chosen while looking at held-out results.
#
#   scripts/accuracy.sh                      # regenerate ACCURACY.md and the floor (held-out included)
#   scripts/accuracy.sh --errors             # work: train and real totals, their wrong verdicts
#   scripts/accuracy.sh --errors --family conntrack-invalid
#
# Held-out errors are never listed: only their aggregates are reported.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p rstscope-scenarios
if [ $# -eq 0 ]; then
    set -- --write
fi
exec target/release/rstscope-scenarios accuracy "$@"
