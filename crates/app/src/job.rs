//! The page's side of its analysis worker (see "The analysis worker's
//! lifetime" in ARCHITECTURE.md).
//!
//! A worker that has run the analyzer before runs it up to twice as fast as
//! a fresh one (V8 compiles wasm lazily and optimises what runs hot; see
//! BENCHMARKS.md), so the page keeps one worker for as long as it is open,
//! warms it on the built-in sample while the page is idle ([`prepare`]),
//! and lends it to one [`WorkerJob`] at a time. A job that finds it lent
//! out gets a worker of its own, which the page keeps if its own is gone.
//! Dropping an unanswered job terminates its worker (that is cancel:
//! nothing else stops wasm mid-push); the page then prepares another.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};

use crate::browser;
use crate::protocol::{codec, CaptureFile, FromWorker, ToWorker};
use crate::share::ShareError;

/// The built-in sample capture, copied next to index.html by trunk.
pub const SAMPLE: &str = "sample.pcapng";

thread_local! {
    /// The page's worker while no job holds it.
    static IDLE: RefCell<Option<Rc<Spawned>>> = const { RefCell::new(None) };
    /// Jobs not yet answered.
    static RUNNING: Cell<u32> = const { Cell::new(0) };
    /// Numbers the loans, so a job knows whether the worker is still its.
    static LOANS: Cell<u32> = const { Cell::new(0) };
}

/// A request in a worker: its messages go to the job's handler until the
/// answer ([`FromWorker::is_answer`]).
pub struct WorkerJob {
    spawned: Rc<Spawned>,
    loan: u32,
}

impl WorkerJob {
    /// Posts `request` to the page's worker (or, when that is busy, to a
    /// new one) once it is ready; every message it sends about the request
    /// goes to `on_message`, failures included.
    pub fn start(
        request: &ToWorker,
        on_message: impl Fn(FromWorker) + 'static,
    ) -> Result<Self, String> {
        let (request, transfer) = codec::encode(request)?;
        let spawned = match IDLE.with_borrow_mut(Option::take) {
            Some(idle) => idle,
            None => Spawned::start()?,
        };
        let loan = LOANS.get().wrapping_add(1);
        LOANS.set(loan);
        RUNNING.set(RUNNING.get() + 1);
        *spawned.job.borrow_mut() = Some(Loan {
            id: loan,
            on_message: Rc::new(on_message),
        });
        spawned.post(request, transfer);
        Ok(Self { spawned, loan })
    }
}

impl Drop for WorkerJob {
    /// Cancels the request if it is still running: its worker ends, and
    /// the page prepares another while it is idle.
    fn drop(&mut self) {
        if self.spawned.holds(self.loan) {
            self.spawned.end_loan();
            self.spawned.terminate();
            browser::when_idle(prepare);
        }
    }
}

/// Gets the page's worker ready for the user's capture: started, and warmed
/// on the built-in sample ([`ToWorker::WarmUp`]) unless a job holds it.
pub fn prepare() {
    if RUNNING.get() > 0 {
        return;
    }
    let Ok(spawned) = page_worker() else {
        return;
    };
    if spawned.warmed.replace(true) {
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(blob) = browser::fetch_blob(SAMPLE).await else {
            return;
        };
        let sample = CaptureFile {
            blob,
            name: SAMPLE.into(),
        };
        // A job that took the worker meanwhile is answered before this.
        if let Ok((request, transfer)) = codec::encode(&ToWorker::WarmUp { sample }) {
            spawned.post(request, transfer);
        }
    });
}

/// The worker waiting for the next job, started if there is none.
fn page_worker() -> Result<Rc<Spawned>, String> {
    if let Some(idle) = IDLE.with_borrow(Option::clone) {
        return Ok(idle);
    }
    let spawned = Spawned::start()?;
    IDLE.set(Some(spawned.clone()));
    Ok(spawned)
}

/// A job's hold on a worker.
struct Loan {
    id: u32,
    on_message: Rc<dyn Fn(FromWorker)>,
}

/// A worker and what the page knows of it.
struct Spawned {
    worker: Worker,
    /// Said `Ready` (of this build): until then, posts wait in `pending`.
    ready: Cell<bool>,
    pending: RefCell<Vec<(JsValue, Array)>>,
    /// The job it works for, if any.
    job: RefCell<Option<Loan>>,
    /// A warm-up was asked of it.
    warmed: Cell<bool>,
    /// Terminated: it answers nothing more and is never lent again.
    ended: Cell<bool>,
    /// Its message and error handlers, kept as long as it lives.
    handlers: RefCell<Option<Handlers>>,
}

type Handlers = (
    Closure<dyn FnMut(MessageEvent)>,
    Closure<dyn FnMut(web_sys::Event)>,
);

