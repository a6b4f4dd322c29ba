use std::rc::Rc;

use web_sys::Blob;
use yew::prelude::*;

use super::drop_zone::DropZone;
use super::error_banner::ErrorBanner;
use super::live_resets::LiveResetsView;
use super::peer_zone::PeerZone;
use super::progress::Progress;
use super::report_view::ReportView;
use super::Shared;
use crate::browser;
use crate::job::WorkerJob;
use crate::protocol::FromWorker;
use crate::share;
use crate::state::{Action, Phase, State};

/// The built-in sample capture, copied next to index.html by trunk.
const SAMPLE: &str = "sample.pcapng";

#[component]
pub fn App() -> Html {
    let state = use_reducer(State::default);
    let job = use_mut_ref(|| None::<WorkerJob>);

    // Opened from a share link: show that report, or why it cannot be read.
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            if let Some(result) = share::decode(&browser::location_hash()) {
                dispatcher.dispatch(match result {
                    Ok(report) => Action::OpenLink(report),
                    Err(err) => Action::Failed(format!("this share link cannot be opened: {err}")),
                });
            }
        });
    }

    // A finished run's worker goes here rather than in its own message
    // handler, which must not drop itself while it runs.
    {
        let job = job.clone();
        use_effect_with(state.is_busy(), move |busy| {
            if !*busy {
                job.borrow_mut().take();
            }
        });
    }

    // The capture on screen, kept to compare it with the other end's later.
    let main_capture = use_mut_ref(|| None::<(Blob, String)>);
    let analyse = {
        let (dispatcher, job, main_capture) =
            (state.dispatcher(), job.clone(), main_capture.clone());
        Callback::from(move |captures: Vec<(Blob, String)>| {
            let Some((capture, name)) = captures.first().cloned() else {
                return;
            };
            *main_capture.borrow_mut() = Some((capture.clone(), name.clone()));
            let peer = captures.get(1).map(|(_, peer)| peer.clone());
            dispatcher.dispatch(Action::Start {
                name,
                peer,
                total: capture.size() as u64,
            });
            let blobs: Vec<Blob> = captures.into_iter().map(|(blob, _)| blob).collect();
            let to_state = dispatcher.clone();
            let started = WorkerJob::analyse(&blobs, move |message| {
                to_state.dispatch(match message {
                    FromWorker::Ready => return,
                    FromWorker::Progress {
                        capture,
                        bytes,
                        total,
                        mb_per_s,
                    } => Action::Progress {
                        capture,
                        bytes,
                        total,
                        mb_per_s,
                    },
                    FromWorker::Partial {
                        capture,
                        resets_seen,
                        new_resets,
                    } => Action::Partial {
                        capture,
                        resets_seen,
                        new_resets,
                    },
                    FromWorker::Done { report, stats } => Action::Finished {
                        report: *report,
                        stats,
                    },
                    FromWorker::Failed { message } => Action::Failed(message),
                    FromWorker::Link { .. } => {
                        Action::Failed("the worker answered with a link, not a report".into())
                    }
                })
            });
            match started {
                Ok(started) => *job.borrow_mut() = Some(started),
                Err(message) => dispatcher.dispatch(Action::Failed(message)),
            }
        })
    };
    let on_sample = {
        let (analyse, dispatcher) = (analyse.clone(), state.dispatcher());
        Callback::from(move |()| {
            let (analyse, dispatcher) = (analyse.clone(), dispatcher.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match browser::fetch_blob(SAMPLE).await {
                    Ok(blob) => analyse.emit(vec![(blob, SAMPLE.to_string())]),
                    Err(message) => dispatcher.dispatch(Action::Failed(message)),
                }
            });
        })
    };
    let on_cancel = {
        let (dispatcher, job) = (state.dispatcher(), job.clone());
        Callback::from(move |()| {
            job.borrow_mut().take();
            dispatcher.dispatch(Action::Cancel);
        })
    };
    // The other end's capture: both are analysed again and compared.
    let on_peer = {
        let (analyse, main_capture) = (analyse.clone(), main_capture.clone());
        Callback::from(move |peer: (Blob, String)| {
            let main = main_capture.borrow().clone();
            if let Some(main) = main {
                analyse.emit(vec![main, peer]);
            }
        })
    };
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
                if state.is_shared() {
                    <div class="notice">
                        { "A shared report (read-only; the capture itself was not shared). " }
                        <a href="./">{ "Analyse a capture" }</a>
                    </div>
                } else {
                    <DropZone on_capture={analyse} {on_sample} busy={state.is_busy()}
                              compact={state.loaded.is_some()} />
                    if let Some(loaded) = &state.loaded {
                        <PeerZone {on_peer} busy={state.is_busy()}
                                  peer={loaded.peer.clone().map(AttrValue::from)} />
                    }
                }
                {
                    match &state.phase {
                        Phase::Analysing { name, peer, capture, bytes, total, mb_per_s, live } => html! {
                            <>
                                <Progress name={match (peer, capture) {
                                              (None, _) => name.clone(),
                                              (Some(_), 0) => format!("{name} (1 of 2)"),
                                              (Some(peer), _) => format!("{peer} (2 of 2, then the comparison)"),
                                          }} bytes={*bytes} total={*total}
                                          mb_per_s={*mb_per_s} {on_cancel} />
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
            </footer>
        </>
    }
}
