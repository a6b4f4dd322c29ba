//! One connection's row of the connections table.

use yew::prelude::*;

use super::COLUMNS;
use crate::components::term::Term;
use crate::components::Shared;
use crate::{format, glossary};
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Shared<Report>,
    /// The connection's place in `report.connections`.
    pub at: usize,
    /// Its row in the grid (the header is 0), and in all pages (`aria-rowindex`).
    pub row: usize,
    pub rowindex: usize,
    /// The cell of this row that is the grid's Tab stop, if one is.
    pub active: Option<usize>,
    pub on_open: Callback<u32>,
}

/// Endpoints, Zeek's state and history, packets, bytes, duration and the
/// resets' frames; a click opens the connection.
#[component]
pub fn ConnectionRow(props: &Props) -> Html {
    let Some(c) = props.report.connections.get(props.at) else {
        return html! {};
    };
    let (row, id) = (props.row, c.id);
    let onclick = props.on_open.reform(move |_: MouseEvent| id);
    let td = |col: usize, content: Html| {
        let (label, class) = COLUMNS[col];
        let tabindex = if props.active == Some(col) { "0" } else { "-1" };
        html! {
            <td role="gridcell" class={class} data-label={label} {tabindex}
                data-cell={format!("{row}:{col}")}>{ content }</td>
        }
    };
    let guessed = !matches!(&*c.roles_from, "handshake" | "syn" | "syn-ack");
    html! {
        <tr role="row" data-testid="connection-row" data-id={id.to_string()} class="clickable"
            aria-rowindex={props.rowindex.to_string()} {onclick}>
            { td(0, html! { id }) }
            { td(1, html! { c.stream.map(|s| s.to_string()).unwrap_or_default() }) }
            { td(2, html! { <span class="mono">{ c.client.to_string() }
                if guessed { <span class="muted" title="roles guessed">{ " ?" }</span> }
            </span> }) }
            { td(3, html! { <span class="mono">{ c.server.to_string() }</span> }) }
            { td(4, html! { <Term text={c.conn_state.clone()} class="state" focusable={false}
                explain={glossary::conn_state(&c.conn_state).unwrap_or("Zeek connection state.")} /> }) }
            { td(5, html! { <Term text={c.history.clone()} class="mono" focusable={false}
                explain={glossary::history(&c.history)} /> }) }
            { td(6, html! { format!("{} / {}", c.client_packets, c.server_packets) }) }
            { td(7, html! { format!("{} / {}", format::bytes(c.client_bytes), format::bytes(c.server_bytes)) }) }
            { td(8, html! { format::duration(c.last_time - c.first_time) }) }
            { td(9, html! { <span class="mono">{ frames(&c.resets) }</span> }) }
        </tr>
    }
}

/// "12, 13, 20" (the first few, then how many more).
fn frames(resets: &[u64]) -> String {
    const SHOWN: usize = 5;
    let mut text: Vec<String> = resets.iter().take(SHOWN).map(u64::to_string).collect();
    if resets.len() > SHOWN {
        text.push(format!("+{} more", resets.len() - SHOWN));
    }
    text.join(", ")
}
