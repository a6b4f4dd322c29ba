use yew::prelude::*;

use super::capture_info::CaptureInfoView;
use super::comparison_view::ComparisonView;
use super::connections_table::ConnectionsTable;
use super::reset_detail::ResetDetail;
use super::resets_table::ResetsTable;
use super::share_panel::SharePanel;
use super::summary::SummaryView;
use super::timeline::Timeline;
use super::Shared;
use crate::state::{Loaded, Source};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub loaded: Shared<Loaded>,
    pub selected: Option<u64>,
    pub on_select: Callback<Option<u64>>,
    /// The resets table's host filter, and how to change it.
    pub host_filter: AttrValue,
    pub on_filter_host: Callback<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Tab {
    Resets,
    Connections,
    Capture,
}

/// A finished report: summary, timeline, sharing, then the tables.
#[component]
pub fn ReportView(props: &Props) -> Html {
    let tab = use_state(|| Tab::Resets);
    let loaded = &props.loaded;
    let report = Shared(loaded.report.clone());
    let name = match &loaded.source {
        Source::Capture(name) => name.clone(),
        Source::Link => "shared report".to_string(),
    };

    let tab_button = |which: Tab, label: String| {
        let tab = tab.clone();
        let selected = *tab == which;
        html! {
            <button role="tab" class={classes!("tab", selected.then_some("active"))}
                    aria-selected={selected.to_string()} onclick={move |_| tab.set(which)}>
                { label }
            </button>
        }
    };
    // A top talker clicked: its resets, in the table, in view.
    let tabs_ref = use_node_ref();
    let on_talker = {
        let (tab, tabs_ref, on_filter_host) =
            (tab.clone(), tabs_ref.clone(), props.on_filter_host.clone());
        Callback::from(move |host: String| {
            on_filter_host.emit(host);
            tab.set(Tab::Resets);
            if let Some(tabs) = tabs_ref.cast::<web_sys::Element>() {
                tabs.scroll_into_view();
            }
        })
    };
    let selected_reset = props
        .selected
        .and_then(|frame| report.resets.iter().find(|r| r.frame == frame));

    html! {
        <div class="report">
            <div class="report-top">
                <SummaryView report={report.clone()} name={name.clone()} stats={loaded.stats.clone()}
                             {on_talker} />
                <SharePanel report={report.clone()} {name} />
            </div>
            <ComparisonView report={report.clone()} peer={loaded.peer.clone().map(AttrValue::from)}
                            on_select={props.on_select.clone()} />
            <Timeline report={report.clone()} on_select={props.on_select.clone()} />
            <div class="tabs" role="tablist" ref={tabs_ref}>
                { tab_button(Tab::Resets, format!("Resets ({})", report.resets.len())) }
                { tab_button(Tab::Connections, format!("Connections ({})", report.connections.len())) }
                { tab_button(Tab::Capture, match report.capture.warnings.len() {
                    0 => "Capture".to_string(),
                    n => format!("Capture ({n} warnings)"),
                }) }
            </div>
            {
                match *tab {
                    Tab::Resets => html! {
                        <ResetsTable report={report.clone()} selected={props.selected}
                                     on_select={props.on_select.clone()}
                                     host={props.host_filter.clone()}
                                     on_host={props.on_filter_host.clone()} />
                    },
                    Tab::Connections => html! {
                        <ConnectionsTable report={report.clone()} on_select={props.on_select.clone()} />
                    },
                    Tab::Capture => html! {
                        <CaptureInfoView report={report.clone()} stats={loaded.stats.clone()} />
                    },
                }
            }
            if let Some(reset) = selected_reset {
                <ResetDetail reset={reset.clone()} report={report.clone()}
                             on_close={props.on_select.reform(|()| None)} />
            }
        </div>
    }
}
