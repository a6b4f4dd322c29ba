// The page's analysis worker (crates/app/src/job.rs): started and warmed
// up on the built-in sample while the page is idle, reused for analyses in
// a row, and ended by Cancel, after which the next analysis works in a new
// one; a finished analysis's summary shows before its report arrives. The
// page's workers are counted (or their reports held) through a wrapped
// `Worker`.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { SAMPLE, analyse, expectedResets, reportShown, resetRows } from './harness.mjs';
import { cliJson, pageSuite, releaseBinary } from './pages.mjs';

const suite = pageSuite('worker');

/** Notes every worker the page starts and ends, what it posts them, and their analyses' stats. */
function countWorkers() {
  const seen = { started: 0, terminated: 0, posted: [], done: [] };
  globalThis.__workers = seen;
  const Native = globalThis.Worker;
  globalThis.Worker = class extends Native {
    constructor(...args) {
      super(...args);
      seen.started += 1;
      // Messages are "ready" or { type: { fields } } (crates/app/src/protocol.rs).
      this.addEventListener('message', (event) => {
        if (event.data?.done) seen.done.push(event.data.done.stats);
      });
    }
    postMessage(message, ...rest) {
      seen.posted.push(Object.keys(message ?? {})[0] ?? String(message));
      return super.postMessage(message, ...rest);
    }
    terminate() {
      seen.terminated += 1;
      return super.terminate();
    }
  };
}

const workers = (page) => page.evaluate(() => structuredClone(globalThis.__workers));

/** A page that has started its worker and asked it to warm up. */
async function idlePage() {
  const page = await suite.newPage({}, null);
  await page.addInitScript(countWorkers);
  await page.goto(suite.server.origin);
  await page.waitForFunction(() => globalThis.__workers.posted.includes('warm-up'));
  return page;
}

/** The resets count once the page's `n`th analysis is done. */
async function nthAnalysis(page, file, n) {
  await page.locator('input[type=file][data-testid=capture-input]').setInputFiles(file);
  await page.waitForFunction((n) => globalThis.__workers.done.length >= n, n);
  await page.locator('[data-testid=reset-count]').waitFor();
  return Number(await page.locator('[data-testid=reset-count]').textContent());
}

describe('the analysis worker', () => {
  test('is warmed while the page is idle, then reused for analyses in a row', async () => {
    const page = await idlePage();
    const expected = expectedResets(SAMPLE).resets.length;
    assert.equal(await nthAnalysis(page, SAMPLE, 1), expected);
    // The first report's share link is packed in the same worker once the
    // report is drawn; a capture dropped before that gets a worker of its own.
    await page.locator('[data-testid=share-link]').waitFor();
    assert.equal(await nthAnalysis(page, SAMPLE, 2), expected);
    const seen = await workers(page);
    assert.equal(seen.started, 1, 'one worker for the warm-up and both analyses');
    assert.equal(seen.terminated, 0);
    const [first, second] = seen.done;
    assert.ok(first.warm_up_runs >= 1, `the first analysis came after ${first.warm_up_runs} warm-up runs`);
    assert.equal(first.earlier_requests, 0);
    assert.ok(second.earlier_requests >= 1, `the second analysis came after ${second.earlier_requests} requests`);
    assert.equal(seen.posted.filter((kind) => kind === 'analyse').length, 2);
    assert.deepEqual(page.errors, []);
  });

  test('Cancel ends the worker, and the next analysis works in a new one', async () => {
    // The slowest mix per byte: the run is still going when Cancel is clicked.
    const file = join(suite.dir, 'flood-64MiB.pcap');
    execFileSync(releaseBinary('rstscope-scenarios'), ['bulk', '--size', '64MiB', '--mix', 'flood', file]);
    const page = await idlePage();
    await page.locator('input[type=file][data-testid=capture-input]').setInputFiles(file);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForFunction(() => globalThis.__workers.started === 2);
    const cancelled = await workers(page);
    assert.equal(cancelled.terminated, 1, 'the cancelled run\'s worker was terminated');
    assert.deepEqual(cancelled.done, [], 'the cancelled run gave no report');
    await analyse(page, SAMPLE);
    assert.equal(
      Number(await page.locator('[data-testid=reset-count]').textContent()),
      expectedResets(SAMPLE).resets.length,
    );
    const after = await workers(page);
    assert.equal(after.started, 2, 'the analysis after Cancel ran in the new worker');
    assert.equal(after.done.length, 1);
    assert.equal(after.done[0].earlier_requests, 0);
    assert.deepEqual(page.errors, []);
  });

  test('the summary shows as soon as the analysis is done, before the report arrives', async () => {
    const page = await suite.newPage({}, null);
    await page.addInitScript(holdReports);
    await page.goto(suite.server.origin);
    const report = cliJson(['analyze', SAMPLE]);
    await page.locator('input[type=file][data-testid=capture-input]').setInputFiles(SAMPLE);
    await page.locator('[data-testid=reset-count]').waitFor();
    assert.equal(Number(await page.locator('[data-testid=reset-count]').textContent()), report.resets.length);
    assert.equal(await page.locator('.headline').textContent(), report.summary.headline);
    assert.equal(await page.locator('.report[aria-busy=true]').count(), 1, 'the report is still on its way');
    assert.equal(await page.locator('[data-testid=reset-row]').count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Export JSON' }).count(), 0, 'nothing to export yet');
    // A top talker clicked meanwhile filters the resets table once it comes.
    const host = report.summary.top_talkers[0].host;
    await page.locator(`[data-testid=talker-row][data-host="${host}"] button`).click();
    await page.evaluate(() => globalThis.__releaseReports());
    await reportShown(page);
    assert.equal(await page.locator('[data-testid=host-filter]').inputValue(), host);
    assert.ok((await resetRows(page)).length > 0);
    assert.deepEqual(page.errors, []);
  });
});

/** Holds the worker's reports (`done`) back until `__releaseReports()`; other messages pass. */
function holdReports() {
  const held = [];
  globalThis.__releaseReports = () => held.splice(0).forEach((deliver) => deliver());
  const Native = globalThis.Worker;
  globalThis.Worker = class extends Native {
    set onmessage(handler) {
      super.onmessage = handler && ((event) => (event.data?.done ? held.push(() => handler(event)) : handler(event)));
    }
    get onmessage() {
      return super.onmessage;
    }
  };
}
