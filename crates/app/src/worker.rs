//! The worker: answers the page's [`ToWorker`] requests (see
//! `protocol.rs`) in turn, for as long as the page keeps it (`job.rs`).
//!
//! To analyse, it reads the capture as a stream (`Blob.stream()` into one
//! reused 4 MiB buffer, copied into another in wasm memory: memory stays
//! bounded) through the same reader and
//! analyzer as the CLI, and answers with progress, the resets found so far,
//! the report's summary, and then the report. Given two captures (this one and the other end's),
//! it reads one after the other and adds their comparison to the first
//! one's report.
//!
//! To list a connection's packets, or export connections as pcapng, it
//! reads the capture again twice (the streams' spans, then their packets),
//! memory bounded by those streams.
//!
//! To make a share link, it packs a report's link payload: compressing a big
//! report takes seconds, which the page must not freeze for.
//!
//! To warm up, it analyses the built-in sample a few times while the page
//! is idle, so that V8 has compiled and optimised the analyzer before the
//! user's capture comes; a request that arrives stops it.
//!
//! The page cancels by terminating the worker.

use js_sys::Uint8Array;
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use rstscope_capture::export::PcapngExport;
use rstscope_capture::{CaptureReader, EachFrame, Format, Sink};
use rstscope_core::decode::TcpPacket;
use rstscope_core::listing::Lister;
use rstscope_core::select::{self, SpanFinder, Target};
use rstscope_core::{Analysis, Analyzer, Config, Frame, Report};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, DedicatedWorkerGlobalScope, MessageEvent, ReadableStreamByobReader,
    ReadableStreamDefaultReader, ReadableStreamReadResult,
};

use crate::protocol::{
    codec, CaptureFile, Conversation, FrameComment, FromWorker, LiveReset, RunStats, ToWorker,
    LIVE_RESETS,
};
use crate::share;

/// Seconds between progress messages: four a second keep a progress bar
/// moving; each message is a render of the page on the same two cores as
/// the analysis and the browser's reading of the file, and at 0.1 s (and a
/// message for each of the first resets) a 1 GiB capture cost ~125 of
/// them (BENCHMARKS.md, session 9).
const POST_EVERY_S: f64 = 0.25;

/// Runs over the sample in a warm-up at most, and the seconds it may take:
/// enough for V8 to optimise the per-packet path (BENCHMARKS.md, session 6),
/// little enough to leave a phone's battery alone. More runs leave V8 less
/// to optimise during the user's first analysis, but 128 did not make it
/// measurably faster (BENCHMARKS.md, session 7).
const WARM_UP_RUNS: u32 = 16;
const WARM_UP_S: f64 = 2.0;

/// The worker's requests and what it has done so far.
#[derive(Default)]
struct Life {
    /// Requests not yet answered, in the order they came.
    waiting: RefCell<VecDeque<Result<ToWorker, String>>>,
    /// A request is being answered: the next waits for it.
    busy: Cell<bool>,
    answered: Cell<u32>,
    warm_up_runs: Cell<u32>,
    warm_up_seconds: Cell<f64>,
}

pub fn run() {
    let life = Rc::new(Life::default());
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        life.waiting
            .borrow_mut()
            .push_back(codec::decode::<ToWorker>(event.data()));
        if !life.busy.replace(true) {
            wasm_bindgen_futures::spawn_local(serve(life.clone()));
        }
    });
    global().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&FromWorker::Ready {
        build: crate::BUILD.into(),
    });
}

/// Answers the waiting requests one after the other: two at once would
/// share the worker's time, and the timing in each one's stats.
async fn serve(life: Rc<Life>) {
    loop {
        let next = life.waiting.borrow_mut().pop_front();
        let answer = match next {
            None => break,
            Some(Ok(request)) => answer(request, &life).await,
            Some(Err(err)) => Some(FromWorker::Failed {
                message: format!("the worker did not understand the request: {err}"),
            }),
        };
        if let Some(answer) = answer {
            post(&stamped(answer, &life));
            life.answered.set(life.answered.get() + 1);
        }
    }
    life.busy.set(false);
}

