//! The page's side of a worker: one [`ToWorker`] request per
//! [`WorkerJob`]; dropping the job terminates its worker (that is cancel).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};

use crate::protocol::{codec, FromWorker, ToWorker};
use crate::share::ShareError;

pub struct WorkerJob {
    worker: Worker,
    // Kept so the handlers live as long as the worker.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl WorkerJob {
    /// Starts a worker and posts `request` once it is ready; every message
    /// it sends after `Ready` goes to `on_message`, failures included.
    pub fn start(
        request: &ToWorker,
        on_message: impl Fn(FromWorker) + 'static,
    ) -> Result<Self, String> {
        let (request, transfer) = codec::encode(request)?;
        let worker = Worker::new(&crate::browser::worker_script())
            .map_err(|err| format!("the worker did not start: {err:?}"))?;
        let on_message = Rc::new(on_message);

        let sender = worker.clone();
        let report = on_message.clone();
        let on_reply =
            Closure::<dyn FnMut(MessageEvent)>::new(
                move |event: MessageEvent| match codec::decode::<FromWorker>(event.data()) {
                    Ok(FromWorker::Ready { build }) if build != crate::BUILD => {
                        report(FromWorker::Failed {
                            message: other_build(&build),
                        });
                    }
                    Ok(FromWorker::Ready { .. }) => {
                        if sender
                            .post_message_with_transfer(&request, &transfer)
                            .is_err()
                        {
                            report(FromWorker::Failed {
                                message: "the request could not be handed to the worker".into(),
                            });
                        }
                    }
                    Ok(message) => report(message),
                    Err(err) => report(FromWorker::Failed {
                        message: format!(
                            "unexpected message from the worker ({err}); was rstscope updated \
                             while this page was open? Reload the page"
                        ),
                    }),
                },
            );
        worker.set_onmessage(Some(on_reply.as_ref().unchecked_ref()));

        // A panic or a failed load in the worker surfaces here, not as a message.
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            event.prevent_default();
            on_message(FromWorker::Failed {
                message:
                    "the worker stopped unexpectedly; please report the problem with this capture"
                        .into(),
            });
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));

        Ok(Self {
            worker,
            _on_message: on_reply,
            _on_error: on_error,
        })
    }
}

/// Says that the page and its worker come from two builds: a cache (or a
/// deploy) mixed them, and the page must be loaded again.
fn other_build(worker: &str) -> String {
    format!(
        "this page is rstscope {} but its analysis worker is rstscope {worker}: they come from \
         different builds (a deploy while the page was open, or a stale cache). Reload the page",
        crate::BUILD
    )
}

impl Drop for WorkerJob {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// `request` done in a new worker: its answer, the first message that is
/// not progress.
pub async fn ask(request: &ToWorker) -> Result<FromWorker, String> {
    let (sender, answer) = futures_channel::oneshot::channel();
    let sender = RefCell::new(Some(sender));
    let job = WorkerJob::start(request, move |message| {
        if matches!(
            message,
            FromWorker::Progress { .. } | FromWorker::Partial { .. }
        ) {
            return;
        }
        if let Some(sender) = sender.borrow_mut().take() {
            let _ = sender.send(message);
        }
    })?;
    let answer = answer.await;
    drop(job);
    answer.map_err(|_| "the worker gave no answer".to_string())
}

/// [`share::pack`](crate::share::pack) of a link payload in a worker:
/// compressing a big report takes seconds, which the page must not freeze for.
pub async fn pack_in_worker(json: Vec<u8>) -> Result<String, ShareError> {
    match ask(&ToWorker::PackLink { json }).await {
        Ok(FromWorker::Link { fragment }) => Ok(fragment),
        Ok(FromWorker::Failed { message }) | Err(message) => Err(ShareError::Unavailable(message)),
        Ok(_) => Err(ShareError::Unavailable("the worker gave no link".into())),
    }
}
