// Incidents in the app: shown before the tables with core's sentence and
// counts, the resets table grouped by incident, a consequence reset's link to
// the reset it follows from, the conflict sentence beside the confidence, and
// axe-core on these views at desktop and phone widths. The capture comes
// from the project's generator (a busy-hosts variant: several incidents,
// consequence resets, conflicting signals); the CLI's JSON is the expectation.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { axeViolations, resetRows } from './harness.mjs';
import { PHONE, cliJson, pageSuite, releaseBinary } from './pages.mjs';

const suite = pageSuite('incidents');
let file;
let report;

/**
 * The first busy-hosts variant whose report has what these tests need:
 * several incidents, a consequence reset and a conflict sentence.
 */
function fixture() {
  for (let index = 0; index < 12; index += 1) {
    const path = join(suite.dir, `busy-hosts-${index}.pcap`);
    execFileSync(releaseBinary('rstscope-scenarios'), ['variant', 'busy-hosts', String(index), path]);
    const json = cliJson(['analyze', path]);
    const enough = json.incidents.length > 1
      && json.resets.some((r) => r.consequence_of !== null)
      && json.resets.some((r) => r.conflict);
    if (enough) return { path, json };
  }
  throw new Error('no busy-hosts variant has several incidents, a consequence and a conflict');
}

/** Core's lower-case clause as the app shows it: a sentence. */
const sentence = (clause) => `${clause.charAt(0).toUpperCase()}${clause.slice(1)}.`;
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
const reportPage = (options) => suite.reportOf(file, options);

before(() => {
  ({ path: file, json: report } = fixture());
});

