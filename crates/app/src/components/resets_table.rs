use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::export_pcap::{self, ExportPcap};
use super::grid_keys::{use_grid_keys, KeyAction, OnKey};
use super::pager::Pager;
use super::time_select::TimeSelect;
use super::{origin_badge, Shared};
use crate::filter::{FilterError, Query, Row};
use crate::format::{self, TimeMode};
use crate::grid::Cell;
use crate::lookup;
use crate::protocol::CaptureFile;
use crate::reset_rows::{self, Column, GroupKey, Grouping, Line, PAGE_SIZES};
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

/// What a grid row is, for the keys that act on it.
#[derive(Clone, Copy, PartialEq)]
enum RowKind {
    Header,
    Group(GroupKey, bool),
    Reset(u64, Option<GroupKey>),
}

impl RowKind {
    fn cells(self) -> usize {
        match self {
            Self::Group(..) => 1,
            _ => COLUMNS.len(),
        }
    }
}

/// Every RST: filterable, sortable, groupable by connection or incident, a
/// page at a time. The grid is one Tab stop (the WAI-ARIA grid pattern): arrows move
/// between cells, Enter opens a reset or a group, Ctrl+C copies a cell.
#[component]
pub fn ResetsTable(props: &Props) -> Html {
    let choice = use_state(Choice::default);
    let sort = use_state(|| (Column::Frame, true));
    let grouping = use_state(Grouping::default);
    let expanded = use_state(HashSet::<GroupKey>::new);
    let page = use_state(|| 0usize);
    let size = use_state(|| PAGE_SIZES[1]);
    let report = &props.report;
    let connections = use_memo(report.clone(), |report| lookup::places(&report.connections));

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
    let lines = reset_rows::lines(&rows, *grouping, &expanded);
    let (range, _) = reset_rows::page(lines.len(), *page, *size);
    let times = previous_times(&lines);
    let shown = &lines[range.clone()];

    let kinds: Rc<Vec<RowKind>> = Rc::new(
        std::iter::once(RowKind::Header)
            .chain(shown.iter().map(|line| match line {
                Line::Group(g) => RowKind::Group(g.key, g.expanded),
                Line::Reset { reset, nested } => {
                    RowKind::Reset(reset.frame, nested.then_some(reset.connection))
                }
            }))
            .collect(),
    );
    let widths: Rc<Vec<usize>> = Rc::new(kinds.iter().map(|k| k.cells()).collect());

    let toggle = {
        let expanded = expanded.clone();
        Callback::from(move |key: GroupKey| {
            let mut next = (*expanded).clone();
            if !next.remove(&key) {
                next.insert(key);
            }
            expanded.set(next);
        })
    };
    let sort_by = {
        let sort = sort.clone();
        Callback::from(move |column: Column| {
            let (current, ascending) = *sort;
            sort.set((column, current != column || !ascending));
        })
    };
    let on_key: OnKey = {
        let (kinds, on_select) = (kinds.clone(), props.on_select.clone());
        let (toggle, sort_by) = (toggle.clone(), sort_by.clone());
        Rc::new(move |e: &KeyboardEvent, cell: Cell| {
            let kind = kinds.get(cell.row).copied().unwrap_or(RowKind::Header);
            match (e.key().as_str(), kind) {
                ("Enter" | " ", RowKind::Header) => {
                    if let Some((_, Some(column), _)) = COLUMNS.get(cell.col) {
                        sort_by.emit(*column);
                    }
                }
                ("Enter" | " ", RowKind::Group(key, _))
                | ("ArrowRight", RowKind::Group(key, false))
                | ("ArrowLeft", RowKind::Group(key, true)) => toggle.emit(key),
                ("Enter" | " ", RowKind::Reset(frame, _)) => on_select.emit(Some(frame)),
                ("ArrowLeft", RowKind::Reset(_, Some(group))) if cell.col == 0 => {
                    // To the group row this reset is listed under.
                    let above = kinds.get(..cell.row).unwrap_or_default();
                    let row = above
                        .iter()
                        .rposition(|k| *k == RowKind::Group(group, true));
                    return KeyAction::MoveTo(Cell {
                        row: row.unwrap_or(cell.row),
                        col: 0,
                    });
                }
                _ => return KeyAction::Unhandled,
            }
            KeyAction::Handled
        })
    };
    let keys = use_grid_keys(widths, on_key);

    let tab = |row: usize, col: usize| keys.tab(row, col);
    let header = COLUMNS.iter().enumerate().map(|(col, &(label, column, class))| {
        let label = if col == 1 { props.time_mode.heading() } else { label };
        let numeric = matches!(col, 0 | 8);
        let class = classes!(class, numeric.then_some("num"));
        match column {
            Some(column) => {
                let aria_sort = match (sort.0 == column, sort.1) {
                    (false, _) => "none",
                    (true, true) => "ascending",
                    (true, false) => "descending",
                };
                let onclick = sort_by.reform(move |_: MouseEvent| column);
                html! {
                    <th role="columnheader" aria-sort={aria_sort} {class}>
                        <button type="button" class="sort" {onclick} tabindex={tab(0, col)}
                                data-cell={format!("0:{col}")}>{ label }
                            <span class="sort-mark" aria-hidden="true">
                                { match aria_sort { "ascending" => "▲", "descending" => "▼", _ => "" } }
                            </span>
                        </button>
                    </th>
                }
            }
            None => html! {
                <th role="columnheader" {class} tabindex={tab(0, col)} data-cell={format!("0:{col}")}>
                    { label }
                </th>
            },
        }
    });

    let start = report.capture.first_time;
    let reset_row = |row: usize, reset: &Reset, nested: bool, previous: Option<f64>| {
        let frame = reset.frame;
        let onclick = props.on_select.reform(move |_: MouseEvent| Some(frame));
        let selected = props.selected == Some(frame);
        let td = |col: usize, content: Html| {
            let (label, _, class) = COLUMNS[col];
            let class = classes!(class, matches!(col, 0 | 1 | 8).then_some("num"));
            html! {
                <td role="gridcell" {class} data-label={label} tabindex={tab(row, col)}
                    data-cell={format!("{row}:{col}")}>{ content }</td>
            }
        };
        let when = props.time_mode.show(reset.time, start, previous);
        html! {
            <tr role="row" data-testid="reset-row" data-frame={frame.to_string()}
                data-origin={reset.origin.as_str()} data-cause={reset.cause.as_str()}
                aria-rowindex={(range.start + row + 1).to_string()}
                aria-level={nested.then_some("2")} aria-selected={selected.to_string()}
                class={classes!("clickable", selected.then_some("selected"), nested.then_some("nested"))}
                {onclick} key={format!("r{frame}")}>
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
    };
    let group_row = |row: usize, group: &reset_rows::Group<'_>| {
        let key = group.key;
        let onclick = toggle.reform(move |_: MouseEvent| key);
        let connection =
            key.and_then(|id| lookup::connection(&report.connections, &connections, id));
        let incident = key.and_then(|id| report.incidents.iter().find(|i| i.id == id));
        let title = match (*grouping, connection, incident) {
            // An incident of weak verdicts has no kind to name, as core's sentence says.
            (Grouping::Incident, _, Some(i)) if i.strong == 0 => {
                format!("Incident #{} · {}", i.id, format::sentence(&i.summary))
            }
            (Grouping::Incident, _, Some(i)) => format!(
                "Incident #{} · {} · {}",
                i.id,
                i.kind.as_str(),
                format::sentence(&i.summary)
            ),
            (Grouping::Incident, _, None) => "Resets in no incident".to_string(),
            (_, Some(c), _) => format!(
                "Connection #{}{} · {} ↔ {}",
                c.id,
                c.stream
                    .map(|s| format!(" (tcp.stream {s})"))
                    .unwrap_or_default(),
                c.client,
                c.server
            ),
            (_, None, _) => "Resets outside any tracked connection".to_string(),
        };
        let (by_connection, by_incident) = match *grouping {
            Grouping::Incident => (None, key.map(|k| k.to_string())),
            _ => (key.map(|k| k.to_string()), None),
        };
        let n = group.resets.len();
        html! {
            <tr role="row" class="group-row clickable" data-testid="group-row"
                data-connection={by_connection} data-incident={by_incident} aria-level="1"
                aria-expanded={group.expanded.to_string()}
                aria-rowindex={(range.start + row + 1).to_string()} {onclick}
                key={format!("g{key:?}")}>
                <td role="gridcell" colspan={COLUMNS.len().to_string()} tabindex={tab(row, 0)}
                    data-cell={format!("{row}:0")}>
                    <span class="twisty" aria-hidden="true">{ if group.expanded { "▾" } else { "▸" } }</span>
                    <span class={classes!((*grouping == Grouping::Connection).then_some("mono"))}>{ title }</span>
                    <span class="group-count">{ format!(" · {n} reset{}: ", if n == 1 { "" } else { "s" }) }</span>
                    { for group.verdicts().into_iter().map(|(origin, cause, count)| html! {
                        <span class="group-verdict">
                            { origin_badge(origin.as_str()) }{ format!(" {}", cause.as_str()) }
                            if count > 1 { { format!(" ×{count}") } }
                        </span>
                    }) }
                </td>
            </tr>
        }
    };
    let body = shown.iter().enumerate().map(|(i, line)| {
        let row = i + 1;
        match line {
            Line::Group(group) => group_row(row, group),
            Line::Reset { reset, nested } => reset_row(
                row,
                reset,
                *nested,
                times.get(range.start + i).copied().flatten(),
            ),
        }
    });

    let select = |label: &'static str,
                  options: Vec<String>,
                  current: &str,
                  pick: fn(&mut Choice, String)| {
        let current = current.to_string();
        let choice = choice.clone();
        let onchange = Callback::from(move |e: Event| {
            let mut next = (*choice).clone();
            pick(
                &mut next,
                e.target_unchecked_into::<HtmlSelectElement>().value(),
            );
            choice.set(next);
        });
        html! {
            <label class="filter">
                <span>{ label }</span>
                <select {onchange}>
                    <option value="" selected={current.is_empty()}>{ "all" }</option>
                    { for options.into_iter().map(|o| html! {
                        <option value={o.clone()} selected={o == current}>{ o }</option>
                    }) }
                </select>
            </label>
        }
    };
    let on_grouping = {
        let grouping = grouping.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            grouping.set(match value.as_str() {
                "connection" => Grouping::Connection,
                "incident" => Grouping::Incident,
                _ => Grouping::None,
            });
        })
    };
    let on_host = props
        .on_host
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    let total = report.resets.len();
    let matching = rows.len();
    let understood = match &query {
        Ok(q) if q.is_empty() => html! {},
        Ok(q) => {
            html! { <p class="filter-note muted" data-testid="filter-understood">{ format!("Showing resets where: {q}") }</p> }
        }
        Err(err) => html! {
            <p class="filter-error" role="alert" data-testid="filter-error">
                { format!("Filter not applied. {err}") }
            </p>
        },
    };
    let origins = report.summary.by_origin.keys().cloned().collect();
    let causes = report.summary.by_cause.keys().cloned().collect();
    let grid_role = if *grouping == Grouping::None {
        "grid"
    } else {
        "treegrid"
    };

    html! {
        <section class="table-panel" aria-label="Resets">
            <div class="filters">
                <label class="filter grow">
                    <span>{ "Filter (Wireshark or tcpdump terms)" }</span>
                    <input type="search" placeholder="e.g. ip.addr==10.0.0.5, tcp.port==443, host 10.0.0.5, port 443"
                           data-testid="host-filter" value={props.host.clone()} oninput={on_host}
                           aria-invalid={query.is_err().to_string()} spellcheck="false" />
                </label>
                { select("Origin", origins, &choice.origin, |f, v| f.origin = v) }
                { select("Cause", causes, &choice.cause, |f, v| f.cause = v) }
                <label class="filter">
                    <span>{ "Group by" }</span>
                    <select onchange={on_grouping} data-testid="group-by">
                        <option value="none" selected={*grouping == Grouping::None}>{ "nothing (one row per reset)" }</option>
                        <option value="connection" selected={*grouping == Grouping::Connection}>{ "connection" }</option>
                        if !report.incidents.is_empty() {
                            <option value="incident" selected={*grouping == Grouping::Incident}>{ "incident" }</option>
                        }
                    </select>
                </label>
                <TimeSelect mode={props.time_mode} on_change={props.on_time_mode.clone()} />
                { sort_select(*sort, sort.setter()) }
                <span class="muted count" data-testid="reset-matches">{ format!("{matching} of {total}") }</span>
            </div>
            { understood }
            if total == 0 {
                <p class="empty">{ empty_text(report) }</p>
            } else if matching == 0 {
                <p class="empty">{ "No reset matches the filter." }</p>
            } else {
                <div class="table-scroll">
                    <table class="data grid-table" role={grid_role} aria-label="Resets" ref={keys.node.clone()}
                           aria-rowcount={(lines.len() + 1).to_string()} aria-colcount={COLUMNS.len().to_string()}
                           onkeydown={keys.onkeydown.clone()} onfocusin={keys.onfocusin.clone()}
                           data-testid="resets-grid">
                        <thead><tr role="row" aria-rowindex="1">{ for header }</tr></thead>
                        <tbody>{ for body }</tbody>
                    </table>
                </div>
                <Pager count={lines.len()} page={*page} size={*size} noun={if *grouping == Grouping::None { "resets" } else { "rows" }}
                       on_page={Callback::from({ let page = page.clone(); move |p| page.set(p) })}
                       on_size={Callback::from({ let size = size.clone(); move |s| size.set(s) })} />
                { export_matching(report, &connections, &rows, (*choice).clone(), props.host.clone(), *sort, &props.capture) }
            }
        </section>
    }
}

