use yew::prelude::*;

use super::aligned_ladder::AlignedLadder;
use super::{origin_badge, relative_time, Shared};
use crate::comparison;
use crate::format;
use rstscope_core::report::{
    CaptureName, CaptureVantage, Comparison, Endpoint, MatchedConnection, Relation, VantagePoint,
};
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Shared<Report>,
    /// The other end's file name, when known.
    pub peer: Option<AttrValue>,
    pub on_select: Callback<Option<u64>>,
}

/// The two captures compared: where each was taken and why, the clocks,
/// what the path did to every reset, and what it changed per connection.
#[component]
pub fn ComparisonView(props: &Props) -> Html {
    // The comparison row whose two-capture ladder is open.
    let open = use_state(|| None::<usize>);
    let Some(cmp) = &props.report.comparison else {
        return html! {};
    };
    let other = props
        .peer
        .clone()
        .unwrap_or_else(|| AttrValue::from("the capture from the other end"));
    html! {
        <section class="comparison" aria-label="Comparison with the other end" data-testid="comparison">
            <h2>{ format!("Compared with {other}") }</h2>
            <div class="comparison-summary">
                <div class="vantages">
                    { vantage("This capture", &cmp.main, "main") }
                    { vantage("Other end", &cmp.peer, "peer") }
                </div>
                <div class="comparison-text">
                <ul class="comparison-facts">
                    <li data-testid="clock-offset">{ comparison::offset_text(cmp.clock_offset.as_ref()) }</li>
                    // Without an offset there is no clock to drift.
                    if cmp.clock_offset.is_some() {
                        <li data-testid="clock-drift">{ comparison::drift_text(cmp.drift.as_ref()) }</li>
                    }
                    <li data-testid="match-counts">{ comparison::counts_text(cmp) }</li>
                </ul>
                <ul class="comparison-verdicts">
                    { for comparison::reset_sentences(cmp).into_iter().map(|s| html! {
                        <li data-testid="comparison-sentence">{ s }</li>
                    }) }
                </ul>
                </div>
            </div>
            { aligned(&props.report, cmp, &props.on_select) }
            { resets_table(&props.report, cmp, &open) }
            { detail(props, cmp, &open) }
            { matched_table(cmp) }
        </section>
    }
}

fn vantage(title: &str, side: &CaptureVantage, which: &str) -> Html {
    html! {
        <div class="vantage" data-testid={format!("vantage-{which}")}
             data-vantage={side.vantage.as_str()}>
            <div class="stat-label">{ title.to_string() }</div>
            <div class="vantage-name">{ comparison::vantage_label(side.vantage) }</div>
            if let Some((first, rest)) = side.why.split_first() {
                <p class="muted why-first">{ first.clone() }</p>
                if !rest.is_empty() {
                    <details>
                        <summary class="muted">{ format!("{} more signals", rest.len()) }</summary>
                        <ul class="muted">
                            { for rest.iter().map(|why| html! { <li>{ why.clone() }</li> }) }
                        </ul>
                    </details>
                }
            }
        </div>
    }
}

const WIDTH: f64 = 1000.0;
const LEFT: f64 = 150.0;
const LANE: f64 = 30.0;

