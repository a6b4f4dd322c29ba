use yew::prelude::*;

use crate::hooks::use_file_drop::use_file_drop;
use crate::protocol::CaptureFile;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The capture from the other end (one file; more are refused).
    pub on_peer: Callback<Vec<CaptureFile>>,
    pub busy: bool,
    /// The file the report is already compared with.
    pub peer: Option<AttrValue>,
}

/// The second drop zone, once a capture is loaded: the same traffic
/// captured at the other end, to tell who really sent each reset.
#[component]
pub fn PeerZone(props: &Props) -> Html {
    let zone = use_file_drop(props.on_peer.clone(), props.busy);
    let class = classes!("peer-zone", zone.dragging.then_some("dragging"));
    html! {
        <section {class} aria-label="Capture from the other end"
                 ondragover={zone.ondragover} ondragleave={zone.ondragleave} ondrop={zone.ondrop}>
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
                       disabled={props.busy} onchange={zone.onchange} />
                { if props.peer.is_some() { "Compare with another…" } else { "Open the other end…" } }
            </label>
        </section>
    }
}
