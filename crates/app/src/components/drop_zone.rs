use yew::prelude::*;

use crate::hooks::use_file_drop::use_file_drop;
use crate::protocol::CaptureFile;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Captures chosen by the user: one, or two (this capture and the
    /// capture from the other end, to compare).
    pub on_capture: Callback<Vec<CaptureFile>>,
    pub on_sample: Callback<()>,
    pub busy: bool,
    /// A report is shown below: take less room.
    pub compact: bool,
}

/// Where a capture comes in: drag and drop, the file picker, or the sample.
/// index.html holds a static copy of its landing text (painted before the
/// WebAssembly loads); the browser tests check that the two agree.
#[component]
pub fn DropZone(props: &Props) -> Html {
    let zone = use_file_drop(props.on_capture.clone(), props.busy);
    let on_sample = props.on_sample.reform(|_: MouseEvent| ());

    let class = classes!(
        "drop-zone",
        zone.dragging.then_some("dragging"),
        props.compact.then_some("compact")
    );
    html! {
        <section {class} ondragover={zone.ondragover} ondragleave={zone.ondragleave} ondrop={zone.ondrop}>
            if !props.compact {
                <h1>{ "Why was this TCP connection reset, and who really did it?" }</h1>
                <p class="muted">
                    { "Drop a .pcap or .pcapng capture (gzipped is fine). rstscope finds every TCP reset, \
                       tells whether the client, the server or a device on the path sent it, why, and what to do. \
                       Have captures from both ends? Open both at once to compare them." }
                </p>
            }
            <div class="drop-actions">
                <label class={classes!("button", "primary", props.busy.then_some("disabled"))}>
                    <input type="file" class="visually-hidden" data-testid="capture-input" multiple=true
                           disabled={props.busy} onchange={zone.onchange} />
                    { "Open capture…" }
                </label>
                <span class="muted">{ "or drop it here" }</span>
                <button class="button" onclick={on_sample} disabled={props.busy}>{ "Try the sample" }</button>
            </div>
            <p class="privacy-note">
                { "Analysed in your browser. No byte of the capture leaves this machine." }
            </p>
        </section>
    }
}
