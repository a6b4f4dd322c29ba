// Link-layer evidence in the reset drawer: captures of the generator's two
// link-layer families (an NFLOG capture on a host whose conntrack-INVALID
// rule logs and rejects a segment; a monitor-mode Wi-Fi capture of a
// segment retried on the air) analysed in the worker, the drawer showing
// the evidence the core found (the CLI's report says which).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { cliJson, pageSuite, releaseBinary } from './pages.mjs';

const suite = pageSuite('link');

/** Writes train variant `index` of `family` and returns its path and the CLI's report of it. */
function variant(family, index) {
  const file = join(suite.dir, `${family}-${index}.cap`);
  execFileSync(releaseBinary('rstscope-scenarios'), ['variant', family, String(index), file]);
  return { file, report: cliJson(['analyze', file]) };
}

/** The first reset with link evidence of `kind` that `wanted` accepts, and that evidence. */
function linkEvidence(report, kind, wanted) {
  for (const reset of report.resets) {
    const evidence = reset.evidence.find((e) => e.signal === 'link' && e.fact.kind === kind && wanted(e.fact));
    if (evidence) return { reset, evidence };
  }
  return null;
}

/** Opens the drawer of the reset at `frame`; resolves to its evidence items' texts. */
async function drawerEvidence(page, frame) {
  await page.locator(`[data-testid=reset-row][data-frame="${frame}"] td`).first().click();
  const drawer = page.getByRole('dialog');
  await drawer.waitFor();
  // The heading runs into the Close button's text: no word boundary after the number.
  assert.match(await drawer.textContent(), new RegExp(`Reset in frame ${frame}(?!\\d)`));
  return drawer.locator('ul.evidence li').allTextContents();
}

describe('link-layer evidence in the drawer', () => {
  test('an NFLOG capture: the rule that singled out the rejected segment, by its prefix', async () => {
    const { file, report } = variant('conntrack-invalid-nflog', 1);
    // The rule of its own (not the one logging the side's other packets).
    const found = linkEvidence(report, 'nflog-rule', (f) => f.prefix && f.usual);
    assert.ok(found, 'the CLI names the rule that logged the rejected segment');
    const { reset, evidence } = found;
    assert.equal(reset.cause, 'out-of-window');

    const page = await suite.reportOf(file);
    const items = await drawerEvidence(page, reset.frame);
    const item = items.find((text) => text.includes(`netfilter rule "${evidence.fact.prefix}"`));
    assert.ok(item, `the drawer names rule "${evidence.fact.prefix}":\n${items.join('\n')}`);
    assert.ok(item.startsWith('link'), `a link signal: ${item}`);
    assert.ok(item.includes(evidence.finding), item);
    const tips = await page.getByRole('dialog').locator('.tip').allTextContents();
    assert.ok(tips.some((t) => t.includes(evidence.fact.prefix)), `a tip names the rule:\n${tips.join('\n')}`);
    assert.deepEqual(page.errors, []);
  });

  test('a monitor-mode Wi-Fi capture: the retries of the segment the reset answered', async () => {
    const { file, report } = variant('wifi-reorder', 1);
    const found = linkEvidence(report, 'wifi-link', (f) => f.attempts > 1 && f.overtaken > 0);
    assert.ok(found, 'the CLI finds the Wi-Fi retries and reordering');
    const { reset, evidence } = found;

    const page = await suite.reportOf(file);
    const items = await drawerEvidence(page, reset.frame);
    const retries = `was retried ${evidence.fact.attempts - 1} times on the Wi-Fi link`;
    const item = items.find((text) => text.includes(retries));
    assert.ok(item, `the drawer shows "${retries}":\n${items.join('\n')}`);
    assert.match(item, new RegExp(`after ${evidence.fact.overtaken} newer frames of the same station`));
    assert.deepEqual(page.errors, []);
  });
});
