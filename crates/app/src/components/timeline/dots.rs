//! The timeline's dots: one per reset (the first [`MAX_DOTS`]), in its
//! origin's lane at its time; a click opens it.

use yew::prelude::*;

use super::{Scale, LANE};
use crate::components::Shared;
use crate::format::{self, TimeMode};
use rstscope_core::report::Origin;
use rstscope_core::Report;

/// Most dots drawn; a dense capture still reads as a band of colour.
pub const MAX_DOTS: usize = 5000;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Shared<Report>,
    pub scale: Scale,
    /// The dot that is the plot's Tab stop.
    pub current: usize,
    /// A dot was clicked: it becomes the Tab stop.
    pub on_active: Callback<usize>,
    pub on_select: Callback<Option<u64>>,
}

#[component]
pub fn TimelineDots(props: &Props) -> Html {
    let scale = props.scale;
    let dots = props
        .report
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
                let on_active = props.on_active.clone();
                props.on_select.reform(move |_: MouseEvent| {
                    on_active.emit(i);
                    Some(frame)
                })
            };
            let label = format!(
                "Frame {frame}: {}, {}, {} s after the start",
                reset.origin.as_str(),
                reset.cause.as_str(),
                TimeMode::Relative.show(reset.time, Some(scale.start), None)
            );
            html! {
                <circle class={classes!("dot", format!("fill-{}", reset.origin.as_str()))}
                        cx={format!("{:.1}", scale.x(reset.time))}
                        cy={format!("{:.1}", LANE * lane as f64 + LANE / 2.0)} r="5" {onclick}
                        role="button" tabindex={if i == props.current { "0" } else { "-1" }}
                        aria-label={label} data-dot={i.to_string()} data-testid="timeline-dot">
                    <title>{ format!("Frame {} · {} · {} · {}", frame, reset.cause.as_str(),
                        reset.src, format::utc(reset.time)) }</title>
                </circle>
            }
        });
    html! { <>{ for dots }</> }
}

/// Moves the focus to the dot at `index` in the plot `svg`.
pub fn focus_dot(svg: &NodeRef, index: usize) {
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
