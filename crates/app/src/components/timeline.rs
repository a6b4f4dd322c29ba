use yew::prelude::*;

use super::Shared;
use crate::format::{self, TimeMode};
use rstscope_core::report::{Activity, Origin};
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Shared<Report>,
    pub on_select: Callback<Option<u64>>,
}

const WIDTH: f64 = 1000.0;
const LANE: f64 = 22.0;
const LEFT: f64 = 90.0;
/// Most dots drawn; a dense capture still reads as a band of colour.
const MAX_DOTS: usize = 5000;

/// Resets over the capture's span, one lane per origin, in front of the
/// connections open at the time (grey bars); a dot opens its reset. The
/// dots are one Tab stop: Left/Right go to the previous or next reset in
/// time, Home/End to the first and last, Enter opens it.
#[component]
pub fn Timeline(props: &Props) -> Html {
    let active = use_state(|| 0usize);
    let dots_ref = use_node_ref();
    let report = &props.report;
    let activity = &report.summary.activity;
    if report.resets.is_empty() && report.connections.is_empty() {
        return html! {};
    }
    let times = report.resets.iter().map(|r| r.time);
    let start = report
        .capture
        .first_time
        .unwrap_or_else(|| times.clone().fold(f64::INFINITY, f64::min));
    let end = report
        .capture
        .last_time
        .unwrap_or_else(|| times.fold(f64::NEG_INFINITY, f64::max));
    let span = (end - start).max(1e-6);
    let x = |time: f64| LEFT + (time - start) / span * (WIDTH - LEFT - 10.0);
    let height = LANE * Origin::ALL.len() as f64 + 24.0;

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
    let count = report.resets.len().min(MAX_DOTS);
    let current = (*active).min(count.saturating_sub(1));
    let onkeydown = {
        let (active, dots_ref, on_select) =
            (active.clone(), dots_ref.clone(), props.on_select.clone());
        let frames: Vec<u64> = report
            .resets
            .iter()
            .take(MAX_DOTS)
            .map(|r| r.frame)
            .collect();
        Callback::from(move |e: KeyboardEvent| {
            let next = match e.key().as_str() {
                "ArrowRight" | "ArrowDown" => (current + 1).min(count.saturating_sub(1)),
                "ArrowLeft" | "ArrowUp" => current.saturating_sub(1),
                "Home" => 0,
                "End" => count.saturating_sub(1),
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
    };
    let start_time = start;
    let dots = report
        .resets
        .iter()
        .take(MAX_DOTS)
        .enumerate()
        .map(|(i, reset)| {
            let lane = Origin::ALL
                .iter()
                .position(|o| *o == reset.origin)
                .unwrap_or(0);
            let frame = reset.frame;
            let onclick = {
                let active = active.clone();
                props.on_select.reform(move |_: MouseEvent| {
                    active.set(i);
                    Some(frame)
                })
            };
            let label = format!(
                "Frame {frame}: {}, {}, {} s after the start",
                reset.origin.as_str(),
                reset.cause.as_str(),
                TimeMode::Relative.show(reset.time, Some(start_time), None)
            );
            html! {
                <circle class={classes!("dot", format!("fill-{}", reset.origin.as_str()))}
                        cx={format!("{:.1}", x(reset.time))}
                        cy={format!("{:.1}", LANE * lane as f64 + LANE / 2.0)} r="5" {onclick}
                        role="button" tabindex={if i == current { "0" } else { "-1" }}
                        aria-label={label} data-dot={i.to_string()} data-testid="timeline-dot">
                    <title>{ format!("Frame {} · {} · {} · {}", frame, reset.cause.as_str(),
                        reset.src, format::utc(reset.time)) }</title>
                </circle>
            }
        });
    let axis_y = LANE * Origin::ALL.len() as f64 + 16.0;
    let peak = activity.buckets.iter().map(|b| b.active).max().unwrap_or(0);
    html! {
        <section class="timeline" aria-label="Resets over time">
            <svg viewBox={format!("0 0 {WIDTH} {height}")} role="group" ref={dots_ref} {onkeydown}
                 aria-label={format!("{} resets over {}; arrow keys move between them, Enter opens one",
                                     report.resets.len(), format::duration(span))}>
                { activity_bars(activity, peak, LANE * Origin::ALL.len() as f64) }
                { for lanes }
                { for dots }
                <text class="axis" aria-hidden="true" x={LEFT.to_string()} y={axis_y.to_string()}>{ format::utc(start) }</text>
                <text class="axis" aria-hidden="true" x={WIDTH.to_string()} y={axis_y.to_string()} text-anchor="end">
                    { format!("+{}", format::duration(span)) }
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

/// One bar per activity bucket, as tall as the connections open in it
/// (relative to the busiest, `peak`), across the plot's width and `height`.
fn activity_bars(activity: &Activity, peak: u64, height: f64) -> Html {
    if peak == 0 {
        return html! {};
    }
    // The buckets cut the span from first to last frame evenly, as the x axis does.
    let width = (WIDTH - LEFT - 10.0) / activity.buckets.len() as f64;
    let bars = activity.buckets.iter().enumerate().map(|(i, bucket)| {
        let tall = height * bucket.active as f64 / peak as f64;
        let from = activity.bucket_seconds * i as f64;
        html! {
            <rect class="activity-bar" x={format!("{:.1}", LEFT + width * i as f64)}
                  y={format!("{:.1}", height - tall)} width={format!("{width:.1}")}
                  height={format!("{tall:.1}")}>
                <title>{ format!("+{}: {} connections open, {} started, {} resets",
                    format::duration(from), bucket.active, bucket.started, bucket.resets) }</title>
            </rect>
        }
    });
    html! { <g data-testid="activity" aria-hidden="true">{ for bars }</g> }
}

fn focus_dot(svg: &NodeRef, index: usize) {
    use wasm_bindgen::JsCast;
    let dot = svg
        .cast::<web_sys::Element>()
        .and_then(|svg| {
            svg.query_selector(&format!("[data-dot=\"{index}\"]"))
                .ok()
                .flatten()
        })
        .and_then(|el| el.dyn_into::<web_sys::SvgElement>().ok());
    if let Some(dot) = dot {
        let _ = dot.focus();
    }
}
