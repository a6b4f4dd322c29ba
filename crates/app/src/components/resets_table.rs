use std::cmp::Ordering;
use std::net::IpAddr;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::{origin_badge, relative_time, Shared, MAX_ROWS};
use crate::format;
use rstscope_core::report::Reset;
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Shared<Report>,
    pub selected: Option<u64>,
    pub on_select: Callback<Option<u64>>,
    /// The host filter: kept by the app, so a click on a top talker sets it.
    pub host: AttrValue,
    pub on_host: Callback<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Column {
    Frame,
    Source,
    Destination,
    Origin,
    Cause,
    Confidence,
}

impl Column {
    fn compare(self, a: &Reset, b: &Reset) -> Ordering {
        match self {
            Self::Frame => a.frame.cmp(&b.frame),
            Self::Source => a.src.cmp(&b.src),
            Self::Destination => a.dst.cmp(&b.dst),
            Self::Origin => a.origin.cmp(&b.origin),
            Self::Cause => a.cause.cmp(&b.cause),
            Self::Confidence => a.confidence.total_cmp(&b.confidence),
        }
    }
}

#[derive(Clone, PartialEq, Default)]
struct Filter {
    origin: String,
    cause: String,
}

impl Filter {
    fn keeps(&self, reset: &Reset, host: &str) -> bool {
        (self.origin.is_empty() || reset.origin.as_str() == self.origin)
            && (self.cause.is_empty() || reset.cause.as_str() == self.cause)
            && (host_matches(host, &reset.src) || host_matches(host, &reset.dst))
    }
}

/// A whole address matches that host only ("10.0.0.1" not "10.0.0.10:80");
/// anything else (part of an address, ":443") matches as text.
fn host_matches(filter: &str, endpoint: &str) -> bool {
    if filter.parse::<IpAddr>().is_err() {
        return endpoint.contains(filter);
    }
    let host = match endpoint.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(v6),
        None => endpoint.rsplit_once(':').map_or(endpoint, |(ip, _port)| ip),
    };
    host == filter
}

/// Every RST, filterable and sortable; Enter or a click opens its detail.
#[component]
pub fn ResetsTable(props: &Props) -> Html {
    let filter = use_state(Filter::default);
    let sort = use_state(|| (Column::Frame, true));
    let report = &props.report;

    let host = props.host.trim();
    let mut rows: Vec<&Reset> = report
        .resets
        .iter()
        .filter(|r| filter.keeps(r, host))
        .collect();
    let (column, ascending) = *sort;
    rows.sort_by(|a, b| {
        let order = column.compare(a, b).then(a.frame.cmp(&b.frame));
        if ascending {
            order
        } else {
            order.reverse()
        }
    });
    let matching = rows.len();

    let select_filter = |label: &'static str,
                         options: Vec<String>,
                         current: &str,
                         pick: fn(&mut Filter, String)| {
        let current = current.to_string();
        let filter = filter.clone();
        let onchange = Callback::from(move |e: Event| {
            let mut next = (*filter).clone();
            pick(
                &mut next,
                e.target_unchecked_into::<HtmlSelectElement>().value(),
            );
            filter.set(next);
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
    let on_host = props
        .on_host
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    let header = |label: &'static str, which: Column, numeric: bool| {
        let sort = sort.clone();
        let (current, ascending) = *sort;
        let aria_sort = match (current == which, ascending) {
            (false, _) => "none",
            (true, true) => "ascending",
            (true, false) => "descending",
        };
        let onclick = Callback::from(move |_: MouseEvent| {
            let (current, ascending) = *sort;
            sort.set((which, current != which || !ascending));
        });
        html! {
            <th aria-sort={aria_sort} class={classes!(numeric.then_some("num"))}>
                <button class="sort" {onclick}>{ label }
                    <span class="sort-mark" aria-hidden="true">
                        { match aria_sort { "ascending" => "▲", "descending" => "▼", _ => "" } }
                    </span>
                </button>
            </th>
        }
    };

    let start = report.capture.first_time;
    let row = |reset: &Reset| {
        let frame = reset.frame;
        let onclick = props.on_select.reform(move |_: MouseEvent| Some(frame));
        let on_select = props.on_select.clone();
        let onkeydown = Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                on_select.emit(Some(frame));
            }
        });
        let selected = props.selected == Some(frame);
        html! {
            <tr data-testid="reset-row" data-frame={frame.to_string()}
                data-origin={reset.origin.as_str()} data-cause={reset.cause.as_str()}
                class={classes!("clickable", selected.then_some("selected"))}
                tabindex="0" {onclick} {onkeydown} aria-selected={selected.to_string()}>
                <td class="num">{ frame }</td>
                <td class="num" title={format::utc(reset.time)}>{ relative_time(reset.time, start) }</td>
                <td class="mono">{ reset.src.clone() }</td>
                <td class="mono">{ reset.dst.clone() }</td>
                <td class="mono">{ reset.flags.clone() }</td>
                <td>{ reset.sender.as_str() }</td>
                <td>{ origin_badge(reset.origin.as_str()) }</td>
                <td>{ reset.cause.as_str() }
                    if let Some(sub) = &reset.sub_cause { <span class="muted">{ format!(" · {sub}") }</span> }
                </td>
                <td class="num">{ format::percent(reset.confidence) }</td>
            </tr>
        }
    };

    let origins = report.summary.by_origin.keys().cloned().collect();
    let causes = report.summary.by_cause.keys().cloned().collect();
    html! {
        <section class="table-panel" aria-label="Resets">
            <div class="filters">
                { select_filter("Origin", origins, &filter.origin, |f, v| f.origin = v) }
                { select_filter("Cause", causes, &filter.cause, |f, v| f.cause = v) }
                <label class="filter grow">
                    <span>{ "Host or port" }</span>
                    <input type="search" placeholder="e.g. 10.0.0.5 or :443" data-testid="host-filter"
                           value={props.host.clone()} oninput={on_host} />
                </label>
                <span class="muted count">{ format!("{matching} of {}", report.resets.len()) }</span>
            </div>
            if report.resets.is_empty() {
                <p class="empty">{ "No TCP resets in this capture." }</p>
            } else {
                <div class="table-scroll">
                    <table class="data">
                        <thead><tr>
                            { header("Frame", Column::Frame, true) }
                            <th class="num">{ "Time" }</th>
                            { header("From", Column::Source, false) }
                            { header("To", Column::Destination, false) }
                            <th>{ "Flags" }</th>
                            <th>{ "Sender" }</th>
                            { header("Origin", Column::Origin, false) }
                            { header("Cause", Column::Cause, false) }
                            { header("Confidence", Column::Confidence, true) }
                        </tr></thead>
                        <tbody>{ for rows.iter().take(MAX_ROWS).map(|r| row(r)) }</tbody>
                    </table>
                </div>
                if matching > MAX_ROWS {
                    <p class="muted">{ format!("Showing the first {MAX_ROWS} of {matching}; narrow the filter to see others.") }</p>
                }
            }
        </section>
    }
}
