//! The app's state and the actions that change it (a yew reducer).

use std::rc::Rc;

use rstscope_core::Report;
use yew::Reducible;

use crate::protocol::{CaptureFile, FromWorker, LiveReset, RunStats};
use crate::share;

/// Where the report on screen came from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// A capture analysed here; its file name.
    Capture(String),
    /// A share link (or an exported report, opened as one): the report
    /// only, read-only. `fragment` is the link's own `#report=…` when it
    /// is of the format this app writes: the report's share link as is.
    Link { fragment: Option<String> },
}

#[derive(Clone, Debug)]
pub struct Loaded {
    pub report: Rc<Report>,
    pub source: Source,
    /// The capture from the other end it was compared with (its file name).
    pub peer: Option<String>,
    /// The captures analysed (this one, then the other end's), for requests
    /// that read them again; none for a share link.
    pub files: Vec<CaptureFile>,
    /// How the analysis ran (not known for share links).
    pub stats: Option<RunStats>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    Idle,
    Analysing {
        /// This capture, then the other end's when comparing.
        files: Vec<CaptureFile>,
        /// Which of `files` is being read.
        capture: u8,
        bytes: u64,
        total: u64,
        mb_per_s: f64,
        live: LiveResets,
        /// The finished analysis's summary, while its report is on its way.
        summary: Option<Rc<Head>>,
    },
    Failed(String),
}

/// A report's summary before the report ([`FromWorker::Summary`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Head {
    /// The report without its resets, connections and incidents.
    pub report: Rc<Report>,
    pub resets: u64,
    pub connections: u64,
}

/// The resets found so far in the capture being read, before their verdicts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveResets {
    /// Which capture they are of (0 the main one, 1 the other end's).
    pub capture: u8,
    pub seen: u64,
    /// The first of them, in frame order.
    pub first: Vec<LiveReset>,
}

#[derive(Clone, Debug)]
pub struct State {
    pub phase: Phase,
    pub loaded: Option<Rc<Loaded>>,
    /// Frame number of the reset whose detail view is open.
    pub selected: Option<u64>,
    /// The resets table's host filter (typed, or a top talker clicked).
    pub host_filter: String,
}

/// The state the page opened in (`State::opened_with`), made before the app's
/// first render and taken once by `use_analysis`. Props compare it by
/// identity: it is never replaced.
#[derive(Clone)]
pub struct Opened(Rc<std::cell::RefCell<Option<State>>>);

impl Opened {
    pub fn new(state: State) -> Self {
        Self(Rc::new(std::cell::RefCell::new(Some(state))))
    }

    /// The opened state the first time; the plain start after that.
    pub fn take(&self) -> State {
        self.0.borrow_mut().take().unwrap_or_default()
    }
}

impl PartialEq for Opened {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Default for State {
    fn default() -> Self {
        Self {
            phase: Phase::Idle,
            loaded: None,
            selected: None,
            host_filter: String::new(),
        }
    }
}

impl State {
    /// The state a page at `fragment` opens in, once `share::read` read it
    /// as `link`: a share link's report (or why it cannot be opened) is made
    /// before the first render, so the page never draws the landing page
    /// first and then replaces it.
    pub fn opened_with(
        fragment: &str,
        link: Option<Result<share::Link, share::ShareError>>,
    ) -> Self {
        let action = match link {
            None => return Self::default(),
            Some(Ok(link)) => Action::OpenLink {
                report: Box::new(link.into_report()),
                fragment: (!share::is_older(fragment)).then(|| fragment.to_string()),
            },
            Some(Err(err)) => Action::Failed(format!("this share link cannot be opened: {err}")),
        };
        Rc::unwrap_or_clone(Rc::new(Self::default()).reduce(action))
    }

    pub fn is_busy(&self) -> bool {
        matches!(self.phase, Phase::Analysing { .. })
    }

