//! Streaming gzip decompression (RFC 1952) over flate2's raw inflater, with a
//! fixed 64 KiB output buffer: however well the input compresses (a
//! "decompression bomb"), at most one buffer of output exists at a time.
//! Concatenated members are decompressed one after another.
//!
//! The inflater is handed the compressed input in fixed windows of
//! [`WINDOW`] bytes, counted from the start of the stream, whatever the read
//! sizes: how much output miniz_oxide reports before damage depends on where
//! its calls began (the capture fuzz target found 68,508 bytes read in two
//! pushes against 85,965 in one), so only identical calls make the frames
//! kept from a damaged file independent of how it was read.

use std::ops::ControlFlow;

use crate::bytes::Endian;
use flate2::{Crc, Decompress, FlushDecompress, Status};

const OUT_LEN: usize = 64 << 10;
/// Compressed bytes per inflater hand-over (see the module docs).
const WINDOW: usize = 32 << 10;
const HEADER_MIN: usize = 10;
const TRAILER_LEN: usize = 8;
/// A header with a longer file name or comment than this is not a capture's.
const HEADER_MAX: usize = 64 << 10;

const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;

/// Whether `head` starts like gzip data.
pub fn is_gzip(head: &[u8]) -> bool {
    head.starts_with(&[0x1f, 0x8b])
}

enum State {
    /// Collecting a member header (a new member may follow a trailer).
    Header(Vec<u8>),
    Body,
    /// Collecting the CRC-32 and size that close a member.
    Trailer(Vec<u8>),
}

pub(crate) struct Gunzip {
    state: State,
    inflate: Decompress,
    crc: Crc,
    out: Vec<u8>,
    members: u64,
    /// The start of the current window, until it is whole or the input ends.
    window: Vec<u8>,
}

impl Gunzip {
    pub(crate) fn new() -> Self {
        Self {
            state: State::Header(Vec::new()),
            inflate: Decompress::new(false),
            crc: Crc::new(),
            out: vec![0; OUT_LEN],
            members: 0,
            window: Vec::new(),
        }
    }

    /// Decompresses `input` a whole window at a time, handing the output to
    /// `sink` piece by piece; the rest waits for more input or [`Self::flush`].
    /// Stops early when `sink` breaks; `Err` describes damaged gzip data.
    pub(crate) fn push(
        &mut self,
        mut input: &[u8],
        sink: &mut impl FnMut(&[u8]) -> ControlFlow<()>,
    ) -> Result<(), String> {
        if !self.window.is_empty() {
            let take = (WINDOW - self.window.len()).min(input.len());
            let (head, rest) = input.split_at(take);
            self.window.extend_from_slice(head);
            input = rest;
            if self.window.len() < WINDOW {
                return Ok(());
            }
            let window = std::mem::take(&mut self.window);
            if self.process(&window, sink)?.is_break() {
                return Ok(());
            }
        }
        let mut windows = input.chunks_exact(WINDOW);
        for window in windows.by_ref() {
            if self.process(window, sink)?.is_break() {
                return Ok(());
            }
        }
        self.window.extend_from_slice(windows.remainder());
        Ok(())
    }

    /// Decompresses the last, partial window at the end of the input.
    pub(crate) fn flush(
        &mut self,
        sink: &mut impl FnMut(&[u8]) -> ControlFlow<()>,
    ) -> Result<(), String> {
        let window = std::mem::take(&mut self.window);
        self.process(&window, sink).map(|_| ())
    }

    /// Runs one window through the header, body and trailer states.
    fn process(
        &mut self,
        mut input: &[u8],
        sink: &mut impl FnMut(&[u8]) -> ControlFlow<()>,
    ) -> Result<ControlFlow<()>, String> {
        while !input.is_empty() {
            match &mut self.state {
                State::Header(header) => {
                    let Some(used) = collect(header, input, HEADER_MAX, header_len)? else {
                        return Ok(ControlFlow::Continue(()));
                    };
                    input = input.get(used..).unwrap_or_default();
                    self.state = State::Body;
                }
                State::Body => {
                    let (used, flow) = self.inflate_some(input, sink)?;
                    input = input.get(used..).unwrap_or_default();
                    if flow.is_break() {
                        return Ok(flow);
                    }
                }
                State::Trailer(trailer) => {
                    let Some(used) = collect(trailer, input, TRAILER_LEN, |t| {
                        Ok((t.len() >= TRAILER_LEN).then_some(TRAILER_LEN))
                    })?
                    else {
                        return Ok(ControlFlow::Continue(()));
                    };
                    let trailer = std::mem::take(trailer);
                    input = input.get(used..).unwrap_or_default();
                    self.check_trailer(&trailer)?;
                }
            }
        }
        Ok(ControlFlow::Continue(()))
    }

