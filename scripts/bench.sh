#!/usr/bin/env bash
# Speed and scale on generated captures of each traffic mix:
#
#   scripts/bench.sh [SIZE] [--mix long,web,scan,flood] [--no-tshark] [--no-browser] [--runs N]
#
# For each mix (default: all four; see `rstscope-scenarios bulk --mix`), a
# capture of SIZE (default 1GiB) is written to /tmp/rstscope-bulk-MIX-SIZE.pcap
# once and reused. Measured per mix, one mix after the other so that every
# ratio compares numbers of the same moment: the raw read (`cat FILE >
# /dev/null`, page cache warm) as the physical limit; the CLI (N runs, with
# peak RSS from /usr/bin/time); tshark with a reset filter (one run); the
# core alone on one thread (examples/analysis_time.rs, N runs); the web
# app in headless Chromium (tests/bench/browser.mjs, needs a built dist/:
# the file opened 3 s after the page loaded, its worker's own analysis time
# is the wasm figure); and the same core in
# wasm in Chromium with the capture in memory (tests/bench/wasm-core.mjs:
# the engine's speed apart from the browser's file reading, first run and
# median of the later N-1). Then the worst case
# for memory (200 000 distinct SYNs) and the app's first load.
#
# Prints a table per mix (medians of N, best in brackets), the cost per
# packet and per new connection (the extra time of a mix over `long`, per
# connection it has beyond `long`'s share), and the ratios against the
# targets. The load average is printed with the results: numbers taken
# while other jobs share the cores are noisy (see BENCHMARKS.md).
# tshark: apt install tshark.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SIZE=1GiB
MIXES=long,web,scan,flood
TSHARK=1
BROWSER=1
RUNS=5
while [ $# -gt 0 ]; do
  case "$1" in
    --no-tshark) TSHARK=0 ;;
    --no-browser) BROWSER=0 ;;
    --runs) RUNS=$2; shift ;;
    --mix) MIXES=$2; shift ;;
    -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
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
OUT=$(mktemp -d /tmp/rstscope-bench.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

say() { printf 'bench: %s\n' "$*" >&2; }
now() { date +%s.%N; }
# elapsed START END -> seconds
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# mbps BYTES SECONDS -> MB/s (10^6 bytes)
mbps() { awk -v n="$1" -v s="$2" 'BEGIN { if (s ~ /^[0-9.]+$/ && s > 0) printf "%.1f", n / s / 1e6; else print "n/a" }'; }
# ratio A B -> A / B, or n/a when either was not measured
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else print "n/a" }'; }
# verdict VALUE OP TARGET -> PASS/FAIL
verdict() { awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN {
  if (v == "n/a") { print "n/a"; exit } ok = (op == ">=") ? (v >= t) : (op == "<=") ? (v <= t) : (v < t); print (ok ? "PASS" : "FAIL") }'; }
# median and min of numbers, one per line on stdin -> "MEDIAN MIN"
stats() { sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m, v[1] }'; }
# json FILE FIELD -> a top-level field of a one-line JSON object
json() { node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1])); console.log(r[process.argv[2]] ?? "n/a")' "$1" "$2"; }
# median_field FILE FIELD -> the median of a numeric field over one-line JSON objects, one per line
median_field() {
  node -e 'const v = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter((l) => l.trim())
    .map((l) => JSON.parse(l)[process.argv[2]]).filter((x) => typeof x === "number").sort((a, b) => a - b);
    const h = v.length >> 1; console.log(v.length ? (v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2) : "n/a")' "$1" "$2"
}
# timed FILE.time CMD... -> runs CMD with /usr/bin/time's "wall RSS user sys" in FILE.time
timed() { local t=$1; shift; /usr/bin/time -f '%e %M %U %S' -o "$t" "$@"; }

if [ ! -x /usr/bin/time ]; then
  say "/usr/bin/time missing: apt-get install -y time"; exit 1
fi

say "building rstscope, rstscope-scenarios and the analysis_time example (release, $CARGO_TARGET_DIR)"
cargo build --release --quiet -p rstscope-cli -p rstscope-scenarios
cargo build --release --quiet -p rstscope-capture --example analysis_time
ANALYSIS_TIME=$BIN/examples/analysis_time

BROWSER_READY=0
if [ "$BROWSER" = 0 ]; then
  say "browser: skipped (--no-browser)"
