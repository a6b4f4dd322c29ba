use web_sys::{Blob, DragEvent, FileList, HtmlInputElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Captures chosen by the user, with their file names: one, or two
    /// (this capture and the capture from the other end, to compare).
    pub on_capture: Callback<Vec<(Blob, String)>>,
    pub on_sample: Callback<()>,
    pub busy: bool,
    /// A report is shown below: take less room.
    pub compact: bool,
}

/// Where a capture comes in: drag and drop, the file picker, or the sample.
#[component]
pub fn DropZone(props: &Props) -> Html {
    let dragging = use_state(|| false);

    let on_change = {
        let on_capture = props.on_capture.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let files = chosen(input.files());
            if !files.is_empty() {
                on_capture.emit(files);
            }
            // Choosing the same file again must fire `change` again.
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
        let (dragging, on_capture, busy) = (dragging.clone(), props.on_capture.clone(), props.busy);
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            let files = chosen(e.data_transfer().and_then(|d| d.files()));
            if !files.is_empty() && !busy {
                on_capture.emit(files);
            }
        })
    };
    let on_sample = props.on_sample.reform(|_: MouseEvent| ());

    let class = classes!(
        "drop-zone",
        (*dragging).then_some("dragging"),
        props.compact.then_some("compact")
    );
    html! {
        <section {class} ondragover={on_drag_over} ondragleave={on_drag_leave} ondrop={on_drop}>
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
                           disabled={props.busy} onchange={on_change} />
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

/// The first two files of a pick or a drop, with their names.
pub fn chosen(files: Option<FileList>) -> Vec<(Blob, String)> {
    let Some(files) = files else {
        return Vec::new();
    };
    (0..files.length().min(2))
        .filter_map(|i| files.get(i))
        .map(|file| (file.clone().into(), file.name()))
        .collect()
}
