//! The UI's side of the worker: one request per [`WorkerJob`], an analysis
//! or a share link; dropping the job terminates its worker (that is cancel).

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, MessageEvent, Worker};

use crate::protocol::FromWorker;
use crate::share::ShareError;

/// trunk's loader for the `worker` binary (see index.html, `data-loader-shim`).
const WORKER_SCRIPT: &str = "./worker_loader.js";

pub struct WorkerJob {
    worker: Worker,
    // Kept so the handlers live as long as the worker.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl WorkerJob {
    /// Starts a worker on `captures` (one, or this capture and the capture
    /// from the other end, to compare); every message it sends but `Ready`
    /// goes to `report`.
    pub fn analyse(
        captures: &[Blob],
        report: impl Fn(FromWorker) + 'static,
    ) -> Result<Self, String> {
        let captures: js_sys::Array = captures.iter().collect();
        Self::start(captures.into(), report)
    }

    /// Posts `request` once the worker is ready.
    fn start(request: JsValue, report: impl Fn(FromWorker) + 'static) -> Result<Self, String> {
        let worker = Worker::new(WORKER_SCRIPT)
            .map_err(|err| format!("the worker did not start: {err:?}"))?;
        let report = std::rc::Rc::new(report);

        let sender = worker.clone();
        let on_report = report.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let json = event
                .data()
                .dyn_into::<js_sys::Uint8Array>()
                .map(|bytes| bytes.to_vec())
                .unwrap_or_default();
            match FromWorker::from_json(&json) {
                Ok(FromWorker::Ready) => {
                    if sender.post_message(&request).is_err() {
                        on_report(FromWorker::Failed {
                            message: "the request could not be handed to the worker".into(),
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
                message:
                    "the worker stopped unexpectedly; please report the problem with this capture"
                        .into(),
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

/// [`share::pack`] in a worker: compressing a big report takes seconds,
/// which the page must not freeze for.
pub async fn pack_in_worker(json: Vec<u8>) -> Result<String, ShareError> {
    let (sender, reply) = futures_channel::oneshot::channel();
    let sender = RefCell::new(Some(sender));
    // As bytes: a JS string of a big report costs the page a UTF-8 decode.
    let json = js_sys::Uint8Array::from(&json[..]);
    let job = WorkerJob::start(json.into(), move |message| {
        if let Some(sender) = sender.borrow_mut().take() {
            let _ = sender.send(message);
        }
    })
    .map_err(ShareError::Unavailable)?;
    let reply = reply.await;
    drop(job);
    match reply {
        Ok(FromWorker::Link { fragment }) => Ok(fragment),
        Ok(FromWorker::Failed { message }) => Err(ShareError::Unavailable(message)),
        _ => Err(ShareError::Unavailable("the worker gave no link".into())),
    }
}

impl Drop for WorkerJob {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
