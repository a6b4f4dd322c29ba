// Finishes trunk's build of the static site (a post_build hook, see
// Trunk.toml), in trunk's staging folder before it becomes dist/:
//
// 1. boot.js and the worker's files get content-hashed names like the files
//    trunk hashes, and the page names the app's and the worker's files in
//    <meta name=rstscope-files> (boot.js loads the app from there; the app
//    starts its worker from there), and the Content-Security-Policy allows
//    the page's inline scripts by their hashes.
// 2. sw.js receives the precache list: every file of this build with its
//    SHA-256. The service worker installs a build only when every file it
//    downloaded has the listed digest, so a half-deployed site never mixes
//    two builds (see ARCHITECTURE.md, "Updates").
// 3. The response headers static hosts read (_headers for Netlify and
//    Cloudflare Pages, .htaccess for Apache), with the page's own
//    Content-Security-Policy, so the two never disagree.
// 4. A brotli copy (`NAME.br`) beside each script, style sheet and
//    WebAssembly file, for hosts that serve precompressed files (Apache by
//    the .htaccess rules, nginx's brotli_static, Caddy's precompressed):
//    brotli at quality 11 is about a quarter smaller than gzip -9 on the
//    page's wasm, which a phone downloads before a shared report's first
//    paint. Not precached: the browser never asks for them by name.
//
// Usage: node web/finish-build.mjs [STAGING_DIR]  (trunk sets TRUNK_STAGING_DIR)
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants as zlib } from 'node:zlib';
import { readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!dir) fail('no staging folder: run by trunk (TRUNK_STAGING_DIR) or pass one');

/** Files the browser never fetches as part of the app. */
const NOT_PRECACHED = new Set(['sw.js', '_headers', '.htaccess']);
/** Files worth a brotli copy (4.): text and WebAssembly, by extension. */
const PRECOMPRESSED = /\.(wasm|js|css)$/;

function fail(message) {
  console.error(`finish-build: ${message}`);
  process.exit(1);
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest();
const read = (name) => readFileSync(join(dir, name));

/** The one file of the build whose name matches `pattern`. */
function one(pattern) {
  const found = readdirSync(dir).filter((name) => pattern.test(name));
  if (found.length !== 1) fail(`expected one file matching ${pattern}, found ${JSON.stringify(found)}`);
  return found[0];
}

function replaceOnce(text, search, replacement, where) {
  if (!text.includes(search)) fail(`${where}: "${search}" not found`);
  return text.replace(search, replacement);
}

/** A content hash for file names, like trunk's: 16 hex digits. */
const hashOf = (...parts) => sha256(Buffer.concat(parts)).toString('hex').slice(0, 16);

// 1. Hashed boot.js and worker files (trunk hashes neither); the page names
//    the files it loads.
const worker = `worker-${hashOf(read('worker.js'), read('worker_bg.wasm'))}`;
renameSync(join(dir, 'worker.js'), join(dir, `${worker}.js`));
renameSync(join(dir, 'worker_bg.wasm'), join(dir, `${worker}_bg.wasm`));
unlinkSync(join(dir, 'worker_loader.js'));
// What trunk's loader shim does, with the hashed names.
writeFileSync(join(dir, `${worker}_loader.js`),
  `importScripts("./${worker}.js");wasm_bindgen("./${worker}_bg.wasm");`);
const files = {
  app: one(/^app-[0-9a-f]+\.js$/),
  wasm: one(/^app-[0-9a-f]+_bg\.wasm$/),
  worker: `${worker}_loader.js`,
};
const boot = `boot-${hashOf(read('boot.js'))}.js`;
renameSync(join(dir, 'boot.js'), join(dir, boot));

let html = read('index.html').toString();
const meta = `<meta name="rstscope-files" data-app="./${files.app}" data-wasm="./${files.wasm}" data-worker="./${files.worker}" />`;
// A share link's report needs the app's wasm before its first paint, so
// the page fetches it while it parses. The landing page paints its static
// copy without it: fetched earlier, it would share the phone's bandwidth
// with that paint (Lighthouse counts it into the landing's LCP).
const preload = '<script>if (location.hash.startsWith(\'#report=\')) {' +
  `for (const [rel, href] of [['modulepreload', './${files.app}'], ['preload', './${files.wasm}']]) {` +
  "const link = document.createElement('link'); link.rel = rel; link.href = href;" +
  "if (rel === 'preload') { link.as = 'fetch'; link.type = 'application/wasm'; link.crossOrigin = 'anonymous'; }" +
  'document.head.append(link); } }</script>';
html = replaceOnce(html, '<script type="module" src="./boot.js"></script>',
  `${meta}\n    ${preload}\n    <script type="module" src="./${boot}"></script>`, 'index.html');
// The page's inline scripts (a share link's placeholder and preloads, before
// the first paint) are allowed by their hashes, as CSP Level 2 allows inline code.
for (const [, code] of html.matchAll(/<script>([^<]*)<\/script>/g)) {
  const hash = `'sha256-${sha256(Buffer.from(code)).toString('base64')}'`;
  html = replaceOnce(html, "script-src 'self'", `script-src 'self' ${hash}`, 'index.html');
}
// trunk leaves the app's <link data-trunk> when it injects no loader script.
html = html.replace(/\s*<link data-trunk rel="rust"[^>]*>/g, '').replace(/\n(\s*\n)+/g, '\n');
writeFileSync(join(dir, 'index.html'), html);

// 2. The precache list, in sw.js.
function walk(folder) {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? walk(path) : [relative(dir, path).split(sep).join('/')];
  });
}
const precached = walk(dir)
  .filter((name) => !NOT_PRECACHED.has(name))
  .sort()
  .map((name) => ({ url: `./${name}`, sha256: sha256(read(name)).toString('base64') }));