/// The sort as a select, for the phone's card layout, where the header row
/// and its sort buttons are not shown (CSS shows it only there). Each
/// sortable column, in both directions.
fn sort_select(current: (Column, bool), set: UseStateSetter<(Column, bool)>) -> Html {
    let sortable = || {
        COLUMNS
            .iter()
            .filter_map(|&(label, column, _)| Some((label, column?)))
    };
    let value = |column: Column, ascending: bool| {
        let i = sortable().position(|(_, c)| c == column).unwrap_or(0);
        format!("{i}{}", if ascending { "a" } else { "d" })
    };
    let onchange = Callback::from(move |e: Event| {
        let picked = e.target_unchecked_into::<HtmlSelectElement>().value();
        let (index, ascending) = picked.split_at(picked.len().saturating_sub(1));
        let column = index.parse::<usize>().ok().and_then(|i| sortable().nth(i));
        if let Some((_, column)) = column {
            set.set((column, ascending == "a"));
        }
    });
    let options = sortable().flat_map(|(label, column)| {
        [(true, "ascending"), (false, "descending")]
            .map(move |(ascending, words)| (label, column, ascending, words))
    });
    html! {
        <label class="filter sort-select">
            <span>{ "Sort by" }</span>
            <select {onchange} data-testid="sort-by">
                { for options.map(|(label, column, ascending, words)| html! {
                    <option value={value(column, ascending)} selected={current == (column, ascending)}>
                        { format!("{label}, {words}") }
                    </option>
                }) }
            </select>
        </label>
    }
}

