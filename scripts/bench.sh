#!/usr/bin/env bash
# Speed and scale, measured on one generated capture:
#
#   scripts/bench.sh [SIZE] [--no-tshark] [--no-browser] [--runs N]
#
# SIZE (default 1GiB) is passed to `rstscope-scenarios bulk`; the capture is
# written to /tmp/rstscope-bulk-SIZE.pcap once and reused. Measured, in this
# order: the raw read speed (`cat FILE > /dev/null`, page cache warm, best of
# N) as the physical limit; the CLI (best of N, MB/s and peak RSS from
# /usr/bin/time); tshark with a reset filter (one run); and the web app in
# headless Chromium (tests/bench/browser.mjs, needs a built dist/) and its
# first load (tests/bench/first-load.mjs). Prints a table, the ratios against
# the targets, and the app bundle's gzip -9 size.
#
# The load average is printed with the results: numbers taken while other
# jobs share the cores are noisy (see BENCHMARKS.md). tshark: apt install tshark.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SIZE=1GiB
TSHARK=1
BROWSER=1
RUNS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --no-tshark) TSHARK=0 ;;
    --no-browser) BROWSER=0 ;;
    --runs) RUNS=$2; shift ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "bench: unknown option $1" >&2; exit 2 ;;
    *) SIZE=$1 ;;
  esac
  shift
done

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target-bench}
# The web build the browser rows use (the browser scripts read the same variable).
export RSTSCOPE_DIST=${RSTSCOPE_DIST:-$ROOT/dist}
DIST=$RSTSCOPE_DIST
BIN=$CARGO_TARGET_DIR/release
FILE=/tmp/rstscope-bulk-$SIZE.pcap
OUT=$(mktemp -d /tmp/rstscope-bench.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

say() { printf 'bench: %s\n' "$*" >&2; }
now() { date +%s.%N; }
# elapsed START END -> seconds
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# mbps BYTES SECONDS -> MB/s (10^6 bytes)
mbps() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", n / s / 1e6 }'; }
# ratio A B -> A / B, or n/a when either was not measured
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else print "n/a" }'; }
# verdict VALUE OP TARGET -> PASS/FAIL
verdict() { awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN {
  ok = (op == ">=") ? (v >= t) : (v < t); print (v == "n/a" ? "n/a" : (ok ? "PASS" : "FAIL")) }'; }

if [ ! -x /usr/bin/time ]; then
  say "/usr/bin/time missing: apt-get install -y time"; exit 1
fi

say "building rstscope and rstscope-scenarios (release, $CARGO_TARGET_DIR)"
cargo build --release --quiet -p rstscope-cli -p rstscope-scenarios

if [ -s "$FILE" ]; then
  say "reusing $FILE"
  GEN="(reused)"
else
  say "generating $FILE"
  t0=$(now)
  "$BIN/rstscope-scenarios" bulk --size "$SIZE" "$FILE" >&2
  GEN="$(elapsed "$t0" "$(now)") s"
fi
BYTES=$(stat -c %s "$FILE")

# --- raw read: the physical limit -------------------------------------------
cat "$FILE" >/dev/null # warm the page cache
best_raw=
for _ in $(seq "$RUNS"); do
  t0=$(now); cat "$FILE" >/dev/null; s=$(elapsed "$t0" "$(now)")
  best_raw=$(awk -v a="$s" -v b="${best_raw:-1e99}" 'BEGIN { print (a < b ? a : b) }')
done
RAW=$(mbps "$BYTES" "$best_raw")
say "raw read: $best_raw s ($RAW MB/s)"

# --- CLI -----------------------------------------------------------------------
best_cli= best_cpu=
CLI_RSS=0
for i in $(seq "$RUNS"); do
  /usr/bin/time -f '%e %M %U %S' -o "$OUT/cli.time" \
    "$BIN/rstscope" analyze "$FILE" --format json >"$OUT/report.json"
  read -r s rss user sys <"$OUT/cli.time"
  cpu=$(awk -v u="$user" -v k="$sys" 'BEGIN { printf "%.2f", u + k }')
  say "cli run $i: $s s ($cpu s CPU), peak RSS $((rss / 1024)) MiB"
  best_cli=$(awk -v a="$s" -v b="${best_cli:-1e99}" 'BEGIN { print (a < b ? a : b) }')
  best_cpu=$(awk -v a="$cpu" -v b="${best_cpu:-1e99}" 'BEGIN { print (a < b ? a : b) }')
  CLI_RSS=$((rss > CLI_RSS ? rss : CLI_RSS))
done
CLI=$(mbps "$BYTES" "$best_cli")
CLI_RSS_MB=$(awk -v k="$CLI_RSS" 'BEGIN { printf "%.1f", k / 1024 }')
CLI_RESETS=$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1])); console.log(r.resets.length)' "$OUT/report.json" 2>/dev/null || echo "?")