// The build's name: a digest of every file's digest.
const build = sha256(precached.map((f) => `${f.url} ${f.sha256}\n`).join('')).toString('hex').slice(0, 16);
const list = JSON.stringify({ build, files: precached }, null, 1);
const sw = replaceOnce(read('sw.js').toString(), 'const PRECACHE = null;', `const PRECACHE = ${list};`, 'sw.js');
writeFileSync(join(dir, 'sw.js'), sw);

// 3. Response headers for static hosts, with the page's CSP.
const csp = /<meta http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
if (!csp) fail('index.html has no Content-Security-Policy <meta>');
// As a header the policy can also forbid framing (a <meta> cannot).
const headerCsp = `${csp}; frame-ancestors 'none'`;
const headers = {
  'Content-Security-Policy': headerCsp,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};
writeFileSync(join(dir, '_headers'), [
  '# Read by Netlify and Cloudflare Pages (written by web/finish-build.mjs).',
  '/*',
  ...Object.entries(headers).map(([name, value]) => `  ${name}: ${value}`),
  '',
].join('\n'));
writeFileSync(join(dir, '.htaccess'), [
  '# Read by Apache (written by web/finish-build.mjs).',
  'AddType application/wasm .wasm',
  'AddType application/manifest+json .webmanifest',
  '<IfModule mod_headers.c>',
  ...Object.entries(headers).map(([name, value]) => `  Header set ${name} "${value}"`),
  '</IfModule>',
  '# The brotli copies, to browsers that accept brotli (the recipe of Apache\'s mod_brotli manual).',
  '<IfModule mod_rewrite.c>',
  '  RewriteEngine On',
  '  RewriteCond "%{HTTP:Accept-Encoding}" "br"',
  '  RewriteCond "%{REQUEST_FILENAME}\\.br" "-s"',
  '  RewriteRule "^(.*)\\.(wasm|js|css)$" "$1\\.$2\\.br" [QSA]',
  '  RewriteRule "\\.wasm\\.br$" "-" [T=application/wasm,E=no-gzip:1,E=no-brotli:1]',
  '  RewriteRule "\\.js\\.br$" "-" [T=text/javascript,E=no-gzip:1,E=no-brotli:1]',
  '  RewriteRule "\\.css\\.br$" "-" [T=text/css,E=no-gzip:1,E=no-brotli:1]',
  '</IfModule>',
  '<FilesMatch "\\.(wasm|js|css)\\.br$">',
  '  <IfModule mod_headers.c>',
  '    Header append Content-Encoding br',
  '    Header append Vary Accept-Encoding',
  '  </IfModule>',
  '</FilesMatch>',
  '',
].join('\n'));

// 4. Brotli copies, after the precache list (which must not name them).
let compressed = 0;
for (const name of walk(dir).filter((name) => PRECOMPRESSED.test(name))) {
  const bytes = read(name);
  const br = brotliCompressSync(bytes, {
    params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  });
  writeFileSync(join(dir, `${name}.br`), br);
  compressed += br.length;
}

console.log(`finish-build: build ${build}, ${precached.length} files precached, boot ${boot}, brotli copies ${compressed} B`);
