// The web app in Chromium: analysis in the worker matches the CLI, share
// links reproduce the report, bad input shows an error, nothing leaves the
// origin, and the app works offline after one visit.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CAPTURES, ROOT, SAMPLE, SCREENSHOTS, analyse, expectedResets, launchBrowser, recordRequests, reportShown, resetRows,
  serveDist,
} from './harness.mjs';

/** Real captures with a few resets each (tshark's RST frames in rst/). */
const REAL = ['zeek__tcp__rst-inject-rae.pcap', 'chrissanders__tcp_refuseconnection.pcapng'];

let server;
let browser;
const requests = [];

/** A fresh context whose every request is recorded for the origin check. */
async function newPage(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  requests.push(recordRequests(context));
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err));
  page.errors = errors;
  return page;
}

/** A release binary of the workspace; the tests that need one fail without it. */
function releaseBinary(name) {
  const path = join(resolve(ROOT, process.env.CARGO_TARGET_DIR ?? 'target'), 'release', name);
  assert.ok(existsSync(path), `${path} is missing: cargo build --release -p rstscope-cli -p rstscope-scenarios`);
  return path;
}

async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function checkAgainstExpected(page, file) {
  const expected = expectedResets(file);
  assert.ok(expected, `no expected resets for ${file}: build the CLI (cargo build --release -p rstscope-cli)`);
  const shown = await resetRows(page);
  const count = Number(await page.locator('[data-testid=reset-count]').textContent());
  assert.equal(count, expected.resets.length, `reset count of ${file} (${expected.source})`);
  const compared = expected.source === 'cli' ? shown : shown.map(({ frame }) => ({ frame }));
  assert.deepEqual(compared, expected.resets.slice(0, shown.length), `resets of ${file} vs ${expected.source}`);
  if (expected.source !== 'cli') console.log(`NOTE: CLI not built; compared ${file} frames with tshark only`);
}

