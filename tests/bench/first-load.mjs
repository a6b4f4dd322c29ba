// First load: how soon the app is interactive when opened from localhost
// with an empty cache (a fresh browser context per run, no service worker
// yet), in headless Chromium. Interactive = the capture picker and "Try the
// sample" are on the page and the button is enabled (the wasm app has
// mounted). Prints one JSON line with every run and the median, in ms since
// navigation start, next to DOMContentLoaded and load.
//
//   node tests/bench/first-load.mjs [--runs 5]
//
// Needs a built dist/ (or RSTSCOPE_DIST); scripts/bench.sh runs it.
import { launchBrowser, serveDist } from '../e2e/harness.mjs';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;

const server = await serveDist();
const browser = await launchBrowser();
const runs = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.origin, { waitUntil: 'commit' });
    const interactive = await page.waitForFunction(() => {
      const input = document.querySelector('input[type=file][data-testid=capture-input]');
      const sample = [...document.querySelectorAll('button')].find((b) => b.textContent.includes('Try the sample'));
      return input && sample && !sample.disabled ? performance.now() : null;
    }, null, { polling: 'raf', timeout: 30_000 });
    const ms = await interactive.jsonValue();
    await page.waitForLoadState('load');
    const nav = await page.evaluate(() => {
      const [entry] = performance.getEntriesByType('navigation');
      return { dom_content_loaded: entry.domContentLoadedEventEnd, load: entry.loadEventEnd };
    });
    runs.push({ interactive_ms: Math.round(ms), dom_content_loaded_ms: Math.round(nav.dom_content_loaded), load_ms: Math.round(nav.load) });
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
const sorted = runs.map((r) => r.interactive_ms).sort((a, b) => a - b);
console.log(JSON.stringify({ median_interactive_ms: sorted[Math.floor(sorted.length / 2)], runs }));
