// Starts the app (wasm-bindgen's module from trunk) and the service worker
// that keeps it working offline and updates it one whole build at a time.
// A file rather than trunk's inline loader, so the Content-Security-Policy
// needs no inline script. web/finish-build.mjs gives it a hashed name and
// puts this build's file names in <meta name="rstscope-files">.
const files = document.querySelector('meta[name="rstscope-files"]').dataset;
// The landing's static copy says "drop it here" before the app runs: a
// capture dropped then is kept for the app, which opens it when it starts
// (rstscopeTakeDrop, once; then its own drop zones take drops). Without this
// the browser would open the file itself, leaving the page.
let dropped = [];
const keepDrop = (event) => {
  if (event.defaultPrevented) return;
  event.preventDefault();
  if (event.type === 'drop') dropped = [...(event.dataTransfer?.files ?? [])];
};
addEventListener('dragover', keepDrop);
addEventListener('drop', keepDrop);
globalThis.rstscopeTakeDrop = () => {
  removeEventListener('dragover', keepDrop);
  removeEventListener('drop', keepDrop);
  const taken = dropped;
  dropped = [];
  return taken;
};
// index.html's static copy paints before the app replaces it, so its text is
// the page's largest paint (LCP) and the app's equal copy is not a later one;
// for a share link the report's headline is then its own, larger, paint. A
// busy phone can take longer than 100 ms to its first frame: a visible tab
// waits for it (at most 2 s), so the app never replaces the copy before it
// was seen. A tab opened in the background paints nothing: it does not wait.
const painted = new Promise((ok) => {
  if (document.visibilityState === 'hidden') return ok();
  // The second frame starts once the first one (the copy) was drawn.
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(ok, 0)));
  setTimeout(ok, 2000);
});
const [{ default: init }] = await Promise.all([import(files.app), painted]);
await init({ module_or_path: files.wasm });

// Pasting another share link into this tab changes only the fragment: load it.
addEventListener('hashchange', () => {
  if (location.hash.startsWith('#report=')) location.reload();
});

if ('serviceWorker' in navigator) {
  watchForUpdates().catch((err) => console.warn('rstscope: offline support unavailable:', err));
}

/**
 * A new build, once its service worker has every file, is offered to the
 * app ('rstscope:update-ready', also noted as <html data-update="ready"> for
 * an app that starts listening later); the app's 'rstscope:apply-update'
 * activates it and this page reloads into it.
 */
async function watchForUpdates() {
  const container = navigator.serviceWorker;
  // 'none': the browser checks sw.js past its HTTP cache on every visit.
  const registration = await container.register('./sw.js', { updateViaCache: 'none' });
  let offered = null;
  const offer = (worker) => {
    // The first install has nothing to replace: it serves from the next load.
    if (!container.controller || offered === worker) return;
    offered = worker;
    document.documentElement.dataset.update = 'ready';
    dispatchEvent(new CustomEvent('rstscope:update-ready'));
  };
  if (registration.waiting) offer(registration.waiting);
  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    worker?.addEventListener('statechange', () => {
      if (worker.state === 'installed') offer(worker);
    });
  });
  let applying = false;
  addEventListener('rstscope:apply-update', () => {
    // Another tab may have activated it already: then a reload is all it takes.
    if (offered?.state === 'activated') {
      location.reload();
      return;
    }
    applying = true;
    offered?.postMessage({ type: 'activate-update' });
  });
  // Only the page that asked reloads; other tabs carry on with their build.
  container.addEventListener('controllerchange', () => {
    if (applying) location.reload();
  });
  // An app left open for days still hears of new builds.
  setInterval(() => registration.update().catch(() => {}), 60 * 60 * 1000);
}
