//! Arbitrary bytes, plain or gzip-wrapped (intact, cut short or damaged),
//! pushed into `CaptureReader` in chunk sizes taken from the input, with the
//! core's `Analyzer` as the sink: the whole pipeline the app and CLI run.
//!
//! Besides "no panic, no hang, bounded memory" it checks that frames are
//! numbered 1, 2, 3, ..., that nothing arrives after a warning, that the
//! report counts every frame, and that the chunking changes nothing: the
//! same stream pushed in one piece gives the same frames and warnings, and
//! a report of any frame serialises to JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rstscope_capture::CaptureReader;
use rstscope_core::{Analyzer, Config};
use rstscope_fuzz_common::{chunk_sizes, CaptureInput, Checker, Discard};

fuzz_target!(|input: &[u8]| {
    let Some(input) = CaptureInput::parse(input) else {
        return;
    };
    let stream = input.stream();

    let mut chunked = Checker::new(Analyzer::new(Config::default()));
    let mut reader = CaptureReader::new();
    let mut at = 0;
    let mut failed = false;
    let sizes = chunk_sizes(input.chunking, stream.len());
    // One push of everything is what the second reading below does: the
    // same calls, so it could not differ (the reader never sees the sink).
    let one_push = sizes == [stream.len()];
    for size in sizes {
        if reader.push(&stream[at..at + size], &mut chunked).is_err() {
            failed = true;
            break;
        }
        at += size;
    }
    let summary = if failed {
        None
    } else {
        reader.finish(&mut chunked).ok()
    };
    if let Some(summary) = summary {
        assert_eq!(summary.frames, chunked.frames, "summary counts every frame");
        assert_eq!(
            summary.bytes,
            stream.len() as u64,
            "summary counts every byte"
        );
    }

    if !one_push {
        same_in_one_push(&stream, &chunked, summary.is_some());
    }

    let frames = chunked.frames;
    let report = chunked.inner.finish().report;
    assert_eq!(
        report.capture.packets, frames,
        "the report counts every frame"
    );
    // Without a frame the report holds only counters and warnings, whose
    // JSON the analyze target and the capture crate's tests write.
    if frames > 0 {
        serde_json::to_writer(std::io::sink(), &report).expect("a report always serialises");
    }
});

/// The stream pushed in one piece gives what the chunked reading gave.
fn same_in_one_push(stream: &[u8], chunked: &Checker<Analyzer>, chunked_ok: bool) {
    let mut whole = Checker::new(Discard);
    let mut reader = CaptureReader::new();
    let whole_summary = match reader.push(stream, &mut whole) {
        Ok(()) => reader.finish(&mut whole).ok(),
        Err(_) => None,
    };
    assert_eq!(
        chunked_ok,
        whole_summary.is_some(),
        "chunking decides whether the input is a capture"
    );
    assert_eq!(chunked.frames, whole.frames, "chunking changes the frames");
    assert_eq!(
        chunked.digest(),
        whole.digest(),
        "chunking changes the frames"
    );
    assert_eq!(
        chunked.warnings, whole.warnings,
        "chunking changes the warnings"
    );
}