/// An analysis's stats with what the worker did before it.
fn stamped(mut answer: FromWorker, life: &Life) -> FromWorker {
    if let FromWorker::Done { stats, .. } = &mut answer {
        stats.earlier_requests = life.answered.get();
        stats.warm_up_runs = life.warm_up_runs.get();
        stats.warm_up_seconds = life.warm_up_seconds.get();
    }
    answer
}

/// Analyses the sample again and again, the results thrown away, until the
/// runs or the time are used up or a request waits (after the first run).
/// Each run is a request's own analysis, from the Blob's stream to the
/// answer's encoding, only silent: V8 optimises whole functions once they
/// have run hot, and the code around the analyzer (the request's future,
/// the reading, the live feed) cost as much to optimise during the user's
/// first analysis as the analyzer itself (BENCHMARKS.md, session 8).
async fn warm_up(sample: &CaptureFile, life: &Life) {
    let started = now_s();
    for run in 0..WARM_UP_RUNS {
        // One run at least: it is what compiles the most (BENCHMARKS.md).
        let asked = !life.waiting.borrow().is_empty();
        if run > 0 && (asked || now_s() - started > WARM_UP_S) {
            break;
        }
        // The first run compares the sample with itself: a comparison's path.
        let captures = vec![sample.clone(); if run == 0 { 2 } else { 1 }];
        let _ = codec::encode(&analysis(&captures, Run::WarmUp).await);
        life.warm_up_runs.set(life.warm_up_runs.get() + 1);
        life.warm_up_seconds.set(now_s() - started);
        // Lets a request that came meanwhile into `waiting`.
        next_task().await;
    }
}

/// Resolves in a later task, after messages that came meanwhile.
async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = global().set_timeout_with_callback(&resolve);
    });
    let _ = JsFuture::from(promise).await;
}

/// The request's last message; those before it are posted on the way. A
/// warm-up has none.
async fn answer(request: ToWorker, life: &Life) -> Option<FromWorker> {
    Some(match request {
        ToWorker::Analyse { captures } => analysis(&captures, Run::Request).await,
        ToWorker::PackLink { json } => FromWorker::Link {
            fragment: share::pack(&json),
        },
        ToWorker::ListPackets {
            capture,
            conversation,
        } => list_packets(&capture, &conversation)
            .await
            .unwrap_or_else(|message| FromWorker::Failed {
                message: format!("{}: {message}", capture.name),
            }),
        ToWorker::ExportPcap {
            capture,
            conversations,
            comments,
        } => export_pcap(&capture, &conversations, &comments)
            .await
            .unwrap_or_else(|message| FromWorker::Failed {
                message: format!("{}: {message}", capture.name),
            }),
        ToWorker::WarmUp { sample } => {
            warm_up(&sample, life).await;
            return None;
        }
    })
}

/// The conversation's packets, as Wireshark lists them (`core::listing`).
async fn list_packets(
    capture: &CaptureFile,
    conversation: &Conversation,
) -> Result<FromWorker, String> {
    let target = target(conversation);
    let mut lister = Lister::new(target.a);
    each_selected(&capture.blob, &[target], |frame, packet| {
        lister.push(frame.number, frame.ts_ns, packet);
    })
    .await?;
    let (packets, more) = lister.finish();
    Ok(FromWorker::Packets { packets, more })
}

/// The conversations' packets as a pcapng file, the comments on their frames.
async fn export_pcap(
    capture: &CaptureFile,
    conversations: &[Conversation],
    comments: &[FrameComment],
) -> Result<FromWorker, String> {
    let targets: Vec<Target> = conversations.iter().map(target).collect();
    let comments: HashMap<u64, &str> = comments
        .iter()
        .map(|c| (c.frame, c.text.as_str()))
        .collect();
    let mut export = PcapngExport::new(Vec::new()).map_err(|e| e.to_string())?;
    let mut failed = None;
    each_selected(&capture.blob, &targets, |frame, _| {
        if failed.is_none() {
            let comment = comments.get(&frame.number).copied();
            failed = export.push(frame, comment).err();
        }
    })
    .await?;
    if let Some(err) = failed {
        return Err(err.to_string());
    }
    let packets = export.frames();
    Ok(FromWorker::Pcapng {
        file: export.finish(),
        packets,
    })
}

fn target(conversation: &Conversation) -> Target {
    Target::of(conversation.client, conversation.server, conversation.frame)
}

