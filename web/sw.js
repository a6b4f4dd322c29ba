// rstscope's service worker: precaches the whole app on install and serves it
// cache-first, so after one visit the app loads and analyses offline. Each
// answer from the cache is refreshed in the background when online, so a new
// build (same file names: Trunk.toml has filehash = false) shows on the next
// visit. Bump VERSION when the list of files changes.
const VERSION = 'rstscope-v1';
const FILES = [
  './',
  './index.html',
  './boot.js',
  './app.js',
  './app_bg.wasm',
  './worker.js',
  './worker_bg.wasm',
  './worker_loader.js',
  './style.css',
  './manifest.webmanifest',
  './icon.svg',
  './icon-192.png',
  './icon-512.png',
  './sample.pcapng',
];

self.addEventListener('install', (event) => {
  // 'reload' skips the HTTP cache, so a new version caches new files.
  const requests = FILES.map((url) => new Request(url, { cache: 'reload' }));
  event.waitUntil(
    caches.open(VERSION).then((cache) => cache.addAll(requests)).then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  // Share links differ only in their #fragment, which requests never carry,
  // so every page load matches the cached './'.
  const cached = caches.match(request, { ignoreSearch: true });
  event.respondWith(
    cached.then((hit) => hit || fetch(request)).catch(() => caches.match('./')),
  );
  event.waitUntil(
    cached.then((hit) => hit && refresh(request)),
  );
});

/** Stores the current version of a cached file; offline, keeps the old one. */
function refresh(request) {
  return fetch(request)
    .then((response) => response.ok && caches.open(VERSION).then((cache) => cache.put(request, response)))
    .catch(() => {});
}
