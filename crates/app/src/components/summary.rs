use std::collections::BTreeMap;

use yew::prelude::*;

use super::{bar, origin_badge, Shared};
use crate::protocol::RunStats;
use crate::{comparison, format};
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Shared<Report>,
    pub name: AttrValue,
    pub stats: Option<RunStats>,
}

/// The headline, the key numbers and the resets by origin and by cause.
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
            <div class="summary-file muted">{ props.name.clone() }</div>
            <p class="headline">{ report.summary.headline.clone() }</p>
            if let Some(cmp) = &report.comparison {
                <p class="compare-headline" data-testid="compare-headline">
                    { format!("Compared with the other end ({} here, {} there): ",
                              comparison::vantage_label(cmp.main.vantage),
                              comparison::vantage_label(cmp.peer.vantage)) }
                    { comparison::reset_sentences(cmp).join(" ") }
                </p>
            }
            <div class="stats">
                { stat("resets", html! { <span data-testid="reset-count">{ report.resets.len() }</span> }) }
                { stat("connections", html! { { report.connections.len() } }) }
                { stat("TCP packets", html! { { capture.tcp_packets } }) }
                { stat("packets", html! { { capture.packets } }) }
                { stat("span", html! { { span } }) }
            </div>
            <div class="breakdowns">
                { breakdown("By origin", &report.summary.by_origin, true) }
                { breakdown("By cause", &report.summary.by_cause, false) }
            </div>
        </section>
    }
}

/// Counts as labelled horizontal bars, largest first.
fn breakdown(title: &str, counts: &BTreeMap<String, u64>, badges: bool) -> Html {
    let mut rows: Vec<(&String, &u64)> = counts.iter().collect();
    rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let max = rows.first().map_or(1, |(_, n)| **n).max(1);
    html! {
        <div class="breakdown">
            <h3>{ title.to_string() }</h3>
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
