//! The app's state and the analysis job behind it (worker lifetime, the
//! built-in sample, re-analysis with the other end's capture), as one hook.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::browser;
use crate::job::{self as worker_job, WorkerJob, SAMPLE};
use crate::protocol::{CaptureFile, ToWorker};
use crate::share;
use crate::state::{Action, Opened, State};

/// What the page can do with captures; the state shows how it goes.
#[derive(Clone)]
pub struct Analysis {
    pub state: UseReducerHandle<State>,
    /// Analyse one capture, or two of the same traffic to compare; the
    /// report on screen goes away.
    pub open: Callback<Vec<CaptureFile>>,
    pub open_sample: Callback<()>,
    /// Compare the capture on screen with this one from the other end.
    pub compare_with: Callback<Vec<CaptureFile>>,
    pub cancel: Callback<()>,
}

#[hook]
pub fn use_analysis(opened: &Opened) -> Analysis {
    let state = use_reducer(|| opened.take());
    let job = use_mut_ref(|| None::<WorkerJob>);

    // The worker, started and warmed up while the user looks at the
    // landing. Not under a shared report, whose reader may never open a
    // capture: there the warm-up's work slowed the report's first load
    // (Lighthouse's total blocking time, BENCHMARKS.md).
    use_effect_with(state.is_shared(), |shared| {
        if !*shared {
            browser::when_idle(worker_job::prepare);
        }
    });

    // The job goes once the state is no longer busy (an answered job's
    // worker goes back to the page; see job.rs): when a busy render's effect
    // is cleaned up. Not from a render that was not busy: a capture opened
    // between the first render and its effects would lose its job there.
    {
        let job = job.clone();
        use_effect_with(state.is_busy(), move |busy| {
            let busy = *busy;
            move || {
                if busy {
                    job.borrow_mut().take();
                }
            }
        });
    }

    let open = {
        let (dispatcher, job) = (state.dispatcher(), job.clone());
        Callback::from(move |files: Vec<CaptureFile>| start(&dispatcher, &job, files))
    };
    // Captures dropped on the landing's static copy while the app loaded
    // (web/boot.js kept them) open now, as if dropped on the app's zone. A
    // shared report is read-only: there they are let go.
    {
        let (open, shared) = (open.clone(), state.is_shared());
        use_effect_with((), move |()| {
            let files: Vec<CaptureFile> = browser::take_early_drop()
                .into_iter()
                .map(CaptureFile::from)
                .collect();
            if !files.is_empty() && !shared {
                open.emit(files);
            }
        });
    }
    let open_sample = {
        let (open, dispatcher) = (open.clone(), state.dispatcher());
        Callback::from(move |()| {
            let (open, dispatcher) = (open.clone(), dispatcher.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match browser::fetch_blob(SAMPLE).await {
                    Ok(blob) => open.emit(vec![CaptureFile {
                        blob,
                        name: SAMPLE.into(),
                    }]),
                    Err(message) => dispatcher.dispatch(Action::Failed(message)),
                }
            });
        })
    };
    let compare_with = {
        let (open, dispatcher) = (open.clone(), state.dispatcher());
        let main = state.loaded.as_ref().and_then(|l| l.files.first().cloned());
        Callback::from(move |peer: Vec<CaptureFile>| match (&main, &peer[..]) {
            (Some(main), [peer]) => open.emit(vec![main.clone(), peer.clone()]),
            (_, [_]) => dispatcher.dispatch(Action::Failed(
                "there is no capture on screen to compare with".into(),
            )),
            _ => dispatcher.dispatch(Action::Failed(format!(
                "{} files were given for the other end: choose one",
                peer.len()
            ))),
        })
    };
    let cancel = {
        let (dispatcher, job) = (state.dispatcher(), job.clone());
        Callback::from(move |()| {
            job.borrow_mut().take();
            dispatcher.dispatch(Action::Cancel);
        })
    };
    Analysis {
        state,
        open,
        open_sample,
        compare_with,
        cancel,
    }
}

/// A worker for `files`, its messages into the state; the previous one ends.
fn start(
    dispatcher: &UseReducerDispatcher<State>,
    job: &Rc<RefCell<Option<WorkerJob>>>,
    files: Vec<CaptureFile>,
) {
    if !(1..=2).contains(&files.len()) {
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        dispatcher.dispatch(Action::Failed(format!(
            "{} files were given ({}): open one capture, or two captures of the same traffic to compare",
            files.len(),
            names.join(", ")
        )));
        return;
    }
    if let [file] = &files[..] {
        if share::is_report_json(&file.name) {
            open_report(dispatcher.clone(), file.blob.clone());
            return;
        }
    }
    let request = ToWorker::Analyse {
        captures: files.clone(),
    };
    dispatcher.dispatch(Action::Start(files));
    let to_state = dispatcher.clone();
    match WorkerJob::start(&request, move |message| {
        to_state.dispatch(Action::Worker(message))
    }) {
        Ok(started) => *job.borrow_mut() = Some(started),
        Err(message) => dispatcher.dispatch(Action::Failed(message)),
    }
}

/// Opens an exported report JSON, as a share link opens (read-only).
fn open_report(dispatcher: UseReducerDispatcher<State>, blob: web_sys::Blob) {
    if blob.size() as u64 > share::MAX_JSON {
        dispatcher.dispatch(Action::Failed(format!(
            "this report cannot be opened: the file is larger than {} MiB",
            share::MAX_JSON >> 20
        )));
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let opened = browser::blob_bytes(&blob)
            .await
            .and_then(|bytes| share::open_json(&bytes).map_err(|err| err.to_string()));
        dispatcher.dispatch(match opened {
            Ok(report) => Action::OpenLink {
                report: Box::new(report),
                fragment: None,
            },
            Err(why) => Action::Failed(format!("this report cannot be opened: {why}")),
        });
    });
}
