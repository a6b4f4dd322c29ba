use yew::prelude::*;

use super::bar;
use crate::format;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub name: AttrValue,
    pub bytes: u64,
    pub total: u64,
    pub mb_per_s: f64,
    pub on_cancel: Callback<()>,
}

/// The running analysis: how far, how fast, and a way out.
#[component]
pub fn Progress(props: &Props) -> Html {
    let percent = if props.total == 0 {
        0.0
    } else {
        props.bytes as f64 * 100.0 / props.total as f64
    };
    let on_cancel = props.on_cancel.reform(|_: MouseEvent| ());
    html! {
        <section class="progress-panel" aria-live="polite">
            <div class="progress-head">
                <span class="file-name">{ "Analysing " }<strong>{ props.name.clone() }</strong></span>
                <button class="button" onclick={on_cancel}>{ "Cancel" }</button>
            </div>
            <div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100"
                 aria-valuenow={format!("{percent:.0}")}>
                { bar(percent, "fill-progress".into()) }
            </div>
            <div class="muted">
                { format!("{} of {} · {:.0}% · {:.1} MB/s",
                    format::bytes(props.bytes), format::bytes(props.total), percent, props.mb_per_s) }
            </div>
        </section>
    }
}
