// Updates of the installed app (the service worker, web/sw.js): a visit
// runs one build, whole, online or offline; a new deploy is downloaded in the
// background and takes over only when the user accepts it. Build A is dist/;
// build B is a real second build made here (debug, with another build name,
// so its app and worker differ from A's).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DIST, ROOT, SAMPLE, analyse, launchBrowser, serveDist } from './harness.mjs';

const DIST_B = join(ROOT, 'target', 'update-test-dist');

let browser;

/** Builds B: a debug build (fast, and its own cargo artifacts) named apart from A. */
function buildB() {
  execFileSync('trunk', ['build', '--offline', '--dist', DIST_B], {
    cwd: ROOT,
    env: {
      ...process.env,
      RSTSCOPE_BUILD_NOTE: 'update-test',
      PATH: `${join(ROOT, 'tests', 'node_modules', '.bin')}:${process.env.PATH}`,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

before(async () => {
  buildB();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/** Waits until a service worker controls the page (the first visit installs it). */
function controlled(page) {
  return page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((ok) => navigator.serviceWorker.addEventListener('controllerchange', ok, { once: true }));
    }
  });
}

/** The build of the page (its footer) and of its worker (the report it made). */
async function runningBuild(page) {
  const app = (await page.locator('[data-testid=app-build]').textContent()).trim();
  await analyse(page, SAMPLE);
  await page.getByRole('tab', { name: /^Capture/ }).click();
  const generator = (await page.locator('[data-testid=report-generator]').textContent()).trim();
  return { app, worker: generator.replace(/^rstscope /, '') };
}

/** Files the page itself loaded (the worker's own loads are checked by its build name). */
function loadedFiles(page) {
  return page.evaluate(() => performance.getEntriesByType('resource')
    .map((e) => new URL(e.name).pathname.split('/').pop())
    .filter((name) => name && !name.startsWith('blob:')));
}

/** One build per load: the page, its files and its worker all from `dist`. */
async function assertRuns(page, dist, build, when) {
  const running = await runningBuild(page);
  assert.deepEqual(running, { app: build, worker: build }, when);
  const files = new Set(readdirSync(dist));
  const foreign = (await loadedFiles(page)).filter((name) => !files.has(name));
  assert.deepEqual(foreign, [], `${when}: files not of build ${build}`);
}

describe('updates', () => {
  test('a new deploy waits for the user, and every load runs one whole build', async () => {
    const server = await serveDist();
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(err));
    try {
      await page.goto(server.url);
      await controlled(page);
      const a = (await page.locator('[data-testid=app-build]').textContent()).trim();
      await assertRuns(page, DIST, a, 'first visit');

      server.setDist(DIST_B);
      await page.reload();
      // The deploy is noticed, downloaded whole, and offered.
      await page.locator('[data-testid=update-ready]').waitFor({ timeout: 60_000 });
      await assertRuns(page, DIST, a, 'online, B waiting');
      await page.reload();
      await assertRuns(page, DIST, a, 'online reload, B waiting');
      await page.locator('[data-testid=update-ready]').waitFor();

      await context.setOffline(true);
      for (const n of [1, 2]) {
        await page.reload();
        await page.locator('[data-testid=update-ready]').waitFor();
        await assertRuns(page, DIST, a, `offline reload ${n}, B waiting`);
      }

      // Accepted: the page reloads into B, still offline.
      await Promise.all([
        page.waitForEvent('load'),
        page.locator('[data-testid=update-ready]').getByRole('button', { name: 'Reload' }).click(),
      ]);
      const b = (await page.locator('[data-testid=app-build]').textContent()).trim();
      assert.notEqual(b, a, 'B is another build');
      await assertRuns(page, DIST_B, b, 'offline, after the update');

      await context.setOffline(false);
      for (const n of [1, 2]) {
        await page.reload();
        await assertRuns(page, DIST_B, b, `online reload ${n} after the update`);
        assert.equal(await page.locator('[data-testid=update-ready]').count(), 0, 'nothing newer to offer');
      }
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
      await server.close();
    }
  });

  test("a worker of another build is refused, and the page says why", async () => {
    const server = await serveDist();
    // No service worker: the mix a stale cache or a deploy could make, forced.
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    try {
      const loaderOf = (dist) => readdirSync(dist).find((name) => /^worker-[0-9a-f]+_loader\.js$/.test(name));
      const [loaderA, loaderB] = [loaderOf(DIST), loaderOf(DIST_B)];
      await page.route(`**/${loaderA}`, (route) => route.fulfill({ path: join(DIST_B, loaderB), contentType: 'text/javascript' }));
      await page.route(/\/worker-[0-9a-f]+(\.js|_bg\.wasm)$/, (route) => {
        const name = new URL(route.request().url()).pathname.split('/').pop();
        return readdirSync(DIST_B).includes(name) ? route.fulfill({ path: join(DIST_B, name) }) : route.continue();
      });
      await page.goto(server.url);
      await analyse(page, SAMPLE);
      const error = await page.locator('[data-testid=error]').textContent();
      assert.match(error, /different builds/);
      assert.match(error, /update-test/, 'the message names the worker\'s build');
      assert.equal(await page.locator('[data-testid=reset-count]').count(), 0);
    } finally {
      await context.close();
      await server.close();
    }
  });
});
