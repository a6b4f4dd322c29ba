#!/usr/bin/env bash
# Fuzzes rstscope with cargo-fuzz (libFuzzer): every target in fuzz/ (or the
# TARGETs named) runs for SECONDS (default 30) and the script prints
# executions, rate, coverage and crashes per target; it exits non-zero when a
# target crashed (the input is in fuzz/artifacts/).
#
#   scripts/fuzz.sh                  # 30 s per target
#   scripts/fuzz.sh 20               # what scripts/test.sh runs
#   nice -n 19 scripts/fuzz.sh 1800 capture share   # 30 min each, these two
#
# A longer run, e.g. overnight before a release (the corpus in fuzz/corpus/
# grows and is reused by later runs; the targets are also listed by
# `cargo +nightly fuzz list`):
#
#   scripts/fuzz.sh 3600
#   cd fuzz && cargo +nightly fuzz run -a -s none capture corpus/capture regressions/capture \
#       -- -max_total_time=28800 -jobs=2 -workers=2 -timeout=10
#
# Reproduce a crash: cd fuzz && cargo +nightly fuzz run -a -s none TARGET artifacts/TARGET/crash-...
# Keep it as a regression: copy it (minimised with `cargo +nightly fuzz tmin`)
# into fuzz/regressions/TARGET/; every run replays those, and so does
# crates/capture/tests/no_panic_core.rs.
#
# Set up on a fresh machine: installs cargo-fuzz if missing, builds the seed
# corpora of every target (fuzz/common/src/bin/seeds.rs) from the captures
# in ../shared/captures (if there) and the generator's scenarios, each cut
# to 16 KiB: raw and gzipped for capture, single frames for decode, frame
# sequences for analyze, report JSON and link payloads for share.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
if ! [[ $seconds =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: scripts/fuzz.sh [SECONDS per target] [TARGET...]" >&2
  exit 2
fi
shift $(($# > 0 ? 1 : 0))

# cargo-fuzz needs a nightly compiler. Without a nightly toolchain, the
# stable one is told to accept nightly flags (it ships the same sanitizers).
if cargo +nightly --version >/dev/null 2>&1; then
  cargo=(cargo +nightly)
else
  echo "NOTE: no nightly toolchain; using the stable one with RUSTC_BOOTSTRAP=1"
  export RUSTC_BOOTSTRAP=1
  cargo=(cargo)
fi

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "==> installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

echo "==> seed corpora"
cargo build --quiet --release --manifest-path fuzz/Cargo.toml -p rstscope-fuzz-common --bin seeds
if [ -d ../shared/captures ]; then
  seed_source=../shared/captures
else
  echo "WARNING: ../shared/captures not found: seeding the fuzzers with the generator's scenarios only"
  seed_source=--generated
fi
fuzz/target/release/seeds "$seed_source" fuzz/corpus

cd fuzz
# No sanitizer: rstscope's crates have no unsafe code, so AddressSanitizer
# found nothing a panic or an overflow check would not; it made the capture
# target 4.5x slower (487 -> 2,205 executions/s, BENCHMARKS.md). Debug
# assertions (-a) stay on. Reproduce with the same flags: fuzz run -a -s none.
sanitizer=(-s none)
mapfile -t known < <("${cargo[@]}" fuzz list)
targets=("${@:-${known[@]}}")
for target in "${targets[@]}"; do
  if ! printf '%s\n' "${known[@]}" | grep -qx -- "$target"; then
    echo "unknown fuzz target $target (known: ${known[*]})" >&2
    exit 2
  fi
done
echo "==> building the fuzz targets: ${targets[*]}"
for target in "${targets[@]}"; do
  "${cargo[@]}" fuzz build -a "${sanitizer[@]}" "$target"
done

logs=target/fuzz-logs
mkdir -p "$logs"
status=0
summary=()
for target in "${targets[@]}"; do
  echo "==> fuzzing $target for ${seconds}s"
  mkdir -p "corpus/$target" "regressions/$target" "artifacts/$target"
  extra=()
  # Small inputs run fast and mutate well: seeds are cut to 16 KiB (share:
  # a report JSON up to 32 KiB).
  [ "$target" = capture ] && extra=(-max_len=16387)
  [ "$target" = share ] && extra=(-max_len=32768)
  marker=$(mktemp)
  # The first corpus folder receives new inputs; regressions are only replayed.
  if "${cargo[@]}" fuzz run -a "${sanitizer[@]}" "$target" "corpus/$target" "regressions/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${extra[@]}" \
    >"$logs/$target.log" 2>&1; then
    result=ok
  else
    result=FAILED
    status=1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$target.log" | tail -n 1)
  # The last status line: "#N DONE cov: C ft: F corp: K/SIZE ... exec/s: R".
  last=$(grep -E '^#[0-9]+' "$logs/$target.log" | tail -n 1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")
  rate=$(sed -n 's/.* exec\/s: \([0-9]*\).*/\1/p' <<<"$last")
  crashes=$(find "artifacts/$target" -type f -newer "$marker" | wc -l)
  rm -f "$marker"
  if [ "$result" = FAILED ]; then
    grep -E "panicked|ERROR: libFuzzer|SUMMARY|Test unit written" "$logs/$target.log" | head -n 8 || true
    echo "    full log: fuzz/$logs/$target.log"
  fi
  summary+=("$(printf '%-10s %12s executions %8s/s  cov %6s  ft %6s  corpus %-12s %3s crashes  %s' \
    "$target" "${runs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$crashes" "$result")")
done

echo
echo "==> fuzz summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
exit "$status"