/// Both captures' resets side by side on this capture's clock (the other
/// end's moved by the clock offset and drift): a line joins the two sightings
/// of a RST that crossed the path; a lone dot was made or lost on it.
fn aligned(report: &Report, cmp: &Comparison, on_select: &Callback<Option<u64>>) -> Html {
    if cmp.resets.is_empty() {
        return html! {};
    }
    let at = |r: &rstscope_core::report::ComparedReset| r.main_time;
    let times = cmp.resets.iter().map(at);
    let start = times.clone().fold(f64::INFINITY, f64::min);
    let start = report.capture.first_time.map_or(start, |f| f.min(start));
    let end = times.fold(f64::NEG_INFINITY, f64::max);
    let end = report.capture.last_time.map_or(end, |l| l.max(end));
    let span = (end - start).max(1e-6);
    let x = |t: f64| LEFT + (t - start) / span * (WIDTH - LEFT - 10.0);
    let lane_y = |c: CaptureName| match c {
        CaptureName::Main => LANE / 2.0,
        CaptureName::Peer => LANE * 1.5 + 10.0,
    };
    let height = LANE * 2.0 + 34.0;
    let side = |c: CaptureName| {
        let v = match c {
            CaptureName::Main => cmp.main.vantage,
            CaptureName::Peer => cmp.peer.vantage,
        };
        let which = if c == CaptureName::Main {
            "here"
        } else {
            "other end"
        };
        match v {
            VantagePoint::Unknown => which.to_string(),
            known => format!("{which} · {}", comparison::vantage_label(known)),
        }
    };
    let links = cmp
        .resets
        .iter()
        .filter(|r| r.capture == CaptureName::Main)
        .filter_map(|r| {
            let other = cmp
                .resets
                .iter()
                .find(|p| p.capture == CaptureName::Peer && Some(p.frame) == r.peer_frame)?;
            Some(html! {
                <line class="crossing" x1={format!("{:.1}", x(at(r)))} y1={lane_y(CaptureName::Main).to_string()}
                      x2={format!("{:.1}", x(at(other)))} y2={lane_y(CaptureName::Peer).to_string()} />
            })
        });
    let dots = cmp.resets.iter().take(super::MAX_ROWS).map(|r| {
        let main_frame = match r.capture {
            CaptureName::Main => Some(r.frame),
            CaptureName::Peer => r.peer_frame,
        };
        let onclick = on_select.reform(move |_: MouseEvent| main_frame);
        html! {
            <circle class={classes!("dot", format!("fill-{}", r.origin.as_str()),
                                    (r.seen_at != rstscope_core::report::SeenAt::Both).then_some("lone"))}
                    cx={format!("{:.1}", x(at(r)))} cy={lane_y(r.capture).to_string()} r="6" {onclick}>
                <title>{ format!("{} frame {} · seen at {} · {} · {}", side(r.capture), r.frame,
                                 r.seen_at.as_str(), r.origin.as_str(), r.cause.as_str()) }</title>
            </circle>
        }
    });
    let lanes = [CaptureName::Main, CaptureName::Peer].map(|c| {
        let y = lane_y(c);
        html! {
            <g>
                <line class="lane" x1={LEFT.to_string()} x2={WIDTH.to_string()}
                      y1={y.to_string()} y2={y.to_string()} />
                <text class="lane-label" x="0" y={(y + 4.0).to_string()}>{ side(c) }</text>
            </g>
        }
    });
    let axis_y = height - 6.0;
    html! {
        <div class="aligned" data-testid="aligned-timeline">
            <svg viewBox={format!("0 0 {WIDTH} {height}")} role="img"
                 aria-label="The resets of both captures on one clock">
                { for lanes }
                { for links }
                { for dots }
                <text class="axis" x={LEFT.to_string()} y={axis_y.to_string()}>
                    { format!("{} ({})", format::utc(start), if cmp.clock_offset.is_some() {
                        "this capture's clock; the other end's shifted by the offset"
                    } else {
                        "each capture's own clock: no offset is known"
                    }) }
                </text>
                <text class="axis" x={WIDTH.to_string()} y={axis_y.to_string()} text-anchor="end">
                    { format!("+{}", format::duration(span)) }
                </text>
            </svg>
        </div>
    }
}

/// The open row's reset at both ends, and a way to its single-capture detail.
fn detail(props: &Props, cmp: &Comparison, open: &UseStateHandle<Option<usize>>) -> Html {
    let Some((index, reset)) = open.and_then(|i| Some((i, cmp.resets.get(i)?))) else {
        return html! {};
    };
    let main_frame = match reset.capture {
        CaptureName::Main => Some(reset.frame),
        CaptureName::Peer => reset.peer_frame,
    };
    let close = {
        let open = open.clone();
        move |_: MouseEvent| open.set(None)
    };
    html! {
        <div class="aligned-detail" data-testid="aligned-detail">
            <div class="drawer-head">
                <h3>{ format!("Frame {} of {} at both ends", reset.frame,
                              comparison::capture_label(cmp, reset.capture)) }</h3>
                <div class="aligned-actions">
                    if let Some(frame) = main_frame {
                        <button class="button" onclick={props.on_select.reform(move |_: MouseEvent| Some(frame))}>
                            { "Reset details" }
                        </button>
                    }
                    <button class="button" onclick={close} aria-label="Close the two-capture ladder">{ "Close ✕" }</button>
                </div>
            </div>
            <AlignedLadder report={props.report.clone()} {index} />
        </div>
    }
}

