//! Shared by the capture benchmarks: a sink that only counts, and the
//! reader fed in 1 MiB chunks, as the CLI and the web worker feed it.

use rstscope_capture::{CaptureReader, Sink};
use rstscope_core::report::Warning;
use rstscope_core::Frame;

pub const CHUNK: usize = 1 << 20;

#[derive(Default)]
pub struct Count {
    pub frames: u64,
    pub bytes: u64,
    pub warnings: u64,
}

impl Sink for Count {
    fn frame(&mut self, frame: &Frame<'_>) {
        self.frames += 1;
        self.bytes += frame.data.len() as u64;
    }
    fn warning(&mut self, _: Warning) {
        self.warnings += 1;
    }
}

/// The whole reader over `input`.
pub fn read(input: &[u8]) -> Result<Count, String> {
    let mut reader = CaptureReader::new();
    let mut count = Count::default();
    for chunk in input.chunks(CHUNK) {
        reader.push(chunk, &mut count).map_err(|e| e.to_string())?;
    }
    reader.finish(&mut count).map_err(|e| e.to_string())?;
    Ok(count)
}
