// How much the browser's reading of a File slows an analysis beside it on
// the same machine: headless Chromium runs tests/bench/wasm-core (the app
// worker's reader and analyzer) on CAPTURE held in memory, in 4 MiB pushes
// as wasm-core.mjs does, after two warm runs; then, round after round, one
// run alone and one while a second worker reads CAPTURE as the app's worker
// does (a File from a file input, its stream through a BYOB reader into a
// 4 MiB view, over and over until the run ends). Only the pushes and the
// finish are timed. Prints one JSON line: the seconds of each run alone and
// while reading, and the MB the reader got through meanwhile.
//
//   node tests/bench/read-contention.mjs WASM CAPTURE [--rounds 4]
//
// WASM: as for wasm-core.mjs (scripts/bench.sh builds it).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { launchBrowser, serveFiles } from '../e2e/harness.mjs';
import { command, fail } from './args.mjs';
import { TIMED_RUN } from './core-run.mjs';

const usage = 'node tests/bench/read-contention.mjs WASM CAPTURE [--rounds N]';
const { positionals, rounds } = command(usage, 2, { rounds: 4 });
const [wasmPath, capture] = positionals;
if (!(rounds >= 1)) fail(usage, '--rounds: at least 1');

// The analysing worker: 'init' loads the capture and the module, then each
// message is one timed run, answered with its seconds.
const coreSource = `${TIMED_RUN}
let core;
let bytes;
onmessage = async ({ data }) => {
  if (data === 'init') {
    bytes = new Uint8Array(await (await fetch('/capture')).arrayBuffer());
    core = (await WebAssembly.instantiateStreaming(fetch('/core.wasm'), {})).instance.exports;
    postMessage(0);
    return;
  }
  postMessage(timedRun(core, bytes).seconds);
};`;

// The reading worker: reads the File it is given until told to stop, then
// answers with the bytes it read.
const readerSource = `
let stop = false;
onmessage = async ({ data }) => {
  if (data === 'stop') {
    stop = true;
    return;
  }
  let total = 0;
  while (!stop) {
    const reader = data.stream().getReader({ mode: 'byob' });
    let view = new Uint8Array(4 << 20);
    for (;;) {
      const { done, value } = await reader.read(view);
      if (done || stop) break;
      total += value.length;
      view = new Uint8Array(value.buffer);
    }
    reader.releaseLock();
  }
  postMessage(total);
};`;

const server = await serveFiles({
  '/': ['text/html', '<!doctype html><title>read contention</title><input type="file">'],
  '/core.js': ['text/javascript', coreSource],
  '/reader.js': ['text/javascript', readerSource],
  '/core.wasm': ['application/wasm', readFileSync(wasmPath)],
  '/capture': ['application/octet-stream', readFileSync(capture)],
});
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.goto(`${server.origin}/`);
  await page.locator('input').setInputFiles(resolve(capture));
  const result = await page.evaluate(async (rounds) => {
    const core = new Worker('/core.js');
    const ask = (message) => new Promise((ok) => {
      core.onmessage = (event) => ok(event.data);
      core.postMessage(message);
    });
    await ask('init');
    // Two runs first: the timed ones run optimised code, as the app's after its warm-up.
    await ask('run');
    await ask('run');
    const file = document.querySelector('input').files[0];
    const alone = [];
    const reading = [];
    const readMb = [];
    for (let round = 0; round < rounds; round++) {
      alone.push(await ask('run'));
      const reader = new Worker('/reader.js');
      reader.postMessage(file);
      // The reader at full speed before the run starts.
      await new Promise((ok) => setTimeout(ok, 200));
      reading.push(await ask('run'));
      const total = new Promise((ok) => {
        reader.onmessage = (event) => ok(event.data);
      });
      reader.postMessage('stop');
      readMb.push(Math.round((await total) / 1e6));
      reader.terminate();
    }
    return { alone, reading, readMb };
  }, rounds);
  const round = (s) => Number(s.toFixed(4));
  const median = (list) => round([...list].sort((a, b) => a - b)[(list.length - 1) >> 1]);
  console.log(JSON.stringify({
    capture,
    alone_s: result.alone.map(round),
    while_reading_s: result.reading.map(round),
    median_alone_s: median(result.alone),
    median_while_reading_s: median(result.reading),
    read_mb: result.readMb,
  }));
} finally {
  await browser.close();
  server.close();
}
