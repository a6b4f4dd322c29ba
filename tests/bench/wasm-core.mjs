// The analysis core's speed in WebAssembly, apart from the browser's file
// reading: headless Chromium runs tests/bench/wasm-core (the app worker's
// reader and analyzer, same build settings) in a dedicated worker, on the
// capture held in memory, fed in 4 MiB chunks as examples/analysis_time.rs
// feeds the native core. Only the pushes and the finish are timed. The
// first run is what a fresh worker does (V8 compiles lazily with its
// baseline compiler, then optimises hot functions in the background);
// later runs show the optimised code. Prints one JSON line.
//
//   node tests/bench/wasm-core.mjs WASM CAPTURE [--runs N]
//
// scripts/bench.sh builds WASM (cargo build --release --target
// wasm32-unknown-unknown in tests/bench/wasm-core) and runs this per mix.
import { readFileSync } from 'node:fs';
import { launchBrowser, serveFiles } from '../e2e/harness.mjs';
import { command, fail } from './args.mjs';
import { TIMED_RUN } from './core-run.mjs';

const usage = 'node tests/bench/wasm-core.mjs WASM CAPTURE [--runs N]';
const { positionals, runs } = command(usage, 2, { runs: 5 });
const [wasmPath, capture] = positionals;
if (!(runs >= 1)) fail(usage, '--runs: at least 1');

// Runs inside the worker: every run a fresh reader and analyzer.
const workerSource = `${TIMED_RUN}
onmessage = async ({ data: runs }) => {
  const bytes = new Uint8Array(await (await fetch('/capture')).arrayBuffer());
  const { instance } = await WebAssembly.instantiateStreaming(fetch('/core.wasm'), {});
  const core = instance.exports;
  const seconds = [];
  let resets = -1;
  for (let run = 0; run < runs; run++) {
    const done = timedRun(core, bytes);
    seconds.push(done.seconds);
    resets = done.resets;
  }
  postMessage({ seconds, resets });
};`;

const files = {
  '/': ['text/html', '<!doctype html><title>wasm core</title>'],
  '/worker.js': ['text/javascript', workerSource],
  '/core.wasm': ['application/wasm', readFileSync(wasmPath)],
  '/capture': ['application/octet-stream', readFileSync(capture)],
};
const server = await serveFiles(files);
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.goto(`${server.origin}/`);
  const { seconds, resets } = await page.evaluate((runs) => new Promise((ok, fail) => {
    const worker = new Worker('/worker.js');
    worker.onmessage = (event) => ok(event.data);
    worker.onerror = (event) => fail(new Error(event.message));
    worker.postMessage(runs);
  }), runs);
  const later = seconds.slice(1).sort((a, b) => a - b);
  const round = (s) => Number(s.toFixed(4));
  console.log(JSON.stringify({
    capture,
    bytes: files['/capture'][1].length,
    first_s: round(seconds[0]),
    median_later_s: later.length ? round(later[(later.length - 1) >> 1]) : null,
    best_s: round(Math.min(...seconds)),
    runs: seconds.map(round),
    resets,
  }));
} finally {
  await browser.close();
  server.close();
}
