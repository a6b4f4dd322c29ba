//! Streaming capture ingestion: bytes in, in chunks of any size; frames out
//! as soon as they are complete. Memory does not grow with the file.
//!
//! Formats: classic pcap (both byte orders, micro- and nanosecond), pcapng
//! (several sections and interfaces, per-interface link type and
//! `if_tsresol`; EPB, SPB and obsolete packet blocks) and native Endace ERF
//! (recognised by the shape of its records), each optionally gzipped
//! (detected by magic bytes, not by file name).
//!
//! Only input that is not a capture at all is an error ([`CaptureError`],
//! naming what the input looks like instead). Damage found later becomes a
//! [`Sink::warning`] ("corrupt-block", "truncated-record", "truncated-gzip")
//! with the frame number and the offset in the decompressed stream; the
//! frames before it are kept and the rest of the input is ignored.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic,
        clippy::todo,
        clippy::unimplemented
    )
)]

pub mod aligned;
mod bytes;
mod erf;
pub mod export;
mod framer;
mod gzip;
mod pcap;
mod pcapng;
mod reader;
mod sniff;

use std::io::{ErrorKind, Read};

use rstscope_core::report::Warning;
use rstscope_core::select::{self, SpanFinder};
use rstscope_core::{Analyzer, Frame};

pub use gzip::{is_gzip, Inflater};
pub use reader::CaptureReader;

/// The container format, known once the magic number has been read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Pcap {
        nanosecond: bool,
        big_endian: bool,
    },
    PcapNg,
    /// Native Endace ERF records (no file header).
    Erf,
}

/// What [`CaptureReader::finish`] and [`read_all`] report about the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    pub format: Format,
    /// Whether the input was gzip-compressed.
    pub compressed: bool,
    /// Input (compressed) bytes read.
    pub bytes: u64,
    /// Frames handed to the sink.
    pub frames: u64,
}

/// Reads a whole capture from `input` in 1 MiB chunks, calling
/// `progress(bytes_read)` after each. For the CLI (files and stdin) and tests.
pub fn read_all(
    mut input: impl Read,
    sink: &mut impl Sink,
    mut progress: impl FnMut(u64),
) -> Result<Summary, CaptureError> {
    let mut reader = CaptureReader::new();
    let mut buf = aligned::AlignedBuf::new(1 << 20);
    loop {
        let len = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(len) => len,
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            Err(err) => {
                return Err(CaptureError {
                    offset: reader.bytes_consumed(),
                    message: format!("reading the input failed: {err}"),
                })
            }
        };
        reader.push(buf.get(..len).unwrap_or_default(), sink)?;
        progress(reader.bytes_consumed());
    }
    reader.finish(sink)
}

/// Whether `head`, the first bytes of a file (a few KiB; `whole` when that
/// is all of it), start like a capture this crate reads (pcap, pcapng, ERF;
/// plain or gzipped): the reader's own judgement of them. For picking
/// captures out of a directory; too short a `head` to tell counts as yes.
pub fn starts_like_capture(head: &[u8], whole: bool) -> bool {
    struct Ignore;
    impl Sink for Ignore {
        fn frame(&mut self, _: &Frame<'_>) {}
        fn warning(&mut self, _: Warning) {}
    }
    let mut reader = CaptureReader::new();
    let read = reader.push(head, &mut Ignore);
    match (read, whole) {
        (Ok(()), true) => reader.finish(&mut Ignore).is_ok(),
        (read, _) => read.is_ok(),
    }
}

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

/// The first pass of finding streams again ([`rstscope_core::select`]):
/// it only looks at TCP segments; the analysis reported the warnings.
impl Sink for SpanFinder {
    fn frame(&mut self, frame: &Frame<'_>) {
        if let Some(packet) = select::tcp_of(frame) {
            self.observe(frame.number, &packet);
        }
    }
    fn warning(&mut self, _: Warning) {}
}

/// Every frame to a closure, for passes over a capture already analysed
/// (its warnings were reported then).
pub struct EachFrame<F>(pub F);

impl<F: FnMut(&Frame<'_>)> Sink for EachFrame<F> {
    fn frame(&mut self, frame: &Frame<'_>) {
        (self.0)(frame);
    }
    fn warning(&mut self, _: Warning) {}
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
