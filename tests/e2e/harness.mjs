// Shared by the browser tests: a static server for dist/, Chromium, and the
// expected results (the CLI's JSON, or tshark's RST frames as a fallback).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '..', '..');
// RSTSCOPE_DIST points the tests at another build (e.g. one per engineer).
export const DIST = resolve(process.env.RSTSCOPE_DIST ?? join(ROOT, 'dist'));
export const CAPTURES = resolve(ROOT, '..', 'shared', 'captures');
export const SAMPLE = join(ROOT, 'web', 'sample.pcapng');
export const SCREENSHOTS = join(ROOT, 'tests', 'screenshots');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
  '.json': 'application/json',
};

/**
 * Serves a build on 127.0.0.1 at a free port, as a static host would:
 * `dist` (default dist/) at the path `base` (default `/`), and with
 * `headers`, the response headers its `_headers` file asks for (as Netlify
 * and Cloudflare Pages apply them). `setDist()` swaps the files served,
 * which is a deploy. Resolves to { origin, url (origin + base), setDist, close }.
 */
/**
 * Serves files held in memory, `{ '/path': [contentType, body] }`, on a free
 * local port; any other path is a 404. Resolves to { origin, close }.
 */
export async function serveFiles(files) {
  const server = createServer((request, response) => {
    const [type, body] = files[request.url] ?? ['text/plain', 'not found'];
    response.writeHead(files[request.url] ? 200 : 404, { 'content-type': type });
    response.end(body);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

export async function serveDist({ dist = DIST, base = '/', headers = false } = {}) {
  let root = resolve(dist);
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`${root} has no index.html: run \`trunk build --release --offline\` first`);
  }
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const inside = path.startsWith(base) ? path.slice(base.length - 1) : null;
    const file = inside && normalize(join(root, inside.endsWith('/') ? `${inside}index.html` : inside));
    try {
      if (!file || !file.startsWith(root) || !(await stat(file)).isFile()) throw new Error('not a file');
      res.writeHead(200, {
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
        ...(headers ? await headersFor(root, inside) : {}),
      });
      res.end(await readFile(file));
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    url: `${origin}${base}`,
    setDist: (next) => { root = resolve(next); },
    close: () => new Promise((ok) => server.close(ok)),
  };
}

/**
 * The headers a build's `_headers` file gives `path` (relative to where
 * the build is served): blocks of a path pattern (exact, or ending in `*`)
 * and indented `Name: value` lines.
 */
async function headersFor(root, path) {
  const rules = await readFile(join(root, '_headers'), 'utf8').catch(() => '');
  const found = {};
  let matches = false;
  for (const line of rules.split('\n')) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      const pattern = line.trim();
      matches = pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern;
    } else if (matches) {
      const [, name, value] = /^\s+([^:]+):\s*(.*)$/.exec(line) ?? [];
      if (name) found[name.toLowerCase()] = value;
    }
  }
  return found;
}

/**
 * RSTSCOPE_E2E_PHONE=1 runs the whole suite at a phone's 390 px: every
 * context that asks for no viewport or a desktop one gets the phone's
 * (touch, mobile), so each desktop test also checks the phone layout.
 */
const AS_PHONE = process.env.RSTSCOPE_E2E_PHONE === '1';
const PHONE_CONTEXT = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

export async function launchBrowser() {
  const browser = await launch();
  if (AS_PHONE) {
    const newContext = browser.newContext.bind(browser);
    browser.newContext = (options = {}) => newContext(
      (options.viewport?.width ?? 1280) >= 1024 ? { ...options, ...PHONE_CONTEXT } : options);
  }
  return browser;
}

function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** Every request a context makes, to check that none leaves the origin. */
export function recordRequests(context) {
  const urls = [];
  context.on('request', (request) => urls.push(request.url()));
  return urls;
}

/** Opens a capture through the page's file input and waits for the report. */
export async function analyse(page, file) {
  await page.locator('input[type=file][data-testid=capture-input]').setInputFiles(file);
  await reportShown(page);
}

/**
 * Waits for a report (or an error) and for the whole report: its first
 * render draws the summary and incidents, the tables follow after a paint
 * (`aria-busy` until then).
 */
export async function reportShown(page) {
  await page.locator('[data-testid=reset-count], [data-testid=error]').first().waitFor();
  await page.waitForFunction(() => !document.querySelector('.report[aria-busy=true]'));
}

/** The resets table as the page shows it: frame, origin, cause per row. */
export function resetRows(page) {
  return page.$$eval('[data-testid=reset-row]', (rows) =>
    rows.map((r) => ({ frame: Number(r.dataset.frame), origin: r.dataset.origin, cause: r.dataset.cause })),
  );
}

function cliPath() {
  const target = resolve(ROOT, process.env.CARGO_TARGET_DIR ?? 'target');
  const path = join(target, 'release', 'rstscope');
  return existsSync(path) ? path : null;
}

/**
 * What the page must show for `file`: the CLI's resets (frame, origin,
 * cause) when target/release/rstscope is built, else the frame numbers of
 * tshark's RSTs from ../shared/captures/rst/ (origins and causes unchecked),
 * else null.
 */
export function expectedResets(file) {
  const cli = cliPath();
  if (cli) {
    const json = execFileSync(cli, ['analyze', file, '--format', 'json'], { maxBuffer: 1 << 28 });
    const report = JSON.parse(json);
    return { source: 'cli', resets: report.resets.map(({ frame, origin, cause }) => ({ frame, origin, cause })) };
  }
  const tsv = join(CAPTURES, 'rst', `${file.split('/').pop()}.tsv`);
  if (existsSync(tsv)) {
    const frames = readFileSync(tsv, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split('\t')[0]));
    return { source: 'tshark', resets: frames.map((frame) => ({ frame })) };
  }
  return null;
}

const AXE_SOURCE = join(ROOT, 'tests', 'node_modules', 'axe-core', 'axe.min.js');
/** The WCAG 2.2 A/AA rules and axe's best practices. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/**
 * axe-core's violations on the page as it is now, one line each (rule,
 * impact, where). Injected through the DevTools protocol: the page's CSP
 * allows no script that is not its own.
 */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof globalThis.axe === 'object'))) {
    await page.evaluate(readFileSync(AXE_SOURCE, 'utf8'));
  }
  const result = await page.evaluate(
    (tags) => globalThis.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    AXE_TAGS,
  );
  return result.violations.map((v) =>
    `${v.id} (${v.impact}) on ${v.nodes.length}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}
