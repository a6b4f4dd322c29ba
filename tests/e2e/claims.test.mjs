// Claims the evidence supports (issue 14 §3), as the page shows them: the
// headline names no censor from low-confidence injected verdicts (nor from
// the weak ones beside strong ones), an incident whose roots are all weak
// names no device or cause, a single refused SYN is no "scan" anywhere on
// the page, and a bare RST's drawer makes nothing of its ack field. Captures come from the project's
// generator; each test takes the first variant whose report (the CLI's
// JSON, the same core) makes the situation, so it follows the generator.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliJson, pageSuite, releaseBinary } from './pages.mjs';

const suite = pageSuite('claims');
/** Confidence from which core's headline counts a verdict as strong evidence. */
const STRONG = 0.5;
/** Within this many seconds, core compares a RST with another of its connection. */
const BURST_S = 1;

/** The first generated variant of `families` whose CLI report (and file) satisfies `wanted`. */
function variant(families, wanted, what) {
  for (const family of families) {
    for (let index = 0; index < 16; index += 1) {
      const path = join(suite.dir, `${family}-${index}.pcapng`);
      execFileSync(releaseBinary('rstscope-scenarios'), ['variant', family, String(index), path]);
      const json = cliJson(['analyze', path]);
      if (wanted(json, path)) return { path, json };
    }
  }
  throw new Error(`no variant of ${families.join(', ')} has ${what}`);
}

/** Opens the drawer of the reset at `frame` and returns its text. */
async function drawerText(page, frame) {
  await page.locator('[data-testid=host-filter]').fill(`frame.number == ${frame}`);
  await page.locator(`[data-testid=reset-row][data-frame="${frame}"]`).click();
  const drawer = page.getByRole('dialog');
  await drawer.waitFor();
  const text = await drawer.innerText();
  await page.keyboard.press('Escape');
  await drawer.waitFor({ state: 'detached' });
  return text;
}

const hasAck = (reset) => /\bACK\b/.test(reset.flags);
/** Whether the file at `path` is pcapng (the generator writes either format, whatever the name). */
const isPcapng = (path) => readFileSync(path).readUInt32LE(0) === 0x0a0d0d0a;
const forged = (json) => json.resets.filter((r) => r.origin === 'middlebox');
/** The root resets (consequences excluded) of an incident. */
const rootsOf = (json, incident) => json.resets.filter((r) => r.incident === incident.id && r.consequence_of === null);
/** Core's lower-case clause as the app shows it: a sentence. */
const sentence = (clause) => `${clause.charAt(0).toUpperCase()}${clause.slice(1)}.`;
const NAMES_A_CULPRIT = /censor|DPI|inject|firewall|NAT\b|port scan|refused|abort/i;

