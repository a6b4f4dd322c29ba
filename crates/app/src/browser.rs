//! Small wrappers over browser APIs the components use.

use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// This build's loader of the `worker` binary (trunk's `data-loader-shim`),
/// as web/finish-build.mjs names it in `<meta name="rstscope-files">`.
pub fn worker_script() -> String {
    window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(r#"meta[name="rstscope-files"]"#).ok()?)
        .and_then(|meta| meta.get_attribute("data-worker"))
        .unwrap_or_else(|| "./worker_loader.js".into())
}

/// Runs `task` once the browser is idle after the page's first paint, or
/// after half a second where it cannot tell (Safari has no
/// `requestIdleCallback`).
pub fn when_idle(task: fn()) {
    let Some(window) = window() else {
        return;
    };
    let callback = wasm_bindgen::closure::Closure::once_into_js(task);
    let idle = js_sys::Reflect::get(&window, &"requestIdleCallback".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let Some(request) = idle {
        // Within two seconds even on a page that never idles.
        let options = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&options, &"timeout".into(), &2000.into());
        let _ = request.call2(&window, &callback, &options);
    } else {
        let _ = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(callback.unchecked_ref(), 500);
    }
}

/// The files dropped on the page before the app ran, which web/boot.js
/// kept (none where no boot.js ran). Asked once, as the app starts: from
/// then on drops are the app's own.
pub fn take_early_drop() -> Vec<web_sys::File> {
    let take = js_sys::Reflect::get(&js_sys::global(), &"rstscopeTakeDrop".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let Some(files) = take.and_then(|take| take.call0(&wasm_bindgen::JsValue::NULL).ok()) else {
        return Vec::new();
    };
    js_sys::Array::from(&files)
        .iter()
        .filter_map(|file| file.dyn_into().ok())
        .collect()
}

/// The page's location fragment, with its `#` ("" when there is none).
pub fn location_hash() -> String {
    window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// This page's address without fragment, followed by `fragment`.
pub fn page_url_with(fragment: &str) -> String {
    let location = window().map(|w| w.location());
    let base = location
        .and_then(|l| Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?)))
        .unwrap_or_default();
    format!("{base}{fragment}")
}

/// Offers `text` as a file download; nothing is uploaded anywhere.
pub fn download(file_name: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&text.into());
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    if let Ok(blob) = Blob::new_with_str_sequence_and_options(&parts, &options) {
        download_blob(file_name, &blob);
    }
}

/// Offers `bytes` as a file download.
pub fn download_bytes(file_name: &str, mime: &str, bytes: &[u8]) {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    if let Ok(blob) = Blob::new_with_u8_array_sequence_and_options(&parts, &options) {
        download_blob(file_name, &blob);
    }
}

fn download_blob(file_name: &str, blob: &Blob) {
    let Some(document) = window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(url) = Url::create_object_url_with_blob(blob) else {
        return;
    };
    if let Some(anchor) = document
        .create_element("a")
        .ok()
        .and_then(|e| e.dyn_into::<HtmlAnchorElement>().ok())
    {
        anchor.set_href(&url);
        anchor.set_download(file_name);
        anchor.click();
    }
    let _ = Url::revoke_object_url(&url);
}

/// Puts `text` on the clipboard (best effort: browsers may refuse).
pub fn copy_to_clipboard(text: &str) {
    if let Some(window) = window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
}

/// Fetches a file of this site (the built-in sample) as a blob.
pub async fn fetch_blob(path: &str) -> Result<Blob, String> {
    use wasm_bindgen_futures::JsFuture;
    let window = window().ok_or("no window")?;
    let failed = |what: &str| format!("loading {path} failed ({what})");
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(path))
        .await
        .map_err(|_| failed("network"))?
        .unchecked_into();
    if !response.ok() {
        return Err(failed(&format!("HTTP {}", response.status())));
    }
    let promise = response.blob().map_err(|_| failed("body"))?;
    let blob = JsFuture::from(promise).await.map_err(|_| failed("body"))?;
    Ok(blob.unchecked_into())
}

/// The bytes of a blob the user chose (a report JSON: small next to a
/// capture, which the worker streams instead).
pub async fn blob_bytes(blob: &Blob) -> Result<Vec<u8>, String> {
    let buffer = wasm_bindgen_futures::JsFuture::from(blob.array_buffer())
        .await
        .map_err(|_| "the file could not be read".to_string())?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// A `performance.mark` named `name`, for Lighthouse's user timings and
/// the browser tests: when the page reached a point a user sees.
pub fn mark(name: &str) {
    if let Some(performance) = window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}

/// Resolves in a new task: what follows does not lengthen the current one.
pub async fn next_task() {
    let Some(window) = window() else {
        return;
    };
    let later = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(later).await;
}

/// Resolves once the browser has painted what is on screen now: long work
/// started after it does not hold back the first view of a report.
pub async fn after_paint() {
    use wasm_bindgen::closure::Closure;
    let Some(window) = window() else {
        return;
    };
    let painted = js_sys::Promise::new(&mut |resolve, _| {
        let later = window.clone();
        // A timeout set from an animation frame runs after that frame's paint.
        let next_task = Closure::once_into_js(move || {
            let _ = later
                .set_timeout_with_callback_and_timeout_and_arguments_0(resolve.unchecked_ref(), 0);
        });
        let _ = window.request_animation_frame(next_task.unchecked_ref());
    });
    let _ = wasm_bindgen_futures::JsFuture::from(painted).await;
}
