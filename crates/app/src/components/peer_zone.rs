use web_sys::{Blob, DragEvent, HtmlInputElement};
use yew::prelude::*;

use super::drop_zone::chosen;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The capture from the other end, with its file name.
    pub on_peer: Callback<(Blob, String)>,
    pub busy: bool,
    /// The file the report is already compared with.
    pub peer: Option<AttrValue>,
}

/// The second drop zone, once a capture is loaded: the same traffic
/// captured at the other end, to tell who really sent each reset.
#[component]
pub fn PeerZone(props: &Props) -> Html {
    let dragging = use_state(|| false);
    let on_change = {
        let on_peer = props.on_peer.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Some(file) = chosen(input.files()).into_iter().next() {
                on_peer.emit(file);
            }
            input.set_value("");
        })
    };
    let on_drag_over = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let on_drag_leave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let on_drop = {
        let (dragging, on_peer, busy) = (dragging.clone(), props.on_peer.clone(), props.busy);
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            // The page's main drop zone must not take this file too.
            e.stop_propagation();
            dragging.set(false);
            let file = chosen(e.data_transfer().and_then(|d| d.files()))
                .into_iter()
                .next();
            if let (Some(file), false) = (file, busy) {
                on_peer.emit(file);
            }
        })
    };
    let class = classes!("peer-zone", (*dragging).then_some("dragging"));
    html! {
        <section {class} aria-label="Capture from the other end"
                 ondragover={on_drag_over} ondragleave={on_drag_leave} ondrop={on_drop}>
            <div class="peer-text">
                <strong>{ "Capture from the other end" }</strong>
                <span class="muted">
                    {
                        match &props.peer {
                            Some(peer) => format!("Compared with {peer}. Open another to compare again."),
                            None => "Add a capture of the same traffic taken at the other end (client or server side, \
                                     NAT is fine) to see which resets were made on the path.".to_string(),
                        }
                    }
                </span>
            </div>
            <label class={classes!("button", props.busy.then_some("disabled"))}>
                <input type="file" class="visually-hidden" data-testid="peer-input"
                       disabled={props.busy} onchange={on_change} />
                { if props.peer.is_some() { "Compare with another…" } else { "Open the other end…" } }
            </label>
        </section>
    }
}
