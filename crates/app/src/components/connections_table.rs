//! The connections table: every TCP connection with Zeek's conn_state and
//! history, a page at a time; a grid like the resets table (Enter opens a
//! connection). The filters ([`filters`]), the grid ([`grid`]) and one
//! connection's row ([`row`]) are parts of their own.

mod filters;
mod grid;
mod row;

use yew::prelude::*;

use super::Shared;
use crate::filter::{Query, Row};
use crate::reset_rows::PAGE_SIZES;
use filters::ConnectionFilters;
use grid::ConnectionsGrid;
use rstscope_core::report::Connection;
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Shared<Report>,
    /// A connection's row was opened: its id.
    pub on_open: Callback<u32>,
}

/// The columns: heading, and class.
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

/// The filters, what they keep, and the grid of those connections.
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
    // Made again only when the report or the filters change, not per page.
    let rows = use_memo(
        (report.clone(), (*text).clone(), *only_reset),
        |(report, text, only_reset)| kept(report, Query::parse(text).ok(), *only_reset),
    );
    let rows = Shared(rows);
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
            <ConnectionFilters invalid={query.is_err()} only_reset={*only_reset}
                               on_text={text.setter().to_callback()}
                               on_only_reset={only_reset.setter().to_callback()}
                               matching={rows.len()} total={report.connections.len()} />
            { understood }
            <ConnectionsGrid report={report.clone()} {rows} page={*page} size={*size}
                             on_page={page.setter().to_callback()} on_size={size.setter().to_callback()}
                             on_open={props.on_open.clone()} />
            if report.capture.unlisted_connections > 0 {
                <p class="muted">{ format!("{} further connections without resets are not listed.", report.capture.unlisted_connections) }</p>
            }
        </section>
    }
}

/// The places in `report.connections` of those the filters keep, in order.
fn kept(report: &Report, query: Option<Query>, only_reset: bool) -> Vec<usize> {
    (report.connections.iter().enumerate())
        .filter(|(_, c)| !only_reset || !c.resets.is_empty())
        .filter(|(_, c)| query.as_ref().is_none_or(|q| q.keeps(&row_of(c))))
        .map(|(i, _)| i)
        .collect()
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