before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe('analysis in the browser', () => {
  test('the sample gives the same resets as the CLI', async () => {
    const page = await newPage();
    await page.goto(server.origin);
    await screenshot(page, 'start-1280');
    await analyse(page, SAMPLE);
    await checkAgainstExpected(page, SAMPLE);
    await screenshot(page, 'report-1280');
    assert.deepEqual(page.errors, []);
  });

  test('the "Try the sample" button analyses the built-in sample', async () => {
    const page = await newPage();
    await page.goto(server.origin);
    await page.getByRole('button', { name: 'Try the sample' }).click();
    await reportShown(page);
    await checkAgainstExpected(page, SAMPLE);
  });

  for (const name of REAL) {
    test(`real capture ${name}`, async (t) => {
      const file = join(CAPTURES, name);
      if (!existsSync(file)) {
        console.log('SKIPPED: ../shared/captures not found');
        t.skip('SKIPPED: ../shared/captures not found');
        return;
      }
      const page = await newPage();
      await page.goto(server.origin);
      await analyse(page, file);
      await checkAgainstExpected(page, file);
    });
  }

  test('a row opens the reset detail, by click and by keyboard', async () => {
    const page = await newPage();
    await page.goto(server.origin);
    await analyse(page, SAMPLE);
    const rows = page.locator('[data-testid=reset-row]');
    if ((await rows.count()) === 0) return; // nothing to open until the analysis finds resets
    await rows.first().locator('td').first().focus();
    await page.keyboard.press('Enter');
    const drawer = page.getByRole('dialog');
    await drawer.waitFor();
    assert.match(await drawer.textContent(), new RegExp(`frame ${await rows.first().getAttribute("data-frame")}`));
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });

    // The injected reset's detail draws the packets around it, its RST in red.
    const injected = page.locator('[data-testid=reset-row][data-cause=injected]').first();
    const frame = await injected.getAttribute('data-frame');
    await injected.click();
    await drawer.waitFor();
    assert.match(await drawer.textContent(), new RegExp(`frame ${frame}`));
    const ladder = drawer.locator('svg[data-testid=ladder]');
    await ladder.waitFor();
    const rst = ladder.locator('[data-testid=ladder-rst]');
    assert.equal(await rst.count(), 1, 'one RST arrow in the ladder');
    assert.match(await rst.textContent(), new RegExp(`RST[\\s\\S]*#${frame}`));
    assert.ok(await ladder.locator('.ladder-packet').count() > 1, 'the ladder shows packets before the RST');
    await screenshot(page, 'detail-1280');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
  });

  test('top talkers filter the resets table; the timeline shows connection activity', async () => {
    const page = await newPage();
    await page.goto(server.origin);
    await analyse(page, SAMPLE);
    const report = JSON.parse(execFileSync(releaseBinary('rstscope'), ['analyze', SAMPLE, '--format', 'json']));
    const talkers = page.locator('[data-testid=top-talkers] [data-testid=talker-row]');
    const hosts = await talkers.evaluateAll((rows) => rows.map((r) => r.dataset.host));
    assert.deepEqual(hosts, report.summary.top_talkers.map((t) => t.host));

    // The busiest host's resets are the ones that carry its address.
    const top = report.summary.top_talkers[0];
    await talkers.first().getByRole('button').click();
    assert.equal(await page.locator('[data-testid=host-filter]').inputValue(), top.host);
    const hostOf = (endpoint) => endpoint.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    const expected = report.resets
      .filter((r) => hostOf(r.src) === top.host || hostOf(r.dst) === top.host)
      .map((r) => r.frame);
    assert.equal(expected.length, top.resets);
    const shown = (await resetRows(page)).map((r) => r.frame);
    assert.deepEqual(shown, expected);

    const bars = page.locator('[data-testid=activity] rect');
    assert.equal(await bars.count(), report.summary.activity.buckets.length);
    assert.ok(report.summary.activity.buckets.some((b) => b.active > 0));
    assert.deepEqual(page.errors, []);
  });

  test('resets appear while a big capture is still being read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rstscope-live-'));
    try {
      const file = join(dir, 'bulk-64MiB.pcap');
      execFileSync(releaseBinary('rstscope-scenarios'), ['bulk', '--size', '64MiB', file]);
      const page = await newPage();
      // When each count first shows, noted by the page itself (no polling gaps).
      await page.addInitScript(() => {
        globalThis.__shown = {};
        new MutationObserver(() => {
          const now = performance.now();
          const live = document.querySelector('[data-testid=live-reset-count]');
          if (live && Number(live.textContent) > 0) globalThis.__shown.live ??= now;
          if (document.querySelector('[data-testid=reset-count]')) globalThis.__shown.final ??= now;
        }).observe(document, { subtree: true, childList: true, characterData: true });
      });
      await page.goto(server.origin);
      await analyse(page, file);
      const shown = await page.evaluate(() => globalThis.__shown);
      assert.ok(shown.live !== undefined, 'no live reset count was shown');
      assert.ok(shown.live < shown.final, `live at ${shown.live} ms, final at ${shown.final} ms`);
      const expected = expectedResets(file);
      assert.equal(Number(await page.locator('[data-testid=reset-count]').textContent()), expected.resets.length);
      assert.equal(await page.locator('[data-testid=live-resets]').count(), 0, 'the report replaced the live list');
      // The Capture tab splits the run's time: analysing is part of it.
      await page.getByRole('tab', { name: /^Capture/ }).click();
      const seconds = async (label) => {
        const text = await page.locator('.capture-info tr', { has: page.locator(`th:text-is("${label}")`) }).locator('td').textContent();
        const [, value, unit] = /^([\d.]+) (µs|ms|s)\b/.exec(text);
        return Number(value) * { µs: 1e-6, ms: 1e-3, s: 1 }[unit];
      };
      const total = await seconds('analysed in');
      const analysing = await seconds('of which analysing');
      assert.ok(analysing > 0 && analysing <= total, `analysing ${analysing} s of ${total} s`);
      assert.deepEqual(page.errors, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a file that is not a capture shows an error and the page still works', async () => {
    const page = await newPage();
    await page.goto(server.origin);
    await page.locator('input[type=file][data-testid=capture-input]').setInputFiles({
      name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('these are my notes, not packets\n'.repeat(50)),
    });
    const error = page.locator('[data-testid=error]');
    await error.waitFor();
    assert.match(await error.textContent(), /\S/);
    await screenshot(page, 'error-1280');
    // Still usable: a capture analyses afterwards, and the error goes away.
    await analyse(page, SAMPLE);
    await reportShown(page);
    assert.equal(await error.count(), 0);
    assert.deepEqual(page.errors, []);
  });
});

