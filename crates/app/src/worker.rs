//! The analysis worker: takes a capture (`Blob`/`File`) from the UI, reads it
//! as a stream (`Blob.stream()` into one reused 4 MiB buffer: memory stays bounded)
//! through the same reader and analyzer as the CLI, and answers with
//! progress, the resets found so far, and then the report (see
//! `protocol.rs`). Given two captures (this one and the other end's), it
//! reads one after the other and adds their comparison to the first one's
//! report.
//!
//! Given a report's JSON (UTF-8 bytes) instead, it packs it as a share link and closes:
//! compressing a big report takes seconds, which the page must not freeze
//! for.
//!
//! The UI cancels by terminating the worker.

use js_sys::Uint8Array;
use rstscope_capture::{CaptureReader, Format, Sink};
use rstscope_core::report::Warning;
use rstscope_core::{Analyzer, Config, Frame, Report, Vantage};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, DedicatedWorkerGlobalScope, MessageEvent, ReadableStreamByobReader,
    ReadableStreamDefaultReader, ReadableStreamReadResult,
};

use crate::protocol::{FromWorker, LiveReset, RunStats, LIVE_RESETS};
use crate::share;

/// Seconds between progress messages: smooth enough for a progress bar,
/// few enough that the UI is not busy re-rendering.
const POST_EVERY_S: f64 = 0.1;

pub fn run() {
    let scope = global();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        let data = event.data();
        if let Some(report) = data.dyn_ref::<Uint8Array>() {
            post(&FromWorker::Link {
                fragment: share::pack(&report.to_vec()),
            });
            global().close();
            return;
        }
        let captures: Vec<Blob> = if js_sys::Array::is_array(&data) {
            js_sys::Array::from(&data)
                .iter()
                .filter_map(|item| item.dyn_into::<Blob>().ok())
                .collect()
        } else {
            data.dyn_into::<Blob>().into_iter().collect()
        };
        wasm_bindgen_futures::spawn_local(async move {
            let reply = match &captures[..] {
                [capture] => analyse(capture, None).await,
                [capture, peer] => analyse(capture, Some(peer)).await,
                _ => FromWorker::Failed {
                    message: "the worker expected one or two files".into(),
                },
            };
            post(&reply);
        });
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post(&FromWorker::Ready);
}

fn global() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(message: &FromWorker) {
    let json = Uint8Array::from(&message.to_json()[..]);
    // Handed over, not copied. Posting to our own parent cannot fail.
    let transfer = js_sys::Array::of1(&json.buffer());
    let _ = global().post_message_with_transfer(&json, &transfer);
}

fn now_s() -> f64 {
    global().performance().map_or(0.0, |p| p.now() / 1000.0)
}

/// The capture's report; with the capture from the other end, the two
/// compared (as the CLI's `--peer` does).
async fn analyse(capture: &Blob, peer: Option<&Blob>) -> FromWorker {
    let started = now_s();
    let result = async {
        let Some(peer) = peer else {
            let (report, _, stats) = read(capture, 0, false).await?;
            return Ok((report, stats));
        };
        let name = |blob: &Blob, fallback: &str| {
            blob.dyn_ref::<web_sys::File>()
                .map_or(fallback.to_string(), |f| f.name())
        };
        let (mut report, main, mut stats) = read(capture, 0, true)
            .await
            .map_err(|m| format!("{}: {m}", name(capture, "this capture")))?;
        let (peer_report, peer_vantage, peer_stats) = read(peer, 1, true)
            .await
            .map_err(|m| format!("{}: {m}", name(peer, "the other capture")))?;
        report.comparison = Some(rstscope_core::compare(
            (&report, &main),
            (&peer_report, &peer_vantage),
        ));
        stats.bytes += peer_stats.bytes;
        stats.analysis_seconds += peer_stats.analysis_seconds;
        Ok::<_, String>((report, stats))
    }
    .await;
    match result {
        Ok((report, mut stats)) => {
            stats.seconds = now_s() - started;
            FromWorker::Done {
                report: Box::new(report),
                stats,
            }
        }
        Err(message) => FromWorker::Failed { message },
    }
}

/// Feeds every frame to the analyzer and, when comparing, to the vantage recorder.
struct Tee {
    analyzer: Analyzer,
    vantage: Option<Vantage>,
}

impl Sink for Tee {
    fn frame(&mut self, frame: &Frame<'_>) {
        self.analyzer.push(frame);
        if let Some(vantage) = &mut self.vantage {
            vantage.push(frame);
        }
    }
    fn warning(&mut self, warning: Warning) {
        self.analyzer.warn(warning);
    }
}

