//! The resets table: every RST, filterable, sortable, groupable by
//! connection or incident, a page at a time. Its parts: the filters above
//! it (`filters`), the grid (`grid`) with its reset and group rows
//! (`reset_row`, `group_row`), and the export of the matching resets'
//! connections under it.

mod filters;
mod grid;
mod group_row;
mod reset_row;

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use yew::prelude::*;

use super::export_pcap::{self, ExportPcap};
use super::Shared;
use crate::filter::{FilterError, Query, Row};
use crate::format::TimeMode;
use crate::lookup;
use crate::protocol::CaptureFile;
use crate::reset_rows::{self, Column, GroupKey, Grouping, PAGE_SIZES};
use filters::ResetFilters;
use grid::ResetsGrid;
use rstscope_core::report::Reset;
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Shared<Report>,
    pub selected: Option<u64>,
    pub on_select: Callback<Option<u64>>,
    /// The filter box: kept by the app, so a click on a top talker sets it.
    pub host: AttrValue,
    pub on_host: Callback<String>,
    pub time_mode: TimeMode,
    pub on_time_mode: Callback<TimeMode>,
    /// The capture, to export the listed resets' packets from (None: shared).
    pub capture: Option<CaptureFile>,
}

/// The grid's columns: heading, sort column (if sortable), card-layout class.
const COLUMNS: [(&str, Option<Column>, &str); 9] = [
    ("Frame", Some(Column::Frame), "c-frame"),
    ("Time", None, "c-time"),
    ("From", Some(Column::Source), "c-from"),
    ("To", Some(Column::Destination), "c-to"),
    ("Flags", None, "c-flags"),
    ("Sender", None, "c-sender"),
    ("Origin", Some(Column::Origin), "c-origin"),
    ("Cause", Some(Column::Cause), "c-cause"),
    ("Confidence", Some(Column::Confidence), "c-conf"),
];

/// The origin and cause picked in the selects ("" for all).
#[derive(Clone, PartialEq, Default)]
struct Choice {
    origin: String,
    cause: String,
}

impl Choice {
    fn keeps(&self, reset: &Reset) -> bool {
        (self.origin.is_empty() || reset.origin.as_str() == self.origin)
            && (self.cause.is_empty() || reset.cause.as_str() == self.cause)
    }
}

/// The table's state (filters, sort, grouping, open groups, page) and the
/// resets it keeps; its parts draw them.
#[component]
pub fn ResetsTable(props: &Props) -> Html {
    let choice = use_state(Choice::default);
    let sort = use_state(|| (Column::Frame, true));
    let grouping = use_state(Grouping::default);
    let expanded = use_state(HashSet::<GroupKey>::new);
    let page = use_state(|| 0usize);
    let size = use_state(|| PAGE_SIZES[1]);
    let report = &props.report;
    let places = use_memo(report.clone(), |report| lookup::places(&report.connections));

    // A new filter, sort or grouping starts again at the first page.
    {
        let page = page.clone();
        let key = (
            props.host.clone(),
            (*choice).clone(),
            *sort,
            *grouping,
            *size,
        );
        use_effect_with(key, move |_| page.set(0));
    }
    // Group keys mean connections or incidents: a new grouping starts closed.
    {
        let expanded = expanded.clone();
        use_effect_with(*grouping, move |_| expanded.set(HashSet::new()));
    }

    let query = Query::parse(&props.host);
    let rows = matching_rows(report, &choice, &query, *sort);
    let (total, matching) = (report.resets.len(), rows.len());
    let filters = html! {
        <ResetFilters host={props.host.clone()} on_host={props.on_host.clone()} invalid={query.is_err()}
                      choice={(*choice).clone()} on_choice={choice.setter().to_callback()}
                      origins={report.summary.by_origin.keys().cloned().collect::<Vec<_>>()}
                      causes={report.summary.by_cause.keys().cloned().collect::<Vec<_>>()}
                      grouping={*grouping} on_grouping={grouping.setter().to_callback()}
                      incidents={!report.incidents.is_empty()}
                      time_mode={props.time_mode} on_time_mode={props.on_time_mode.clone()}
                      sort={*sort} on_sort={sort.setter().to_callback()} {matching} {total} />
    };
    html! {
        <section class="table-panel" aria-label="Resets">
            { filters }
            { understood(&query) }
            if total == 0 {
                <p class="empty">{ empty_text(report) }</p>
            } else if matching == 0 {
                <p class="empty">{ "No reset matches the filter." }</p>
            } else {
                <ResetsGrid report={report.clone()} places={Shared(places.clone())}
                            rows={Shared(Rc::new(rows.clone()))} grouping={*grouping}
                            expanded={(*expanded).clone()} on_toggle={toggle(&expanded)}
                            sort={*sort} on_sort={sort_by(&sort)}
                            page={*page} size={*size} on_page={page.setter().to_callback()}
                            on_size={size.setter().to_callback()}
                            selected={props.selected} on_select={props.on_select.clone()}
                            time_mode={props.time_mode} />
                { export_matching(report, &places, &rows, (*choice).clone(), props.host.clone(), *sort, &props.capture) }
            }
        </section>
    }
}

