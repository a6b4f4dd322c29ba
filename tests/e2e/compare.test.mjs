// Two captures of the same traffic, one at each end: the app compares them
// in the worker and shows the same per-reset verdicts as
// `rstscope analyze client --peer server`, with each reset's connection
// drawn at both ends, and the comparison survives share links (plain and
// anonymised).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SAMPLE, SCREENSHOTS, reportShown } from './harness.mjs';
import { cliJson, pageSuite, releaseBinary } from './pages.mjs';

const suite = pageSuite('pair');
let client;
let peer;
let expected;

/** The CLI's report of `main` compared with `other` (by default: client with server). */
function cliReport(main = client, other = peer) {
  return cliJson(['analyze', main, '--peer', other]);
}

/** A new page, not yet anywhere. */
function newPage(options = {}) {
  return suite.newPage(options, null);
}

/** The comparison table as the page shows it, in the CLI's terms. */
function comparisonRows(page) {
  return page.$$eval('[data-testid=comparison-row]', (rows) =>
    rows.map((r) => ({
      capture: r.dataset.capture,
      frame: Number(r.dataset.frame),
      seen_at: r.dataset.seenAt,
      fate: r.dataset.fate,
      origin: r.dataset.origin,
      cause: r.dataset.cause,
    })),
  );
}

function expectedRows(report = expected) {
  return report.comparison.resets.map(({ capture, frame, seen_at, fate, origin, cause }) => ({
    capture, frame, seen_at, fate, origin, cause,
  }));
}

async function waitForComparison(page) {
  await page.locator('[data-testid=comparison], [data-testid=error]').first().waitFor();
  const error = page.locator('[data-testid=error]');
  if (await error.count()) assert.fail(`the page shows an error: ${await error.textContent()}`);
}

/**
 * Drops `paths` on the element `selector` as a user dragging files would,
 * and returns whether the page took both events (cancelled them): else the
 * browser would open the file itself.
 */
async function dropFiles(page, selector, paths) {
  const files = paths.map((path) => ({ name: basename(path), bytes: [...readFileSync(path)] }));
  return page.locator(selector).evaluate((zone, files) => {
    const dataTransfer = new DataTransfer();
    for (const { name, bytes } of files) dataTransfer.items.add(new File([new Uint8Array(bytes)], name));
    const taken = (type) => !zone.dispatchEvent(new DragEvent(type, { dataTransfer, bubbles: true, cancelable: true }));
    return taken('dragover') && taken('drop');
  }, files);
}

/** The app's own drop zone (index.html's static copy of it, `.prerender-landing`, paints first). */
const APP_DROP_ZONE = '.drop-zone:not(.prerender-landing)';

/** Loads the client-side capture, then the server side's through the second picker. */
async function compareInPage(page) {
  await page.goto(suite.server.origin);
  assert.equal(await page.locator('[data-testid=peer-input]').count(), 0, 'no second picker before a capture');
  await page.locator('input[type=file][data-testid=capture-input]').setInputFiles(client);
  await reportShown(page);
  await page.locator('input[type=file][data-testid=peer-input]').setInputFiles(peer);
  await waitForComparison(page);
}

// After the suite's own set-up: the generated pair (client side behind NAT,
// server side) in its folder.
before(() => {
  execFileSync(releaseBinary('rstscope-scenarios'), ['pair', suite.dir]);
  client = join(suite.dir, 'client.pcapng');
  peer = join(suite.dir, 'server.pcapng');
  expected = cliReport();
  assert.ok(expected.comparison, 'the CLI compared the pair');
});

