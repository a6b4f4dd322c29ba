//! One reset's row of the resets table.

use yew::prelude::*;

use super::COLUMNS;
use crate::components::{origin_badge, Shared};
use crate::format::{self, TimeMode};
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Shared<Report>,
    /// The reset's place in `report.resets`.
    pub at: usize,
    /// Its row in the grid (the header is 0), and in all pages (`aria-rowindex`).
    pub row: usize,
    pub rowindex: usize,
    /// Listed under a group row.
    pub nested: bool,
    pub selected: bool,
    /// The time of the reset listed before it (for delta times).
    pub previous: Option<f64>,
    pub time_mode: TimeMode,
    /// The cell of this row that is the grid's Tab stop, if one is.
    pub active: Option<usize>,
    pub on_select: Callback<Option<u64>>,
}

/// Frame, time, addresses, flags, sender and the verdict; a click opens it.
#[component]
pub fn ResetRow(props: &Props) -> Html {
    let Some(reset) = props.report.resets.get(props.at) else {
        return html! {};
    };
    let (row, frame) = (props.row, reset.frame);
    let onclick = props.on_select.reform(move |_: MouseEvent| Some(frame));
    let td = |col: usize, content: Html| {
        let (label, _, class) = COLUMNS[col];
        let class = classes!(class, matches!(col, 0 | 1 | 8).then_some("num"));
        let tabindex = if props.active == Some(col) { "0" } else { "-1" };
        html! {
            <td role="gridcell" {class} data-label={label} {tabindex}
                data-cell={format!("{row}:{col}")}>{ content }</td>
        }
    };
    let start = props.report.capture.first_time;
    let when = props.time_mode.show(reset.time, start, props.previous);
    let (selected, nested) = (props.selected, props.nested);
    html! {
        <tr role="row" data-testid="reset-row" data-frame={frame.to_string()}
            data-origin={reset.origin.as_str()} data-cause={reset.cause.as_str()}
            aria-rowindex={props.rowindex.to_string()}
            aria-level={nested.then_some("2")} aria-selected={selected.to_string()}
            class={classes!("clickable", selected.then_some("selected"), nested.then_some("nested"))}
            {onclick}>
            { td(0, html! { <span class="mono">{ frame }</span> }) }
            { td(1, html! { <span title={format::utc_micros(reset.time)}>{ when }</span> }) }
            { td(2, html! { <span class="mono">{ reset.src.to_string() }</span> }) }
            { td(3, html! { <span class="mono">{ reset.dst.to_string() }</span> }) }
            { td(4, html! { <span class="mono">{ reset.flags.clone() }</span> }) }
            { td(5, html! { reset.sender.as_str() }) }
            { td(6, origin_badge(reset.origin.as_str())) }
            { td(7, html! { <>{ reset.cause.as_str() }
                if let Some(sub) = &reset.sub_cause { <span class="muted">{ format!(" · {sub}") }</span> }
                if let Some(root) = reset.consequence_of {
                    { follows_link(root, &props.on_select) }
                }
            </> }) }
            { td(8, html! { format::percent(reset.confidence) }) }
        </tr>
    }
}

/// "follows from frame N" in a consequence's row, opening that reset on a
/// click. Out of the Tab order: the grid has one Tab stop, and the row's
/// drawer (Enter) has the same link for the keyboard.
fn follows_link(root: u64, on_select: &Callback<Option<u64>>) -> Html {
    let onclick = on_select.reform(move |e: MouseEvent| {
        e.stop_propagation();
        Some(root)
    });
    html! {
        <button type="button" class="link follows" tabindex="-1" data-testid="row-follows" {onclick}>
            { format!("follows from frame {root}") }
        </button>
    }
}