# --- CLI memory, worst case: every packet a new connection ------------------
SYNS=200000
SYN_FILE=/tmp/rstscope-syn-$SYNS.pcap
[ -s "$SYN_FILE" ] || "$BIN/rstscope-scenarios" bulk --syn-flood "$SYNS" "$SYN_FILE" >&2
SYN_S= SYN_RSS=0
for _ in $(seq "$RUNS"); do
  /usr/bin/time -f '%e %M' -o "$OUT/syn.time" "$BIN/rstscope" analyze "$SYN_FILE" --format json >/dev/null
  read -r s rss <"$OUT/syn.time"
  SYN_S=$(awk -v a="$s" -v b="${SYN_S:-1e99}" 'BEGIN { print (a < b ? a : b) }')
  SYN_RSS=$((rss > SYN_RSS ? rss : SYN_RSS))
done
SYN_RSS_MB=$(awk -v k="$SYN_RSS" 'BEGIN { printf "%.1f", k / 1024 }')
SYN_MBPS=$(mbps "$(stat -c %s "$SYN_FILE")" "$SYN_S")
say "cli on $SYNS distinct SYNs: $SYN_S s (best of $RUNS), peak RSS $SYN_RSS_MB MiB (max)"

# --- tshark ------------------------------------------------------------------
TSHARK_MBPS=n/a TSHARK_S=skipped TSHARK_RSS_MB=n/a TSHARK_RESETS=n/a
if [ "$TSHARK" = 1 ] && command -v tshark >/dev/null; then
  say "tshark -r $FILE -Y 'tcp.flags.reset==1' (one run; minutes on 1 GiB)"
  /usr/bin/time -f '%e %M' -o "$OUT/tshark.time" \
    tshark -n -r "$FILE" -Y 'tcp.flags.reset==1' >"$OUT/tshark.txt" 2>/dev/null
  read -r TSHARK_S rss <"$OUT/tshark.time"
  TSHARK_MBPS=$(mbps "$BYTES" "$TSHARK_S")
  TSHARK_RSS_MB=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
  TSHARK_RESETS=$(wc -l <"$OUT/tshark.txt")
elif [ "$TSHARK" = 1 ]; then
  say "tshark not installed: skipped"
fi

# --- browser -----------------------------------------------------------------
BROWSER_MBPS=n/a BROWSER_S=skipped WORKER_MB=n/a WASM_MB=n/a BROWSER_RESETS=n/a FIRST_LOAD_MS=n/a
WORKER_S=skipped WORKER_MBPS=n/a ANALYSIS_S=skipped ANALYSIS_MBPS=n/a READ_S=skipped READ_MBPS=n/a STREAM_S=skipped STREAM_MBPS=n/a
if [ "$BROWSER" = 0 ]; then
  say "browser: skipped (--no-browser)"
elif [ ! -f "$DIST/index.html" ]; then
  say "browser: skipped, dist/ is not built (bash scripts/setup-web.sh; trunk build --release --offline)"
elif [ ! -d tests/node_modules/playwright-core ]; then
  say "browser: skipped, playwright-core is not installed (bash scripts/setup-web.sh)"
else
  say "browser: headless Chromium, dist/ through the app's worker"
  if ! node tests/bench/browser.mjs "$FILE" >"$OUT/browser.json"; then
    say "browser: the run failed (is dist/ being rebuilt?); rerun later"
    BROWSER_S=failed
  fi
  if [ "$BROWSER_S" != failed ]; then
    field() { node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1])); console.log(r[process.argv[2]])' "$OUT/browser.json" "$1"; }
    BROWSER_S=$(field seconds)
    BROWSER_MBPS=$(field mb_per_s)
    BROWSER_RESETS=$(field resets)
    WASM_MB=$(awk -v b="$(field worker_wasm_memory_bytes)" 'BEGIN { printf "%.1f", b / 1048576 }')
    # Worker memory: JS heap plus ArrayBuffer backing stores (wasm memory and
    # File slices not yet collected), peaks of CDP Runtime.getHeapUsage.
    # The larger of the two views (CDP samples can miss a busy worker).
    WORKER_MB=$(awk -v h="$(field worker_js_heap_total_bytes)" -v a="$(field worker_array_buffers_bytes)" \
      -v w="$(field worker_wasm_memory_bytes)" 'BEGIN { m = h + a; if (h + w > m) m = h + w; printf "%.1f", m / 1048576 }')
    WORKER_S=$(field worker_seconds)
    WORKER_MBPS=$(field worker_mb_per_s)
    ANALYSIS_S=$(field worker_analysis_seconds)
    ANALYSIS_MBPS=$(field worker_analysis_mb_per_s)
    # The browser's own limit on the app's input path (read only, no analysis),
    # and the faster path it could take (File.stream()).
    node tests/bench/read-limit.mjs "$FILE" >"$OUT/read.json"
    node tests/bench/read-limit.mjs "$FILE" --stream >"$OUT/stream.json"
    jfield() { node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1])); console.log(Number(r[process.argv[2]]).toFixed(process.argv[3]))' "$@"; }
    READ_S=$(jfield "$OUT/read.json" seconds 3) READ_MBPS=$(jfield "$OUT/read.json" mb_per_s 1)
    STREAM_S=$(jfield "$OUT/stream.json" seconds 3) STREAM_MBPS=$(jfield "$OUT/stream.json" mb_per_s 1)
    # First load from localhost with an empty cache, until the app is usable.
    node tests/bench/first-load.mjs --runs 5 >"$OUT/first-load.json"
    FIRST_LOAD_MS=$(jfield "$OUT/first-load.json" median_interactive_ms 0)
  fi