describe('comparing two captures', () => {
  test('the second capture gives the same comparison as the CLI', async () => {
    const page = await newPage();
    await compareInPage(page);
    assert.deepEqual(await comparisonRows(page), expectedRows());
    // The main report is the client side's, as the CLI's.
    const count = Number(await page.locator('[data-testid=reset-count]').textContent());
    assert.equal(count, expected.resets.length);

    const cmp = expected.comparison;
    assert.equal(await page.locator('[data-testid=vantage-main]').getAttribute('data-vantage'), cmp.main.vantage);
    assert.equal(await page.locator('[data-testid=vantage-peer]').getAttribute('data-vantage'), cmp.peer.vantage);
    assert.equal(await page.locator('[data-testid=matched-connection]').count(), cmp.matched.length);
    assert.equal(await page.locator('[data-testid=unmatched-connection]').count(), cmp.unmatched.length);
    const differences = cmp.matched.reduce((n, m) => n + m.differences.length, 0);
    assert.equal(await page.locator('[data-testid=matched-connection] .differences li').count(), differences);

    const sentences = await page.locator('[data-testid=comparison-sentence]').allTextContents();
    const madeOnPath = cmp.resets.filter((r) => r.fate === 'made-on-path').length;
    assert.ok(
      sentences.includes(`${madeOnPath} resets were made on the path: seen at the client, never sent by the server.`),
      sentences.join('\n'),
    );
    assert.match(await page.locator('[data-testid=compare-headline]').textContent(), /made on the path/);
    assert.match(await page.locator('[data-testid=clock-offset]').textContent(), /ahead of/);
    assert.match(await page.locator('[data-testid=clock-drift]').textContent(), /ppm/);

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'compare-1280.png'), fullPage: true });
    assert.deepEqual(page.errors, []);
  });

  test('a reset made on the path, at both ends: the aligned ladder', async () => {
    const page = await newPage();
    await compareInPage(page);
    const resets = expected.comparison.resets;
    const index = resets.findIndex((r) => r.capture === 'main' && r.fate === 'made-on-path');
    assert.ok(index >= 0, 'the pair has a RST made on the path');
    const rst = resets[index];
    assert.equal(await page.locator('[data-testid=aligned-ladder]').count(), 0, 'no ladder before a row is picked');
    await page.locator('[data-testid=comparison-row]').nth(index).click();
    await page.locator('[data-testid=aligned-ladder]').waitFor();

    const shown = () => page.$$eval('[data-testid=aligned-packet]', (packets) =>
      packets.map((p) => ({ capture: p.dataset.capture, frame: Number(p.dataset.frame), paired: p.dataset.paired })),
    );
    const fromCli = (r) => r.ladder.map((p) => ({
      capture: p.capture, frame: p.frame, paired: String(p.peer_frame !== null),
    }));
    const packets = await shown();
    assert.deepEqual(packets, fromCli(rst));

    // The RST is seen at the client side only; both captures' packets of
    // the connection before it were seen at both ends.
    const at = packets.findIndex((p) => p.capture === 'main' && p.frame === rst.frame);
    assert.ok(at > 0, 'the RST is on the ladder, after other packets');
    assert.equal(packets[at].paired, 'false');
    const before = packets.slice(0, at);
    for (const capture of ['main', 'peer']) {
      assert.ok(before.some((p) => p.capture === capture && p.paired === 'true'), `paired ${capture} packets before the RST`);
    }
    assert.match(await page.locator('[data-testid=aligned-detail]').textContent(), /seen here only/);

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.locator('[data-testid=aligned-detail]').screenshot({ path: join(SCREENSHOTS, 'compare-ladder-1280.png') });

    // Keyboard: another row, picked with Enter, shows its own ladder.
    const both = resets.findIndex((r) => r.seen_at === 'both' && r.ladder.length > 0);
    assert.ok(both >= 0, 'the pair has a RST seen at both ends');
    await page.locator('[data-testid=comparison-row]').nth(both).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid=aligned-packet]').length === n,
      resets[both].ladder.length,
    );
    assert.deepEqual(await shown(), fromCli(resets[both]));
    const crossed = (await shown()).find((p) => p.capture === resets[both].capture && p.frame === resets[both].frame);
    assert.equal(crossed.paired, 'true');
    assert.deepEqual(page.errors, []);
  });

  test('the aligned ladder scrolls inside its box at 390px, in dark mode', async () => {
    const page = await newPage({ viewport: { width: 390, height: 844 }, isMobile: true, colorScheme: 'dark' });
    await compareInPage(page);
    const index = expected.comparison.resets.findIndex((r) => r.seen_at === 'main-only' && r.ladder.length > 0);
    // By keyboard: at this width the sticky report header can cover the row.
    await page.locator('[data-testid=comparison-row]').nth(index).focus();
    await page.keyboard.press(' ');
    const box = page.locator('[data-testid=aligned-detail] .ladder-box');
    await box.waitFor();
    const { client, scroll } = await box.evaluate((el) => ({ client: el.clientWidth, scroll: el.scrollWidth }));
    assert.ok(client <= 390, `the ladder box is ${client}px wide`);
    assert.ok(scroll > client, 'the ladder scrolls sideways inside its box');
    // The layout viewport's width: a mobile browser zooms out to fit a page that is too wide.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, 'the comparison scrolls sideways at 390px');
    await box.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'compare-ladder-390-dark.png') });
    assert.deepEqual(page.errors, []);
  });

  test('both captures opened at once are compared too', async () => {
    const page = await newPage();
    await page.goto(suite.server.origin);
    await page.locator('input[type=file][data-testid=capture-input]').setInputFiles([client, peer]);
    await waitForComparison(page);
    assert.deepEqual(await comparisonRows(page), expectedRows());
    assert.deepEqual(page.errors, []);
  });

  test('both captures dropped on the page are compared, as picked ones are', async () => {
    const page = await newPage();
    await page.goto(suite.server.origin);
    assert.ok(await dropFiles(page, APP_DROP_ZONE, [client, peer]), 'the drop zone takes the drop');
    await waitForComparison(page);
    assert.deepEqual(await comparisonRows(page), expectedRows());
    assert.deepEqual(page.errors, []);
  });

  test('captures dropped the moment the app has drawn its zone are compared', async () => {
    const page = await newPage();
    // Dropped as the zone is inserted, before the app's first effects ran.
    const files = [client, peer].map((path) => ({ name: basename(path), bytes: [...readFileSync(path)] }));
    await page.addInitScript((files) => {
      new MutationObserver((_, observer) => {
        const zone = document.querySelector('.drop-zone:not(.prerender-landing)');
        if (!zone) return;
        observer.disconnect();
        const dataTransfer = new DataTransfer();
        for (const { name, bytes } of files) dataTransfer.items.add(new File([new Uint8Array(bytes)], name));
        zone.dispatchEvent(new DragEvent('drop', { dataTransfer, bubbles: true, cancelable: true }));
      }).observe(document, { childList: true, subtree: true });
    }, files);
    await page.goto(suite.server.origin);
    await waitForComparison(page);
    assert.deepEqual(await comparisonRows(page), expectedRows());
    assert.deepEqual(page.errors, []);
  });

  test('captures dropped on the landing before the app runs are compared once it does', async () => {
    const page = await newPage();
    // The app's WebAssembly waits until the drop is done.
    let release;
    const held = new Promise((ok) => { release = ok; });
    await page.route(/app-[0-9a-f]+_bg\.wasm$/, async (route) => { await held; await route.continue(); });
    await page.goto(suite.server.origin);
    assert.ok(await dropFiles(page, '.prerender-landing', [client, peer]), 'the page keeps the drop');
    release();
    await waitForComparison(page);
    assert.deepEqual(await comparisonRows(page), expectedRows());
    // Taken once: the next drop is the app's zone's, and a drop beside it is the browser's again.
    assert.equal(await dropFiles(page, 'footer', [client]), false, 'a drop outside the zone is not kept');
    assert.deepEqual(await comparisonRows(page), expectedRows());
    assert.deepEqual(page.errors, []);
  });

  test('three files for a comparison of two are refused with a message naming them', async () => {
    const page = await newPage();
    await page.goto(suite.server.origin);
    await page.locator('input[type=file][data-testid=capture-input]').setInputFiles([client, peer, SAMPLE]);
    const error = page.locator('[data-testid=error]');
    await error.waitFor();
    assert.match(await error.textContent(), /3 files were given \(client\.pcapng, server\.pcapng, sample\.pcapng\)/);
    assert.equal(await page.locator('[data-testid=reset-count]').count(), 0, 'nothing was analysed');

    // The other end's zone takes one file; the report on screen stays.
    await page.locator('input[type=file][data-testid=capture-input]').setInputFiles(client);
    await reportShown(page);
    await dropFiles(page, '.peer-zone', [peer, SAMPLE]);
    await error.waitFor();
    assert.match(await error.textContent(), /2 files were given for the other end/);
    assert.equal(await page.locator('[data-testid=comparison]').count(), 0, 'nothing was compared');
    assert.equal(Number(await page.locator('[data-testid=reset-count]').textContent()), expected.resets.length);
    assert.deepEqual(page.errors, []);
  });

  test('a share link keeps the comparison, also anonymised', async () => {
    const page = await newPage();
    await compareInPage(page);
    const rows = await comparisonRows(page);
    const link = await page.locator('[data-testid=share-link]').inputValue();

    const fresh = await newPage();
    await fresh.goto(link);
    await waitForComparison(fresh);
    assert.deepEqual(await comparisonRows(fresh), rows);
    assert.equal(await fresh.locator('input[type=file]').count(), 0, 'shared reports are read-only');

    await page.getByLabel('Anonymise addresses').check();
    const anonymous = await page.locator('[data-testid=share-link]').inputValue();
    assert.notEqual(anonymous, link);
    const hidden = await newPage();
    await hidden.goto(anonymous);
    await waitForComparison(hidden);
    assert.deepEqual(await comparisonRows(hidden), rows);
    const text = await hidden.locator('body').textContent();
    const addresses = new Set(
      expected.comparison.matched
        .flatMap((m) => [m.main_client, m.main_server, m.peer_client, m.peer_server])
        .map((end) => end.replace(/:\d+$/, '')),
    );
    assert.ok(addresses.size > 0);
    for (const address of addresses) {
      const escaped = address.replace(/[.[\]]/g, '\\$&');
      assert.doesNotMatch(text, new RegExp(`(^|[^\\d.])${escaped}($|[^\\d])`), `${address} leaked`);
    }
  });
});