/// The resets the filters keep, in the sort's order.
fn matching_rows<'a>(
    report: &'a Report,
    choice: &Choice,
    query: &Result<Query, FilterError>,
    (column, ascending): (Column, bool),
) -> Vec<&'a Reset> {
    let mut rows: Vec<&Reset> = report
        .resets
        .iter()
        .filter(|r| choice.keeps(r))
        .filter(|r| query.as_ref().map_or(true, |q| q.keeps(&row_of(r))))
        .collect();
    reset_rows::sort(&mut rows, column, ascending);
    rows
}

/// The button exporting the connections of the resets the filters keep
/// (every page) as a pcapng; what it writes is made on the click, from
/// the filters as they are.
fn export_matching(
    report: &Shared<Report>,
    places: &Rc<HashMap<u32, usize>>,
    rows: &[&Reset],
    choice: Choice,
    host: AttrValue,
    sort: (Column, bool),
    capture: &Option<CaptureFile>,
) -> Html {
    let n = export_pcap::conversations_of(rows);
    let select = {
        let (report, places) = (report.clone(), places.clone());
        Callback::from(move |()| {
            let rows = matching_rows(&report, &choice, &Query::parse(&host), sort);
            export_pcap::of_resets(&report, &places, &rows)
        })
    };
    html! {
        <ExportPcap capture={capture.clone()} {select}
                    file_name="rstscope-filtered.pcapng"
                    label={format!("Export the {n} connection{} of these resets (pcapng)", if n == 1 { "" } else { "s" })} />
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

/// A reset as the filter box sees it.
fn row_of(reset: &Reset) -> Row<'_> {
    Row {
        src: reset.src,
        dst: reset.dst,
        stream: reset.stream,
        frames: std::slice::from_ref(&reset.frame),
    }
}

/// For each line, the time of the reset line before it (for delta times).
fn previous_times(lines: &[Line<'_>]) -> Vec<Option<f64>> {
    let mut previous = None;
    lines
        .iter()
        .map(|line| match line {
            Line::Reset { reset, .. } => previous.replace(reset.time),
            Line::Group(_) => None,
        })
        .collect()
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
