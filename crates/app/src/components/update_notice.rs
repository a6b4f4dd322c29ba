use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// What web/boot.js announces once a new build is downloaded whole.
const READY: &str = "rstscope:update-ready";
/// What asks boot.js to switch to it (the page then reloads).
const APPLY: &str = "rstscope:apply-update";

/// "A new version is ready — reload". The page keeps running its own build
/// until the user chooses; the region is always there so the offer is
/// announced when it appears.
#[component]
pub fn UpdateNotice() -> Html {
    let ready = use_state(already_ready);
    {
        let ready = ready.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn()>::new(move || ready.set(true));
            let window = web_sys::window();
            if let Some(window) = &window {
                let _ = window
                    .add_event_listener_with_callback(READY, listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(window) = window {
                    let _ = window.remove_event_listener_with_callback(
                        READY,
                        listener.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }
    let apply = Callback::from(|_: MouseEvent| {
        if let (Some(window), Ok(event)) = (web_sys::window(), web_sys::Event::new(APPLY)) {
            let _ = window.dispatch_event(&event);
        }
    });
    html! {
        <div class="update-region" role="status">
            if *ready {
                <div class="notice update-notice" data-testid="update-ready">
                    <span>{ "A new version of rstscope is ready." }</span>
                    <button class="button primary small" onclick={apply}>{ "Reload" }</button>
                </div>
            }
        </div>
    }
}

/// boot.js may have found the new build before this component listened.
fn already_ready() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|html| html.get_attribute("data-update"))
        .is_some_and(|state| state == "ready")
}