describe('claims the evidence supports', () => {
  test('the headline names no injector when every injected verdict is low-confidence', async () => {
    const weak = (json) => {
      const injected = json.resets.filter((r) => r.cause === 'injected');
      return injected.length > 0 && injected.every((r) => r.confidence < STRONG);
    };
    const { path, json } = variant(['conntrack-invalid', 'request-timeout', 'censor-injection'], weak,
      'only low-confidence injected verdicts');
    const page = await suite.reportOf(path);
    const headline = await page.locator('.headline').innerText();
    assert.doesNotMatch(headline, /censor|DPI|inject/i, `${path}: ${json.resets.filter((r) => r.cause === 'injected')
      .map((r) => `frame ${r.frame} at ${r.confidence}`).join(', ')}`);
    assert.equal(headline, json.summary.headline, 'the page shows core\'s headline');
    assert.deepEqual(page.errors, []);
  });

  test('a single refused SYN is called a scan nowhere on the page', async () => {
    const single = (json) => json.resets.length === 1 && json.connections.length === 1
      && json.resets[0].cause === 'refused' && json.resets[0].ladder.filter((p) => p.flags === 'SYN').length === 1;
    const { path, json } = variant(['refused', 'firewall-reject'], single, 'one SYN refused alone');
    const [reset] = json.resets;
    const page = await suite.reportOf(path);
    const body = await page.locator('body').innerText();
    assert.doesNotMatch(body, /\bscan/i, 'the report');
    assert.doesNotMatch(await drawerText(page, reset.frame), /\bscan/i, 'its drawer');
    await page.getByRole('tab', { name: /connections/i }).click();
    assert.doesNotMatch(await page.locator('body').innerText(), /\bscan/i, 'the connections tab');
    assert.deepEqual(page.errors, []);
  });

  test('a bare RST\'s drawer says nothing of its ack moving', async () => {
    // A bare RST beside another RST of its connection whose ack field differs:
    // a comparison of acks would find one moved. Not a consequence reset:
    // core weighs a repeat only while the sender's socket may still exist.
    const pairs = (json) => json.resets.filter((r) => !hasAck(r) && r.consequence_of === null && json.resets.some((o) => o.frame !== r.frame
      && o.connection === r.connection && o.ack !== r.ack
      && Math.abs(o.time - r.time) <= BURST_S));
    const { path, json } = variant(['censor-injection', 'client-abort', 'close-race'], (j) => pairs(j).length > 0,
      'a bare RST beside another RST with a different ack');
    const page = await suite.reportOf(path);
    const bare = pairs(json).slice(0, 4);
    for (const reset of bare) {
      const text = await drawerText(page, reset.frame);
      assert.match(text, /Evidence/i, `frame ${reset.frame}: the drawer shows its evidence`);
      assert.doesNotMatch(text, /\back (moves |moved )?by\b/i, `${path} frame ${reset.frame} (${reset.flags})`);
    }
    assert.deepEqual(page.errors, []);
  });

  test('a headline over strong and weak forged resets names devices from the strong ones only', async () => {
    // One capture holding a strong forged reset (not an injection) and a weak
    // injected one: two generated pcapng captures, one section each (a classic
    // pcap appended to a pcapng would be read as garbage after the first).
    const strong = variant(['nat-idle-timeout', 'firewall-idle', 'cloud-lb-idle', 'firewall-reject'],
      (j, p) => isPcapng(p) && forged(j).length > 0
        && forged(j).every((r) => r.confidence >= STRONG && r.cause !== 'injected'),
      'only strong forged resets');
    const weak = variant(['conntrack-invalid', 'server-abort', 'request-timeout'],
      (j, p) => isPcapng(p) && forged(j).length === 1
        && forged(j).every((r) => r.confidence < STRONG && r.cause === 'injected'),
      'only weak injected resets');
    const path = join(suite.dir, 'strong-and-weak.pcapng');
    writeFileSync(path, Buffer.concat([readFileSync(strong.path), readFileSync(weak.path)]));
    const json = cliJson(['analyze', path]);
    const strongCount = forged(json).filter((r) => r.confidence >= STRONG).length;
    assert.ok(strongCount > 0 && strongCount < forged(json).length, `${path}: strong and weak forged resets`);

    const page = await suite.reportOf(path);
    const headline = await page.locator('.headline').innerText();
    assert.equal(headline, json.summary.headline, 'the page shows core\'s headline');
    const total = json.resets.length;
    assert.match(headline, new RegExp(`^${strongCount} of ${total} resets? (was|were) forged on the path: `));
    assert.doesNotMatch(headline, /censor|DPI|inject/i, 'no device named from the weak injected verdicts');
    assert.match(headline, new RegExp(`${forged(json).length - strongCount} more may have been \\(weak evidence\\)`));
    assert.deepEqual(page.errors, []);
  });

  test('an incident whose roots are all weak names no device or cause', async () => {
    const allWeak = (j) => j.incidents.find((i) => i.origin === 'middlebox'
      && rootsOf(j, i).every((r) => r.confidence < STRONG));
    const { path, json } = variant(['conntrack-invalid', 'server-abort', 'request-timeout'], allWeak,
      'an incident of weak forged resets');
    const incident = allWeak(json);
    const page = await suite.reportOf(path);
    const item = page.locator(`[data-testid=incident][data-id="${incident.id}"]`);
    const summary = await item.locator('[data-testid=incident-summary]').textContent();
    assert.equal(summary, sentence(incident.summary), 'the page shows core\'s sentence');
    assert.doesNotMatch(summary, NAMES_A_CULPRIT, `${path}: incident ${incident.id}`);
    assert.match(summary, /weak evidence/);
    // Nor do its badges name a kind, an origin or a cause.
    assert.match(await item.locator('[data-testid=incident-weak]').textContent(), /weak evidence/);
    assert.doesNotMatch(await item.locator('.incident-meta').innerText(), new RegExp(`${incident.kind}|middlebox|${incident.cause}`));
    assert.deepEqual(page.errors, []);
  });
});