fn resets_table(report: &Report, cmp: &Comparison, open: &UseStateHandle<Option<usize>>) -> Html {
    if cmp.resets.is_empty() {
        return html! { <p class="muted">{ "Neither capture has a reset." }</p> };
    }
    let start = report.capture.first_time;
    html! {
        <div class="table-scroll" tabindex="0" role="region" aria-label="Resets of both captures">
            <table class="data comparison-resets">
                <caption>{ "Every reset of either capture, after comparing them: pick one to see its connection at both ends" }</caption>
                <thead><tr>
                    <th>{ "Capture" }</th><th class="num">{ "Frame" }</th>
                    <th title="In this capture's clock">{ "Time" }</th>
                    <th>{ "Seen at" }</th><th class="num">{ "Other frame" }</th>
                    <th>{ "Claims to be from" }</th><th>{ "Origin" }</th><th>{ "Cause" }</th>
                    <th class="num">{ "Confidence" }</th><th>{ "Why" }</th>
                </tr></thead>
                <tbody>
                    { for cmp.resets.iter().enumerate().map(|(index, r)| {
                        let fate = comparison::fate_text(cmp, r);
                        let time = r.main_time;
                        let selected = **open == Some(index);
                        let onclick = {
                            let open = open.clone();
                            move |_: MouseEvent| open.set(Some(index))
                        };
                        let onkeydown = {
                            let open = open.clone();
                            move |e: KeyboardEvent| {
                                if e.key() == "Enter" || e.key() == " " {
                                    e.prevent_default();
                                    open.set(Some(index));
                                }
                            }
                        };
                        let why = r.evidence.first().map(|e| e.finding.clone()).unwrap_or_default();
                        html! {
                            <tr data-testid="comparison-row" data-capture={r.capture.as_str()}
                                data-frame={r.frame.to_string()} data-seen-at={r.seen_at.as_str()}
                                data-fate={r.fate.as_str()}
                                data-origin={r.origin.as_str()} data-cause={r.cause.as_str()}
                                class={classes!("clickable", selected.then_some("selected"))}
                                tabindex="0" aria-selected={selected.to_string()} {onclick} {onkeydown}>
                                <td>{ if r.capture == CaptureName::Main { "this" } else { "other end" } }</td>
                                <td class="num">{ r.frame }</td>
                                <td>{ relative_time(time, start) }</td>
                                <td title={fate}>
                                    <span class={classes!("seen", format!("seen-{}", r.seen_at.as_str()))}>
                                        { r.seen_at.as_str() }
                                    </span>
                                </td>
                                <td class="num">{ r.peer_frame.map_or("-".to_string(), |f| f.to_string()) }</td>
                                <td>{ r.sender.as_str() }</td>
                                <td>{ origin_badge(r.origin.as_str()) }</td>
                                <td>{ r.cause.as_str() }</td>
                                <td class="num">{ format::percent(r.confidence) }</td>
                                <td class="why">{ why }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}

fn matched_table(cmp: &Comparison) -> Html {
    let ends = |client: &Endpoint, server: &Endpoint| format!("{client} → {server}");
    html! {
        <details class="comparison-connections"
                 open={cmp.relation == Relation::TwoVantages && cmp.matched.len() <= 20}>
            <summary>{ format!("Connections: {} matched, {} in one capture only",
                               cmp.matched.len(), cmp.unmatched.len()) }</summary>
            <div class="table-scroll" tabindex="0" role="region" aria-label="Connections of both captures">
                <table class="data">
                    <thead><tr>
                        <th>{ "Here" }</th><th>{ "At the other end" }</th><th>{ "Matched by" }</th>
                        <th class="num">{ "Packets in both" }</th><th>{ "What the path changed" }</th>
                    </tr></thead>
                    <tbody>
                        { for cmp.matched.iter().map(|m: &MatchedConnection| html! {
                            <tr data-testid="matched-connection" data-how={m.how.as_str()}>
                                <td>{ ends(&m.main_client, &m.main_server) }</td>
                                <td>{ ends(&m.peer_client, &m.peer_server) }</td>
                                <td>{ format!("{} ({})", m.how.as_str(), format::percent(m.confidence)) }</td>
                                <td class="num">{ m.packets_matched }</td>
                                <td>
                                    if m.differences.is_empty() {
                                        <span class="muted">{ "nothing" }</span>
                                    } else {
                                        <ul class="differences">
                                            { for m.differences.iter().map(|d| html! {
                                                <li data-kind={d.kind.clone()}>
                                                    <span class="badge">{ d.kind.clone() }</span>{ " " }{ d.finding.clone() }
                                                </li>
                                            }) }
                                        </ul>
                                    }
                                </td>
                            </tr>
                        }) }
                        { for cmp.unmatched.iter().map(|u| html! {
                            <tr data-testid="unmatched-connection" class="muted">
                                if u.capture == CaptureName::Main {
                                    <td>{ ends(&u.client, &u.server) }</td><td>{ "-" }</td>
                                } else {
                                    <td>{ "-" }</td><td>{ ends(&u.client, &u.server) }</td>
                                }
                                <td colspan="3">{ u.reason.clone() }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        </details>
    }
}
