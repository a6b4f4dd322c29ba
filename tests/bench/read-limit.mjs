// The browser's own limit for the app's input path: a dedicated worker that
// only reads a File in 4 MiB slices with FileReaderSync (as the app's worker
// does) and copies each into a Uint8Array, without analysing anything.
// Prints one JSON line: seconds and MB/s. Compare with browser.mjs's
// worker_mb_per_s to see how much of the worker's time is reading.
// Alternatives, to choose a faster path: --slice-mib N (FileReaderSync with
// another slice size), --stream (file.stream() in the worker, async),
// --array-buffer (await slice.arrayBuffer(), async), --byob-min-kib N (a BYOB
// reader's reads of a 4 MiB view that wait for N KiB; 0: each read takes
// what is there). Also prints all of Chromium's processor time and the reads.
//
//   node tests/bench/read-limit.mjs CAPTURE [--slice-mib N] [--stream | --array-buffer | --byob-min-kib N]
import { createServer } from 'node:http';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { launchBrowser } from '../e2e/harness.mjs';

const args = process.argv.slice(2);
const option = (name) => args.includes(name);
const sliceIndex = args.indexOf('--slice-mib');
const SLICE = (sliceIndex >= 0 ? Number(args[sliceIndex + 1]) : 4) << 20;
const minIndex = args.indexOf('--byob-min-kib');
// BYOB reads of a 4 MiB view that wait for at least this many KiB (0: any).
const MIN = minIndex >= 0 ? Number(args[minIndex + 1]) << 10 : -1;
const MODE = MIN >= 0 ? 'byob' : option('--stream') ? 'stream' : option('--array-buffer') ? 'array-buffer' : 'sync';
const PAGE = `<!doctype html><input type="file" id="f"><script src="/page.js"></script>`;
const PAGE_JS = `
document.getElementById('f').addEventListener('change', (event) => {
  const worker = new Worker('/reader.js');
  worker.onmessage = (m) => { globalThis.done = m.data; };
  worker.postMessage(event.target.files[0]);
});`;
const READER_JS = `
const MODE = '${MODE}';
onmessage = async (event) => {
  const file = event.data;
  const started = performance.now();
  let sum = 0;
  let reads = 0;
  const use = (chunk) => { sum += chunk.slice()[0]; }; // the copy into wasm memory
  if (MODE === 'byob') {
    const reader = file.stream().getReader({ mode: 'byob' });
    let view = new Uint8Array(4 << 20);
    for (;;) {
      const { done, value } = await (${MIN} > 0 ? reader.read(view, { min: ${MIN} }) : reader.read(view));
      if (done) break;
      reads++;
      use(value);
      view = new Uint8Array(value.buffer);
    }
  } else if (MODE === 'stream') {
    const reader = file.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      use(value);
    }
  } else {
    const sync = new FileReaderSync();
    for (let offset = 0; offset < file.size; offset += ${SLICE}) {
      const slice = file.slice(offset, offset + ${SLICE});
      const buffer = MODE === 'sync' ? sync.readAsArrayBuffer(slice) : await slice.arrayBuffer();
      use(new Uint8Array(buffer));
    }
  }
  postMessage({ seconds: (performance.now() - started) / 1000, sum, reads });
};`;

const file = resolve(args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a)) ?? '');
const bytes = statSync(file).size;
const server = createServer((req, res) => {
  const body = { '/': PAGE, '/page.js': PAGE_JS, '/reader.js': READER_JS }[req.url];
  const type = req.url === '/' ? 'text/html' : 'text/javascript';
  res.writeHead(body ? 200 : 404, { 'content-type': type }).end(body ?? '');
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  // Processor time of all of Chromium's processes while it reads.
  const cdp = await browser.newBrowserCDPSession();
  const cpu = async () => (await cdp.send('SystemInfo.getProcessInfo')).processInfo
    .reduce((total, p) => total + p.cpuTime, 0);
  const before = await cpu();
  await page.locator('#f').setInputFiles(file);
  await page.waitForFunction(() => globalThis.done, null, { timeout: 600_000 });
  const cpuSeconds = Number(((await cpu()) - before).toFixed(3));
  const { seconds, reads } = await page.evaluate(() => globalThis.done);
  console.log(JSON.stringify({ file, mode: MODE, slice_mib: SLICE >> 20, min_kib: MIN >> 10, bytes, seconds, mb_per_s: Number((bytes / seconds / 1e6).toFixed(1)), chromium_cpu_seconds: cpuSeconds, reads }));
} finally {
  await browser.close();
  server.close();
}
