// The page set-up the report tests share: per test file one served build,
// one Chromium and a scratch folder; pages in their own context that
// collect their uncaught errors (page.errors); the release binaries the
// expectations come from.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ROOT, analyse, launchBrowser, serveDist } from './harness.mjs';

export const DESKTOP = { viewport: { width: 1280, height: 900 } };
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/** target/release/NAME, which these tests need built. */
export function releaseBinary(name) {
  const path = join(resolve(ROOT, process.env.CARGO_TARGET_DIR ?? 'target'), 'release', name);
  assert.ok(existsSync(path), `${path} is missing: cargo build --release -p rstscope-cli -p rstscope-scenarios`);
  return path;
}

/** The CLI's JSON report for `args` (e.g. `['analyze', file]`). */
export function cliJson(args) {
  const json = execFileSync(releaseBinary('rstscope'), [...args, '--format', 'json'], { maxBuffer: 1 << 28 });
  return JSON.parse(json);
}

/**
 * Registers the test file's before/after hooks and returns its set-up,
 * filled in by `before`: `server`, `browser`, `dir` (removed after), and
 * `newPage(options, url)` / `reportOf(file, options)`.
 */
export function pageSuite(name) {
  const suite = {
    server: null,
    browser: null,
    dir: null,
    /** A page at `url` (default: the app; null: nowhere yet) in a new context, clipboard allowed. */
    async newPage(options = {}, url = suite.server.origin) {
      const context = await suite.browser.newContext({ ...DESKTOP, ...options });
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.server.origin });
      const page = await context.newPage();
      page.errors = [];
      page.on('pageerror', (err) => page.errors.push(err));
      if (url !== null) await page.goto(url);
      return page;
    },
    /** A new page showing the report of `file`, opened through the file input. */
    async reportOf(file, options = {}) {
      const page = await suite.newPage(options);
      await analyse(page, file);
      return page;
    },
  };
  before(async () => {
    suite.dir = mkdtempSync(join(tmpdir(), `rstscope-${name}-`));
    suite.server = await serveDist();
    suite.browser = await launchBrowser();
  });
  after(async () => {
    await suite.browser?.close();
    await suite.server?.close();
    if (suite.dir) rmSync(suite.dir, { recursive: true, force: true });
  });
  return suite;
}