fi

# --- bundle ------------------------------------------------------------------
BUNDLE_KB=n/a
if [ -d "$DIST" ] && compgen -G "$DIST/*.wasm" >/dev/null; then
  bundle=0
  for f in "$DIST"/*.wasm "$DIST"/*.js; do
    bundle=$((bundle + $(gzip -9 -c "$f" | wc -c)))
  done
  BUNDLE_KB=$(awk -v b="$bundle" 'BEGIN { printf "%.1f", b / 1024 }')
fi

# --- report --------------------------------------------------------------------
LABELS=$(($(wc -l <"$FILE.labels.tsv" 2>/dev/null || echo 1) - 1))
cat <<EOF

rstscope benchmark — $(date -u '+%Y-%m-%d %H:%M UTC')
machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ { print $2 }') GiB RAM
load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (anything above ~0.5 makes the numbers noisy)
capture: $FILE, $BYTES bytes, generated $GEN; $LABELS labelled RSTs

| what                                          | seconds | MB/s   | peak memory | resets |
|-----------------------------------------------|---------|--------|-------------|--------|
$(printf '| raw read: cat FILE > /dev/null (best of %s)    | %7s | %6s | -           | -      |' "$RUNS" "$best_raw" "$RAW")
$(printf '| CLI: rstscope analyze FILE --format json (best of %s) | %7s | %6s | %7s MiB | %6s |' "$RUNS" "$best_cli" "$CLI" "$CLI_RSS_MB" "$CLI_RESETS")
$(printf '|   CLI CPU time (user + sys, best of %s)       | %7s | %6s | -           | -      |' "$RUNS" "$best_cpu" "$(mbps "$BYTES" "$best_cpu")")
$(printf '| CLI on %s distinct SYNs (memory worst case) | %7s | %6s | %7s MiB | -      |' "$SYNS" "$SYN_S" "$SYN_MBPS" "$SYN_RSS_MB")
$(printf "| tshark -n -r FILE -Y 'tcp.flags.reset==1'      | %7s | %6s | %7s MiB | %6s |" "$TSHARK_S" "$TSHARK_MBPS" "$TSHARK_RSS_MB" "$TSHARK_RESETS")
$(printf '| browser: dist/ in headless Chromium, file input to report | %7s | %6s | %7s MiB | %6s |' "$BROWSER_S" "$BROWSER_MBPS" "$WORKER_MB" "$BROWSER_RESETS")
$(printf '|   of which the worker reading + analysing     | %7s | %6s | -           | -      |' "$WORKER_S" "$WORKER_MBPS")
$(printf '|     of which analysing (wasm), not waiting for bytes | %7s | %6s | -           | -      |' "$ANALYSIS_S" "$ANALYSIS_MBPS")
$(printf '| browser read only: FileReaderSync, 4 MiB slices | %7s | %6s | -           | -      |' "$READ_S" "$READ_MBPS")
$(printf '| browser read only: File.stream()              | %7s | %6s | -           | -      |' "$STREAM_S" "$STREAM_MBPS")

worker memory = JS heap + ArrayBuffers (of which wasm linear memory: $WASM_MB MiB)

| ratio                 | value  | target   | verdict |
|-----------------------|--------|----------|---------|
$(v=$(ratio "$CLI" "$TSHARK_MBPS"); printf '| CLI / tshark          | %6s | >= 40x   | %s |' "$v" "$(verdict "$v" '>=' 40)")
$(v=$(ratio "$CLI" "$RAW"); printf '| CLI / raw read        | %6s | >= 0.30  | %s |' "$v" "$(verdict "$v" '>=' 0.30)")
$(v=$(ratio "$BROWSER_MBPS" "$CLI"); printf '| browser / CLI         | %6s | >= 0.50  | %s |' "$v" "$(verdict "$v" '>=' 0.50)")
$(printf '| CLI peak RSS (MiB)    | %6s | < 150    | %s |' "$CLI_RSS_MB" "$(verdict "$CLI_RSS_MB" '<' 150)")
$(printf '| same, SYN flood (MiB) | %6s | < 150    | %s |' "$SYN_RSS_MB" "$(verdict "$SYN_RSS_MB" '<' 150)")
$(printf '| worker memory (MiB)   | %6s | < 256    | %s |' "$WORKER_MB" "$(verdict "$WORKER_MB" '<' 256)")
$(printf '| bundle gzip -9 (KiB)  | %6s | < 600    | %s |' "$BUNDLE_KB" "$(verdict "$BUNDLE_KB" '<' 600)")
$(printf '| first load, interactive (ms, median of 5, empty cache) | %6s | < 1000 | %s |' "$FIRST_LOAD_MS" "$(verdict "$FIRST_LOAD_MS" '<' 1000)")
EOF
