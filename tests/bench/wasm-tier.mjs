// What V8 still compiles during a first analysis after the app's warm-up:
// a count that does not depend on the machine's load, unlike the seconds.
// Headless Chromium runs tests/bench/wasm-core (the worker's reader and
// analyzer) in a dedicated worker, warms it as the app's worker does (runs
// over web/sample.pcapng in 512 KiB pushes; by default as many as its
// WARM_UP_RUNS, crates/app/src/worker.rs), then analyses CAPTURE once in
// 4 MiB pushes, with V8 tracing its wasm compilations. Prints one JSON line:
// the functions compiled for the first time during the analysis (lazily, by
// the baseline compiler Liftoff: the sample never ran them) and those
// optimised by TurboFan during it (they ran in Liftoff code until then),
// with their wasm body bytes and names.
//
//   node tests/bench/wasm-tier.mjs WASM CAPTURE [--warm-runs 16]
//
// WASM: cargo build --release --target wasm32-unknown-unknown in
// tests/bench/wasm-core (as scripts/bench.sh does).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { SAMPLE, serveFiles } from '../e2e/harness.mjs';
import { command, fail } from './args.mjs';
import { TIMED_RUN } from './core-run.mjs';
import { demangled, functions } from './wasm-module.mjs';

const usage = 'node tests/bench/wasm-tier.mjs WASM CAPTURE [--warm-runs N]';
const { positionals, 'warm-runs': warmRuns } = command(usage, 2, { 'warm-runs': 16 });
const [wasmPath, capture] = positionals;
if (!(warmRuns >= 0)) fail(usage, '--warm-runs: 0 or more');

const workerSource = `${TIMED_RUN}
onmessage = async ({ data: warmRuns }) => {
  const fetched = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());
  const [sample, capture] = [await fetched('/sample'), await fetched('/capture')];
  const { instance } = await WebAssembly.instantiateStreaming(fetch('/core.wasm'), {});
  const core = instance.exports;
  for (let run = 0; run < warmRuns; run++) timedRun(core, sample, 512 << 10);
  // Optimisations the warm-up started finish in the background meanwhile.
  await new Promise((ok) => setTimeout(ok, 1000));
  core.mark();
  const { resets } = timedRun(core, capture);
  postMessage(resets);
};`;

const files = {
  '/': ['text/html', '<!doctype html><title>wasm tier</title>'],
  '/worker.js': ['text/javascript', workerSource],
  '/core.wasm': ['application/wasm', readFileSync(wasmPath)],
  '/sample': ['application/octet-stream', readFileSync(SAMPLE)],
  '/capture': ['application/octet-stream', readFileSync(capture)],
};
const server = await serveFiles(files);

// V8 prints one line per compiled function on the browser's stdout, so the
// browser is started here (not by Playwright, which keeps its output) and
// driven over the DevTools protocol.
const compiled = [];
const profile = mkdtempSync(join(tmpdir(), 'wasm-tier-'));
const chrome = spawn(process.env.CHROMIUM ?? '/usr/bin/chromium', [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--remote-debugging-port=0', `--user-data-dir=${profile}`,
  '--js-flags=--trace-wasm-lazy-compilation --trace-wasm-compilation-times',
  'about:blank',
]);
createInterface({ input: chrome.stdout }).on('line', (text) => {
  const line = /Compiled function \S+#(\d+) using (\w+), took \d+ .s.*bodysize (\d+)/.exec(text);
  if (line) compiled.push({ index: Number(line[1]), tier: line[2], body: Number(line[3]) });
});
const endpoint = await new Promise((ok, fail) => {
  createInterface({ input: chrome.stderr }).on('line', (text) => {
    const found = /DevTools listening on (ws:\S+)/.exec(text);
    if (found) ok(found[1]);
  });
  chrome.on('exit', () => fail(new Error('chromium exited')));
});
const browser = await chromium.connectOverCDP(endpoint);
let resets;
try {
  const page = await browser.contexts()[0].newPage();
  await page.goto(`${server.origin}/`);
  resets = await page.evaluate((runs) => new Promise((ok, fail) => {
    const worker = new Worker('/worker.js');
    worker.onmessage = (event) => ok(event.data);
    worker.onerror = (event) => fail(new Error(event.message));
    worker.postMessage(runs);
  }), warmRuns);
} finally {
  const exited = new Promise((ok) => chrome.on('exit', ok));
  await (await browser.newBrowserCDPSession()).send('Browser.close').catch(() => chrome.kill());
  await exited;
  // Its helper processes may still be letting go of the profile.
  rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  server.close();
}

const { names } = functions(readFileSync(wasmPath));
const markAt = compiled.findIndex((c) => names.get(c.index) === 'mark');
if (markAt < 0) {
  console.error('wasm-tier: no trace of the mark export (is WASM the wasm-core build, with its names?)');
  process.exit(1);
}
const during = compiled.slice(markAt + 1);
const summary = (tier) => {
  const list = during.filter((c) => c.tier === tier);
  return {
    functions: list.length,
    body_bytes: list.reduce((sum, c) => sum + c.body, 0),
    names: list.map((c) => demangled(names.get(c.index) ?? `#${c.index}`)),
  };
};
console.log(JSON.stringify({
  capture,
  warm_runs: warmRuns,
  resets,
  first_compiled_during_run: summary('Liftoff'),
  optimised_during_run: summary('TurboFan'),
}));
