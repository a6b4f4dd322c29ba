use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::format::TimeMode;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub mode: TimeMode,
    pub on_change: Callback<TimeMode>,
}

/// Absolute (UTC), since the capture's start, or since the previous row:
/// Wireshark's usual time views, one choice for the table and the ladder.
#[component]
pub fn TimeSelect(props: &Props) -> Html {
    let onchange = props.on_change.reform(|e: Event| {
        let value = e.target_unchecked_into::<HtmlSelectElement>().value();
        TimeMode::ALL
            .into_iter()
            .find(|m| m.label() == value)
            .unwrap_or_default()
    });
    html! {
        <label class="filter">
            <span>{ "Times" }</span>
            <select {onchange} data-testid="time-mode">
                { for TimeMode::ALL.into_iter().map(|m| html! {
                    <option value={m.label()} selected={m == props.mode}>{ m.label() }</option>
                }) }
            </select>
        </label>
    }
}
