//! Cuts the decompressed byte stream into units (a file header, a pcap record,
//! a pcapng block) and hands each complete unit to the format parser.
//!
//! Whole units are parsed straight from the pushed chunk; only a unit that
//! straddles two chunks is copied into `pending`, so memory stays at one unit
//! (at most [`MAX_UNIT`] bytes) however big the file is.

use rstscope_core::decode::ProcessMeta;
use rstscope_core::report::{Warning, WarningKind};
use rstscope_core::{Frame, LinkType};

use crate::erf::{self, Erf, Shape};
use crate::pcap::Pcap;
use crate::pcapng::PcapNg;
use crate::{sniff, CaptureError, Format, Sink};

/// Largest record or block we are willing to assemble. Real frames are at
/// most a few hundred KiB; anything declaring more is corruption.
pub(crate) const MAX_UNIT: usize = 64 << 20;

/// What a parser knows after looking at the start of the next unit.
pub(crate) enum Need {
    /// At least this many bytes are needed before the unit length is known.
    Bytes(usize),
    /// The unit is exactly this long.
    Unit(usize),
}

pub(crate) enum Problem {
    /// The input is not a capture at all; says what it looks like instead.
    NotCapture(String),
    /// The capture is damaged here; nothing after it can be trusted.
    Corrupt(String),
}

/// Where a parser delivers frames: numbers them (1-based, file order).
pub(crate) struct Output<'a, S: Sink> {
    frames: &'a mut u64,
    sink: &'a mut S,
}

impl<S: Sink> Output<'_, S> {
    pub(crate) fn frame(&mut self, ts_ns: i64, link_type: LinkType, orig_len: u32, data: &[u8]) {
        self.frame_of(ts_ns, link_type, orig_len, data, None);
    }

    /// A frame the file ties to a process (macOS pcapng).
    pub(crate) fn frame_of(
        &mut self,
        ts_ns: i64,
        link_type: LinkType,
        orig_len: u32,
        data: &[u8],
        process: Option<ProcessMeta<'_>>,
    ) {
        *self.frames = self.frames.saturating_add(1);
        let frame = Frame {
            number: *self.frames,
            ts_ns,
            link_type,
            orig_len,
            data,
            process,
        };
        self.sink.frame(&frame);
    }
}

enum Parser {
    /// Nothing recognised yet: waiting for the magic number.
    Start,
    Pcap(Pcap),
    PcapNg(PcapNg),
    Erf(Erf),
}

impl Parser {
    fn unit_len(&mut self, head: &[u8]) -> Result<Need, Problem> {
        match self {
            Parser::Pcap(pcap) => pcap.unit_len(head),
            Parser::PcapNg(pcapng) => pcapng.unit_len(head),
            Parser::Erf(erf) => erf.unit_len(head),
            Parser::Start => self.detect(head),
        }
    }

    /// The first bytes: which format this is. Kept out of `unit_len`, which
    /// runs once per frame and is then small enough to be inlined.
    #[cold]
    #[inline(never)]
    fn detect(&mut self, head: &[u8]) -> Result<Need, Problem> {
        if let Some(pcap) = Pcap::detect(head) {
            *self = Parser::Pcap(pcap);
            self.unit_len(head)
        } else if let Some(pcapng) = PcapNg::detect(head) {
            *self = Parser::PcapNg(pcapng);
            self.unit_len(head)
        } else if head.len() < 4 {
            Ok(Need::Bytes(4))
        } else if head.len() < sniff::SNIFF_LEN {
            Ok(Need::Bytes(sniff::SNIFF_LEN))
        } else {
            self.without_magic(head, false)
        }
    }