    /// Runs the inflater until `input` is used up, the member ends or `sink`
    /// breaks. Returns the input bytes used.
    fn inflate_some(
        &mut self,
        mut input: &[u8],
        sink: &mut impl FnMut(&[u8]) -> ControlFlow<()>,
    ) -> Result<(usize, ControlFlow<()>), String> {
        let mut used_total = 0;
        loop {
            let (in_before, out_before) = (self.inflate.total_in(), self.inflate.total_out());
            let result = self
                .inflate
                .decompress(input, &mut self.out, FlushDecompress::None);
            let used = usize::try_from(self.inflate.total_in() - in_before).unwrap_or(input.len());
            let made = usize::try_from(self.inflate.total_out() - out_before).unwrap_or(0);
            input = input.get(used..).unwrap_or_default();
            used_total += used;
            // Output inflated before damage in the same call is handed over
            // too, so the frames kept do not depend on how input was chunked.
            let produced = self.out.get(..made).unwrap_or_default();
            self.crc.update(produced);
            if made > 0 && sink(produced).is_break() {
                return Ok((used_total, ControlFlow::Break(())));
            }
            let status = result.map_err(|err| format!("the gzip data is corrupt ({err})"))?;
            if status == Status::StreamEnd {
                self.state = State::Trailer(Vec::with_capacity(TRAILER_LEN));
                return Ok((used_total, ControlFlow::Continue(())));
            }
            // No progress: the inflater wants more input.
            if used == 0 && made == 0 {
                return Ok((used_total, ControlFlow::Continue(())));
            }
        }
    }

    fn check_trailer(&mut self, trailer: &[u8]) -> Result<(), String> {
        let crc = Endian::Little.u32(trailer, 0);
        let size = Endian::Little.u32(trailer, 4);
        if crc != Some(self.crc.sum()) || size != Some(self.crc.amount()) {
            return Err("the gzip data is corrupt (checksum mismatch)".into());
        }
        self.members += 1;
        self.crc.reset();
        self.inflate.reset(false);
        self.state = State::Header(Vec::new());
        Ok(())
    }

    /// Whether the input ended cleanly, after a complete member.
    pub(crate) fn finish(&self) -> Result<(), String> {
        match &self.state {
            State::Header(header) if header.is_empty() && self.members > 0 => Ok(()),
            _ => Err("the gzip stream is cut short".into()),
        }
    }
}

/// The inflating half of reading a gzipped capture on two threads: it
/// inflates the compressed bytes as [`crate::CaptureReader`] does itself,
/// and the bytes it hands out go to a [`crate::CaptureReader::inflated`]
/// (framing and analysing elsewhere). At most one 64 KiB piece of output
/// exists at a time, however well the input compresses.
pub struct Inflater {
    gunzip: Gunzip,
    consumed: u64,
}

impl Default for Inflater {
    fn default() -> Self {
        Self::new()
    }
}

impl Inflater {
    pub fn new() -> Self {
        Self {
            gunzip: Gunzip::new(),
            consumed: 0,
        }
    }

    /// Inflates the next compressed bytes, handing the output to `out` a
    /// piece at a time; stops early when `out` breaks. `Err` says how the
    /// gzip data is damaged (after the output inflated before the damage).
    pub fn push(
        &mut self,
        compressed: &[u8],
        out: &mut impl FnMut(&[u8]) -> ControlFlow<()>,
    ) -> Result<(), String> {
        self.consumed = self.consumed.saturating_add(compressed.len() as u64);
        self.gunzip.push(compressed, out)
    }

    /// At the end of the input: inflates what was held back for a whole window.
    pub fn flush(&mut self, out: &mut impl FnMut(&[u8]) -> ControlFlow<()>) -> Result<(), String> {
        self.gunzip.flush(out)
    }

    /// Whether the input ended cleanly, after a complete gzip member.
    pub fn finish(&self) -> Result<(), String> {
        self.gunzip.finish()
    }

    /// Compressed bytes pushed so far.
    pub fn bytes_consumed(&self) -> u64 {
        self.consumed
    }
}

/// Appends input to `buf` (at most `max` bytes in all) until `complete`
/// reports the piece's length. Returns how many input bytes the piece took.
fn collect(
    buf: &mut Vec<u8>,
    input: &[u8],
    max: usize,
    complete: impl Fn(&[u8]) -> Result<Option<usize>, String>,
) -> Result<Option<usize>, String> {
    let before = buf.len();
    let take = max.saturating_sub(before).min(input.len());
    buf.extend_from_slice(input.get(..take).unwrap_or_default());
    match complete(buf)? {
        // The piece ends inside what we appended; the rest is left in `input`.
        Some(len) => {
            buf.truncate(len);
            Ok(Some(len.saturating_sub(before)))
        }
        None if buf.len() >= max => Err("the gzip header is implausibly long".into()),
        None => Ok(None),
    }
}

/// Length of the member header at the start of `h`, once all of it is there.
fn header_len(h: &[u8]) -> Result<Option<usize>, String> {
    if h.len() >= 2 && !is_gzip(h) {
        return Err("data after the end of the gzip stream is not gzip".into());
    }
    let (Some(&method), Some(&flags)) = (h.get(2), h.get(3)) else {
        return Ok(None);
    };
    if method != 8 {
        return Err(format!(
            "the gzip data uses unknown compression method {method}"
        ));
    }
    let mut at = HEADER_MIN;
    if flags & FEXTRA != 0 {
        let Some(extra) = Endian::Little.u16(h, at) else {
            return Ok(None);
        };
        at += 2 + usize::from(extra);
    }
    for flag in [FNAME, FCOMMENT] {
        if flags & flag != 0 {
            // A zero-terminated string.
            let Some(end) = h
                .get(at..)
                .and_then(|rest| rest.iter().position(|&b| b == 0))
            else {
                return Ok(None);
            };
            at += end + 1;
        }
    }
    if flags & FHCRC != 0 {
        at += 2;
    }
    Ok((h.len() >= at).then_some(at))
}
