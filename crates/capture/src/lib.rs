//! Streaming capture ingestion: bytes in, in chunks of any size; frames out
//! as soon as they are complete. Memory does not grow with the file.
//!
//! Formats: classic pcap (both byte orders, micro- and nanosecond), pcapng
//! (several sections and interfaces, per-interface link type and
//! `if_tsresol`; EPB, SPB and obsolete packet blocks), each optionally gzipped
//! (detected by magic bytes, not by file name).

use rstscope_core::report::Warning;
use rstscope_core::{Analyzer, Frame};

/// Where frames and warnings go. The core's [`Analyzer`] is the usual sink.
pub trait Sink {
    fn frame(&mut self, frame: &Frame<'_>);
    fn warning(&mut self, warning: Warning);
}

impl Sink for Analyzer {
    fn frame(&mut self, frame: &Frame<'_>) {
        self.push(frame);
    }
    fn warning(&mut self, warning: Warning) {
        self.warn(warning);
    }
}

/// The input cannot be read as a capture at all. Problems after the first
/// frame are warnings instead, and everything before them is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaptureError {
    /// Byte offset in the (decompressed) input where the problem is.
    pub offset: u64,
    /// What the input looks like instead, e.g. "this is a ZIP archive, not a capture".
    pub message: String,
}

impl std::fmt::Display for CaptureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

impl std::error::Error for CaptureError {}