    /// Input with no capture magic: ERF if it has ERF's shape and is not
    /// something else `sniff` can name. `at_end`: no more input follows.
    fn without_magic(&mut self, head: &[u8], at_end: bool) -> Result<Need, Problem> {
        let not_capture = || Problem::NotCapture(sniff::describe(head));
        if sniff::is_named(head) {
            return Err(not_capture());
        }
        match erf::shape(head, at_end) {
            Shape::Erf => {
                *self = Parser::Erf(Erf);
                self.unit_len(head)
            }
            Shape::More(len) => Ok(Need::Bytes(len)),
            Shape::Not => Err(not_capture()),
        }
    }

    fn unit<S: Sink>(&mut self, unit: &[u8], out: &mut Output<'_, S>) -> Result<(), Problem> {
        match self {
            Parser::Pcap(pcap) => pcap.unit(unit, out),
            Parser::PcapNg(pcapng) => pcapng.unit(unit, out),
            Parser::Erf(erf) => erf.unit(unit, out),
            // unit_len() never yields a unit before the format is known.
            Parser::Start => Err(Problem::NotCapture(sniff::describe(unit))),
        }
    }
}

/// Largest `pending` buffer kept between units; a bigger one is freed.
const KEEP_CAPACITY: usize = 1 << 20;

/// Appends `bytes` to `pending`, the start of a unit of `wanted` bytes.
/// Grows by doubling, but never past `wanted`: a 64 MiB unit takes 64 MiB,
/// not 128, and a unit that is announced but never arrives takes only the
/// bytes that did.
fn append_capped(pending: &mut Vec<u8>, bytes: &[u8], wanted: usize) {
    let needed = pending.len().saturating_add(bytes.len());
    if needed > pending.capacity() {
        let target = pending.capacity().saturating_mul(2).min(wanted).max(needed);
        pending.reserve_exact(target.saturating_sub(pending.len()));
    }
    pending.extend_from_slice(bytes);
}

pub(crate) struct Framer {
    parser: Parser,
    /// The start of a unit that straddles chunks.
    pending: Vec<u8>,
    /// Offset of the next unit (= of `pending[0]`) in the decompressed stream.
    unit_start: u64,
    frames: u64,
    /// Set after corruption: everything later is ignored.
    stopped: bool,
}

impl Framer {
    pub(crate) fn new() -> Self {
        Self {
            parser: Parser::Start,
            pending: Vec::new(),
            unit_start: 0,
            frames: 0,
            stopped: false,
        }
    }

    pub(crate) fn format(&self) -> Option<Format> {
        match &self.parser {
            Parser::Start => None,
            Parser::Pcap(pcap) => Some(pcap.format()),
            Parser::PcapNg(_) => Some(Format::PcapNg),
            Parser::Erf(_) => Some(Format::Erf),
        }
    }

    pub(crate) fn frames(&self) -> u64 {
        self.frames
    }

    pub(crate) fn stopped(&self) -> bool {
        self.stopped
    }

