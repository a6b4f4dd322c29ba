// Browser throughput: analyses one capture in headless Chromium through the
// web app's real path (file input -> worker reading the File as a stream ->
// report) and prints one JSON line: seconds, MB/s, the reset count, when
// the first reset showed while reading (first_live_s), when the report
// reached the page (done_received_s; the page decodes and draws it from then
// to `complete_s`, the whole report drawn; `seconds` is the summary shown,
// which builds since session 14 draw from summary_received_s, before the
// report arrives), and the worker's
// memory, polled every 250 ms while it works: its wasm linear
// memory (which only grows, so the last size is the peak) and CDP's
// Runtime.getHeapUsage on the worker target (JS heap, and the backing
// stores of its ArrayBuffers: wasm memory plus stream chunks not yet
// collected).
//
//   node tests/bench/browser.mjs CAPTURE [--timeout-s 1800] [--settle-s 0] [--repeat 1] [--threads]
//
// --threads adds every Chromium thread's processor time during the first run
// (by process type and thread name; the browser process reads the File).
// --settle-s waits that long after the page is loaded before opening the
// capture, as a user choosing a file does: time the page uses to start and
// warm up its worker (crates/app/src/job.rs). --repeat N opens the capture
// N times in the same page; the figures are the first run's, and the later
// runs' worker analysis seconds are listed apart.
//
// Needs a built dist/ (`trunk build --release --offline`) and
// playwright-core (tests/package.json); scripts/bench.sh runs it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { launchBrowser, serveDist } from '../e2e/harness.mjs';

/**
 * Peak Runtime.getHeapUsage of every dedicated worker, through a
 * browser-level CDP session (Playwright's own sessions do not reach workers).
 */
class WorkerHeap {
  constructor(cdp) {
    this.cdp = cdp;
    this.sessions = new Map(); // targetId -> sessionId
    this.replies = new Map();
    this.nextId = 0;
    this.peak = { usedSize: 0, totalSize: 0, backingStorageSize: 0 };
    cdp.on('Target.receivedMessageFromTarget', ({ message }) => {
      const reply = JSON.parse(message);
      this.replies.get(reply.id)?.(reply);
      this.replies.delete(reply.id);
    });
  }

  async sample() {
    try {
      const { targetInfos } = await this.cdp.send('Target.getTargets');
      for (const target of targetInfos.filter((t) => t.type === 'worker')) {
        if (!this.sessions.has(target.targetId)) {
          const { sessionId } = await this.cdp.send('Target.attachToTarget', {
            targetId: target.targetId,
            flatten: false,
          });
          this.sessions.set(target.targetId, sessionId);
        }
        const usage = await this.call(this.sessions.get(target.targetId), 'Runtime.getHeapUsage');
        for (const key of Object.keys(this.peak)) {
          this.peak[key] = Math.max(this.peak[key], usage?.result?.[key] ?? 0);
        }
      }
    } catch {
      // A worker that ended between the listing and the call.
    }
  }

  call(sessionId, method) {
    const id = ++this.nextId;
    const reply = new Promise((ok) => {
      this.replies.set(id, ok);
      setTimeout(() => ok(null), 2000); // a busy worker answers late; skip it
    });
    const message = JSON.stringify({ id, method, params: {} });
    return this.cdp.send('Target.sendMessageToTarget', { sessionId, message }).then(() => reply);
  }
}

/**
 * Seconds on a processor, which load on the machine inflates far less than
 * wall time: of the renderer processes (page, worker and V8's background
 * compilers; from CDP's SystemInfo), and of the dedicated worker threads in
 * them (Linux: /proc/PID/task/TID/schedstat; null elsewhere).
 */
