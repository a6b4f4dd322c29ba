//! The bars behind the timeline's dots: the connections open over time.

use yew::prelude::*;

use super::{LEFT, WIDTH};
use crate::components::Shared;
use crate::format;
use rstscope_core::Report;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Shared<Report>,
    /// The most connections open in one bucket: the tallest bar.
    pub peak: u64,
    /// The plot's height.
    pub height: f64,
}

/// One bar per activity bucket, as tall as the connections open in it
/// (relative to the busiest), across the plot's width.
#[component]
pub fn ActivityBars(props: &Props) -> Html {
    let (activity, peak, height) = (&props.report.summary.activity, props.peak, props.height);
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
