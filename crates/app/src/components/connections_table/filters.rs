//! The filters above the connections table: the filter box, "only with
//! resets", and how many connections they keep.

use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The filter box's text is not understood.
    pub invalid: bool,
    pub on_text: Callback<String>,
    pub only_reset: bool,
    pub on_only_reset: Callback<bool>,
    /// Connections the filters keep, of all.
    pub matching: usize,
    pub total: usize,
}

#[component]
pub fn ConnectionFilters(props: &Props) -> Html {
    let on_text = props
        .on_text
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    let on_only_reset = props
        .on_only_reset
        .reform(|e: Event| e.target_unchecked_into::<HtmlInputElement>().checked());
    html! {
        <div class="filters">
            <label class="filter grow">
                <span>{ "Filter (Wireshark or tcpdump terms)" }</span>
                <input type="search" placeholder="e.g. ip.addr==10.0.0.5, tcp.stream eq 3, port 443"
                       oninput={on_text} aria-invalid={props.invalid.to_string()} spellcheck="false"
                       data-testid="connection-filter" />
            </label>
            <label class="check">
                <input type="checkbox" checked={props.only_reset} onchange={on_only_reset} />
                { "Only with resets" }
            </label>
            <span class="muted count">{ format!("{} of {}", props.matching, props.total) }</span>
        </div>
    }
}
