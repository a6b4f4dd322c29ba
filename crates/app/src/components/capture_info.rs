use yew::prelude::*;

use super::Shared;
use crate::format;
use crate::protocol::RunStats;
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Shared<Report>,
    pub stats: Option<RunStats>,
}

/// What the file held besides resets, and every problem met reading it.
#[component]
pub fn CaptureInfoView(props: &Props) -> Html {
    let capture = &props.report.capture;
    let row = |label: &str, value: String| html! { <tr><th>{ label.to_string() }</th><td>{ value }</td></tr> };
    html! {
        <section class="table-panel capture-info" aria-label="Capture">
            <div class="info-grid">
                <table class="kv">
                    if let Some(stats) = &props.stats {
                        { row("format", format!("{}{}", stats.format, if stats.compressed { " (gzip)" } else { "" })) }
                        { row("size", format::bytes(stats.bytes)) }
                        { row("analysed in", format!("{} ({:.1} MB/s)", format::duration(stats.seconds),
                            stats.bytes as f64 / 1e6 / stats.seconds.max(1e-3))) }
                        // Tells a slow run's cause: the browser's file read, or the analysis.
                        { row("of which analysing", format!("{} (the rest: the browser reading the file)",
                            format::duration(stats.analysis_seconds))) }
                    }
                    { row("first frame", capture.first_time.map_or("-".into(), format::utc)) }
                    { row("last frame", capture.last_time.map_or("-".into(), format::utc)) }
                    { row("packets", capture.packets.to_string()) }
                    { row("TCP packets", capture.tcp_packets.to_string()) }
                    { row("cut by snaplen", capture.truncated_frames.to_string()) }
                    { row("evicted connections", capture.evicted_connections.to_string()) }
                    // The build that analysed it (a shared report's sender's).
                    <tr><th>{ "analysed by" }</th>
                        <td class="mono" data-testid="report-generator">
                            { props.report.generator.clone().unwrap_or_else(|| "-".into()) }
                        </td></tr>
                </table>
                <table class="kv">
                    { for capture.link_types.iter().map(|l| row(&format!("link {} ({})", l.name, l.id), l.frames.to_string())) }
                    { for capture.other.iter().map(|(kind, n)| row(kind, n.to_string())) }
                </table>
            </div>
            <h3>{ format!("Warnings ({})", capture.warnings.len()) }</h3>
            if capture.warnings.is_empty() {
                <p class="muted">{ "The capture was read without problems." }</p>
            } else {
                <div class="table-scroll">
                    <table class="data">
                        <thead><tr><th>{ "Kind" }</th><th class="num">{ "Frame" }</th><th class="num">{ "Offset" }</th><th>{ "Message" }</th></tr></thead>
                        <tbody>
                            { for capture.warnings.iter().map(|w| html! {
                                <tr>
                                    <td class="mono">{ w.kind.as_str() }</td>
                                    <td class="num">{ w.frame.map(|f| f.to_string()).unwrap_or_default() }</td>
                                    <td class="num">{ w.offset.map(|o| o.to_string()).unwrap_or_default() }</td>
                                    <td>{ w.message.clone() }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            }
        </section>
    }
}
