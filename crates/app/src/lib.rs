//! The rstscope web app: a yew UI (bin `app`) and an analysis worker (bin
//! `worker`), built for wasm32 by trunk. The plain modules (share links,
//! anonymiser, exports, formatting, worker messages) also build natively,
//! where their unit tests run.
pub mod anonymize;
pub mod comparison;
pub mod filter;
pub mod format;
pub mod glossary;
pub mod grid;
pub mod lookup;
pub mod markdown;
pub mod protocol;
pub mod reset_rows;
pub mod share;

#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(target_arch = "wasm32")]
mod hooks;
#[cfg(target_arch = "wasm32")]
mod job;
#[cfg(target_arch = "wasm32")]
mod state;
#[cfg(target_arch = "wasm32")]
pub mod worker;

#[cfg(test)]
mod test_reports;

/// This build's name: crate version + git commit (see `build.rs`). The page
/// and its worker must carry the same one.
pub const BUILD: &str = env!("RSTSCOPE_BUILD");

/// What exported reports and share links name as their `generator`.
pub fn generator() -> String {
    format!("rstscope {BUILD}")
}

/// Renders the app into the page's body. For a share link, the tasks after
/// the one that loaded the WebAssembly read the link, make its report and
/// draw it, one step each: on a phone each is a long task of its own, not
/// one four times as long (Lighthouse's Total Blocking Time counts what a
/// task lasts beyond 50 ms).
#[cfg(target_arch = "wasm32")]
pub fn start_ui() {
    let fragment = browser::location_hash();
    wasm_bindgen_futures::spawn_local(async move {
        let shared = share::is_link(&fragment);
        if shared {
            browser::next_task().await;
        }
        let link = share::read(&fragment);
        if shared {
            browser::next_task().await;
        }
        let opened = state::Opened::new(state::State::opened_with(&fragment, link));
        if shared {
            browser::next_task().await;
        }
        // index.html's static copy of the landing page, painted before the
        // WebAssembly loaded: the app draws the real one.
        if let Some(prerender) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("prerender"))
        {
            prerender.remove();
        }
        yew::Renderer::<components::app::App>::with_props(components::app::Props { opened })
            .render();
    });
}
