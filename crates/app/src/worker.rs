//! The analysis worker: takes a capture (`Blob`/`File`) from the UI, reads it
//! in slices through the same reader and analyzer as the CLI, and answers
//! with progress messages and then the report (see `protocol.rs`).
//!
//! The work is one synchronous loop: the UI cancels by terminating the worker.

use rstscope_capture::{CaptureReader, Format};
use rstscope_core::{Analyzer, Config};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent};

use crate::protocol::{FromWorker, RunStats};

/// Bytes read per step: large enough to be fast, small enough for smooth progress.
const SLICE: u64 = 4 << 20;

pub fn run() {
    let scope = global();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        let reply = match event.data().dyn_into::<Blob>() {
            Ok(capture) => analyse(&capture),
            Err(_) => FromWorker::Failed {
                message: "the worker expected a file".into(),
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

fn analyse(capture: &Blob) -> FromWorker {
    match read(capture) {
        Ok(done) => done,
        Err(message) => FromWorker::Failed { message },
    }
}

fn read(capture: &Blob) -> Result<FromWorker, String> {
    let started = now_s();
    let files = FileReaderSync::new().map_err(describe)?;
    let total = capture.size() as u64;
    let mut reader = CaptureReader::new();
    let mut analyzer = Analyzer::new(Config::default());
    let mut offset = 0;
    while offset < total {
        let end = (offset + SLICE).min(total);
        let slice = capture
            .slice_with_f64_and_f64(offset as f64, end as f64)
            .map_err(describe)?;
        let buffer = files.read_as_array_buffer(&slice).map_err(describe)?;
        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
        reader
            .push(&bytes, &mut analyzer)
            .map_err(|err| err.to_string())?;
        offset = end;
        let elapsed = (now_s() - started).max(1e-3);
        post(&FromWorker::Progress {
            bytes: offset,
            total,
            mb_per_s: offset as f64 / 1e6 / elapsed,
        });
    }
    let summary = reader
        .finish(&mut analyzer)
        .map_err(|err| err.to_string())?;
    Ok(FromWorker::Done {
        report: Box::new(analyzer.finish()),
        stats: RunStats {
            format: match summary.format {
                Format::Pcap { .. } => "pcap",
                Format::PcapNg => "pcapng",
            }
            .into(),
            compressed: summary.compressed,
            bytes: summary.bytes,
            seconds: now_s() - started,
        },
    })
}

/// A browser exception as a sentence.
fn describe(err: JsValue) -> String {
    let detail = err
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| format!("{err:?}"));
    format!("reading the file failed: {detail}")
}
