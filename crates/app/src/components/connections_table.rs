use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::{Shared, MAX_ROWS};
use crate::format;
use rstscope_core::report::Connection;
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Shared<Report>,
    pub on_select: Callback<Option<u64>>,
}

/// Every TCP connection with Zeek's conn_state and history; its resets link
/// to their detail.
#[component]
pub fn ConnectionsTable(props: &Props) -> Html {
    let host = use_state(String::new);
    let only_reset = use_state(|| false);
    let report = &props.report;
    let rows: Vec<&Connection> = report
        .connections
        .iter()
        .filter(|c| !*only_reset || !c.resets.is_empty())
        .filter(|c| {
            host.is_empty() || c.client.contains(host.as_str()) || c.server.contains(host.as_str())
        })
        .collect();

    let on_host = {
        let host = host.clone();
        Callback::from(move |e: InputEvent| {
            host.set(
                e.target_unchecked_into::<HtmlInputElement>()
                    .value()
                    .trim()
                    .to_string(),
            );
        })
    };
    let on_only_reset = {
        let only_reset = only_reset.clone();
        Callback::from(move |e: Event| {
            only_reset.set(e.target_unchecked_into::<HtmlInputElement>().checked());
        })
    };
    let reset_links = |connection: &Connection| {
        html! {
            for &frame in &connection.resets {
                <button class="link" onclick={props.on_select.reform(move |_: MouseEvent| Some(frame))}>
                    { frame }
                </button>
            }
        }
    };

    html! {
        <section class="table-panel" aria-label="Connections">
            <div class="filters">
                <label class="filter grow">
                    <span>{ "Host or port" }</span>
                    <input type="search" placeholder="e.g. 10.0.0.5 or :443" oninput={on_host} />
                </label>
                <label class="check">
                    <input type="checkbox" checked={*only_reset} onchange={on_only_reset} />
                    { "Only with resets" }
                </label>
                <span class="muted count">{ format!("{} of {}", rows.len(), report.connections.len()) }</span>
            </div>
            <div class="table-scroll">
                <table class="data">
                    <thead><tr>
                        <th class="num">{ "#" }</th>
                        <th>{ "Client" }</th>
                        <th>{ "Server" }</th>
                        <th title="Zeek conn_state">{ "State" }</th>
                        <th title="Zeek history">{ "History" }</th>
                        <th class="num">{ "Packets c/s" }</th>
                        <th class="num">{ "Bytes c/s" }</th>
                        <th class="num">{ "Duration" }</th>
                        <th>{ "Resets (frames)" }</th>
                    </tr></thead>
                    <tbody>
                        { for rows.iter().take(MAX_ROWS).map(|c| html! {
                            <tr data-testid="connection-row">
                                <td class="num">{ c.id }</td>
                                <td class="mono">{ c.client.clone() }
                                    if !matches!(c.roles_from.as_str(), "handshake" | "syn" | "syn-ack") {
                                        <span class="muted" title="roles guessed">{ " ?" }</span>
                                    }
                                </td>
                                <td class="mono">{ c.server.clone() }</td>
                                <td><span class="state">{ c.conn_state.clone() }</span></td>
                                <td class="mono">{ c.history.clone() }</td>
                                <td class="num">{ format!("{} / {}", c.client_packets, c.server_packets) }</td>
                                <td class="num">{ format!("{} / {}", format::bytes(c.client_bytes), format::bytes(c.server_bytes)) }</td>
                                <td class="num">{ format::duration(c.last_time - c.first_time) }</td>
                                <td>{ reset_links(c) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
            if rows.len() > MAX_ROWS {
                <p class="muted">{ format!("Showing the first {MAX_ROWS} of {}; narrow the filter to see others.", rows.len()) }</p>
            }
            if report.capture.unlisted_connections > 0 {
                <p class="muted">{ format!("{} further connections without resets are not listed.", report.capture.unlisted_connections) }</p>
            }
        </section>
    }
}
