//! The UI's side of the analysis worker: one running analysis per
//! [`AnalysisJob`]; dropping the job terminates its worker (that is cancel).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, MessageEvent, Worker};

use crate::protocol::FromWorker;

/// trunk's loader for the `worker` binary (see index.html, `data-loader-shim`).
const WORKER_SCRIPT: &str = "./worker_loader.js";

pub struct AnalysisJob {
    worker: Worker,
    // Kept so the handlers live as long as the worker.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl AnalysisJob {
    /// Starts a worker on `captures` (one, or this capture and the capture
    /// from the other end, to compare); every message it sends but `Ready`
    /// goes to `report`.
    pub fn start(captures: &[Blob], report: impl Fn(FromWorker) + 'static) -> Result<Self, String> {
        let capture: js_sys::Array = captures.iter().collect();
        let worker = Worker::new(WORKER_SCRIPT)
            .map_err(|err| format!("the analysis worker did not start: {err:?}"))?;
        let report = std::rc::Rc::new(report);

        let sender = worker.clone();
        let on_report = report.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let text = event.data().as_string().unwrap_or_default();
            match FromWorker::from_json(&text) {
                Ok(FromWorker::Ready) => {
                    if sender.post_message(&capture).is_err() {
                        on_report(FromWorker::Failed {
                            message: "the capture could not be handed to the worker".into(),
                        });
                    }
                }
                Ok(message) => on_report(message),
                Err(err) => on_report(FromWorker::Failed {
                    message: format!("unexpected message from the worker: {err}"),
                }),
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));

        // A panic or a failed load in the worker surfaces here, not as a message.
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            event.prevent_default();
            report(FromWorker::Failed {
                message: "the analysis stopped unexpectedly (the worker failed); please report this capture's problem".into(),
            });
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));

        Ok(Self {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        })
    }
}

impl Drop for AnalysisJob {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
