//! The UI, one component per file. Components only render the `Report`;
//! every verdict comes from rstscope-core.

pub mod aligned_ladder;
pub mod app;
pub mod capture_info;
pub mod comparison_view;
pub mod connection_detail;
pub mod connections_table;
pub mod copy_button;
pub mod drawer;
pub mod drop_zone;
pub mod error_banner;
pub mod export_pcap;
pub mod grid_keys;
pub mod incidents_view;
pub mod ladder;
pub mod live_resets;
pub mod packet_filters;
pub mod packet_list;
pub mod pager;
pub mod peer_zone;
pub mod progress;
pub mod report_tables;
pub mod report_view;
pub mod reset_detail;
pub mod resets_table;
pub mod share_panel;
pub mod summary;
pub mod summary_first;
pub mod term;
pub mod time_select;
pub mod timeline;
pub mod update_notice;

use std::ops::Deref;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

use yew::{classes, html, Html};

/// An `Rc` compared by identity, so props holding a large report compare in
/// O(1) (the report never changes after it is made).
#[derive(Debug)]
pub struct Shared<T>(pub Rc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// A coloured label for an origin ("middlebox", ...); colours live in style.css.
pub fn origin_badge(origin: &str) -> Html {
    html! { <span class={classes!("badge", format!("origin-{origin}"))}>{ origin }</span> }
}

/// A horizontal bar filled to `percent`. SVG rather than a `style` width:
/// the Content-Security-Policy allows no inline styles.
pub fn bar(percent: f64, fill_class: String) -> Html {
    let width = format!("{:.2}", percent.clamp(0.0, 100.0));
    html! {
        <svg class="bar" viewBox="0 0 100 1" preserveAspectRatio="none" aria-hidden="true">
            <rect class="bar-track" width="100" height="1" />
            <rect class={classes!("bar-fill", fill_class)} {width} height="1" />
        </svg>
    }
}

/// Seconds after the capture's first frame, as "+12.345 s".
pub fn relative_time(time: f64, start: Option<f64>) -> String {
    format!("+{:.3} s", (time - start.unwrap_or(time)).max(0.0))
}

/// Most table rows put in the page at once; filters narrow the rest down.
pub const MAX_ROWS: usize = 2000;

/// An id no other element of the page has, for ARIA references.
pub fn unique_id(prefix: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("{prefix}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}