/// Hands `each` the frames of the streams holding the targets, in capture
/// order: a first pass finds where each stream begins and ends, a second
/// picks its frames (`core::select`); memory bounded by the targets.
async fn each_selected(
    capture: &Blob,
    targets: &[Target],
    mut each: impl FnMut(&Frame<'_>, &TcpPacket<'_>),
) -> Result<(), String> {
    let size = capture.size() as u64;
    let mut progress = PassProgress::new(size.saturating_mul(2));
    let mut finder = SpanFinder::new(targets);
    read_through(capture, &mut finder, |bytes| progress.at(bytes)).await?;
    let selection = finder.finish();
    if selection.is_empty() {
        return Err("the connection's packets are not in this capture".into());
    }
    let mut sink = EachFrame(|frame: &Frame<'_>| {
        if let Some(packet) = select::tcp_of(frame).filter(|p| selection.holds(frame.number, p)) {
            each(frame, &packet);
        }
    });
    read_through(capture, &mut sink, |bytes| progress.at(size + bytes)).await
}

/// Progress over passes that read the capture again: a message each time
/// another whole percent of the passes is read, so a capture of n chunks
/// gives about n of them however fast the machine is (the list's progress
/// bar is tested by that count), and one at the end of each pass.
struct PassProgress {
    total: u64,
    started: f64,
    percent: u64,
}

impl PassProgress {
    fn new(total: u64) -> Self {
        Self {
            total,
            started: now_s(),
            percent: 0,
        }
    }

    fn at(&mut self, bytes: u64) {
        let percent = bytes.saturating_mul(100) / self.total.max(1);
        if percent <= self.percent {
            return;
        }
        self.percent = percent;
        let seconds = (now_s() - self.started).max(1e-3);
        post(&FromWorker::Progress {
            capture: 0,
            bytes,
            total: self.total,
            mb_per_s: bytes as f64 / 1e6 / seconds,
        });
    }
}

/// The capture read through into `sink`, `on_chunk` told the bytes read.
async fn read_through(
    capture: &Blob,
    sink: &mut impl Sink,
    mut on_chunk: impl FnMut(u64),
) -> Result<(), String> {
    let mut reader = CaptureReader::new();
    let mut chunks = Chunks::new(capture, CHUNK_BYTES)?;
    let mut offset = 0;
    while let Some(bytes) = chunks.next().await? {
        reader.push(bytes, sink).map_err(|err| err.to_string())?;
        offset += bytes.len() as u64;
        on_chunk(offset);
    }
    reader.finish(sink).map_err(|err| err.to_string())?;
    Ok(())
}

fn global() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(message: &FromWorker) {
    let posted = codec::encode(message).and_then(|(value, transfer)| {
        global()
            .post_message_with_transfer(&value, &transfer)
            .map_err(|err| format!("{err:?}"))
    });
    if let Err(err) = posted {
        // Only a report too big for the browser gets here: say so instead.
        let failed = FromWorker::Failed {
            message: format!("the result could not be handed to the page: {err}"),
        };
        if let Ok((value, _)) = codec::encode(&failed) {
            let _ = global().post_message(&value);
        }
    }
}

fn now_s() -> f64 {
    global().performance().map_or(0.0, |p| p.now() / 1000.0)
}

/// Whom an analysis is for: a request's tells the page how far it is; a
/// warm-up's tells nobody, and reads in small pieces so that its loop runs
/// about as many times over the small sample as a request's over a capture.
#[derive(Clone, Copy, PartialEq)]
enum Run {
    Request,
    WarmUp,
}

/// [`analyse`] as a future of its own, not inlined into `serve`'s: V8
/// optimises a function as a whole once it has run hot, and `serve` with
/// every request inlined was 27 KB of wasm that took 150 ms to optimise on
/// another core during the user's first analysis (BENCHMARKS.md, session 8).
#[inline(never)]
fn analysis<'a>(
    captures: &'a [CaptureFile],
    run: Run,
) -> Pin<Box<dyn Future<Output = FromWorker> + 'a>> {
    Box::pin(analyse(captures, run))
}

