// What happens, and when, between choosing a capture and its share link
// showing, through the web app's real path in headless Chromium. Prints one
// JSON line of milliseconds since the file was chosen: each worker started
// (the analysis, then one per share-link attempt), the worker's first
// progress and its report, the reset count and the share link on screen,
// and the page's long tasks (the Long Tasks API: main-thread work over
// 50 ms, while the page cannot answer the user) after the report arrived.
//
//   node tests/bench/timeline.mjs CAPTURE
//
// Needs a built dist/ and playwright-core, like browser.mjs.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { launchBrowser, serveDist } from '../e2e/harness.mjs';

const capture = process.argv[2];
if (!capture) {
  console.error('usage: node tests/bench/timeline.mjs CAPTURE');
  process.exit(2);
}
const file = resolve(capture);

const server = await serveDist();
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.addInitScript(() => {
    const marks = (globalThis.__timeline = { workers: [], longTasks: [] });
    const now = () => performance.now();
    new PerformanceObserver((list) => {
      for (const task of list.getEntries()) marks.longTasks.push([task.startTime, task.duration]);
    }).observe({ type: 'longtask' });
    new MutationObserver(() => {
      if (document.querySelector('[data-testid=reset-count]')) marks.reportShown ??= now();
      if (document.querySelector('[data-testid=share-link]')) marks.linkShown ??= now();
    }).observe(document, { subtree: true, childList: true });
    const Native = globalThis.Worker;
    globalThis.Worker = class extends Native {
      constructor(...args) {
        marks.workers.push(now());
        super(...args);
        this.addEventListener('message', (event) => {
          // "ready", or { type: { fields } } (crates/app/src/protocol.rs).
          const type = typeof event.data === 'string' ? event.data : Object.keys(event.data)[0];
          if (type === 'progress') marks.firstProgress ??= now();
          if (type === 'done') marks.done = now();
        });
      }
    };
  });
  await page.goto(server.origin);
  const input = page.locator('input[type=file][data-testid=capture-input]');
  await input.waitFor({ state: 'attached' });
  const chosen = await page.evaluate(() => performance.now());
  await input.setInputFiles(file);
  await page.locator('[data-testid=share-link]').waitFor({ timeout: 1_800_000 });
  const marks = await page.evaluate(() => globalThis.__timeline);
  const ms = (t) => (t === undefined ? null : Math.round(t - chosen));
  // Tasks still running when the report arrived count too: its parsing and rendering.
  const after = marks.longTasks.filter(([start, duration]) => start + duration >= marks.done);
  console.log(JSON.stringify({
    file,
    bytes: statSync(file).size,
    workers_started_ms: marks.workers.map(ms),
    first_progress_ms: ms(marks.firstProgress),
    report_received_ms: ms(marks.done),
    report_shown_ms: ms(marks.reportShown),
    link_shown_ms: ms(marks.linkShown),
    long_tasks_after_report_ms: after.map(([start, duration]) => [ms(start), Math.round(duration)]),
    longest_task_after_report_ms: Math.round(Math.max(0, ...after.map(([, duration]) => duration))),
  }));
} finally {
  await browser.close();
  await server.close();
}
