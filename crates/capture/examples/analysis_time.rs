//! The native, single-thread analysis time of a capture, measured as the web
//! worker measures its own (`analysis_seconds`): the file is read in 4 MiB
//! chunks (as the worker's BYOB reader does) and only the capture reader
//! and the analyzer are timed, not the reading. `scripts/bench.sh` compares
//! it with the worker's wasm.
//!
//! `cargo run --release -p rstscope-capture --example analysis_time FILE`
//! prints one JSON line: seconds, frames, resets.

use std::fs::File;
use std::io::Read;
use std::time::{Duration, Instant};

use rstscope_capture::{CaptureReader, Sink};
use rstscope_core::report::Warning;
use rstscope_core::{Analyzer, Config, Frame};

struct Analysis(Analyzer);

impl Sink for Analysis {
    fn frame(&mut self, frame: &Frame<'_>) {
        self.0.push(frame);
    }
    fn warning(&mut self, warning: Warning) {
        self.0.warn(warning);
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: analysis_time CAPTURE")?;
    let mut file = File::open(path)?;
    let mut buffer = vec![0; 4 << 20];
    let mut reader = CaptureReader::new();
    let mut sink = Analysis(Analyzer::new(Config::default()));
    let mut analysing = Duration::ZERO;
    loop {
        let len = file.read(&mut buffer)?;
        if len == 0 {
            break;
        }
        let started = Instant::now();
        reader.push(&buffer[..len], &mut sink)?;
        analysing += started.elapsed();
    }
    let started = Instant::now();
    reader.finish(&mut sink)?;
    let report = sink.0.finish().report;
    analysing += started.elapsed();
    println!(
        "{{\"seconds\":{:.4},\"frames\":{},\"resets\":{}}}",
        analysing.as_secs_f64(),
        report.capture.packets,
        report.resets.len()
    );
    Ok(())
}