elif [ ! -f "$DIST/index.html" ]; then
  say "browser: skipped, dist/ is not built (bash scripts/setup-web.sh; trunk build --release --offline)"
elif [ ! -d tests/node_modules/playwright-core ]; then
  say "browser: skipped, playwright-core is not installed (bash scripts/setup-web.sh)"
else
  BROWSER_READY=1
fi
WASM_CORE=
if [ "$BROWSER" = 1 ] && [ -d tests/node_modules/playwright-core ]; then
  say "building tests/bench/wasm-core (the core alone in wasm, the worker's settings)"
  cargo build --release --quiet --manifest-path tests/bench/wasm-core/Cargo.toml --target wasm32-unknown-unknown
  WASM_CORE=$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/wasm_core_bench.wasm
fi
HAVE_TSHARK=0
if [ "$TSHARK" = 1 ] && command -v tshark >/dev/null; then HAVE_TSHARK=1
elif [ "$TSHARK" = 1 ]; then say "tshark not installed: skipped"; fi

# --- one mix -------------------------------------------------------------------
# Sets R_<field>_<mix> variables for the report.
bench_mix() {
  local mix=$1 file=/tmp/rstscope-bulk-$1-$SIZE.pcap gen="(reused)"
  if [ ! -s "$file" ]; then
    say "generating $file"
    local t0; t0=$(now)
    "$BIN/rstscope-scenarios" bulk --size "$SIZE" --mix "$mix" "$file" >&2
    gen="$(elapsed "$t0" "$(now)") s"
  fi
  local bytes; bytes=$(stat -L -c %s "$file")
  local labels=$(($(wc -l <"$file.labels.tsv" 2>/dev/null || echo 1) - 1))

  cat "$file" >/dev/null # warm the page cache
  : >"$OUT/raw" ; : >"$OUT/cli" ; : >"$OUT/cpu" ; : >"$OUT/core"
  local rss=0 i t0 s r user sys
  for i in $(seq "$RUNS"); do
    t0=$(now); cat "$file" >/dev/null; elapsed "$t0" "$(now)" >>"$OUT/raw"; echo >>"$OUT/raw"
    timed "$OUT/cli.time" "$BIN/rstscope" analyze "$file" --format json >"$OUT/report.json"
    read -r s r user sys <"$OUT/cli.time"
    echo "$s" >>"$OUT/cli"
    awk -v u="$user" -v k="$sys" 'BEGIN { printf "%.2f\n", u + k }' >>"$OUT/cpu"
    rss=$((r > rss ? r : rss))
    "$ANALYSIS_TIME" "$file" >"$OUT/core.json"
    json "$OUT/core.json" seconds >>"$OUT/core"
  done
  local raw cli cpu core
  raw=$(grep . "$OUT/raw" | stats); cli=$(stats <"$OUT/cli"); cpu=$(stats <"$OUT/cpu"); core=$(stats <"$OUT/core")
  say "$mix: cat ${raw% *} s, CLI ${cli% *} s (${cpu% *} s CPU), core alone ${core% *} s, RSS $((rss / 1024)) MiB (medians of $RUNS)"
  # Frames, connections, resets, and the labels whose origin and cause the CLI matched.
  local frames conns resets agree
  read -r frames conns resets agree < <(node -e '
    const fs = require("fs");
    const r = JSON.parse(fs.readFileSync(process.argv[1]));
    const c = r.connections.length + (r.capture.unlisted_connections || 0);
    const byFrame = new Map(r.resets.map((x) => [x.frame, x]));
    let agree = 0;
    if (fs.existsSync(process.argv[2])) {
      for (const line of fs.readFileSync(process.argv[2], "utf8").trim().split("\n").slice(1)) {
        const [frame, , origin, cause] = line.split("\t");
        const x = byFrame.get(Number(frame));
        agree += x && x.origin === origin && x.cause === cause ? 1 : 0;
      }
    }
    console.log(r.capture.packets, c, r.resets.length, agree)' "$OUT/report.json" "$file.labels.tsv")

  local tshark_s=n/a tshark_rss=n/a tshark_resets=n/a
  if [ "$HAVE_TSHARK" = 1 ]; then
    say "$mix: tshark -r $file -Y 'tcp.flags.reset==1' (one run)"
    timed "$OUT/tshark.time" tshark -n -r "$file" -Y 'tcp.flags.reset==1' >"$OUT/tshark.txt" 2>/dev/null
    read -r tshark_s r user sys <"$OUT/tshark.time"
    tshark_rss=$(awk -v k="$r" 'BEGIN { printf "%.1f", k / 1024 }')
    tshark_resets=$(wc -l <"$OUT/tshark.txt")
  fi

  local browser_s=n/a wasm_s=n/a wasm_cpu=n/a worker_mb=n/a browser_resets=n/a warm_runs=n/a warm_s=n/a
  if [ "$BROWSER_READY" = 1 ]; then
    say "$mix: browser, dist/ in headless Chromium ($RUNS runs, a new browser each)"
    # Opened 3 s after the page loads, as a user choosing a file does: the
    # page starts and warms its worker meanwhile (crates/app/src/job.rs).
    # Each run is a page's first analysis; the medians of the runs are kept.
    : >"$OUT/browser-runs.json"
    for _ in $(seq "$RUNS"); do
      if node tests/bench/browser.mjs "$file" --settle-s 3 >"$OUT/browser.json"; then
        cat "$OUT/browser.json" >>"$OUT/browser-runs.json"
      else
        say "$mix: a browser run failed (is dist/ being rebuilt?)"
      fi
    done
    if [ -s "$OUT/browser-runs.json" ]; then
      browser_s=$(median_field "$OUT/browser-runs.json" seconds)
      wasm_s=$(median_field "$OUT/browser-runs.json" worker_analysis_seconds)
      # The worker thread's processor time for the whole request (reading, analysing, encoding the report).
      wasm_cpu=$(median_field "$OUT/browser-runs.json" worker_thread_cpu_seconds)
      browser_resets=$(json "$OUT/browser.json" resets)
      # The warm-up the worker had made when the file came (all its runs, unless the file cut it short).
      warm_runs=$(json "$OUT/browser.json" worker_warm_up_runs)
      warm_s=$(awk -v s="$(json "$OUT/browser.json" worker_warm_up_seconds)" \
        'BEGIN { if (s ~ /^[0-9.]+$/) printf "%.2f", s; else print "n/a" }')
      # JS heap plus the larger of ArrayBuffers and wasm memory (CDP samples can miss a busy worker).
      worker_mb=$(awk -v h="$(json "$OUT/browser.json" worker_js_heap_total_bytes)" \
        -v a="$(json "$OUT/browser.json" worker_array_buffers_bytes)" \
        -v w="$(json "$OUT/browser.json" worker_wasm_memory_bytes)" \
        'BEGIN { m = (a > w) ? a : w; printf "%.1f", (h + m) / 1048576 }')
    fi
  fi

  local wasmcore_first=n/a wasmcore_later=n/a tier=n/a
  if [ -n "$WASM_CORE" ]; then
    say "$mix: the core in wasm, capture in memory (tests/bench/wasm-core.mjs, $RUNS runs)"
    if node tests/bench/wasm-core.mjs "$WASM_CORE" "$file" --runs "$RUNS" >"$OUT/wasm-core.json"; then
      wasmcore_first=$(json "$OUT/wasm-core.json" first_s)
      wasmcore_later=$(json "$OUT/wasm-core.json" median_later_s)
    fi
    # Load-independent: what V8 still had to compile during the first run
    # after the app's warm-up (crates/app/src/worker.rs, WARM_UP_RUNS).
    say "$mix: wasm functions compiled during a first run after the warm-up (tests/bench/wasm-tier.mjs)"
    if node tests/bench/wasm-tier.mjs "$WASM_CORE" "$file" >"$OUT/wasm-tier.json"; then
      tier=$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1]));
        const f = (k) => r[k].functions + " (" + (r[k].body_bytes / 1024).toFixed(1) + " KiB)";
        console.log(f("optimised_during_run") + "; " + f("first_compiled_during_run"))' "$OUT/wasm-tier.json") || tier=n/a
    fi
  fi

  eval "R_file_$mix=\$file R_gen_$mix=\$gen R_bytes_$mix=\$bytes R_labels_$mix=\$labels"
  eval "R_raw_$mix=\${raw% *} R_rawbest_$mix=\${raw#* } R_cli_$mix=\${cli% *} R_clibest_$mix=\${cli#* }"
  eval "R_cpu_$mix=\${cpu% *} R_core_$mix=\${core% *} R_corebest_$mix=\${core#* }"
  local rss_mb; rss_mb=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
  eval "R_rss_$mix=\$rss_mb"
  eval "R_frames_$mix=\$frames R_conns_$mix=\$conns R_resets_$mix=\$resets R_agree_$mix=\$agree"
  eval "R_tshark_$mix=\$tshark_s R_tsharkrss_$mix=\$tshark_rss R_tsharkresets_$mix=\$tshark_resets"
  eval "R_browser_$mix=\$browser_s R_wasm_$mix=\$wasm_s R_worker_$mix=\$worker_mb R_browserresets_$mix=\$browser_resets"
  eval "R_wcfirst_$mix=\$wasmcore_first R_wclater_$mix=\$wasmcore_later R_tier_$mix=\$tier"
  eval "R_warmruns_$mix=\$warm_runs R_warms_$mix=\$warm_s R_wasmcpu_$mix=\$wasm_cpu"
}

