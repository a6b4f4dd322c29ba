//! [`CaptureReader`]: the push-style front door. Decides between plain and
//! gzipped input from the first two bytes, then feeds the framer.

use std::ops::ControlFlow;

use crate::framer::Framer;
use crate::gzip::{self, Gunzip, Inflater};
use crate::{CaptureError, Format, Sink, Summary};
use rstscope_core::report::WarningKind;

enum Input {
    /// Fewer than two bytes seen: gzip or not is still open.
    Undecided(Vec<u8>),
    Plain,
    Gzip(Box<Gunzip>),
    /// Gzip inflated by an [`Inflater`] elsewhere (another thread): what is
    /// pushed is the inflated capture.
    Inflated,
}

/// Reads a capture pushed in chunks of any size. See the crate docs.
pub struct CaptureReader {
    input: Input,
    framer: Framer,
    consumed: u64,
}

impl Default for CaptureReader {
    fn default() -> Self {
        Self::new()
    }
}

impl CaptureReader {
    pub fn new() -> Self {
        Self {
            input: Input::Undecided(Vec::new()),
            framer: Framer::new(),
            consumed: 0,
        }
    }

    /// A reader of a gzipped capture's inflated bytes, which an [`Inflater`]
    /// produces elsewhere (on another thread): the same frames, warnings
    /// and errors as [`CaptureReader::new`] gives pushed the gzip itself,
    /// when its damage is passed to [`CaptureReader::inflate_failed`] and it
    /// ends with [`CaptureReader::finish_inflated`].
    pub fn inflated() -> Self {
        Self {
            input: Input::Inflated,
            ..Self::new()
        }
    }

    /// Feeds the next chunk; complete frames go to `sink` at once.
    ///
    /// Fails only when the input is not a capture at all (the error says what
    /// it looks like instead). Damage after that is a `sink` warning
    /// ("corrupt-block"), after which further input is ignored.
    pub fn push(&mut self, chunk: &[u8], sink: &mut impl Sink) -> Result<(), CaptureError> {
        if !matches!(self.input, Input::Inflated) {
            self.consumed = self.consumed.saturating_add(chunk.len() as u64);
        }
        if self.framer.stopped() {
            return Ok(());
        }
        if let Input::Undecided(head) = &mut self.input {
            let take = 2usize.saturating_sub(head.len()).min(chunk.len());
            head.extend_from_slice(chunk.get(..take).unwrap_or_default());
            if head.len() < 2 {
                return Ok(());
            }
            let head = std::mem::take(head);
            self.input = if gzip::is_gzip(&head) {
                Input::Gzip(Box::new(Gunzip::new()))
            } else {
                Input::Plain
            };
            self.feed(&head, sink)?;
            return self.feed(chunk.get(take..).unwrap_or_default(), sink);
        }
        self.feed(chunk, sink)
    }

    fn feed(&mut self, data: &[u8], sink: &mut impl Sink) -> Result<(), CaptureError> {
        match self.input {
            Input::Gzip(_) => self.inflate(Some(data), sink),
            Input::Inflated => self.framer.feed(data, sink).map_err(inside_gzip),
            _ => self.framer.feed(data, sink),
        }
    }

    /// The [`Inflater`] found the gzip data damaged, after the bytes it
    /// inflated before (already pushed): as [`CaptureReader::push`] reports
    /// damaged gzip.
    pub fn inflate_failed(
        &mut self,
        message: String,
        sink: &mut impl Sink,
    ) -> Result<(), CaptureError> {
        self.gzip_damage(WarningKind::CorruptBlock, message, sink)
    }

    /// Whether further input is ignored (the capture was found damaged).
    pub fn stopped(&self) -> bool {
        self.framer.stopped()
    }

