//! Exports for `tests/bench/wasm-core.mjs`: `start(capacity)` makes a fresh
//! reader and analyzer and returns the address of a chunk buffer in linear
//! memory; `push(len)` analyses the first `len` bytes written there;
//! `finish()` ends the capture and returns the number of resets (or -1 if
//! the input was not a capture).

use std::cell::RefCell;

use rstscope_capture::CaptureReader;
use rstscope_core::{Analyzer, Config};

struct Run {
    reader: CaptureReader,
    analyzer: Analyzer,
    chunk: Vec<u8>,
    failed: bool,
}

thread_local! {
    static RUN: RefCell<Option<Run>> = const { RefCell::new(None) };
}

#[no_mangle]
pub extern "C" fn start(capacity: usize) -> *mut u8 {
    RUN.with_borrow_mut(|run| {
        let run = run.insert(Run {
            reader: CaptureReader::new(),
            analyzer: Analyzer::new(Config::default()),
            chunk: vec![0; capacity],
            failed: false,
        });
        run.chunk.as_mut_ptr()
    })
}

#[no_mangle]
pub extern "C" fn push(len: usize) {
    RUN.with_borrow_mut(|run| {
        if let Some(run) = run {
            let chunk = run.chunk.get(..len).unwrap_or_default();
            run.failed |= run.reader.push(chunk, &mut run.analyzer).is_err();
        }
    });
}

#[no_mangle]
pub extern "C" fn finish() -> i32 {
    RUN.with_borrow_mut(|run| {
        let Some(mut run) = run.take() else {
            return -1;
        };
        if run.failed || run.reader.finish(&mut run.analyzer).is_err() {
            return -1;
        }
        let resets = run.analyzer.finish().report.resets.len();
        i32::try_from(resets).unwrap_or(i32::MAX)
    })
}

/// Does nothing: `tests/bench/wasm-tier.mjs` calls it once, between the
/// warm-up and the measured run, so that V8's trace of its (lazy) compilation
/// marks where the run begins.
#[no_mangle]
pub extern "C" fn mark() {
    std::hint::black_box(());
}
