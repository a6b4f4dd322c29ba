// Starts the app (wasm-bindgen's module from trunk) and, where supported, the
// service worker that keeps the app working offline. A file rather than
// trunk's inline loader, so the Content-Security-Policy needs no inline script.
import init from './app.js';

await init({ module_or_path: './app_bg.wasm' });

// Pasting another share link into this tab changes only the fragment: load it.
addEventListener('hashchange', () => {
  if (location.hash.startsWith('#report=')) location.reload();
});

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('./sw.js').catch((err) => {
    console.warn('rstscope: offline support unavailable:', err);
  });
}