async fn read(
    capture: &Blob,
    index: u8,
    compare: bool,
) -> Result<(Report, Vantage, RunStats), String> {
    let mut reader = CaptureReader::new();
    let mut tee = Tee {
        analyzer: Analyzer::new(Config::default()),
        vantage: compare.then(Vantage::default),
    };
    let mut feed = LiveFeed::new(index, capture.size() as u64);
    let mut chunks = Chunks::new(capture)?;
    // One buffer in wasm memory, reused for every chunk.
    let mut buffer = Vec::new();
    let mut offset = 0;
    // Time spent in the reader and analyzer, not waiting for the browser's bytes.
    let mut analysing = 0.0;
    while chunks.next(&mut buffer).await? {
        let pushed = now_s();
        reader
            .push(&buffer, &mut tee)
            .map_err(|err| err.to_string())?;
        analysing += now_s() - pushed;
        offset += buffer.len() as u64;
        feed.after_chunk(offset, &tee.analyzer);
    }
    feed.post(offset, &tee.analyzer);
    let finishing = now_s();
    let summary = reader.finish(&mut tee).map_err(|err| err.to_string())?;
    let report = tee.analyzer.finish();
    analysing += now_s() - finishing;
    Ok((
        report,
        tee.vantage.unwrap_or_default(),
        RunStats {
            format: match summary.format {
                Format::Pcap { .. } => "pcap",
                Format::PcapNg => "pcapng",
            }
            .into(),
            compressed: summary.compressed,
            bytes: summary.bytes,
            seconds: now_s() - feed.started,
            analysis_seconds: analysing,
        },
    ))
}

/// Bytes read with a BYOB ("bring your own buffer") reader.
const CHUNK_BYTES: u32 = 4 << 20;

/// The capture's bytes as they are read. A BYOB reader refills one buffer
/// again and again; a default reader's chunks are fresh ArrayBuffers, which
/// pile up by the hundred MB before the garbage collector frees them. The
/// default reader is the fallback where a Blob's stream is not a byte stream.
enum Chunks {
    Byob {
        reader: ReadableStreamByobReader,
        view: Uint8Array,
    },
    Default(ReadableStreamDefaultReader),
}

impl Chunks {
    fn new(capture: &Blob) -> Result<Self, String> {
        let stream = capture.stream();
        // Refused without locking the stream when it is not a byte stream.
        Ok(match ReadableStreamByobReader::new(&stream) {
            Ok(reader) => Chunks::Byob {
                reader,
                view: Uint8Array::new_with_length(CHUNK_BYTES),
            },
            Err(_) => Chunks::Default(ReadableStreamDefaultReader::new(&stream).map_err(describe)?),
        })
    }

    /// Copies the next chunk into `buffer`; false at the end of the file.
    async fn next(&mut self, buffer: &mut Vec<u8>) -> Result<bool, String> {
        let read = match self {
            Chunks::Byob { reader, view } => reader.read_with_array_buffer_view(view),
            Chunks::Default(reader) => reader.read(),
        };
        let result: ReadableStreamReadResult = JsFuture::from(read)
            .await
            .map_err(describe)?
            .unchecked_into();
        if result.get_done() == Some(true) {
            return Ok(false);
        }
        let chunk: Uint8Array = result.get_value().dyn_into().map_err(describe)?;
        buffer.resize(chunk.length() as usize, 0);
        chunk.copy_to(buffer);
        if let Chunks::Byob { view, .. } = self {
            // The read moved our buffer into `chunk`: hand all of it back.
            *view = Uint8Array::new(&chunk.buffer());
        }
        Ok(true)
    }
}

/// Tells the UI how far reading is and which resets it found so far.
struct LiveFeed {
    capture: u8,
    total: u64,
    started: f64,
    last_post: f64,
    /// Resets counted, and listed, in the messages so far.
    counted: usize,
    listed: usize,
}

impl LiveFeed {
    fn new(capture: u8, total: u64) -> Self {
        let started = now_s();
        Self {
            capture,
            total,
            started,
            last_post: started,
            counted: 0,
            listed: 0,
        }
    }

    fn after_chunk(&mut self, bytes: u64, analyzer: &Analyzer) {
        // The first resets go out at once: they are what the user waits for.
        let unlisted = self.listed < LIVE_RESETS && analyzer.resets_seen() > self.listed;
        if unlisted || now_s() - self.last_post >= POST_EVERY_S {
            self.post(bytes, analyzer);
        }
    }

    fn post(&mut self, bytes: u64, analyzer: &Analyzer) {
        let now = now_s();
        self.last_post = now;
        post(&FromWorker::Progress {
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
        post(&FromWorker::Partial {
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