describe('incidents', () => {
  test('come before the tables, each with core\'s sentence, its counts and its root', async () => {
    const page = await reportPage();
    const section = page.locator('[data-testid=incidents]');
    assert.equal(await section.locator('h2').textContent(), `Incidents (${report.incidents.length})`);
    const before = await page.evaluate(() => {
      const incidents = document.querySelector('[data-testid=incidents]');
      const tabs = document.querySelector('[role=tablist]');
      return Boolean(incidents.compareDocumentPosition(tabs) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    assert.ok(before, 'the incidents come before the tables');
    const items = section.locator('[data-testid=incident]');
    assert.equal(await items.count(), Math.min(report.incidents.length, 20));
    for (const incident of report.incidents.slice(0, 20)) {
      const item = section.locator(`[data-testid=incident][data-id="${incident.id}"]`);
      assert.equal(await item.locator('[data-testid=incident-summary]').textContent(), sentence(incident.summary));
      const counts = await item.locator('[data-testid=incident-counts]').textContent();
      assert.match(counts, new RegExp(`\\b${plural(incident.frames.length, 'reset')}\\b`));
      assert.match(counts, new RegExp(`\\b${plural(incident.connections.length, 'connection')}$`));
      assert.equal(await item.locator('[data-testid=incident-root]').textContent(), `frame ${incident.root_frame}`);
      // Named as core names it: by its strong roots, not at all when every root is weak.
      if (incident.strong > 0) {
        assert.match(await item.textContent(), new RegExp(`${incident.kind}.*${incident.origin}.*${incident.cause}`));
      } else {
        assert.match(await item.locator('[data-testid=incident-weak]').textContent(), /weak evidence/);
      }
    }
    assert.deepEqual(page.errors, []);
  });

  test('open by click or keyboard to list their resets, roots and consequences', async () => {
    const page = await reportPage();
    const incident = report.incidents.find((i) => report.resets.some((r) => r.incident === i.id && r.consequence_of !== null));
    const item = page.locator(`[data-testid=incident][data-id="${incident.id}"]`);
    const toggle = item.locator('[data-testid=incident-toggle]');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    assert.equal(await item.locator('[data-testid=incident-reset]').count(), 0, 'incidents start closed');
    await toggle.focus();
    await page.keyboard.press('Enter');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    const panel = page.locator(`#${await toggle.getAttribute('aria-controls')}`);
    const rows = panel.locator('[data-testid=incident-reset]');
    assert.deepEqual(await rows.evaluateAll((rs) => rs.map((r) => Number(r.dataset.frame))), incident.frames.slice(0, 50));
    for (const frame of incident.frames.slice(0, 50)) {
      const reset = report.resets.find((r) => r.frame === frame);
      const role = reset.consequence_of === null ? 'root' : `follows from frame ${reset.consequence_of}`;
      assert.match(await panel.locator(`[data-testid=incident-reset][data-frame="${frame}"]`).textContent(),
        new RegExp(`${role}$`));
    }
    // A reset's frame opens its drawer; Escape gives the focus back.
    await rows.first().getByRole('button').click();
    const drawer = page.locator('[data-testid=reset-detail]');
    assert.match(await drawer.locator('h2').textContent(), new RegExp(`frame ${incident.frames[0]}$`));
    await page.keyboard.press('Escape');
    assert.equal(await drawer.count(), 0);
    assert.equal(await page.evaluate(() => document.activeElement?.closest('[data-testid=incident-reset]')?.dataset.frame),
      String(incident.frames[0]));
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    assert.equal(await rows.count(), 0);
  });

  test('group the resets table: one row per incident, its resets under it', async () => {
    const page = await reportPage();
    await page.locator('[data-testid=group-by]').selectOption('incident');
    const groups = page.locator('[data-testid=group-row]');
    assert.deepEqual(await groups.evaluateAll((rs) => rs.map((r) => Number(r.dataset.incident))),
      report.incidents.map((i) => i.id));
    assert.equal(await page.locator('[data-testid=reset-row]').count(), 0, 'groups start closed');
    const largest = [...report.incidents].sort((a, b) => b.frames.length - a.frames.length)[0];
    const group = page.locator(`[data-testid=group-row][data-incident="${largest.id}"]`);
    const text = await group.textContent();
    // Its kind, unless every root is weak (core's sentence then names none).
    const kind = largest.strong > 0 ? ` · ${largest.kind}` : '';
    assert.ok(text.includes(`Incident #${largest.id}${kind} · ${sentence(largest.summary)}`), text);
    assert.ok(text.includes(`${plural(largest.frames.length, 'reset')}:`), text);
    // By keyboard: the group's cell, Enter opens it (the treegrid pattern).
    await group.locator('td').focus();
    await page.keyboard.press('Enter');
    assert.equal(await group.getAttribute('aria-expanded'), 'true');
    assert.deepEqual((await resetRows(page)).map((r) => r.frame), largest.frames);
    await page.keyboard.press('ArrowLeft');
    assert.equal(await group.getAttribute('aria-expanded'), 'false');
    // Back to connections: the other grouping's groups, closed.
    await page.locator('[data-testid=group-by]').selectOption('connection');
    assert.equal(await page.locator('[data-testid=group-row][data-incident]').count(), 0);
    assert.equal(await page.locator('[data-testid=reset-row]').count(), 0);
  });
});

describe('consequences and conflicts', () => {
  test('a consequence says "follows from frame N", and the link opens that reset', async () => {
    const page = await reportPage();
    const follower = report.resets.find((r) => r.consequence_of !== null);
    const root = follower.consequence_of;
    const row = page.locator(`[data-testid=reset-row][data-frame="${follower.frame}"]`);
    assert.equal(await row.locator('[data-testid=row-follows]').textContent(), `follows from frame ${root}`);
    const roots = await page.locator('[data-testid=reset-row]:not(:has([data-testid=row-follows]))')
      .evaluateAll((rs) => rs.map((r) => Number(r.dataset.frame)));
    assert.deepEqual(roots, report.resets.filter((r) => r.consequence_of === null).map((r) => r.frame).slice(0, 100));
    // The row's link opens the root; the follower's drawer has the same link.
    await row.locator('[data-testid=row-follows]').click();
    const drawer = page.locator('[data-testid=reset-detail]');
    assert.equal(await drawer.locator('h2').textContent(), `Reset in frame ${root}`);
    await page.keyboard.press('Escape');
    await row.locator('td').first().click();
    assert.match(await drawer.locator('[data-testid=follows-from]').textContent(), new RegExp(`^Follows from frame ${root}:`));
    await drawer.locator('[data-testid=follows-link]').click();
    assert.equal(await drawer.locator('h2').textContent(), `Reset in frame ${root}`);
    assert.ok(await page.evaluate(() => document.activeElement?.getAttribute('role') === 'dialog'),
      'the focus goes to the drawer showing the root');
    const followers = report.resets.filter((r) => r.consequence_of === root).map((r) => r.frame);
    assert.deepEqual(await drawer.locator('[data-testid=follower-link]').allTextContents(),
      followers.slice(0, 10).map((f) => `frame ${f}`));
    assert.match(await drawer.locator('[data-testid=followers]').textContent(),
      new RegExp(`^${plural(followers.length, 'later reset')} followed from this one`));
    const incident = report.incidents.find((i) => i.id === follower.incident);
    assert.equal(await drawer.locator('[data-testid=reset-incident]').textContent(),
      `Incident #${incident.id}: ${sentence(incident.summary)}`);
    // Back to the follower, then Escape: the focus returns to the row that opened the drawer.
    await drawer.locator(`[data-testid=follower-link]:text-is("frame ${follower.frame}")`).click();
    assert.equal(await drawer.locator('h2').textContent(), `Reset in frame ${follower.frame}`);
    await page.keyboard.press('Escape');
    assert.equal(await page.evaluate(() => document.activeElement?.closest('[data-testid=reset-row]')?.dataset.frame),
      String(follower.frame));
    assert.deepEqual(page.errors, []);
  });

  test('a verdict whose signals disagree says so beside its confidence; one that agrees does not', async () => {
    const page = await reportPage();
    const torn = report.resets.find((r) => r.conflict);
    await page.locator(`[data-testid=reset-row][data-frame="${torn.frame}"] td`).first().click();
    const drawer = page.locator('[data-testid=reset-detail]');
    const conflict = drawer.locator('.verdict [data-testid=conflict]');
    assert.equal(await conflict.textContent(), `Signals disagree: ${torn.conflict.sentence}`);
    await page.keyboard.press('Escape');
    const calm = report.resets.find((r) => !r.conflict);
    if (calm) {
      await page.locator(`[data-testid=reset-row][data-frame="${calm.frame}"] td`).first().click();
      assert.equal(await drawer.locator('h2').textContent(), `Reset in frame ${calm.frame}`);
      assert.equal(await drawer.locator('[data-testid=conflict]').count(), 0);
    }
  });
});

describe('accessibility of the incident views', () => {
  for (const [name, options] of [['desktop', {}], ['390px', PHONE]]) {
    test(`axe-core finds no violation at ${name}: incidents open, grouped table open, drawer`, async () => {
      const page = await reportPage(options);
      for (const toggle of await page.locator('[data-testid=incident-toggle]').all()) await toggle.click();
      assert.deepEqual(await axeViolations(page), [], 'incidents open');
      await page.locator('[data-testid=group-by]').selectOption('incident');
      for (const group of await page.locator('[data-testid=group-row]').all()) await group.click();
      assert.deepEqual(await axeViolations(page), [], 'grouped by incident');
      const follower = report.resets.find((r) => r.consequence_of !== null && r.conflict)
        ?? report.resets.find((r) => r.consequence_of !== null);
      await page.locator(`[data-testid=reset-row][data-frame="${follower.frame}"] td`).first().click();
      await page.locator('[data-testid=follows-link]').click();
      assert.deepEqual(await axeViolations(page), [], 'drawer of a root');
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= (options.viewport?.width ?? 1280), `no sideways scrolling (${width}px)`);
      assert.deepEqual(page.errors, []);
    });
  }
});
