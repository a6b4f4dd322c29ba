// Lighthouse (mobile, simulated throttling) on the landing page and on a
// shared report, served from dist/ as a static host serves it: the build's
// brotli copy (NAME.br) when the browser accepts brotli, else gzip -9 made on
// the fly; ENCODING=gzip serves gzip only (a host without the brotli copies).
// Prints one line per page and run, the LCP element and, for the shared
// report, the app's mark of the report's own first paint (observed, not
// simulated: Lighthouse throttles only its estimates); scripts/lighthouse.sh installs
// Lighthouse and runs this. Not part of scripts/test.sh: it measures.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DIST, SAMPLE, analyse, launchBrowser } from './e2e/harness.mjs';

const LIGHTHOUSE = process.env.LIGHTHOUSE_MODULE;
const RUNS = Number(process.env.RUNS ?? 3);
const BROTLI = process.env.ENCODING !== 'gzip';
const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml',
  '.json': 'application/json', '.webmanifest': 'application/manifest+json', '.png': 'image/png',
};
const COMPRESSED = new Set(['.html', '.js', '.mjs', '.wasm', '.css', '.svg', '.json', '.webmanifest']);

/** How the page's wasm was sent, by content-encoding: what the browser accepted. */
const wasmEncodings = {};

async function serve() {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = normalize(join(DIST, path.endsWith('/') ? `${path}index.html` : path));
    try {
      if (!file.startsWith(DIST) || !(await stat(file)).isFile()) throw new Error('not a file');
      let body = await readFile(file);
      const headers = { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'max-age=600' };
      const accepts = req.headers['accept-encoding'] ?? '';
      const brotli = BROTLI && /\bbr\b/.test(accepts) ? await readFile(`${file}.br`).catch(() => null) : null;
      if (brotli) {
        body = brotli;
        headers['content-encoding'] = 'br';
      } else if (COMPRESSED.has(extname(file)) && /gzip/.test(accepts)) {
        body = gzipSync(body, { level: 9 });
        headers['content-encoding'] = 'gzip';
      }
      if (extname(file) === '.wasm') {
        const encoding = headers['content-encoding'] ?? 'identity';
        wasmEncodings[encoding] = (wasmEncodings[encoding] ?? 0) + 1;
      }
      res.writeHead(200, { ...headers, vary: 'accept-encoding' }).end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

/** The sample's report as a share link, made by the app itself. */
async function shareLink(origin) {
  const browser = await launchBrowser();
  const page = await browser.newPage();
  await page.goto(origin);
  await analyse(page, SAMPLE);
  const link = await page.locator('[data-testid=share-link]').inputValue();
  await browser.close();
  return link;
}

const { default: lighthouse } = await import(LIGHTHOUSE);
const { launch } = await import(process.env.CHROME_LAUNCHER_MODULE);
const server = await serve();
console.log(`serving dist/ ${BROTLI ? 'with its brotli copies where the browser accepts br, else gzip -9' : 'gzip -9 only (ENCODING=gzip)'}`);
const pages = [['landing', `${server.origin}/`], ['shared report', await shareLink(server.origin)]];
const chrome = await launch({
  chromePath: '/usr/bin/chromium',
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  for (const [name, url] of pages) {
    for (let run = 1; run <= RUNS; run++) {
      const { lhr } = await lighthouse(url, {
        port: chrome.port, output: 'json', logLevel: 'error',
        onlyCategories: ['performance', 'accessibility'],
      });
      const audit = (id) => lhr.audits[id]?.numericValue ?? NaN;
      console.log([
        `${name} run ${run}:`,
        `performance ${lhr.categories.performance.score.toFixed(2)}`,
        `accessibility ${lhr.categories.accessibility.score.toFixed(2)}`,
        `FCP ${(audit('first-contentful-paint') / 1000).toFixed(1)} s`,
        `LCP ${(audit('largest-contentful-paint') / 1000).toFixed(1)} s`,
        `TBT ${audit('total-blocking-time').toFixed(0)} ms`,
        `CLS ${audit('cumulative-layout-shift').toFixed(3)}`,
        `transferred ${(audit('total-byte-weight') / 1024).toFixed(0)} KiB`,
        `(benchmark index ${lhr.environment.benchmarkIndex})`,
      ].join(' '));
      // What the browser saw before Lighthouse's simulation: a late observed LCP pulls
      // whatever loaded before it (the wasm) into the simulated one.
      const seen = lhr.audits.metrics?.details?.items?.[0];
      if (seen) console.log(`  observed (not simulated): FCP ${(seen.observedFirstContentfulPaint / 1000).toFixed(2)} s, LCP ${(seen.observedLargestContentfulPaint / 1000).toFixed(2)} s`);
      // The report's own first paint (its summary and incidents), which the app marks.
      const painted = lhr.audits['user-timings']?.details?.items?.find((t) => t.name === 'rstscope:report-painted');
      if (painted) console.log(`  report painted (user timing, observed): ${(painted.startTime / 1000).toFixed(2)} s`);
      // Where TBT comes from: the main thread's long tasks (simulated durations).
      const long = lhr.audits['long-tasks']?.details?.items ?? [];
      if (long.length) {
        console.log(`  long tasks: ${long.map((t) => `${t.duration.toFixed(0)} ms at ${(t.startTime / 1000).toFixed(2)} s (${t.url.split('/').pop() || 'page'})`).join(', ')}`);
      }
      const lcp = lhr.audits['largest-contentful-paint-element']?.details?.items?.[0]?.items?.[0]?.node;
      if (lcp) console.log(`  LCP element: ${lcp.selector} ${lcp.snippet.slice(0, 80)}`);
      const failing = Object.values(lhr.audits)
        .filter((a) => lhr.categories.accessibility.auditRefs.some((r) => r.id === a.id) && a.score === 0)
        .map((a) => a.id);
      if (failing.length) console.log(`  accessibility audits failing: ${failing.join(', ')}`);
    }
  }
  console.log(`wasm responses by content-encoding: ${JSON.stringify(wasmEncodings)}`);
} finally {
  await chrome.kill();
  server.close();
}