IFS=, read -r -a MIX_LIST <<<"$MIXES"
for mix in "${MIX_LIST[@]}"; do
  case "$mix" in long | web | scan | flood) ;; *) say "unknown mix $mix"; exit 2 ;; esac
done
for mix in "${MIX_LIST[@]}"; do bench_mix "$mix"; done

# --- CLI memory, worst case: every packet a new connection ------------------
SYNS=200000
SYN_FILE=/tmp/rstscope-syn-$SYNS.pcap
[ -s "$SYN_FILE" ] || "$BIN/rstscope-scenarios" bulk --syn-flood "$SYNS" "$SYN_FILE" >&2
: >"$OUT/syn"
SYN_RSS=0
for _ in $(seq "$RUNS"); do
  timed "$OUT/syn.time" "$BIN/rstscope" analyze "$SYN_FILE" --format json >/dev/null
  read -r s rss _ _ <"$OUT/syn.time"
  echo "$s" >>"$OUT/syn"
  SYN_RSS=$((rss > SYN_RSS ? rss : SYN_RSS))
done
SYN_S=$(stats <"$OUT/syn"); SYN_S=${SYN_S% *}
SYN_RSS_MB=$(awk -v k="$SYN_RSS" 'BEGIN { printf "%.1f", k / 1024 }')
say "cli on $SYNS distinct SYNs: $SYN_S s (median of $RUNS), peak RSS $SYN_RSS_MB MiB"