describe('captures that are not two ends of one path', () => {
  /** Opens both files at once and returns the page, the comparison shown. */
  async function compareFiles(files) {
    const page = await newPage();
    await page.goto(suite.server.origin);
    await page.locator('input[type=file][data-testid=capture-input]').setInputFiles(files);
    await waitForComparison(page);
    return page;
  }

  async function claimsNothing(page, says) {
    const headline = await page.locator('[data-testid=compare-headline]').textContent();
    assert.match(headline, says);
    assert.match(headline, /nothing is claimed about the path/);
    const text = await page.locator('[data-testid=comparison]').textContent();
    assert.doesNotMatch(headline + text, /made on the path|lost on the path/);
    for (const row of await comparisonRows(page)) assert.equal(row.fate, 'not-compared');
    assert.deepEqual(page.errors, []);
  }

  test('unrelated captures say exactly that, as the CLI does', async () => {
    const page = await compareFiles([SAMPLE, client]);
    const cli = cliReport(SAMPLE, client);
    assert.match(cli.comparison.relation, /^no-(common-connection|time-overlap)$/);
    assert.deepEqual(await comparisonRows(page), expectedRows(cli));
    for (const row of await comparisonRows(page)) assert.equal(row.seen_at, 'not-compared');
    assert.match(await page.locator('[data-testid=clock-offset]').textContent(), /unknown/);
    assert.equal(await page.locator('[data-testid=clock-drift]').count(), 0, 'no drift without a clock');
    await claimsNothing(page, /share no connection|not running at the same time/);
  });

  test('the same file twice is recognised as one capture', async () => {
    const copy = join(suite.dir, 'copy-of-client.pcapng');
    writeFileSync(copy, readFileSync(client));
    const page = await compareFiles([client, copy]);
    assert.equal(cliReport(client, copy).comparison.relation, 'same-capture');
    for (const row of await comparisonRows(page)) assert.equal(row.seen_at, 'both');
    await claimsNothing(page, /this capture again/);
  });

  test('a copy cut to a smaller snap length is recognised', async (t) => {
    const cut = join(suite.dir, 'client-cut.pcapng');
    try {
      execFileSync('editcap', ['-s', '80', client, cut]);
    } catch {
      t.skip('SKIPPED: editcap (Wireshark) is not installed');
      return;
    }
    const page = await compareFiles([client, cut]);
    assert.equal(cliReport(client, cut).comparison.relation, 'cut-copy');
    await claimsNothing(page, /smaller snap length/);
  });
});

