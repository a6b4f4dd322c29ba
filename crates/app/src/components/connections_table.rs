use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::grid_keys::{use_grid_keys, KeyAction, OnKey};
use super::pager::Pager;
use super::term::Term;
use super::Shared;
use crate::filter::{Query, Row};
use crate::grid::Cell;
use crate::reset_rows::{self, PAGE_SIZES};
use crate::{format, glossary};
use rstscope_core::report::Connection;
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Shared<Report>,
    /// A connection's row was opened: its id.
    pub on_open: Callback<u32>,
}

const COLUMNS: [(&str, &str); 10] = [
    ("#", "num"),
    ("Stream", "num"),
    ("Client", ""),
    ("Server", ""),
    ("State", ""),
    ("History", ""),
    ("Packets c/s", "num"),
    ("Bytes c/s", "num"),
    ("Duration", "num"),
    ("Resets (frames)", ""),
];

/// Every TCP connection with Zeek's conn_state and history, a page at a
/// time; a grid like the resets table (Enter opens a connection).
#[component]
pub fn ConnectionsTable(props: &Props) -> Html {
    let text = use_state(String::new);
    let only_reset = use_state(|| false);
    let page = use_state(|| 0usize);
    let size = use_state(|| PAGE_SIZES[1]);
    {
        let page = page.clone();
        use_effect_with(((*text).clone(), *only_reset, *size), move |_| page.set(0));
    }
    let report = &props.report;
    let query = Query::parse(&text);
    let rows: Vec<&Connection> = report
        .connections
        .iter()
        .filter(|c| !*only_reset || !c.resets.is_empty())
        .filter(|c| query.as_ref().map_or(true, |q| q.keeps(&row_of(c))))
        .collect();
    let (range, _) = reset_rows::page(rows.len(), *page, *size);
    let shown = &rows[range.clone()];

    let ids: Rc<Vec<u32>> = Rc::new(shown.iter().map(|c| c.id).collect());
    let widths = Rc::new(vec![COLUMNS.len(); shown.len() + 1]);
    let on_key: OnKey = {
        let (ids, on_open) = (ids.clone(), props.on_open.clone());
        Rc::new(move |e: &KeyboardEvent, cell: Cell| {
            let id = cell.row.checked_sub(1).and_then(|i| ids.get(i));
            match (e.key().as_str(), id) {
                ("Enter" | " ", Some(&id)) => {
                    on_open.emit(id);
                    KeyAction::Handled
                }
                _ => KeyAction::Unhandled,
            }
        })
    };
    let keys = use_grid_keys(widths, on_key);

    let on_text = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            text.set(e.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    let on_only_reset = {
        let only_reset = only_reset.clone();
        Callback::from(move |e: Event| {
            only_reset.set(e.target_unchecked_into::<HtmlInputElement>().checked());
        })
    };
    let header = COLUMNS.iter().enumerate().map(|(col, (label, class))| {
        html! {
            <th role="columnheader" class={*class} tabindex={keys.tab(0, col)}
                data-cell={format!("0:{col}")}>{ *label }</th>
        }
    });
    let body = shown.iter().enumerate().map(|(i, c)| {
        let row = i + 1;
        let id = c.id;
        let onclick = props.on_open.reform(move |_: MouseEvent| id);
        let td = |col: usize, content: Html| {
            let (label, class) = COLUMNS[col];
            html! {
                <td role="gridcell" class={class} data-label={label} tabindex={keys.tab(row, col)}
                    data-cell={format!("{row}:{col}")}>{ content }</td>
            }
        };
        let guessed = !matches!(&*c.roles_from, "handshake" | "syn" | "syn-ack");
        html! {
            <tr role="row" data-testid="connection-row" data-id={id.to_string()} class="clickable"
                aria-rowindex={(range.start + row + 1).to_string()} {onclick} key={id.to_string()}>
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
    });
    let understood = match &query {
        Ok(q) if q.is_empty() => html! {},
        Ok(q) => {
            html! { <p class="filter-note muted">{ format!("Showing connections where: {q}") }</p> }
        }
        Err(err) => {
            html! { <p class="filter-error" role="alert">{ format!("Filter not applied. {err}") }</p> }
        }
    };

    html! {
        <section class="table-panel" aria-label="Connections">
            <div class="filters">
                <label class="filter grow">
                    <span>{ "Filter (Wireshark or tcpdump terms)" }</span>
                    <input type="search" placeholder="e.g. ip.addr==10.0.0.5, tcp.stream eq 3, port 443"
                           oninput={on_text} aria-invalid={query.is_err().to_string()} spellcheck="false"
                           data-testid="connection-filter" />
                </label>
                <label class="check">
                    <input type="checkbox" checked={*only_reset} onchange={on_only_reset} />
                    { "Only with resets" }
                </label>
                <span class="muted count">{ format!("{} of {}", rows.len(), report.connections.len()) }</span>
            </div>
            { understood }
            <div class="table-scroll">
                <table class="data grid-table connections-grid" role="grid" aria-label="Connections"
                       ref={keys.node.clone()} aria-rowcount={(rows.len() + 1).to_string()}
                       onkeydown={keys.onkeydown.clone()} onfocusin={keys.onfocusin.clone()}>
                    <thead><tr role="row" aria-rowindex="1">{ for header }</tr></thead>
                    <tbody>{ for body }</tbody>
                </table>
            </div>
            <Pager count={rows.len()} page={*page} size={*size} noun="connections"
                   on_page={Callback::from({ let page = page.clone(); move |p| page.set(p) })}
                   on_size={Callback::from({ let size = size.clone(); move |s| size.set(s) })} />
            if report.capture.unlisted_connections > 0 {
                <p class="muted">{ format!("{} further connections without resets are not listed.", report.capture.unlisted_connections) }</p>
            }
        </section>
    }
}

/// A connection as the filter box sees it: client to server.
fn row_of(c: &Connection) -> Row<'_> {
    Row {
        src: c.client,
        dst: c.server,
        stream: c.stream,
        frames: &c.resets,
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