/// The capture's report; with the capture from the other end, the two
/// compared (as the CLI's `--peer` does).
async fn analyse(captures: &[CaptureFile], run: Run) -> FromWorker {
    let started = now_s();
    let result = match captures {
        [capture] => read(capture, 0, Config::default(), run)
            .await
            .map(|(analysis, stats)| (analysis.report, stats)),
        [capture, peer] => compare(capture, peer, run).await,
        _ => Err(format!(
            "{} files were given: open one capture, or two of the same traffic to compare",
            captures.len()
        )),
    };
    match result {
        Ok((mut report, mut stats)) => {
            stats.seconds = now_s() - started;
            report.generator = Some(crate::generator());
            announce(&report, run);
            FromWorker::Done {
                report: Box::new(report),
                stats,
            }
        }
        Err(message) => FromWorker::Failed { message },
    }
}

/// Posts the report's summary ahead of the report (`FromWorker::Summary`);
/// a warm-up only encodes it, as it does every message.
fn announce(report: &Report, run: Run) {
    let summary = FromWorker::summary_of(report);
    match run {
        Run::Request => post(&summary),
        Run::WarmUp => {
            let _ = codec::encode(&summary);
        }
    }
}

async fn compare(
    capture: &CaptureFile,
    peer: &CaptureFile,
    run: Run,
) -> Result<(Report, RunStats), String> {
    let (main, mut stats) = read(capture, 0, Config::traced(), run).await?;
    let (peer, peer_stats) = read(peer, 1, Config::traced(), run).await?;
    stats.bytes += peer_stats.bytes;
    stats.analysis_seconds += peer_stats.analysis_seconds;
    Ok((main.compared_with(&peer), stats))
}

/// One capture read through; a failure names the file.
async fn read(
    capture: &CaptureFile,
    index: u8,
    config: Config,
    run: Run,
) -> Result<(Analysis, RunStats), String> {
    read_blob(&capture.blob, index, config, run)
        .await
        .map_err(|message| format!("{}: {message}", capture.name))
}

async fn read_blob(
    capture: &Blob,
    index: u8,
    config: Config,
    run: Run,
) -> Result<(Analysis, RunStats), String> {
    let mut reader = CaptureReader::new();
    let mut analyzer = Analyzer::new(config);
    let mut feed = LiveFeed::new(index, capture.size() as u64, run == Run::Request);
    let view = match run {
        Run::Request => CHUNK_BYTES,
        Run::WarmUp => WARM_UP_CHUNK_BYTES,
    };
    let mut chunks = Chunks::new(capture, view)?;
    let mut offset = 0;
    // Time spent in the reader and analyzer, not waiting for the browser's bytes.
    let mut analysing = 0.0;
    while let Some(bytes) = chunks.next().await? {
        let pushed = now_s();
        reader
            .push(bytes, &mut analyzer)
            .map_err(|err| err.to_string())?;
        analysing += now_s() - pushed;
        offset += bytes.len() as u64;
        feed.after_chunk(offset, &analyzer);
    }
    feed.post(offset, &analyzer);
    let finishing = now_s();
    let summary = reader
        .finish(&mut analyzer)
        .map_err(|err| err.to_string())?;
    let analysis = analyzer.finish();
    analysing += now_s() - finishing;
    Ok((
        analysis,
        RunStats {
            format: match summary.format {
                Format::Pcap { .. } => "pcap",
                Format::PcapNg => "pcapng",
                Format::Erf => "erf",
            }
            .into(),
            compressed: summary.compressed,
            bytes: summary.bytes,
            seconds: now_s() - feed.started,
            analysis_seconds: analysing,
            // Filled in by `stamped`.
            earlier_requests: 0,
            warm_up_runs: 0,
            warm_up_seconds: 0.0,
        },
    ))
}

/// Bytes read with a BYOB ("bring your own buffer") reader.
const CHUNK_BYTES: u32 = 4 << 20;

/// The same in a warm-up: the 0.7 MB sample in ~40 reads, as many as ~20 MB
/// of a capture (the browser hands over about half a MB per read).
const WARM_UP_CHUNK_BYTES: u32 = 16 << 10;

/// The capture's bytes as they are read, copied into one buffer in wasm
/// memory that is allocated once: resizing a `Vec` to each chunk's length
/// zero-filled most of every chunk before the copy (chunks come in varying
/// sizes), ~15 % of the worker's processor time on a long-transfer capture
/// (BENCHMARKS.md, session 8). A BYOB reader refills one JavaScript buffer
/// again and again; a default reader's chunks are fresh ArrayBuffers, which
/// pile up by the hundred MB before the garbage collector frees them. The
/// default reader is the fallback where a Blob's stream is not a byte stream.
struct Chunks {
    reader: Reader,
    buffer: Vec<u8>,
}

