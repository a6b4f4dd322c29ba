// Where the analysis worker's time goes: a CPU profile (CDP Profiler on the
// dedicated worker's target) of the app's first analysis of CAPTURE, from
// choosing the file to the reset count on screen, summed by function (self
// time) and printed as one JSON line: the top functions, and the totals of
// wasm code, JavaScript, garbage collection and idle (waiting for the
// File's bytes).
//
//   node tests/bench/worker-profile.mjs CAPTURE [--settle-s 3] [--top 25] [--interval-us 200] [--save FILE.cpuprofile] [--page]
//
// Function names need a build whose worker wasm keeps its name section
// (data-wasm-opt-params="-g" on the worker's link in index.html, built to
// another dist and passed as RSTSCOPE_DIST); without it wasm functions show
// as wasm-function[N]. --save writes the profile for Chrome DevTools.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { launchBrowser, serveDist } from '../e2e/harness.mjs';
import { command } from './args.mjs';

const cli = command(
  'node tests/bench/worker-profile.mjs CAPTURE [--settle-s 3] [--top 25] [--interval-us 200] [--save FILE] [--page]',
  1,
  { 'settle-s': 3, top: 25, 'interval-us': 200, save: null, page: false },
);
const [capture] = cli.positionals;
const settleMs = 1000 * cli['settle-s'];
const { top, save } = cli;
const intervalUs = cli['interval-us'];
// --page profiles the page's main thread instead of the worker.
const onPage = cli.page;

/** Sends CDP commands to one worker through a browser-level session. */
class WorkerSession {
  constructor(cdp, sessionId) {
    this.cdp = cdp;
    this.sessionId = sessionId;
    this.nextId = 0;
    this.replies = new Map();
    cdp.on('Target.receivedMessageFromTarget', ({ sessionId: from, message }) => {
      if (from !== this.sessionId) return;
      const reply = JSON.parse(message);
      this.replies.get(reply.id)?.(reply);
      this.replies.delete(reply.id);
    });
  }

  async send(method, params = {}) {
    const id = ++this.nextId;
    const reply = new Promise((ok) => this.replies.set(id, ok));
    const message = JSON.stringify({ id, method, params });
    await this.cdp.send('Target.sendMessageToTarget', { sessionId: this.sessionId, message });
    const { result, error } = await reply;
    if (error) throw new Error(`${method}: ${error.message}`);
    return result;
  }
}

/** Self time in ms by function, and by kind of code. */
function summarise(profile) {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  const ms = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);
  const functions = new Map();
  const kinds = { wasm: 0, js: 0, gc: 0, idle: 0, program: 0 };
  for (const [id, count] of counts) {
    const { functionName, url } = byNode.get(id).callFrame;
    const name = `${functionName || '(anonymous)'}${url && !url.includes('wasm') ? ` ${url.split('/').pop()}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + count * ms);
    if (functionName === '(idle)') kinds.idle += count * ms;
    else if (functionName === '(garbage collector)') kinds.gc += count * ms;
    else if (functionName === '(program)' || functionName === '(root)') kinds.program += count * ms;
    else if (url.includes('wasm') || functionName.startsWith('$') || /wasm-function/.test(functionName)) kinds.wasm += count * ms;
    else kinds.js += count * ms;
  }
  const round = (x) => Number(x.toFixed(1));
  return {
    profile_ms: round((profile.endTime - profile.startTime) / 1000),
    samples: profile.samples.length,
    kinds_ms: Object.fromEntries(Object.entries(kinds).map(([k, v]) => [k, round(v)])),
    top_self_ms: [...functions].sort((a, b) => b[1] - a[1]).slice(0, top).map(([f, v]) => [f, round(v)]),
  };
}

const server = await serveDist();
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  const workers = [];
  page.on('worker', (worker) => workers.push(worker));
  await page.goto(server.origin);
  const input = page.locator('input[type=file][data-testid=capture-input]');
  await input.waitFor({ state: 'attached' });
  await new Promise((ok) => setTimeout(ok, settleMs));

  const cdp = await browser.newBrowserCDPSession();
  const { targetInfos } = await cdp.send('Target.getTargets');
  const targets = targetInfos.filter((t) => t.type === (onPage ? 'page' : 'worker'));
  if (targets.length !== 1) throw new Error(`expected one ${onPage ? 'page' : 'warmed-up worker'}, found ${targets.length}`);
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: targets[0].targetId, flatten: false });
  const worker = new WorkerSession(cdp, sessionId);
  await worker.send('Profiler.enable');
  await worker.send('Profiler.setSamplingInterval', { interval: intervalUs });
  await worker.send('Profiler.start');

  const started = performance.now();
  await input.setInputFiles(resolve(capture));
  await page.locator('[data-testid=reset-count], [data-testid=error]').first().waitFor({ timeout: 600_000 });
  // The page's profile runs on to the whole report (its tables come after a paint).
  if (onPage) {
    await page.waitForFunction(() => !document.querySelector('.report[aria-busy=true]'), null, { timeout: 600_000 });
  }
  const seconds = (performance.now() - started) / 1000;
  const { profile } = await worker.send('Profiler.stop');
  if (save) writeFileSync(save, JSON.stringify(profile));
  const resets = await page.locator('[data-testid=reset-count]').textContent().catch(() => null);
  console.log(JSON.stringify({ capture, seconds: Number(seconds.toFixed(3)), resets, ...summarise(profile) }));
} finally {
  await browser.close();
  await server.close();
}
