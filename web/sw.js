// rstscope's service worker: one build at a time, always.
//
// Each build's sw.js carries the list of that build's files with their
// SHA-256 (web/finish-build.mjs writes it), so a new build means a new
// sw.js, which the browser notices on a visit. The new service worker then
// downloads every file of its build into a cache of its own and checks each
// digest: a site caught half-way through a deploy fails the check, and the
// install is retried on a later visit. Until the user accepts the update
// ("A new version is ready"), the old service worker keeps answering from
// the old build's cache alone, online or offline. File names carry content
// hashes, so a page of the previous build that is still open finds its own
// files (its worker, loaded late) in the previous build's cache, which is kept.
const PRECACHE = null; // replaced at build time: { build, files: [{ url, sha256 }] }
const CACHE = `rstscope-build-${PRECACHE.build}`;
/** Remembers which build is active, so activating the next one keeps its cache. */
const META = 'rstscope-meta';

self.addEventListener('install', (event) => {
  // No skipWaiting(): a build takes over only when the page asks (or once no
  // page of the old build is open).
  event.waitUntil(precache());
});

self.addEventListener('message', (event) => {
  if (event.data?.type === 'activate-update') self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil(activate());
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(respond(request));
});

/** Downloads and checks every file of this build; all or nothing. */
async function precache() {
  const cache = await caches.open(CACHE);
  try {
    await Promise.all(PRECACHE.files.map(async ({ url, sha256 }) => {
      // The page as its address serves it: some hosts redirect index.html
      // to ./, and a redirected response cannot answer a navigation.
      const from = url === './index.html' ? './' : url;
      // 'reload': past the HTTP cache, which may hold another build's file.
      const response = await fetch(new Request(from, { cache: 'reload' }));
      if (!response.ok) throw new Error(`${from}: HTTP ${response.status}`);
      const body = await response.arrayBuffer();
      if (base64(await crypto.subtle.digest('SHA-256', body)) !== sha256) {
        throw new Error(`${from}: not this build's file (a deploy in progress?)`);
      }
      const { status, statusText, headers } = response;
      await cache.put(url, new Response(body, { status, statusText, headers }));
    }));
  } catch (err) {
    await caches.delete(CACHE);
    throw err;
  }
}

/** Takes over: keeps this build's cache and the one it replaces, drops older ones. */
async function activate() {
  const meta = await caches.open(META);
  const previous = await meta.match('active').then((r) => r?.text());
  const keep = new Set([CACHE, previous && `rstscope-build-${previous}`, META]);
  const names = await caches.keys();
  await Promise.all(names.filter((name) => !keep.has(name)).map((name) => caches.delete(name)));
  await meta.put('active', new Response(PRECACHE.build));
  await self.clients.claim();
}

/**
 * This build's files, from its cache. Pages load `./` with a share link in
 * the #fragment, which requests never carry; any query is ignored. A file
 * of another build (a page of the previous build still open) comes from
 * that build's cache; anything else from the network.
 */
async function respond(request) {
  const cache = await caches.open(CACHE);
  const url = new URL(request.url);
  const scope = new URL(self.registration.scope);
  const isPage = request.mode === 'navigate'
    && (url.pathname === scope.pathname || url.pathname === `${scope.pathname}index.html`);
  const hit = isPage
    ? await cache.match('./index.html')
    : (await cache.match(request, { ignoreSearch: true })) ?? (await caches.match(request, { ignoreSearch: true }));
  return hit ?? fetch(request);
}

function base64(buffer) {
  return btoa(String.fromCharCode(...new Uint8Array(buffer)));
}
