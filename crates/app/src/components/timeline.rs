//! The timeline: resets over the capture's span, one lane per origin, in
//! front of the connections open at the time. The dots ([`dots`]) and the
//! activity bars behind them ([`activity`]) are parts of their own.

mod activity;
mod dots;

use yew::prelude::*;

use super::Shared;
use crate::format;
use activity::ActivityBars;
use dots::{focus_dot, TimelineDots, MAX_DOTS};
use rstscope_core::report::Origin;
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Shared<Report>,
    pub on_select: Callback<Option<u64>>,
}

const WIDTH: f64 = 1000.0;
const LANE: f64 = 22.0;
const LEFT: f64 = 90.0;

/// Where a time is drawn: the plot's x axis spans the capture.
#[derive(Clone, Copy, PartialEq)]
pub struct Scale {
    start: f64,
    span: f64,
}

impl Scale {
    /// From the capture's first to its last frame (else its resets' times).
    fn of(report: &Report) -> Self {
        let times = report.resets.iter().map(|r| r.time);
        let start = report
            .capture
            .first_time
            .unwrap_or_else(|| times.clone().fold(f64::INFINITY, f64::min));
        let end = report
            .capture
            .last_time
            .unwrap_or_else(|| times.fold(f64::NEG_INFINITY, f64::max));
        Self {
            start,
            span: (end - start).max(1e-6),
        }
    }

    fn x(self, time: f64) -> f64 {
        LEFT + (time - self.start) / self.span * (WIDTH - LEFT - 10.0)
    }
}

/// The plot: lanes, bars, dots and the time axis. The dots are one Tab
/// stop: Left/Right go to the previous or next reset in time, Home/End to
/// the first and last, Enter opens it.
#[component]
pub fn Timeline(props: &Props) -> Html {
    let active = use_state(|| 0usize);
    let dots_ref = use_node_ref();
    let report = &props.report;
    if report.resets.is_empty() && report.connections.is_empty() {
        return html! {};
    }
    let scale = Scale::of(report);
    let height = LANE * Origin::ALL.len() as f64 + 24.0;
    let count = report.resets.len().min(MAX_DOTS);
    let current = (*active).min(count.saturating_sub(1));
    let onkeydown = keys(report, current, &active, &dots_ref, &props.on_select);
    let axis_y = LANE * Origin::ALL.len() as f64 + 16.0;
    let peak = (report.summary.activity.buckets.iter())
        .map(|b| b.active)
        .max()
        .unwrap_or(0);
    html! {
        <section class="timeline" aria-label="Resets over time">
            <svg viewBox={format!("0 0 {WIDTH} {height}")} role="group" ref={dots_ref} {onkeydown}
                 aria-label={format!("{} resets over {}; arrow keys move between them, Enter opens one",
                                     report.resets.len(), format::duration(scale.span))}>
                <ActivityBars report={report.clone()} {peak} height={LANE * Origin::ALL.len() as f64} />
                { lanes() }
                <TimelineDots report={report.clone()} {scale} {current}
                              on_active={active.setter().to_callback()} on_select={props.on_select.clone()} />
                <text class="axis" aria-hidden="true" x={LEFT.to_string()} y={axis_y.to_string()}>{ format::utc(scale.start) }</text>
                <text class="axis" aria-hidden="true" x={WIDTH.to_string()} y={axis_y.to_string()} text-anchor="end">
                    { format!("+{}", format::duration(scale.span)) }
                </text>
            </svg>
            if peak > 0 {
                <p class="muted legend">
                    <span class="legend-swatch" aria-hidden="true"></span>
                    { format!(" connections open (at most {peak} at once)") }
                </p>
            }
        </section>
    }
}

/// One lane per origin, labelled.
fn lanes() -> Html {
    let lanes = Origin::ALL.iter().enumerate().map(|(i, origin)| {
        let y = LANE * i as f64 + LANE / 2.0;
        html! {
            <g aria-hidden="true">
                <line class="lane" x1={LEFT.to_string()} x2={WIDTH.to_string()}
                      y1={y.to_string()} y2={y.to_string()} />
                <text class="lane-label" x="0" y={(y + 4.0).to_string()}>{ origin.as_str() }</text>
            </g>
        }
    });
    html! { <>{ for lanes }</> }
}

/// The plot's keys: arrows, Home and End move between the dots (`current`
/// is the one with the focus), Enter or Space opens its reset.
fn keys(
    report: &Report,
    current: usize,
    active: &UseStateHandle<usize>,
    dots_ref: &NodeRef,
    on_select: &Callback<Option<u64>>,
) -> Callback<KeyboardEvent> {
    let (active, dots_ref, on_select) = (active.clone(), dots_ref.clone(), on_select.clone());
    let frames: Vec<u64> = report
        .resets
        .iter()
        .take(MAX_DOTS)
        .map(|r| r.frame)
        .collect();
    let last = frames.len().saturating_sub(1);
    Callback::from(move |e: KeyboardEvent| {
        let next = match e.key().as_str() {
            "ArrowRight" | "ArrowDown" => (current + 1).min(last),
            "ArrowLeft" | "ArrowUp" => current.saturating_sub(1),
            "Home" => 0,
            "End" => last,
            "Enter" | " " => {
                e.prevent_default();
                on_select.emit(frames.get(current).copied());
                return;
            }
            _ => return,
        };
        e.prevent_default();
        active.set(next);
        focus_dot(&dots_ref, next);
    })
}