impl Spawned {
    fn start() -> Result<Rc<Self>, String> {
        let worker = Worker::new(&browser::worker_script())
            .map_err(|err| format!("the worker did not start: {err:?}"))?;
        let spawned = Rc::new(Self {
            worker,
            ready: Cell::new(false),
            pending: RefCell::new(Vec::new()),
            job: RefCell::new(None),
            warmed: Cell::new(false),
            ended: Cell::new(false),
            handlers: RefCell::new(None),
        });
        // Weak: the handlers must not keep their worker alive.
        let of = Rc::downgrade(&spawned);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(spawned) = of.upgrade() {
                spawned.received(codec::decode::<FromWorker>(event.data()));
            }
        });
        let of = Rc::downgrade(&spawned);
        // A panic or a failed load in the worker surfaces here, not as a message.
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
            event.prevent_default();
            if let Some(spawned) = of.upgrade() {
                spawned.fail(
                    "the worker stopped unexpectedly; please report the problem with this capture",
                );
            }
        });
        spawned
            .worker
            .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        spawned
            .worker
            .set_onerror(Some(on_error.as_ref().unchecked_ref()));
        *spawned.handlers.borrow_mut() = Some((on_message, on_error));
        Ok(spawned)
    }

    /// Posts a request now, or once the worker is ready.
    fn post(self: &Rc<Self>, request: JsValue, transfer: Array) {
        if !self.ready.get() {
            self.pending.borrow_mut().push((request, transfer));
        } else if self
            .worker
            .post_message_with_transfer(&request, &transfer)
            .is_err()
        {
            self.fail("the request could not be handed to the worker");
        }
    }

    fn received(self: &Rc<Self>, message: Result<FromWorker, String>) {
        match message {
            Ok(FromWorker::Ready { build }) if build != crate::BUILD => {
                self.fail(&other_build(&build));
            }
            Ok(FromWorker::Ready { .. }) => {
                self.ready.set(true);
                for (request, transfer) in self.pending.take() {
                    self.post(request, transfer);
                }
            }
            Ok(message) => self.to_job(message),
            Err(err) => self.fail(&format!(
                "unexpected message from the worker ({err}); was rstscope updated while this \
                 page was open? Reload the page"
            )),
        }
    }

    /// Hands a message to the job; with its answer the worker is free again
    /// (before the job hears it, so that a job started from its handler
    /// finds the worker).
    fn to_job(self: &Rc<Self>, message: FromWorker) {
        let answer = message.is_answer();
        let on_message = self.job.borrow().as_ref().map(|job| job.on_message.clone());
        if answer {
            self.end_loan();
            self.give_back();
        }
        if let Some(on_message) = on_message {
            on_message(message);
        }
    }

    /// The worker cannot go on: it ends, and its job (if any) hears why.
    fn fail(self: &Rc<Self>, why: &str) {
        let job = self.job.borrow().as_ref().map(|job| job.on_message.clone());
        self.end_loan();
        self.terminate();
        if let Some(on_message) = job {
            on_message(FromWorker::Failed {
                message: why.into(),
            });
        }
    }

    fn holds(&self, loan: u32) -> bool {
        self.job.borrow().as_ref().is_some_and(|job| job.id == loan)
    }

    fn end_loan(&self) {
        if self.job.take().is_some() {
            RUNNING.set(RUNNING.get().saturating_sub(1));
        }
    }

    /// Back to the page as its worker, unless it already has one.
    fn give_back(self: &Rc<Self>) {
        if self.ended.get() {
            return;
        }
        let kept = IDLE.with_borrow_mut(|idle| {
            if idle.is_some() {
                return false;
            }
            *idle = Some(self.clone());
            true
        });
        if !kept {
            self.terminate();
        }
    }

    fn terminate(&self) {
        self.ended.set(true);
        self.worker.terminate();
        IDLE.with_borrow_mut(|idle| {
            if idle
                .as_ref()
                .is_some_and(|w| std::ptr::eq(Rc::as_ptr(w), self))
            {
                *idle = None;
            }
        });
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        if !self.ended.get() {
            self.worker.terminate();
        }
        // Its own handler may be what dropped it: free the handlers after
        // that call returns.
        let handlers = self.handlers.take();
        wasm_bindgen_futures::spawn_local(async move { drop(handlers) });
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

/// `request` done in a worker: its answer ([`FromWorker::is_answer`]).
pub async fn ask(request: &ToWorker) -> Result<FromWorker, String> {
    let (sender, answer) = futures_channel::oneshot::channel();
    let sender = RefCell::new(Some(sender));
    let job = WorkerJob::start(request, move |message| {
        if !message.is_answer() {
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
