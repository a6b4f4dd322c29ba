use yew::prelude::*;

use super::comparison_view::ComparisonView;
use super::connection_detail::ConnectionDetail;
use super::incidents_view::IncidentsView;
use super::report_tables::{ReportTables, Tab};
use super::reset_detail::ResetDetail;
use super::share_panel::SharePanel;
use super::summary::SummaryView;
use super::timeline::Timeline;
use super::Shared;
use crate::format::TimeMode;
use crate::hooks::use_stage::{use_stage, Stage};
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

/// A finished report: summary and sharing, the incidents, the comparison,
/// the timeline, then the tables, drawn in that order over three paints
/// ([`use_stage`]); a reset or a connection opened in a drawer.
#[component]
pub fn ReportView(props: &Props) -> Html {
    let tab = use_state(|| Tab::Resets);
    let time_mode = use_state(TimeMode::default);
    let open_connection = use_state(|| None::<u32>);
    let stage = use_stage();
    let loaded = &props.loaded;
    let report = Shared(loaded.report.clone());
    let capture = loaded.files.first().cloned();
    let (name, link) = match &loaded.source {
        Source::Capture(name) => (name.clone(), None),
        Source::Link { fragment } => ("shared report".to_string(), fragment.clone()),
    };

    // A top talker clicked: its resets, in the table, in view.
    let tabs_ref = use_node_ref();
    let show_tab = {
        let (tab, tabs_ref) = (tab.clone(), tabs_ref.clone());
        Callback::from(move |which: Tab| {
            tab.set(which);
            if let Some(tabs) = tabs_ref.cast::<web_sys::Element>() {
                tabs.scroll_into_view();
            }
        })
    };
    let on_talker = {
        let (show_tab, on_filter_host) = (show_tab.clone(), props.on_filter_host.clone());
        Callback::from(move |host: String| {
            on_filter_host.emit(host);
            show_tab.emit(Tab::Resets);
        })
    };
    let complete = stage == Stage::Complete;
    html! {
        <div class="report" aria-busy={(!complete).to_string()}>
            <div class="report-top">
                <SummaryView report={report.clone()} name={name.clone()} stats={loaded.stats.clone()}
                             resets={report.resets.len() as u64} connections={report.connections.len() as u64}
                             {on_talker} on_warnings={show_tab.reform(|()| Tab::Capture)} />
                <SharePanel report={report.clone()} {name} link={link.map(AttrValue::from)} drawn={complete} />
            </div>
            if stage != Stage::Summary {
                <IncidentsView report={report.clone()} on_select={props.on_select.clone()}
                               capture={capture.clone()} />
                <ComparisonView report={report.clone()} peer={loaded.peer.clone().map(AttrValue::from)}
                                on_select={props.on_select.clone()} />
            }
            if !complete {
                // Holds the place of what follows, so nothing below moves into view.
                <div class="report-pending" aria-hidden="true"></div>
            } else {
                <Timeline report={report.clone()} on_select={props.on_select.clone()} />
                <ReportTables report={report.clone()} tab={*tab} on_tab={tab.setter().to_callback()}
                              tabs={tabs_ref} selected={props.selected} on_select={props.on_select.clone()}
                              host_filter={props.host_filter.clone()} on_filter_host={props.on_filter_host.clone()}
                              time_mode={*time_mode} on_time_mode={time_mode.setter().to_callback()}
                              on_open_connection={open_connection.setter().to_callback().reform(Some)}
                              capture={capture.clone()} stats={loaded.stats.clone()} />
                { drawer(props, &report, &open_connection, &time_mode) }
            }
        </div>
    }
}

/// The drawer of the reset selected, or else of the connection opened.
fn drawer(
    props: &Props,
    report: &Shared<rstscope_core::Report>,
    open_connection: &UseStateHandle<Option<u32>>,
    time_mode: &UseStateHandle<TimeMode>,
) -> Html {
    let capture = props.loaded.files.first().cloned();
    let selected_reset = props
        .selected
        .and_then(|frame| report.resets.iter().find(|r| r.frame == frame));
    let selected_connection =
        (**open_connection).and_then(|id| report.connections.iter().find(|c| c.id == id));
    let close_connection = {
        let open_connection = open_connection.clone();
        Callback::from(move |()| open_connection.set(None))
    };
    if let Some(reset) = selected_reset {
        return html! {
            <ResetDetail reset={reset.clone()} report={report.clone()}
                         on_close={props.on_select.reform(|()| None)}
                         on_select={props.on_select.clone()}
                         time_mode={**time_mode} on_time_mode={time_mode.setter().to_callback()}
                         {capture} />
        };
    }
    let Some(connection) = selected_connection else {
        return html! {};
    };
    // A reset picked in a connection's drawer replaces that drawer.
    let on_select = {
        let (open_connection, on_select) = (open_connection.clone(), props.on_select.clone());
        Callback::from(move |frame| {
            open_connection.set(None);
            on_select.emit(frame);
        })
    };
    html! {
        <ConnectionDetail connection={connection.clone()} report={report.clone()}
                          on_close={close_connection} {on_select} {capture} />
    }
}
