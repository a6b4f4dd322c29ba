// A shared report's main-thread tasks, by the thread CPU time a Chromium trace records (`tdur`: the
// machine's load inflates it far less than the wall time Lighthouse measures), without throttling.
// Prints per run the tasks of 3 ms CPU or more (`CPU ms@start ms`) and a Total Blocking Time proxy:
// the sum over tasks of max(0, 4 x CPU - 50 ms), as Lighthouse's mobile run counts (4x CPU slowdown,
// 50 ms threshold). `node tests/report-tasks.mjs` after a build; RSTSCOPE_DIST=DIR, RUNS=N (5).
// Not part of scripts/test.sh: it measures (BENCHMARKS.md, session 7).
import { serveDist, launchBrowser, analyse, SAMPLE } from './e2e/harness.mjs';
const server = await serveDist();
const browser = await launchBrowser();
let page = await browser.newPage();
await page.goto(server.url);
await analyse(page, SAMPLE);
const link = await page.locator('[data-testid=share-link]').inputValue();
await page.close();
const proxies = [];
for (let run = 0; run < Number(process.env.RUNS ?? 5); run++) {
  const ctx = await browser.newContext();
  page = await ctx.newPage();
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.wasm'] });
  await page.goto(link);
  await page.locator('.report[aria-busy=false]').waitFor({ timeout: 60000 });
  await page.waitForTimeout(300);
  const { traceEvents } = JSON.parse((await browser.stopTracing()).toString());
  const byThread = {};
  for (const e of traceEvents) if (e.name === 'RunTask' && e.tdur) byThread[`${e.pid}:${e.tid}`] = (byThread[`${e.pid}:${e.tid}`] ?? 0) + e.tdur;
  const [key] = Object.entries(byThread).sort((a, b) => b[1] - a[1])[0];
  const tasks = traceEvents.filter((e) => `${e.pid}:${e.tid}` === key && e.name === 'RunTask' && e.tdur);
  const t0 = tasks[0].ts;
  const long = tasks.filter((t) => t.tdur >= 3000);
  const proxy = tasks.reduce((s, t) => s + Math.max(0, (4 * t.tdur) / 1000 - 50), 0);
  const cpu = tasks.reduce((s, t) => s + t.tdur, 0) / 1000;
  proxies.push(proxy);
  console.log(`run ${run}: main-thread CPU ${cpu.toFixed(0)} ms, TBT proxy ${proxy.toFixed(0)} ms; tasks >= 3 ms CPU: ${long.map((t) => `${(t.tdur / 1000).toFixed(0)}@${((t.ts - t0) / 1000).toFixed(0)}`).join(' ')}`);
  await ctx.close();
}
proxies.sort((a, b) => a - b);
console.log(`TBT proxy median ${proxies[Math.floor(proxies.length / 2)].toFixed(0)} ms (min ${proxies[0].toFixed(0)}, max ${proxies.at(-1).toFixed(0)})`);
await browser.close();
await server.close();