    /// Inflates `data`, or with `None` the input held back for a whole
    /// window (see gzip.rs), into the framer.
    fn inflate(&mut self, data: Option<&[u8]>, sink: &mut impl Sink) -> Result<(), CaptureError> {
        let Input::Gzip(gunzip) = &mut self.input else {
            return Ok(());
        };
        let framer = &mut self.framer;
        let mut fatal = None;
        let mut to_framer = |bytes: &[u8]| match framer.feed(bytes, sink) {
            Ok(()) if framer.stopped() => ControlFlow::Break(()),
            Ok(()) => ControlFlow::Continue(()),
            Err(err) => {
                fatal = Some(err);
                ControlFlow::Break(())
            }
        };
        let result = match data {
            Some(data) => gunzip.push(data, &mut to_framer),
            None => gunzip.flush(&mut to_framer),
        };
        if let Some(err) = fatal {
            return Err(inside_gzip(err));
        }
        match result {
            Ok(()) => Ok(()),
            Err(message) => self.gzip_damage(WarningKind::CorruptBlock, message, sink),
        }
    }

    /// Damaged gzip before anything was recognised means the input is not
    /// readable at all; later it only ends the capture early.
    fn gzip_damage(
        &mut self,
        kind: WarningKind,
        message: String,
        sink: &mut impl Sink,
    ) -> Result<(), CaptureError> {
        if self.framer.format().is_none() {
            self.framer.stop();
            return Err(CaptureError { offset: 0, message });
        }
        if !self.framer.stopped() {
            self.framer.corrupt(kind, message, sink);
        }
        Ok(())
    }

    /// End of input. A partial last record becomes a "truncated-record" warning.
    pub fn finish(mut self, sink: &mut impl Sink) -> Result<Summary, CaptureError> {
        if !self.framer.stopped() {
            self.inflate(None, sink)?;
        }
        match &self.input {
            // Zero or one byte: let the framer describe it.
            Input::Undecided(head) => {
                let head = head.clone();
                self.framer.feed(&head, sink)?;
            }
            Input::Plain | Input::Inflated => {}
            Input::Gzip(gunzip) => {
                let ended = gunzip.finish();
                self.gzip_ended(ended, sink)?;
            }
        }
        self.finish_framing(sink)
    }

    /// End of an input inflated by `inflater` (after its
    /// [`Inflater::flush`]'s bytes were pushed); [`Summary::bytes`] counts
    /// the compressed bytes it took.
    pub fn finish_inflated(
        mut self,
        inflater: &Inflater,
        sink: &mut impl Sink,
    ) -> Result<Summary, CaptureError> {
        self.consumed = inflater.bytes_consumed();
        self.gzip_ended(inflater.finish(), sink)?;
        self.finish_framing(sink)
    }

    /// A record cut by the end of the gzip stream is reported by the
    /// framer, in more useful terms than a missing gzip trailer.
    fn gzip_ended(
        &mut self,
        ended: Result<(), String>,
        sink: &mut impl Sink,
    ) -> Result<(), CaptureError> {
        match ended {
            Err(message) if !self.framer.has_partial_unit() => {
                self.gzip_damage(WarningKind::TruncatedGzip, message, sink)
            }
            _ => Ok(()),
        }
    }

    fn finish_framing(mut self, sink: &mut impl Sink) -> Result<Summary, CaptureError> {
        let compressed = self.compressed();
        let format =
            self.framer
                .finish(sink)
                .map_err(|err| if compressed { inside_gzip(err) } else { err })?;
        Ok(Summary {
            format,
            compressed,
            bytes: self.consumed,
            frames: self.framer.frames(),
        })
    }

    /// The capture format, once the magic number has been seen.
    pub fn format(&self) -> Option<Format> {
        self.framer.format()
    }

    /// Whether the input is gzip-compressed (false until two bytes were seen).
    pub fn compressed(&self) -> bool {
        matches!(self.input, Input::Gzip(_) | Input::Inflated)
    }

    /// Input (compressed) bytes pushed so far, for progress bars (for a
    /// reader of inflated bytes: the [`Inflater`]'s, once finished).
    pub fn bytes_consumed(&self) -> u64 {
        self.consumed
    }
}

fn inside_gzip(err: CaptureError) -> CaptureError {
    CaptureError {
        message: format!(
            "gzip-compressed, but the content is not a capture: {}",
            err.message
        ),
        ..err
    }
}