FIRST_LOAD_MS=n/a
if [ "$BROWSER_READY" = 1 ]; then
  node tests/bench/first-load.mjs --runs 5 >"$OUT/first-load.json"
  FIRST_LOAD_MS=$(node -e 'console.log(Number(require(process.argv[1]).median_interactive_ms).toFixed(0))' "$OUT/first-load.json")
fi
BUNDLE_KB=n/a
if [ -d "$DIST" ] && compgen -G "$DIST/*.wasm" >/dev/null; then
  bundle=0
  for f in "$DIST"/*.wasm "$DIST"/*.js; do
    bundle=$((bundle + $(gzip -9 -c "$f" | wc -c)))
  done
  BUNDLE_KB=$(awk -v b="$bundle" 'BEGIN { printf "%.1f", b / 1024 }')
fi

# --- report --------------------------------------------------------------------
get() { local v="R_$1_$2"; echo "${!v:-n/a}"; }
# ns per frame, µs per connection
per() { awk -v s="$1" -v n="$2" -v k="$3" 'BEGIN { if (s ~ /^[0-9.]+$/ && n > 0) printf "%.1f", s / n * k; else print "n/a" }'; }
# Extra cost of a new connection in MIX over long: (t - f*tL/fL) / (c - f*cL/fL), in µs.
marginal() {
  awk -v t="$(get cli "$1")" -v f="$(get frames "$1")" -v c="$(get conns "$1")" \
    -v tl="$(get cli long)" -v fl="$(get frames long)" -v cl="$(get conns long)" 'BEGIN {
    if (tl !~ /^[0-9.]+$/ || fl == 0) { print "n/a"; exit }
    extra = c - f * cl / fl; if (extra <= 0) { print "n/a"; exit }
    printf "%.2f", (t - f * tl / fl) / extra * 1e6 }'
}

cat <<EOF

rstscope benchmark — $(date -u '+%Y-%m-%d %H:%M UTC'), $(git log -1 --format='%h %s' | cut -c1-72)
machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ { print $2 }') GiB RAM
load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (anything above ~0.5 makes the numbers noisy)
size $SIZE per mix; seconds are medians of $RUNS runs [best], tshark one run; MB/s = 10^6 bytes/s

| mix | frames | connections | resets (labelled, verdict = label) | cat s | CLI s | CLI CPU s | core 1 thread s | tshark s | browser s | wasm analysis s | CLI RSS MiB | tshark RSS MiB | worker MiB |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
EOF
for m in "${MIX_LIST[@]}"; do
  printf '| %s | %s | %s | %s (%s, %s) | %s [%s] | %s [%s] | %s | %s [%s] | %s | %s | %s | %s | %s | %s |\n' \
    "$m" "$(get frames "$m")" "$(get conns "$m")" "$(get resets "$m")" "$(get labels "$m")" "$(get agree "$m")" \
    "$(get raw "$m")" "$(get rawbest "$m")" "$(get cli "$m")" "$(get clibest "$m")" "$(get cpu "$m")" \
    "$(get core "$m")" "$(get corebest "$m")" "$(get tshark "$m")" "$(get browser "$m")" "$(get wasm "$m")" \
    "$(get rss "$m")" "$(get tsharkrss "$m")" "$(get worker "$m")"
done
cat <<EOF

| mix | CLI MB/s | ns/frame (CLI) | ns/frame (core, 1 thread) | µs/connection (CLI) | extra µs per new connection vs long | wasm core in memory s, first run; later | wasm core / native core, first; later | app warm-up before the file: runs, s | app's worker thread CPU s (whole request) | wasm functions optimised; first compiled, during a first run after the app's warm-up |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
EOF
for m in "${MIX_LIST[@]}"; do
  printf '| %s | %s | %s | %s | %s | %s | %s; %s | %s; %s | %s, %s | %s | %s |\n' "$m" "$(mbps "$(get bytes "$m")" "$(get cli "$m")")" \
    "$(per "$(get cli "$m")" "$(get frames "$m")" 1e9)" "$(per "$(get core "$m")" "$(get frames "$m")" 1e9)" \
    "$(per "$(get cli "$m")" "$(get conns "$m")" 1e6)" "$(marginal "$m")" "$(get wcfirst "$m")" "$(get wclater "$m")" \
    "$(ratio "$(get core "$m")" "$(get wcfirst "$m")")" "$(ratio "$(get core "$m")" "$(get wclater "$m")")" \
    "$(get warmruns "$m")" "$(get warms "$m")" "$(get wasmcpu "$m")" "$(get tier "$m")"
done
cat <<EOF

| mix | CLI / tshark (>= 40) | CLI / cat (>= 0.30) | CLI RSS MiB (< 150) | wasm / native core (>= 0.50) | per frame vs long (web <= 1.3) |
|---|---|---|---|---|---|
EOF
for m in "${MIX_LIST[@]}"; do
  t=$(ratio "$(get tshark "$m")" "$(get cli "$m")")
  c=$(ratio "$(get raw "$m")" "$(get cli "$m")")
  w=$(ratio "$(get core "$m")" "$(get wasm "$m")")
  l=$(ratio "$(per "$(get cli "$m")" "$(get frames "$m")" 1e9)" "$(per "$(get cli long)" "$(get frames long)" 1e9)")
  lv=n/a; [ "$m" = web ] && lv=$(verdict "$l" '<=' 1.3)
  printf '| %s | %s %s | %s %s | %s %s | %s %s | %s %s |\n' "$m" "$t" "$(verdict "$t" '>=' 40)" \
    "$c" "$(verdict "$c" '>=' 0.30)" "$(get rss "$m")" "$(verdict "$(get rss "$m")" '<' 150)" \
    "$w" "$(verdict "$w" '>=' 0.50)" "$l" "$lv"
done
cat <<EOF

CLI on $SYNS distinct SYNs (memory worst case): $SYN_S s, peak RSS $SYN_RSS_MB MiB ($(verdict "$SYN_RSS_MB" '<' 150) < 150)
app bundle gzip -9: $BUNDLE_KB KiB ($(verdict "$BUNDLE_KB" '<' 600) < 600); first load, interactive: $FIRST_LOAD_MS ms ($(verdict "$FIRST_LOAD_MS" '<' 1000) < 1000, median of 5, empty cache)
EOF
