use std::rc::Rc;

use web_sys::Blob;
use yew::prelude::*;

use super::drop_zone::DropZone;
use super::error_banner::ErrorBanner;
use super::progress::Progress;
use super::report_view::ReportView;
use super::Shared;
use crate::analysis::AnalysisJob;
use crate::browser;
use crate::protocol::FromWorker;
use crate::share;
use crate::state::{Action, Phase, State};

/// The built-in sample capture, copied next to index.html by trunk.
const SAMPLE: &str = "sample.pcapng";

#[component]
pub fn App() -> Html {
    let state = use_reducer(State::default);
    let job = use_mut_ref(|| None::<AnalysisJob>);

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

    let analyse = {
        let (dispatcher, job) = (state.dispatcher(), job.clone());
        Callback::from(move |(capture, name): (Blob, String)| {
            dispatcher.dispatch(Action::Start {
                name,
                total: capture.size() as u64,
            });
            let to_state = dispatcher.clone();
            let started = AnalysisJob::start(capture, move |message| {
                to_state.dispatch(match message {
                    FromWorker::Ready => return,
                    FromWorker::Progress {
                        bytes,
                        total,
                        mb_per_s,
                    } => Action::Progress {
                        bytes,
                        total,
                        mb_per_s,
                    },
                    FromWorker::Done { report, stats } => Action::Finished {
                        report: *report,
                        stats,
                    },
                    FromWorker::Failed { message } => Action::Failed(message),
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
                    Ok(blob) => analyse.emit((blob, SAMPLE.to_string())),
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
    let on_select = {
        let dispatcher = state.dispatcher();
        Callback::from(move |frame| dispatcher.dispatch(Action::Select(frame)))
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
                }
                {
                    match &state.phase {
                        Phase::Analysing { name, bytes, total, mb_per_s } => html! {
                            <Progress name={name.clone()} bytes={*bytes} total={*total}
                                      mb_per_s={*mb_per_s} {on_cancel} />
                        },
                        Phase::Failed(message) => html! { <ErrorBanner message={message.clone()} /> },
                        Phase::Idle => html! {},
                    }
                }
                if let Some(loaded) = &state.loaded {
                    <ReportView loaded={Shared(Rc::clone(loaded))} selected={state.selected} {on_select} />
                }
            </main>
            <footer class="footer muted">
                { "rstscope · the same Rust analysis as the command line: " }
                <code>{ "rstscope analyze capture.pcapng" }</code>
            </footer>
        </>
    }
}
