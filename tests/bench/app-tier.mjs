// What V8 compiles while the app analyses a capture: the app's own page and
// worker (dist/), not the core alone as wasm-tier.mjs does. Opens the page,
// waits --settle-s (the worker's idle warm-up), chooses CAPTURE and waits for
// the reset count, with V8 tracing every wasm compilation. Prints one JSON
// line: for the worker's module and the page's, the functions compiled for
// the first time (Liftoff) and those optimised (TurboFan) from choosing the
// file to the count on screen, with their wasm body bytes and the
// milliseconds V8 took (on a background thread for TurboFan: a core the
// analysis does not get on a 2-core machine), the largest first. Counts and
// bytes do not depend on the machine's load; milliseconds do.
//
//   node tests/bench/app-tier.mjs CAPTURE [--settle-s 3] [--top 5]
//
// Function names need a dist/ whose wasm keeps its name section
// (data-wasm-opt-params="-g" on the link in index.html); otherwise indices.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { command } from './args.mjs';
import { functions } from './wasm-module.mjs';

// V8 prints a line per compiled function on the browser's stdout, which
// Playwright passes to its debug log (stderr) under DEBUG=pw:browser: the
// lines are taken from there.
process.env.DEBUG = 'pw:browser';
const { chromium } = await import('playwright-core');
const { DIST, serveDist } = await import('../e2e/harness.mjs');

const cli = command('node tests/bench/app-tier.mjs CAPTURE [--settle-s 3] [--top 5]', 1, {
  'settle-s': 3,
  top: 5,
});
const [capture] = cli.positionals;
const settleMs = 1000 * cli['settle-s'];
const top = cli.top;

let phase = 'before';
const compiled = [];
const line = /Compiled function (\S+)#(\d+) using (\w+), took (\d+) (.)s.*bodysize (\d+)/g;
const write = process.stderr.write.bind(process.stderr);
process.stderr.write = (chunk, ...rest) => {
  const text = String(chunk);
  if (!text.includes('pw:browser')) return write(chunk, ...rest);
  for (const [, module, index, tier, took, unit, body] of text.matchAll(line)) {
    if (phase === 'during') {
      compiled.push({ module, index: Number(index), tier, ms: Number(took) / (unit === 'm' ? 1 : 1000), body: Number(body) });
    }
  }
  return true;
};
const server = await serveDist();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--js-flags=--trace-wasm-lazy-compilation --trace-wasm-compilation-times',
  ],
});
try {
  const page = await browser.newPage();
  await page.goto(server.origin);
  const input = page.locator('input[type=file][data-testid=capture-input]');
  await input.waitFor({ state: 'attached' });
  await new Promise((ok) => setTimeout(ok, settleMs));
  phase = 'during';
  await input.setInputFiles(resolve(capture));
  await page.locator('[data-testid=reset-count], [data-testid=error]').first().waitFor({ timeout: 600_000 });
  phase = 'after';
} finally {
  await browser.close();
  await server.close();
}

// Which module is which: the one whose bodies match the worker's wasm.
const wasm = (prefix) => readFileSync(join(DIST, readdirSync(DIST).find((f) => f.startsWith(prefix) && f.endsWith('.wasm'))));
const modules = { worker: functions(wasm('worker-')), page: functions(wasm('app-')) };
const owner = new Map();
for (const c of compiled) {
  if (owner.has(c.module)) continue;
  const fits = (m) => compiled.filter((d) => d.module === c.module).every((d) => m.bodies.get(d.index) === d.body);
  owner.set(c.module, fits(modules.worker) ? 'worker' : fits(modules.page) ? 'page' : c.module);
}
const summary = (who, tier) => {
  const list = compiled.filter((c) => owner.get(c.module) === who && c.tier === tier).sort((a, b) => b.body - a.body);
  return {
    functions: list.length,
    body_bytes: list.reduce((sum, c) => sum + c.body, 0),
    ms: Number(list.reduce((sum, c) => sum + c.ms, 0).toFixed(1)),
    largest: list.slice(0, top).map((c) => `${modules[who]?.names.get(c.index) ?? `#${c.index}`} (${c.body} B, ${c.ms.toFixed(1)} ms)`),
  };
};
console.log(JSON.stringify({
  capture,
  worker: { optimised: summary('worker', 'TurboFan'), first_compiled: summary('worker', 'Liftoff') },
  page: { optimised: summary('page', 'TurboFan'), first_compiled: summary('page', 'Liftoff') },
}));
