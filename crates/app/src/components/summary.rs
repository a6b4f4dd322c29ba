use std::collections::BTreeMap;

use yew::prelude::*;

use super::{bar, origin_badge, Shared};
use crate::protocol::RunStats;
use crate::{comparison, format};
use rstscope_core::report::{Origin, TopTalker};
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Shared<Report>,
    pub name: AttrValue,
    pub stats: Option<RunStats>,
    /// How many resets and connections the report has (the summary is shown
    /// before the report's lists arrive).
    pub resets: u64,
    pub connections: u64,
    /// A top talker's address was clicked.
    pub on_talker: Callback<String>,
    /// "See the warnings" was clicked.
    pub on_warnings: Callback<()>,
}

/// The headline, the key numbers, the resets by origin and by cause, and
/// the hosts most involved.
#[component]
pub fn SummaryView(props: &Props) -> Html {
    let report = &props.report;
    let capture = &report.capture;
    let span = match (capture.first_time, capture.last_time) {
        (Some(first), Some(last)) => format::duration(last - first),
        _ => "-".to_string(),
    };
    let stat = |label: &str, value: Html| {
        html! { <div class="stat"><div class="stat-value">{ value }</div><div class="stat-label">{ label.to_string() }</div></div> }
    };
    html! {
        <section class="summary" aria-label="Summary">
            <h1 class="summary-file">{ format!("Report on {}", props.name) }</h1>
            <p class="headline">{ report.summary.headline.clone() }</p>
            { warnings_note(report, &props.on_warnings) }
            if let Some(cmp) = &report.comparison {
                <p class="compare-headline" data-testid="compare-headline">
                    { comparison::headline(cmp) }
                </p>
            }
            <div class="stats">
                { stat("resets", html! { <span data-testid="reset-count">{ props.resets }</span> }) }
                { stat("connections", html! { { props.connections } }) }
                { stat("TCP packets", html! { { capture.tcp_packets } }) }
                { stat("packets", html! { { capture.packets } }) }
                { stat("span", html! { { span } }) }
            </div>
            <div class="breakdowns">
                { breakdown("By origin", &report.summary.by_origin, true) }
                { breakdown("By cause", &report.summary.by_cause, false) }
            </div>
            { top_talkers(&report.summary.top_talkers, &props.on_talker) }
        </section>
    }
}

/// A damaged capture says so beside the headline: what was lost, and where
/// the details are.
fn warnings_note(report: &Report, on_warnings: &Callback<()>) -> Html {
    let warnings = &report.capture.warnings;
    let Some(first) = warnings.first() else {
        return html! {};
    };
    let more = match warnings.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    html! {
        <div class="warning-note" role="note" data-testid="warning-note">
            <strong>{ format!("This capture has {} warning{}: ", warnings.len(), if warnings.len() == 1 { "" } else { "s" }) }</strong>
            { format!("{}{more}. ", first.message) }
            { "What was read before a problem is in the report. " }
            <button type="button" class="link" onclick={on_warnings.reform(|_: MouseEvent| ())}>
                { "See the warnings" }
            </button>
        </div>
    }
}

/// Counts as labelled horizontal bars, largest first.
fn breakdown(title: &str, counts: &BTreeMap<String, u64>, badges: bool) -> Html {
    let mut rows: Vec<(&String, &u64)> = counts.iter().collect();
    rstscope_core::sort::sort_by(&mut rows, |a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let max = rows.first().map_or(1, |(_, n)| **n).max(1);
    html! {
        <div class="breakdown">
            <h2 class="mini">{ title.to_string() }</h2>
            if rows.is_empty() {
                <p class="muted">{ "No resets." }</p>
            }
            { for rows.into_iter().map(|(name, count)| html! {
                <div class="breakdown-row">
                    <span class="breakdown-name">
                        if badges { { origin_badge(name) } } else { { name.clone() } }
                    </span>
                    { bar(*count as f64 * 100.0 / max as f64,
                          if badges { format!("fill-{name}") } else { "fill-cause".into() }) }
                    <span class="breakdown-count">{ *count }</span>
                </div>
            }) }
        </div>
    }
}

/// The hosts in the most resets; a click shows their resets in the table.
fn top_talkers(talkers: &[TopTalker], on_talker: &Callback<String>) -> Html {
    if talkers.is_empty() {
        return html! {};
    }
    let row = |talker: &TopTalker| {
        let host = talker.host.clone();
        let onclick = on_talker.reform(move |_: MouseEvent| host.clone());
        // Origins in their usual order, each with its count.
        let origins = Origin::ALL.iter().filter_map(|origin| {
            let count = talker.by_origin.get(origin.as_str())?;
            Some(html! {
                <span class="talker-origin">{ origin_badge(origin.as_str()) }{ format!(" {count}") }</span>
            })
        });
        html! {
            <tr data-testid="talker-row" data-host={talker.host.clone()}>
                <td>
                    <button class="link mono" title="Show this host's resets" {onclick}>
                        { talker.host.clone() }
                    </button>
                </td>
                <td class="num">{ talker.resets }</td>
                <td class="num">{ talker.sent }</td>
                <td class="num">{ talker.received }</td>
                <td class="talker-origins">{ for origins }</td>
            </tr>
        }
    };
    html! {
        <div class="top-talkers" data-testid="top-talkers">
            <h2 class="mini">{ "Top talkers" }</h2>
            <div class="table-scroll">
                <table class="data">
                    <thead><tr>
                        <th>{ "Host" }</th>
                        <th class="num" title="Resets it sent or received">{ "Resets" }</th>
                        <th class="num" title="Resets carrying its address, whoever really sent them">{ "Sent" }</th>
                        <th class="num">{ "Received" }</th>
                        <th>{ "Origin" }</th>
                    </tr></thead>
                    <tbody>{ for talkers.iter().map(row) }</tbody>
                </table>
            </div>
        </div>
    }
}
