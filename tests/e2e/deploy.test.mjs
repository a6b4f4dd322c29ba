// dist/ deployed as README's Deploy section says: copied to a static host
// under a sub-path, with the response headers of its _headers file (the
// Content-Security-Policy as a header, nosniff). Upload, share link and
// offline use all work there, and no request leaves the sub-path.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SAMPLE, analyse, launchBrowser, recordRequests, reportShown, resetRows, serveDist } from './harness.mjs';

const BASE = '/tools/rstscope/';

let server;
let browser;

before(async () => {
  server = await serveDist({ base: BASE, headers: true });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

describe(`deployed under ${BASE}`, () => {
  test('the headers file is applied: CSP header, nosniff, wasm type', async () => {
    const page = await (await browser.newContext()).newPage();
    const response = await page.goto(server.url);
    const headers = response.headers();
    assert.match(headers['content-security-policy'], /default-src 'self'/);
    assert.match(headers['content-security-policy'], /frame-ancestors 'none'/);
    assert.equal(headers['x-content-type-options'], 'nosniff');
    const wasm = await page.evaluate(() => document.querySelector('meta[name="rstscope-files"]').dataset.wasm);
    const wasmResponse = await page.request.get(new URL(wasm, server.url).href);
    assert.equal(wasmResponse.headers()['content-type'], 'application/wasm');
    await page.context().close();
  });

  test('upload, share link and offline use', async () => {
    const context = await browser.newContext();
    const requests = recordRequests(context);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(err));
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/.test(message.text())) errors.push(message.text());
    });

    await page.goto(server.url);
    await analyse(page, SAMPLE);
    const rows = await resetRows(page);
    assert.ok(rows.length > 0);
    const link = await page.locator('[data-testid=share-link]').inputValue();
    assert.ok(link.startsWith(`${server.url}#report=`), link);

    // The app is installed for offline use under the sub-path.
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    assert.equal(scope, server.url);
    await page.evaluate(async () => {
      if (!navigator.serviceWorker.controller) {
        await new Promise((ok) => navigator.serviceWorker.addEventListener('controllerchange', ok, { once: true }));
      }
    });

    await context.setOffline(true);
    const shared = await context.newPage();
    await shared.goto(link);
    await reportShown(shared);
    assert.deepEqual(await resetRows(shared), rows, 'the share link opens offline');

    await page.reload();
    await analyse(page, SAMPLE);
    assert.deepEqual(await resetRows(page), rows, 'analysis offline');
    await context.setOffline(false);

    assert.deepEqual(errors, []);
    const outside = requests.filter((url) => !url.startsWith(server.url) && !/^(blob|data):/.test(url));
    assert.deepEqual(outside, [], 'requests outside the sub-path');
    await context.close();
  });
});