    /// A finished analysis's summary is shown while its report is on its way.
    pub fn has_summary(&self) -> bool {
        matches!(
            self.phase,
            Phase::Analysing {
                summary: Some(_),
                ..
            }
        )
    }

    pub fn is_shared(&self) -> bool {
        self.loaded
            .as_ref()
            .is_some_and(|l| matches!(l.source, Source::Link { .. }))
    }
}

pub enum Action {
    /// A new analysis of these captures began; the previous report goes away.
    Start(Vec<CaptureFile>),
    /// A message from the analysis's worker.
    Worker(FromWorker),
    Failed(String),
    Cancel,
    /// A share link was opened.
    OpenLink {
        report: Box<Report>,
        /// The share link it was opened from, when it can be shared as is.
        fragment: Option<String>,
    },
    Select(Option<u64>),
    FilterHost(String),
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Start(files) => {
                next = State {
                    phase: Phase::Analysing {
                        total: files.first().map_or(0, |f| f.blob.size() as u64),
                        files,
                        capture: 0,
                        bytes: 0,
                        mb_per_s: 0.0,
                        live: LiveResets::default(),
                        summary: None,
                    },
                    ..State::default()
                };
            }
            // Late messages of a cancelled run must not revive it.
            Action::Worker(_) if !self.is_busy() => return self,
            Action::Worker(message) => return self.on_worker(message),
            Action::Failed(message) => next.phase = Phase::Failed(message),
            Action::Cancel => next.phase = Phase::Idle,
            Action::OpenLink { report, fragment } => {
                next = State {
                    loaded: Some(Rc::new(Loaded {
                        report: Rc::new(*report),
                        source: Source::Link { fragment },
                        peer: None,
                        files: Vec::new(),
                        stats: None,
                    })),
                    ..State::default()
                };
            }
            Action::Select(frame) => next.selected = frame,
            Action::FilterHost(host) => next.host_filter = host,
        }
        Rc::new(next)
    }
}

impl State {
    /// The running analysis moved on.
    fn on_worker(self: Rc<Self>, message: FromWorker) -> Rc<Self> {
        let mut next = (*self).clone();
        match (message, &mut next.phase) {
            (
                FromWorker::Progress {
                    capture,
                    bytes,
                    total,
                    mb_per_s,
                },
                Phase::Analysing {
                    capture: now_reading,
                    bytes: read,
                    total: size,
                    mb_per_s: rate,
                    ..
                },
            ) => (*now_reading, *read, *size, *rate) = (capture, bytes, total, mb_per_s),
            (
                FromWorker::Partial {
                    capture,
                    resets_seen,
                    new_resets,
                },
                Phase::Analysing { live, .. },
            ) => {
                // Reading the other end's capture: its resets replace the first one's.
                if live.capture != capture {
                    *live = LiveResets {
                        capture,
                        ..LiveResets::default()
                    };
                }
                live.seen = resets_seen;
                live.first.extend(new_resets);
            }
            (
                FromWorker::Summary {
                    head,
                    resets,
                    connections,
                },
                Phase::Analysing { summary, .. },
            ) => {
                *summary = Some(Rc::new(Head {
                    report: Rc::new(*head),
                    resets,
                    connections,
                }));
            }
            (FromWorker::Done { report, stats }, Phase::Analysing { files, .. }) => {
                let name = |i: usize| files.get(i).map(|f: &CaptureFile| f.name.clone());
                next.loaded = Some(Rc::new(Loaded {
                    report: Rc::new(*report),
                    source: Source::Capture(name(0).unwrap_or_default()),
                    peer: name(1),
                    files: std::mem::take(files),
                    stats: Some(stats),
                }));
                next.phase = Phase::Idle;
            }
            (FromWorker::Failed { message }, _) => next.phase = Phase::Failed(message),
            // `Ready` and `Link` are not an analysis's messages.
            _ => return self,
        }
        Rc::new(next)
    }
}
