//! The report's tables under its tabs: resets, connections, the capture.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::capture_info::CaptureInfoView;
use super::connections_table::ConnectionsTable;
use super::resets_table::ResetsTable;
use super::Shared;
use crate::format::TimeMode;
use crate::protocol::{CaptureFile, RunStats};
use rstscope_core::Report;

/// A tab of the report's tables.
#[derive(Clone, Copy, PartialEq)]
pub enum Tab {
    Resets,
    Connections,
    Capture,
}

impl Tab {
    const ALL: [Tab; 3] = [Tab::Resets, Tab::Connections, Tab::Capture];

    fn id(self) -> &'static str {
        match self {
            Self::Resets => "tab-resets",
            Self::Connections => "tab-connections",
            Self::Capture => "tab-capture",
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub report: Shared<Report>,
    /// The tab shown, and a tab picked; `tabs` is the tab list's node.
    pub tab: Tab,
    pub on_tab: Callback<Tab>,
    pub tabs: NodeRef,
    /// The resets table's selected reset, filter and times.
    pub selected: Option<u64>,
    pub on_select: Callback<Option<u64>>,
    pub host_filter: AttrValue,
    pub on_filter_host: Callback<String>,
    pub time_mode: TimeMode,
    pub on_time_mode: Callback<TimeMode>,
    /// A connection opened from its table: its id.
    pub on_open_connection: Callback<u32>,
    pub capture: Option<CaptureFile>,
    pub stats: Option<RunStats>,
}

/// The tab list and the panel of the tab shown.
#[component]
pub fn ReportTables(props: &Props) -> Html {
    let report = &props.report;
    let tab = props.tab;
    let panel = match tab {
        Tab::Resets => html! {
            <ResetsTable report={report.clone()} selected={props.selected}
                         on_select={props.on_select.clone()}
                         host={props.host_filter.clone()}
                         on_host={props.on_filter_host.clone()}
                         time_mode={props.time_mode} on_time_mode={props.on_time_mode.clone()}
                         capture={props.capture.clone()} />
        },
        Tab::Connections => html! {
            <ConnectionsTable report={report.clone()} on_open={props.on_open_connection.clone()} />
        },
        Tab::Capture => html! {
            <CaptureInfoView report={report.clone()} stats={props.stats.clone()} />
        },
    };
    html! {
        <>
            { tab_list(props) }
            <div role="tabpanel" id={format!("{}-panel", tab.id())} aria-labelledby={tab.id()}
                 class="tab-panel">
                { panel }
            </div>
        </>
    }
}

/// The tabs, as the WAI-ARIA tabs pattern has them: one Tab stop (the
/// selected tab), Left/Right/Home/End move and select.
fn tab_list(props: &Props) -> Html {
    let (current, report) = (props.tab, &props.report);
    let warnings = report.capture.warnings.len();
    let label = |which: Tab| match which {
        Tab::Resets => format!("Resets ({})", report.resets.len()),
        Tab::Connections => format!("Connections ({})", report.connections.len()),
        Tab::Capture => match warnings {
            0 => "Capture".to_string(),
            n => format!("Capture ({n} warnings)"),
        },
    };
    let onkeydown = {
        let (on_tab, tabs) = (props.on_tab.clone(), props.tabs.clone());
        Callback::from(move |e: KeyboardEvent| {
            let at = Tab::ALL.iter().position(|t| *t == current).unwrap_or(0);
            let last = Tab::ALL.len() - 1;
            let next = match e.key().as_str() {
                "ArrowRight" => (at + 1) % Tab::ALL.len(),
                "ArrowLeft" => (at + last) % Tab::ALL.len(),
                "Home" => 0,
                "End" => last,
                _ => return,
            };
            e.prevent_default();
            let which = Tab::ALL[next];
            on_tab.emit(which);
            focus_by_id(&tabs, which.id());
        })
    };
    html! {
        <div class="tabs" role="tablist" aria-label="Report tables" ref={props.tabs.clone()} {onkeydown}>
            { for Tab::ALL.iter().map(|&which| {
                let on_tab = props.on_tab.clone();
                let selected = current == which;
                html! {
                    <button type="button" role="tab" id={which.id()} class={classes!("tab", selected.then_some("active"))}
                            aria-selected={selected.to_string()} aria-controls={format!("{}-panel", which.id())}
                            tabindex={if selected { "0" } else { "-1" }} onclick={move |_| on_tab.emit(which)}>
                        { label(which) }
                    </button>
                }
            }) }
        </div>
    }
}

fn focus_by_id(root: &NodeRef, id: &str) {
    let target = root
        .cast::<web_sys::Element>()
        .and_then(|r| r.query_selector(&format!("#{id}")).ok().flatten())
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(el) = target {
        let _ = el.focus();
    }
}