describe('share links', () => {
  test('a share link reproduces the report in a fresh page', async () => {
    const page = await newPage();
    await page.goto(server.origin);
    await analyse(page, SAMPLE);
    const original = await resetRows(page);
    const link = await page.locator('[data-testid=share-link]').inputValue();
    assert.ok(link.startsWith(`${server.origin}/#report=v2.`), link);

    const fresh = await newPage();
    await fresh.goto(link);
    await reportShown(fresh);
    assert.deepEqual(await resetRows(fresh), original);
    assert.equal(await fresh.locator('input[type=file]').count(), 0, 'shared reports are read-only');
    await screenshot(fresh, 'shared-1280');
  });

  test('an anonymised link keeps the verdicts and hides the addresses', async () => {
    const page = await newPage();
    await page.goto(server.origin);
    await analyse(page, SAMPLE);
    const plain = await page.locator('[data-testid=share-link]').inputValue();
    await page.getByLabel('Anonymise addresses').check();
    const link = await page.locator('[data-testid=share-link]').inputValue();
    assert.notEqual(link, plain);
    const addresses = await page.$$eval('[data-testid=reset-row] td.c-from, [data-testid=reset-row] td.c-to', (cells) =>
      cells.map((c) => c.textContent.replace(/:\d+$/, '')).filter((a) => /\d+\.\d+\.\d+\.\d+|:/.test(a)),
    );

    const fresh = await newPage();
    await fresh.goto(link);
    await reportShown(fresh);
    assert.deepEqual(await resetRows(fresh), await resetRows(page));
    const text = await fresh.locator('body').textContent();
    for (const address of new Set(addresses)) assert.ok(!text.includes(address), `${address} leaked`);
  });

  test('a damaged link shows an error and no report', async () => {
    const page = await newPage();
    await page.goto(`${server.origin}/#report=v1.bm90LWRlZmxhdGU`);
    await page.locator('[data-testid=error]').waitFor();
    assert.equal(await page.locator('[data-testid=reset-row]').count(), 0);
    assert.equal(await page.locator('[data-testid=reset-count]').count(), 0);
  });
});

describe('narrow screens and dark mode', () => {
  test('the report at 390px and in dark mode', async () => {
    const phone = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    await phone.goto(server.origin);
    await analyse(phone, SAMPLE);
    await screenshot(phone, 'report-390');
    // Against the layout viewport: a mobile browser zooms out to fit a page
    // that is too wide, so window.innerWidth would grow with the overflow.
    const overflow = () => phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(await overflow(), 0, 'the report scrolls sideways at 390px');
    // The cards hide the header row's sort buttons: a select sorts instead.
    const sortBy = phone.getByRole('combobox', { name: 'Sort by' });
    assert.ok(await sortBy.isVisible(), 'a phone can sort the cards');
    const rows = phone.locator('[data-testid=reset-row]');
    const framesOnPage = () => rows.evaluateAll((all) => all.map((r) => Number(r.dataset.frame)));
    const ascending = await framesOnPage();
    await sortBy.selectOption({ label: 'Frame, descending' });
    assert.deepEqual(await framesOnPage(), [...ascending].reverse(), 'the cards in descending frame order');
    await sortBy.selectOption({ label: 'Confidence, descending' });
    const confidences = await phone.locator('[data-testid=reset-row] td.c-conf').allTextContents();
    const numbers = confidences.map((text) => Number.parseFloat(text));
    assert.deepEqual(numbers, [...numbers].sort((a, b) => b - a), 'the cards by confidence, highest first');
    await phone.locator('[data-testid=reset-row]').first().click();
    await phone.getByRole('dialog').waitFor();
    assert.equal(await overflow(), 0, 'the reset detail scrolls sideways at 390px');
    await phone.keyboard.press('Escape');
    await phone.getByRole('tab', { name: /^Connections/ }).click();
    assert.equal(await overflow(), 0, 'the connections table scrolls sideways at 390px');

    const dark = await newPage({ colorScheme: 'dark' });
    await dark.goto(server.origin);
    await analyse(dark, SAMPLE);
    if (dark.viewportSize().width > 600) {
      assert.ok(!(await dark.getByRole('combobox', { name: 'Sort by' }).isVisible()),
        'a wide screen sorts by its header row, without the select');
    }
    await screenshot(dark, 'report-dark-1280');
  });
});

describe('offline', () => {
  test('after one visit the app loads and analyses offline', async () => {
    const page = await newPage();
    await page.goto(server.origin);
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((ok) => navigator.serviceWorker.addEventListener('controllerchange', ok, { once: true }));
      }
    });
    await page.context().setOffline(true);
    await page.reload();
    await analyse(page, SAMPLE);
    await reportShown(page);
    await page.getByRole('button', { name: 'Try the sample' }).click();
    await reportShown(page);
  });
});

describe('privacy', () => {
  // Runs last (node:test keeps file order): every page above was recorded.
  test('no request ever left the origin', () => {
    const all = requests.flat();
    assert.ok(all.length > 0);
    const foreign = all.filter((url) => !url.startsWith(`${server.origin}/`) && !/^(blob|data):/.test(url));
    assert.deepEqual(foreign, []);
  });
});
