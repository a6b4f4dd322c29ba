//! The analysis worker: takes a capture (`Blob`/`File`) from the UI, reads it
//! in slices through the same reader and analyzer as the CLI, and answers
//! with progress messages and then the report (see `protocol.rs`). Given two
//! captures (this one and the other end's), it reads one after the other and
//! adds their comparison to the first one's report.
//!
//! The work is one synchronous loop: the UI cancels by terminating the worker.

use rstscope_capture::{CaptureReader, Format, Sink};
use rstscope_core::report::Warning;
use rstscope_core::{Analyzer, Config, Frame, Report, Vantage};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent};

use crate::protocol::{FromWorker, RunStats};

/// Bytes read per step: large enough to be fast, small enough for smooth progress.
const SLICE: u64 = 4 << 20;

pub fn run() {
    let scope = global();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        let data = event.data();
        let captures: Vec<Blob> = if js_sys::Array::is_array(&data) {
            js_sys::Array::from(&data)
                .iter()
                .filter_map(|item| item.dyn_into::<Blob>().ok())
                .collect()
        } else {
            data.dyn_into::<Blob>().into_iter().collect()
        };
        let reply = match &captures[..] {
            [capture] => analyse(capture, None),
            [capture, peer] => analyse(capture, Some(peer)),
            _ => FromWorker::Failed {
                message: "the worker expected one or two files".into(),
            },
        };
        post(&reply);
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
    // Posting a string to our own parent cannot fail.
    let _ = global().post_message(&JsValue::from_str(&message.to_json()));
}

fn now_s() -> f64 {
    global().performance().map_or(0.0, |p| p.now() / 1000.0)
}

/// The capture's report; with the capture from the other end, the two
/// compared (as the CLI's `--peer` does).
fn analyse(capture: &Blob, peer: Option<&Blob>) -> FromWorker {
    let started = now_s();
    let result = (|| {
        let Some(peer) = peer else {
            let (report, _, stats) = read(capture, 0, false)?;
            return Ok((report, stats));
        };
        let name = |blob: &Blob, fallback: &str| {
            blob.dyn_ref::<web_sys::File>()
                .map_or(fallback.to_string(), |f| f.name())
        };
        let (mut report, main, mut stats) = read(capture, 0, true)
            .map_err(|m| format!("{}: {m}", name(capture, "this capture")))?;
        let (peer_report, peer_vantage, peer_stats) =
            read(peer, 1, true).map_err(|m| format!("{}: {m}", name(peer, "the other capture")))?;
        report.comparison = Some(rstscope_core::compare(
            (&report, &main),
            (&peer_report, &peer_vantage),
        ));
        stats.bytes += peer_stats.bytes;
        Ok((report, stats))
    })();
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

fn read(capture: &Blob, index: u8, compare: bool) -> Result<(Report, Vantage, RunStats), String> {
    let started = now_s();
    let files = FileReaderSync::new().map_err(describe)?;
    let total = capture.size() as u64;
    let mut reader = CaptureReader::new();
    let mut tee = Tee {
        analyzer: Analyzer::new(Config::default()),
        vantage: compare.then(Vantage::default),
    };
    let mut offset = 0;
    while offset < total {
        let end = (offset + SLICE).min(total);
        let slice = capture
            .slice_with_f64_and_f64(offset as f64, end as f64)
            .map_err(describe)?;
        let buffer = files.read_as_array_buffer(&slice).map_err(describe)?;
        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
        reader
            .push(&bytes, &mut tee)
            .map_err(|err| err.to_string())?;
        offset = end;
        let elapsed = (now_s() - started).max(1e-3);
        post(&FromWorker::Progress {
            capture: index,
            bytes: offset,
            total,
            mb_per_s: offset as f64 / 1e6 / elapsed,
        });
    }
    let summary = reader.finish(&mut tee).map_err(|err| err.to_string())?;
    Ok((
        tee.analyzer.finish(),
        tee.vantage.unwrap_or_default(),
        RunStats {
            format: match summary.format {
                Format::Pcap { .. } => "pcap",
                Format::PcapNg => "pcapng",
            }
            .into(),
            compressed: summary.compressed,
            bytes: summary.bytes,
            seconds: now_s() - started,
        },
    ))
}

/// A browser exception as a sentence.
fn describe(err: JsValue) -> String {
    let detail = err
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| format!("{err:?}"));
    format!("reading the file failed: {detail}")
}
