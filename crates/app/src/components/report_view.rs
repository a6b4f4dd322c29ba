use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::capture_info::CaptureInfoView;
use super::comparison_view::ComparisonView;
use super::connection_detail::ConnectionDetail;
use super::connections_table::ConnectionsTable;
use super::incidents_view::IncidentsView;
use super::reset_detail::ResetDetail;
use super::resets_table::ResetsTable;
use super::share_panel::SharePanel;
use super::summary::SummaryView;
use super::timeline::Timeline;
use super::Shared;
use crate::browser;
use crate::format::TimeMode;
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

/// A finished report: summary and sharing, the incidents, the comparison,
/// the timeline, then the tables.
#[component]
pub fn ReportView(props: &Props) -> Html {
    let tab = use_state(|| Tab::Resets);
    let time_mode = use_state(TimeMode::default);
    let open_connection = use_state(|| None::<u32>);
    let loaded = &props.loaded;
    let report = Shared(loaded.report.clone());
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
    let on_time_mode = {
        let time_mode = time_mode.clone();
        Callback::from(move |mode| time_mode.set(mode))
    };
    // A reset picked in a connection's drawer replaces that drawer.
    let on_select_from_connection = {
        let (open_connection, on_select) = (open_connection.clone(), props.on_select.clone());
        Callback::from(move |frame| {
            open_connection.set(None);
            on_select.emit(frame);
        })
    };
    let selected_reset = props
        .selected
        .and_then(|frame| report.resets.iter().find(|r| r.frame == frame));
    let selected_connection =
        open_connection.and_then(|id| report.connections.iter().find(|c| c.id == id));
    let warnings = report.capture.warnings.len();
    // The first render draws what a reader looks at first (the summary and
    // its headline), the next the incidents and the comparison, the last
    // the timeline and tables, each once the browser painted the one
    // before: a big report does not hold the first view back, and no step
    // is one long task (on a phone each is a long task of its own).
    let stage = use_state(|| Stage::Summary);
    {
        let stage = stage.clone();
        use_effect_with(*stage, move |now| {
            let now = *now;
            wasm_bindgen_futures::spawn_local(async move {
                if now == Stage::Complete {
                    return;
                }
                browser::after_paint().await;
                if now == Stage::Summary {
                    browser::mark("rstscope:report-painted");
                }
                stage.set(now.next());
            });
        });
    }
    let complete = *stage == Stage::Complete;

    html! {
        <div class="report" aria-busy={(!complete).to_string()}>
            <div class="report-top">
                <SummaryView report={report.clone()} name={name.clone()} stats={loaded.stats.clone()}
                             resets={report.resets.len() as u64} connections={report.connections.len() as u64}
                             {on_talker} on_warnings={show_tab.reform(|()| Tab::Capture)} />
                <SharePanel report={report.clone()} {name} link={link.map(AttrValue::from)} />
            </div>
            if *stage != Stage::Summary {
                <IncidentsView report={report.clone()} on_select={props.on_select.clone()}
                               capture={loaded.files.first().cloned()} />
                <ComparisonView report={report.clone()} peer={loaded.peer.clone().map(AttrValue::from)}
                                on_select={props.on_select.clone()} />
            }
            if !complete {
                // Holds the place of what follows, so nothing below moves into view.
                <div class="report-pending" aria-hidden="true"></div>
            } else {
            <Timeline report={report.clone()} on_select={props.on_select.clone()} />
            { tab_list(*tab, &tab, &tabs_ref, &report, warnings) }
            <div role="tabpanel" id={format!("{}-panel", tab.id())} aria-labelledby={tab.id()}
                 class="tab-panel">
                {
                    match *tab {
                        Tab::Resets => html! {
                            <ResetsTable report={report.clone()} selected={props.selected}
                                         on_select={props.on_select.clone()}
                                         host={props.host_filter.clone()}
                                         on_host={props.on_filter_host.clone()}
                                         time_mode={*time_mode} on_time_mode={on_time_mode.clone()}
                                         capture={loaded.files.first().cloned()} />
                        },
                        Tab::Connections => html! {
                            <ConnectionsTable report={report.clone()}
                                              on_open={Callback::from({
                                                  let open_connection = open_connection.clone();
                                                  move |id| open_connection.set(Some(id))
                                              })} />
                        },
                        Tab::Capture => html! {
                            <CaptureInfoView report={report.clone()} stats={loaded.stats.clone()} />
                        },
                    }
                }
            </div>
            if let Some(reset) = selected_reset {
                <ResetDetail reset={reset.clone()} report={report.clone()}
                             on_close={props.on_select.reform(|()| None)}
                             on_select={props.on_select.clone()}
                             time_mode={*time_mode} {on_time_mode}
                             capture={loaded.files.first().cloned()} />
            } else if let Some(connection) = selected_connection {
                <ConnectionDetail connection={connection.clone()} report={report.clone()}
                                  on_close={Callback::from({
                                      let open_connection = open_connection.clone();
                                      move |()| open_connection.set(None)
                                  })}
                                  on_select={on_select_from_connection}
                                  capture={loaded.files.first().cloned()} />
            }
            }
        </div>
    }
}

/// How much of a report is drawn: one step more after each paint.
#[derive(Clone, Copy, PartialEq)]
enum Stage {
    Summary,
    Incidents,
    Complete,
}

impl Stage {
    fn next(self) -> Self {
        match self {
            Self::Summary => Self::Incidents,
            Self::Incidents | Self::Complete => Self::Complete,
        }
    }
}

/// The tabs, as the WAI-ARIA tabs pattern has them: one Tab stop (the
/// selected tab), Left/Right/Home/End move and select.
fn tab_list(
    current: Tab,
    tab: &UseStateHandle<Tab>,
    tabs_ref: &NodeRef,
    report: &Shared<rstscope_core::Report>,
    warnings: usize,
) -> Html {
    let label = |which: Tab| match which {
        Tab::Resets => format!("Resets ({})", report.resets.len()),
        Tab::Connections => format!("Connections ({})", report.connections.len()),
        Tab::Capture => match warnings {
            0 => "Capture".to_string(),
            n => format!("Capture ({n} warnings)"),
        },
    };
    let onkeydown = {
        let (tab, tabs_ref) = (tab.clone(), tabs_ref.clone());
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
            tab.set(which);
            focus_by_id(&tabs_ref, which.id());
        })
    };
    html! {
        <div class="tabs" role="tablist" aria-label="Report tables" ref={tabs_ref.clone()} {onkeydown}>
            { for Tab::ALL.iter().map(|&which| {
                let tab = tab.clone();
                let selected = current == which;
                html! {
                    <button type="button" role="tab" id={which.id()} class={classes!("tab", selected.then_some("active"))}
                            aria-selected={selected.to_string()} aria-controls={format!("{}-panel", which.id())}
                            tabindex={if selected { "0" } else { "-1" }} onclick={move |_| tab.set(which)}>
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