enum Reader {
    Byob {
        reader: ReadableStreamByobReader,
        view: Uint8Array,
    },
    Default(ReadableStreamDefaultReader),
}

impl Chunks {
    /// A reader of `capture` that reads at most `view` bytes at a time.
    fn new(capture: &Blob, view: u32) -> Result<Self, String> {
        let stream = capture.stream();
        // Refused without locking the stream when it is not a byte stream.
        let reader = match ReadableStreamByobReader::new(&stream) {
            Ok(reader) => Reader::Byob {
                reader,
                view: Uint8Array::new_with_length(view),
            },
            Err(_) => Reader::Default(ReadableStreamDefaultReader::new(&stream).map_err(describe)?),
        };
        Ok(Self {
            reader,
            buffer: vec![0; view as usize],
        })
    }

    /// The next chunk, copied into wasm memory; `None` at the end of the file.
    async fn next(&mut self) -> Result<Option<&[u8]>, String> {
        let read = match &self.reader {
            Reader::Byob { reader, view } => reader.read_with_array_buffer_view(view),
            Reader::Default(reader) => reader.read(),
        };
        let result: ReadableStreamReadResult = JsFuture::from(read)
            .await
            .map_err(describe)?
            .unchecked_into();
        if result.get_done() == Some(true) {
            return Ok(None);
        }
        let chunk: Uint8Array = result.get_value().dyn_into().map_err(describe)?;
        let len = chunk.length() as usize;
        if len > self.buffer.len() {
            // Only a default reader's chunk can be longer than the view.
            self.buffer.resize(len, 0);
        }
        let bytes = self.buffer.get_mut(..len).unwrap_or_default();
        chunk.copy_to(bytes);
        if let Reader::Byob { view, .. } = &mut self.reader {
            // The read moved our buffer into `chunk`: hand all of it back.
            *view = Uint8Array::new(&chunk.buffer());
        }
        Ok(Some(bytes))
    }
}

/// Tells the UI how far reading is and which resets it found so far.
struct LiveFeed {
    capture: u8,
    /// False in a warm-up: its messages are made but not posted.
    heard: bool,
    total: u64,
    started: f64,
    last_post: f64,
    /// Resets counted, and listed, in the messages so far.
    counted: usize,
    listed: usize,
}

impl LiveFeed {
    fn new(capture: u8, total: u64, heard: bool) -> Self {
        let started = now_s();
        Self {
            capture,
            heard,
            total,
            started,
            last_post: started,
            counted: 0,
            listed: 0,
        }
    }

    fn after_chunk(&mut self, bytes: u64, analyzer: &Analyzer) {
        // The first reset goes out at once: it is what the user waits for;
        // those after it wait for the next message.
        let first = self.listed == 0 && analyzer.resets_seen() > 0;
        if first || now_s() - self.last_post >= POST_EVERY_S {
            self.post(bytes, analyzer);
        }
    }

    fn send(&self, message: &FromWorker) {
        if self.heard {
            post(message);
        } else {
            let _ = codec::encode(message);
        }
    }

    fn post(&mut self, bytes: u64, analyzer: &Analyzer) {
        let now = now_s();
        self.last_post = now;
        self.send(&FromWorker::Progress {
            capture: self.capture,
            bytes,
            total: self.total,
            mb_per_s: bytes as f64 / 1e6 / (now - self.started).max(1e-3),
        });
        let seen = analyzer.resets_seen();
        if seen == self.counted {
            return;
        }
        let new_resets: Vec<LiveReset> = (self.listed..seen.min(LIVE_RESETS))
            .filter_map(|i| analyzer.reset_at(i))
            .map(LiveReset::from)
            .collect();
        self.listed += new_resets.len();
        self.counted = seen;
        self.send(&FromWorker::Partial {
            capture: self.capture,
            resets_seen: seen as u64,
            new_resets,
        });
    }
}

/// A browser exception as a sentence.
fn describe(err: JsValue) -> String {
    let detail = err
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| format!("{err:?}"));
    format!("reading the file failed: {detail}")
}