    /// Whether a unit has been started but not completed.
    pub(crate) fn has_partial_unit(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Feeds the next stretch of the (decompressed) capture.
    pub(crate) fn feed(
        &mut self,
        mut data: &[u8],
        sink: &mut impl Sink,
    ) -> Result<(), CaptureError> {
        while !self.stopped && !data.is_empty() {
            if self.pending.is_empty() {
                // Fast path: a whole unit is already in the chunk.
                match self.parser.unit_len(data) {
                    Ok(Need::Unit(len)) if len <= data.len() => {
                        let (unit, rest) = data.split_at(len);
                        self.complete(unit, sink)?;
                        data = rest;
                        continue;
                    }
                    Ok(_) => {}
                    Err(problem) => return self.problem(problem, sink),
                }
            }
            // Slow path: copy only as many bytes as the current unit still needs.
            let wanted = match self.parser.unit_len(&self.pending) {
                Ok(Need::Bytes(len) | Need::Unit(len)) => len,
                Err(problem) => return self.problem(problem, sink),
            };
            let take = wanted.saturating_sub(self.pending.len()).min(data.len());
            let (head, rest) = data.split_at(take);
            append_capped(&mut self.pending, head, wanted);
            data = rest;
            // A header that is complete enough to be judged corrupt is
            // reported now, as on the fast path: the input may end here.
            match self.parser.unit_len(&self.pending) {
                Ok(Need::Unit(len)) if self.pending.len() >= len => {
                    let unit = std::mem::take(&mut self.pending);
                    let (whole, more) = unit.split_at(len);
                    let result = self.complete(whole, sink);
                    // Only format detection reads past its first unit (ERF
                    // looks at the second record): feed that part again.
                    let more = more.to_vec();
                    // Keep the allocation for the next straddling unit,
                    // unless an outsized unit made it big.
                    if unit.capacity() <= KEEP_CAPACITY {
                        self.pending = unit;
                        self.pending.clear();
                    }
                    result?;
                    self.feed(&more, sink)?;
                }
                Ok(_) => {}
                Err(problem) => return self.problem(problem, sink),
            }
        }
        Ok(())
    }

    fn complete(&mut self, unit: &[u8], sink: &mut impl Sink) -> Result<(), CaptureError> {
        let mut out = Output {
            frames: &mut self.frames,
            sink,
        };
        let result = self.parser.unit(unit, &mut out);
        match result {
            Ok(()) => {
                self.unit_start = self.unit_start.saturating_add(unit.len() as u64);
                Ok(())
            }
            Err(problem) => self.problem(problem, sink),
        }
    }

    fn problem(&mut self, problem: Problem, sink: &mut impl Sink) -> Result<(), CaptureError> {
        match problem {
            Problem::NotCapture(message) => {
                // `pending` is kept so that finish() repeats the same verdict.
                self.stopped = true;
                Err(CaptureError {
                    offset: self.unit_start,
                    message,
                })
            }
            Problem::Corrupt(message) => {
                self.corrupt(WarningKind::CorruptBlock, message, sink);
                Ok(())
            }
        }
    }

    /// Ignores all further input.
    pub(crate) fn stop(&mut self) {
        self.stopped = true;
        self.pending = Vec::new();
    }

    /// Reports damage at the current unit and stops reading: what came before is kept.
    pub(crate) fn corrupt(&mut self, kind: WarningKind, message: String, sink: &mut impl Sink) {
        sink.warning(Warning {
            kind,
            frame: Some(self.frames.saturating_add(1)),
            offset: Some(self.unit_start),
            message,
        });
        self.stop();
    }

    /// An ERF file too short to show a second record is judged by its only
    /// one once the input has ended, then read.
    fn short_erf(&mut self, sink: &mut impl Sink) -> Result<(), CaptureError> {
        if self.stopped || !matches!(self.parser, Parser::Start) {
            return Ok(());
        }
        let head = std::mem::take(&mut self.pending);
        let erf = self.parser.without_magic(&head, true).is_ok();
        self.pending = head;
        if !erf {
            self.parser = Parser::Start;
            return Ok(());
        }
        let head = std::mem::take(&mut self.pending);
        self.feed(&head, sink)
    }

    /// End of input: a half-assembled unit is reported, and input that never
    /// showed a capture magic is an error.
    pub(crate) fn finish(&mut self, sink: &mut impl Sink) -> Result<Format, CaptureError> {
        self.short_erf(sink)?;
        let Some(format) = self.format() else {
            return Err(CaptureError {
                offset: 0,
                message: sniff::describe(&self.pending),
            });
        };
        if !self.stopped && !self.pending.is_empty() {
            let wanted = match self.parser.unit_len(&self.pending) {
                Ok(Need::Bytes(len) | Need::Unit(len)) => len,
                Err(_) => 0,
            };
            let message = format!(
                "the capture ends in the middle of a record: {} of {} bytes present",
                self.pending.len(),
                wanted
            );
            self.corrupt(WarningKind::TruncatedRecord, message, sink);
        }
        Ok(format)
    }
}
