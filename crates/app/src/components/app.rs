use std::rc::Rc;

use yew::prelude::*;

use super::drop_zone::DropZone;
use super::error_banner::ErrorBanner;
use super::live_resets::LiveResetsView;
use super::peer_zone::PeerZone;
use super::progress::Progress;
use super::report_view::ReportView;
use super::summary_first::SummaryFirst;
use super::update_notice::UpdateNotice;
use super::Shared;
use crate::browser;
use crate::hooks::use_analysis::use_analysis;
use crate::protocol::CaptureFile;
use crate::share;
use crate::state::{Action, Opened, Phase};

#[derive(Properties, PartialEq)]
pub struct Props {
    /// The page's state before the first render (a share link decoded).
    pub opened: Opened,
}

#[component]
pub fn App(props: &Props) -> Html {
    let analysis = use_analysis(&props.opened);
    let state = &analysis.state;

    let on_select = {
        let dispatcher = state.dispatcher();
        Callback::from(move |frame| dispatcher.dispatch(Action::Select(frame)))
    };
    let on_filter_host = {
        let dispatcher = state.dispatcher();
        Callback::from(move |host| dispatcher.dispatch(Action::FilterHost(host)))
    };

    html! {
        <>
            <header class="topbar">
                <a class="brand" href="./">
                    <img src="icon.svg" alt="" width="24" height="24" />
                    <span>{ "rstscope" }</span>
                </a>
                <span class="tagline">{ "TCP reset forensics" }</span>
                <span class="local-badge" title="The capture is parsed by WebAssembly in this tab; nothing is uploaded.">
                    { "Runs locally" }
                </span>
            </header>
            <main class="page">
                <UpdateNotice />
                if state.is_shared() {
                    <div class="notice">
                        { "A shared report (read-only; the capture itself was not shared). " }
                        <a href="./">{ "Analyse a capture" }</a>
                    </div>
                    if share::is_older(&browser::location_hash()) {
                        <p class="notice" data-testid="older-link">
                            { "This link was made by an older rstscope (format v1): this version wrote its sentences again from the verdicts and evidence it carries, and leaves out its ladder diagrams." }
                        </p>
                    }
                } else {
                    <DropZone on_capture={analysis.open.clone()} on_sample={analysis.open_sample.clone()}
                              busy={state.is_busy()}
                              compact={state.loaded.is_some() || state.has_summary()} />
                    if let Some(loaded) = &state.loaded {
                        <PeerZone on_peer={analysis.compare_with.clone()} busy={state.is_busy()}
                                  peer={loaded.peer.clone().map(AttrValue::from)} />
                    }
                }
                {
                    match &state.phase {
                        Phase::Analysing { files, summary: Some(head), .. } => html! {
                            <SummaryFirst head={Shared(head.clone())} name={files.first().map_or(String::new(), |f| f.name.clone())}
                                          on_talker={on_filter_host.clone()} />
                        },
                        Phase::Analysing { files, capture, bytes, total, mb_per_s, live, .. } => html! {
                            <>
                                <Progress name={progress_name(files, *capture)} bytes={*bytes} total={*total}
                                          mb_per_s={*mb_per_s} on_cancel={analysis.cancel.clone()} />
                                <LiveResetsView live={live.clone()} />
                            </>
                        },
                        Phase::Failed(message) => html! { <ErrorBanner message={message.clone()} /> },
                        Phase::Idle => html! {},
                    }
                }
                if let Some(loaded) = &state.loaded {
                    <ReportView loaded={Shared(Rc::clone(loaded))} selected={state.selected} {on_select}
                                host_filter={AttrValue::from(state.host_filter.clone())} {on_filter_host} />
                }
            </main>
            <footer class="footer muted">
                { "rstscope · the same Rust analysis as the command line: " }
                <code>{ "rstscope analyze capture.pcapng" }</code>
                { " · version " }
                <span class="mono" data-testid="app-build">{ crate::BUILD }</span>
            </footer>
        </>
    }
}

/// The capture being read, and where that is in a comparison.
fn progress_name(files: &[CaptureFile], capture: u8) -> String {
    let name = |i: usize| files.get(i).map_or("", |f| f.name.as_str());
    match (files.len(), capture) {
        (2, 0) => format!("{} (1 of 2)", name(0)),
        (2, _) => format!("{} (2 of 2, then the comparison)", name(1)),
        _ => name(0).to_string(),
    }
}
