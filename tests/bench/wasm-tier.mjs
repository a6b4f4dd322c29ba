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

const args = process.argv.slice(2);
const runsAt = args.indexOf('--warm-runs');
const warmRuns = runsAt >= 0 ? Number(args[runsAt + 1]) : 16;
const [wasmPath, capture] = args.filter((a, i) => !a.startsWith('--') && (runsAt < 0 || i !== runsAt + 1));
if (!wasmPath || !capture || !(warmRuns >= 0)) {
  console.error('usage: node tests/bench/wasm-tier.mjs WASM CAPTURE [--warm-runs N]');
  process.exit(2);
}

const workerSource = `
onmessage = async ({ data: warmRuns }) => {
  const fetched = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());
  const [sample, capture] = [await fetched('/sample'), await fetched('/capture')];
  const { instance } = await WebAssembly.instantiateStreaming(fetch('/core.wasm'), {});
  const core = instance.exports;
  const analyse = (bytes, piece) => {
    const at = core.start(4 << 20);
    for (let offset = 0; offset < bytes.length; offset += piece) {
      const chunk = bytes.subarray(offset, offset + piece);
      new Uint8Array(core.memory.buffer, at, chunk.length).set(chunk);
      core.push(chunk.length);
    }
    return core.finish();
  };
  for (let run = 0; run < warmRuns; run++) analyse(sample, 512 << 10);
  // Optimisations the warm-up started finish in the background meanwhile.
  await new Promise((ok) => setTimeout(ok, 1000));
  core.mark();
  const resets = analyse(capture, 4 << 20);
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

const names = functionNames(readFileSync(wasmPath));
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

/** Function index -> name, from the module's "name" custom section. */
function functionNames(bytes) {
  const names = new Map();
  let at = 8;
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return value;
    }
  };
  const text = () => {
    const length = leb();
    at += length;
    return bytes.subarray(at - length, at).toString();
  };
  while (at < bytes.length) {
    const id = bytes[at++];
    const end = leb() + at;
    if (id === 0 && text() === 'name') {
      while (at < end) {
        const sub = bytes[at++];
        const subEnd = leb() + at;
        if (sub === 1) {
          for (let count = leb(); count > 0; count--) names.set(leb(), text());
        }
        at = subEnd;
      }
    }
    at = end;
  }
  return names;
}

/** Enough of a Rust symbol to read: its path, without hashes and generics. */
function demangled(name) {
  const legacy = /^_ZN(.*)17h[0-9a-f]{16}E$/.exec(name);
  if (!legacy) return name.slice(0, 80);
  const parts = [];
  for (let rest = legacy[1]; rest.length; ) {
    const [, digits] = /^(\d+)/.exec(rest) ?? [];
    if (!digits) break;
    parts.push(rest.slice(digits.length, digits.length + Number(digits)));
    rest = rest.slice(digits.length + Number(digits));
  }
  return parts.join('::').replace(/\$LT\$.*?\$GT\$/g, '<…>').slice(0, 80);
}