/// Opens a closed group, closes an open one.
fn toggle(expanded: &UseStateHandle<HashSet<GroupKey>>) -> Callback<GroupKey> {
    let expanded = expanded.clone();
    Callback::from(move |key: GroupKey| {
        let mut next = (*expanded).clone();
        if !next.remove(&key) {
            next.insert(key);
        }
        expanded.set(next);
    })
}

/// Sorts by a column; by the same column again, the other way round.
fn sort_by(sort: &UseStateHandle<(Column, bool)>) -> Callback<Column> {
    let sort = sort.clone();
    Callback::from(move |column: Column| {
        let (current, ascending) = *sort;
        sort.set((column, current != column || !ascending));
    })
}

/// How the filter box's text was read, or why it was not applied.
fn understood(query: &Result<Query, FilterError>) -> Html {
    match query {
        Ok(q) if q.is_empty() => html! {},
        Ok(q) => {
            html! { <p class="filter-note muted" data-testid="filter-understood">{ format!("Showing resets where: {q}") }</p> }
        }
        Err(err) => html! {
            <p class="filter-error" role="alert" data-testid="filter-error">
                { format!("Filter not applied. {err}") }
            </p>
        },
    }
}

/// The resets the filters keep, in the sort's order: their places in
/// `report.resets`.
fn matching_rows(
    report: &Report,
    choice: &Choice,
    query: &Result<Query, FilterError>,
    (column, ascending): (Column, bool),
) -> Vec<usize> {
    let keeps = |r: &Reset| choice.keeps(r) && query.as_ref().map_or(true, |q| q.keeps(&row_of(r)));
    let mut rows: Vec<(usize, &Reset)> = (report.resets.iter().enumerate())
        .filter(|(_, r)| keeps(r))
        .collect();
    rows.sort_by(|a, b| reset_rows::compare(a.1, b.1, column, ascending));
    rows.into_iter().map(|(i, _)| i).collect()
}

/// The button exporting the connections of the resets the filters keep
/// (every page) as a pcapng; what it writes is made on the click, from
/// the filters as they are.
fn export_matching(
    report: &Shared<Report>,
    places: &Rc<HashMap<u32, usize>>,
    rows: &[usize],
    choice: Choice,
    host: AttrValue,
    sort: (Column, bool),
    capture: &Option<CaptureFile>,
) -> Html {
    let n = export_pcap::conversations_of(&resets_at(report, rows));
    let select = {
        let (report, places) = (report.clone(), places.clone());
        Callback::from(move |()| {
            let rows = matching_rows(&report, &choice, &Query::parse(&host), sort);
            export_pcap::of_resets(&report, &places, &resets_at(&report, &rows))
        })
    };
    html! {
        <ExportPcap capture={capture.clone()} {select}
                    file_name="rstscope-filtered.pcapng"
                    label={format!("Export the {n} connection{} of these resets (pcapng)", if n == 1 { "" } else { "s" })} />
    }
}

/// The resets at these places in `report.resets`.
fn resets_at<'a>(report: &'a Report, rows: &[usize]) -> Vec<&'a Reset> {
    rows.iter().filter_map(|&i| report.resets.get(i)).collect()
}

/// A reset as the filter box sees it.
fn row_of(reset: &Reset) -> Row<'_> {
    Row {
        src: reset.src,
        dst: reset.dst,
        stream: reset.stream,
        frames: std::slice::from_ref(&reset.frame),
    }
}

/// Why the table is empty: no packets, no TCP, or no resets.
pub fn empty_text(report: &Report) -> String {
    let capture = &report.capture;
    match (capture.packets, capture.tcp_packets) {
        (0, _) => "The file holds no packets.".to_string(),
        (n, 0) => format!("None of the {n} packets is TCP, so there are no resets."),
        (_, n) => format!("No TCP resets among {n} TCP packets."),
    }
}