async function cpuSeconds(cdp) {
  const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
  const renderers = processInfo.filter((p) => p.type === 'renderer');
  let worker = 0;
  let waiting = 0;
  let main = 0;
  try {
    for (const { id } of renderers) {
      for (const task of readdirSync(`/proc/${id}/task`)) {
        const comm = readFileSync(`/proc/${id}/task/${task}/comm`, 'utf8');
        const [onCpu, runnable] = readFileSync(`/proc/${id}/task/${task}/schedstat`, 'utf8').split(' ');
        if (comm.startsWith('DedicatedWorker')) {
          worker += Number(onCpu) / 1e9;
          waiting += Number(runnable) / 1e9;
        } else if (task === String(id)) {
          // The process's first thread: the page's main thread.
          main += Number(onCpu) / 1e9;
        }
      }
    }
  } catch {
    worker = null;
    waiting = null;
    main = null;
  }
  // Every thread of every process, by process type and thread name (--threads).
  const threads = {};
  try {
    for (const { id, type } of processInfo) {
      for (const task of readdirSync(`/proc/${id}/task`)) {
        const comm = readFileSync(`/proc/${id}/task/${task}/comm`, 'utf8').trim();
        const key = `${type}:${task === String(id) ? 'main' : comm}`;
        const onCpu = Number(readFileSync(`/proc/${id}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
        threads[key] = (threads[key] ?? 0) + onCpu / 1e9;
      }
    }
  } catch {
    // A thread that ended while listed.
  }
  const sum = (list) => list.reduce((total, p) => total + p.cpuTime, 0);
  // Every Chromium process: the browser process reads the File for the worker.
  return { renderer: sum(renderers), all: sum(processInfo), worker, waiting, main, threads };
}

/** Threads by processor time between two samples, the busiest first. */
function busiest(before, after) {
  return Object.fromEntries(Object.entries(after)
    .map(([key, seconds]) => [key, Number((seconds - (before[key] ?? 0)).toFixed(3))])
    .filter(([, seconds]) => seconds >= 0.01)
    .sort((a, b) => b[1] - a[1]));
}

const args = process.argv.slice(2);
const capture = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
const timeoutIndex = args.indexOf('--timeout-s');
const timeoutMs = 1000 * (timeoutIndex >= 0 ? Number(args[timeoutIndex + 1]) : 1800);
const repeatIndex = args.indexOf('--repeat');
const repeat = repeatIndex >= 0 ? Number(args[repeatIndex + 1]) : 1;
const settleIndex = args.indexOf('--settle-s');
const settleMs = 1000 * (settleIndex >= 0 ? Number(args[settleIndex + 1]) : 0);
if (!capture) {
  console.error('usage: node tests/bench/browser.mjs CAPTURE [--timeout-s N] [--settle-s N]');
  process.exit(2);
}
const file = resolve(capture);
const bytes = statSync(file).size;

const server = await serveDist();
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  // The worker's own timing (its "done" message's stats: reading and
  // analysing, before the report is posted, parsed and rendered).
  await page.addInitScript(() => {
    const Native = globalThis.Worker;
    globalThis.Worker = class extends Native {
      constructor(...args) {
        super(...args);
        // Messages are "ready" or { type: { fields } } (crates/app/src/protocol.rs).
        this.addEventListener('message', (event) => {
          // Messages the page handled until the first report (each one a render).
          if (!globalThis.__rstscopeWorkerStats) globalThis.__rstscopeMessages = (globalThis.__rstscopeMessages ?? 0) + 1;
          if (event.data?.partial) globalThis.__rstscopeFirstLive ??= performance.now();
          // The report's summary, posted before the report (builds since session 14).
          if (event.data?.summary) globalThis.__rstscopeSummaryAt ??= performance.now();
          if (event.data?.done) {
            // Before the app's own handler: when the report reached the page.
            globalThis.__rstscopeDoneAt ??= performance.now();
            globalThis.__rstscopeWorkerStats ??= event.data.done.stats;
            (globalThis.__rstscopeWorkerRuns ??= []).push(event.data.done.stats);
          }
        });
      }
    };
  });
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  const workers = [];
  page.on('worker', (worker) => workers.push(worker));
  await page.goto(server.origin);
  const input = page.locator('input[type=file][data-testid=capture-input]');
  await input.waitFor({ state: 'attached' });

  // The worker's memory, polled while it works (between slices it yields).
  const cdp = await browser.newBrowserCDPSession();
  const heap = new WorkerHeap(cdp);
  let wasmPeak = 0;
  const sample = async () => {
    await heap.sample();
    for (const worker of workers) {
      try {
        const wasm = await worker.evaluate(async () => {
          // wasm-bindgen's init returns the instance's exports once loaded.
          const exports = typeof wasm_bindgen === 'function' ? await wasm_bindgen() : null;
          return exports?.memory?.buffer?.byteLength ?? 0;
        });
        wasmPeak = Math.max(wasmPeak, wasm);
      } catch {
        // The worker is gone (analysis over): its last sample stands.
      }
    }
  };
  let polling = true;
  const poller = (async () => {
    while (polling) {
      await sample();
      await new Promise((ok) => setTimeout(ok, 250));
    }
  })();

  await new Promise((ok) => setTimeout(ok, settleMs));
  const started = performance.now();
  const pageStarted = await page.evaluate(() => performance.now());
  const cpuBefore = await cpuSeconds(cdp);
  await input.setInputFiles(file);
  const done = page.locator('[data-testid=reset-count], [data-testid=error]').first();
  await done.waitFor({ timeout: timeoutMs });
  const seconds = (performance.now() - started) / 1000;
  // The tables come after a paint (`aria-busy` until then): the whole report.
  await page.waitForFunction(() => !document.querySelector('.report[aria-busy=true]'), null, { timeout: timeoutMs });
  const completeSeconds = (performance.now() - started) / 1000;
  const cpuAfter = await cpuSeconds(cdp);
  await sample();
  polling = false;
  await poller;

  // The same file again in the same page (and, with the page's reused worker, the same worker).
  for (let run = 2; run <= repeat; run++) {
    // As before the first: the page also makes the report's share link meanwhile.
    await new Promise((ok) => setTimeout(ok, settleMs));
    await input.setInputFiles(file);
    await page.waitForFunction((n) => (globalThis.__rstscopeWorkerRuns?.length ?? 0) >= n, run, { timeout: timeoutMs });
  }
  const laterRuns = await page.evaluate(() => (globalThis.__rstscopeWorkerRuns ?? []).slice(1));
  const workerStats = await page.evaluate(() => globalThis.__rstscopeWorkerStats ?? null);
  const firstLive = await page.evaluate(() => globalThis.__rstscopeFirstLive ?? null);
  const doneAt = await page.evaluate(() => globalThis.__rstscopeDoneAt ?? null);
  const summaryAt = await page.evaluate(() => globalThis.__rstscopeSummaryAt ?? null);
  const error = await page.locator('[data-testid=error]').count();
  const resets = error ? null : Number(await page.locator('[data-testid=reset-count]').textContent());
  console.log(JSON.stringify({
    file,
    bytes,
    seconds: Number(seconds.toFixed(3)),
    // From choosing the file to the whole report drawn (tables included).
    complete_s: Number(completeSeconds.toFixed(3)),
    mb_per_s: Number((bytes / seconds / 1e6).toFixed(1)),
    worker_seconds: workerStats ? Number(workerStats.seconds.toFixed(3)) : null,
    worker_mb_per_s: workerStats ? Number((bytes / workerStats.seconds / 1e6).toFixed(1)) : null,
    // Of the worker's time, decoding and analysing (the rest waits for bytes).
    worker_analysis_seconds: workerStats ? Number(workerStats.analysis_seconds.toFixed(3)) : null,
    worker_analysis_mb_per_s: workerStats ? Number((bytes / workerStats.analysis_seconds / 1e6).toFixed(1)) : null,
    // What the worker did before (fields of builds with a long-lived worker).
    worker_earlier_requests: workerStats?.earlier_requests ?? null,
    worker_warm_up_runs: workerStats?.warm_up_runs ?? null,
    worker_warm_up_seconds: workerStats?.warm_up_seconds ?? null,
    settle_s: settleMs / 1000,
    // From choosing the file to the reset count on screen, on a processor.
    renderer_cpu_seconds: Number((cpuAfter.renderer - cpuBefore.renderer).toFixed(3)),
    // All of Chromium's processes (the browser process's file reading included).
    chromium_cpu_seconds: Number((cpuAfter.all - cpuBefore.all).toFixed(3)),
    // The page's main thread: handling the worker's messages, rendering.
    page_thread_cpu_seconds: cpuAfter.main === null || cpuBefore.main === null
      ? null : Number((cpuAfter.main - cpuBefore.main).toFixed(3)),
    // The threads that ran most, CPU-s (--threads).
    ...(args.includes('--threads') ? { threads: busiest(cpuBefore.threads, cpuAfter.threads) } : {}),
    worker_messages: await page.evaluate(() => globalThis.__rstscopeMessages ?? null),
    worker_thread_cpu_seconds: cpuAfter.worker === null || cpuBefore.worker === null
      ? null : Number((cpuAfter.worker - cpuBefore.worker).toFixed(3)),
    // Of the same span, the worker thread's time runnable but not running
    // (another thread had its core): what load adds to its wall times.
    worker_thread_wait_seconds: cpuAfter.waiting === null || cpuBefore.waiting === null
      ? null : Number((cpuAfter.waiting - cpuBefore.waiting).toFixed(3)),
    later_worker_analysis_seconds: laterRuns.map((stats) => Number(stats.analysis_seconds.toFixed(3))),
    resets,
    // When the report (the worker's answer) reached the page; from then to
    // `seconds` the page decodes and draws it.
    done_received_s: doneAt === null ? null : Number(((doneAt - pageStarted) / 1000).toFixed(3)),
    summary_received_s: summaryAt === null ? null : Number(((summaryAt - pageStarted) / 1000).toFixed(3)),
    first_live_s: firstLive === null ? null : Number(((firstLive - pageStarted) / 1000).toFixed(3)),
    error: error ? await page.locator('[data-testid=error]').first().textContent() : null,
    page_errors: errors,
    workers_seen: workers.length,
    worker_wasm_memory_bytes: wasmPeak,
    worker_js_heap_used_bytes: heap.peak.usedSize,
    worker_js_heap_total_bytes: heap.peak.totalSize,
    worker_array_buffers_bytes: heap.peak.backingStorageSize,
  }));
} finally {
  await browser.close();
  await server.close();
}
