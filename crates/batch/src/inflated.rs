//! A gzipped capture on two threads. Inflating is most of its work (a
//! `long` GiB: ~3 s of inflating against ~0.3 s of analysis), so the reading
//! thread reads and inflates, and cuts the inflated capture into the same
//! 1 MiB batches a plain file gives (input.rs): framed there, decoded there
//! while the analysing thread is behind. The analysing thread takes them as
//! from a plain file. The gzip itself goes through the same [`Inflater`] as
//! [`CaptureReader::push`] uses, so frames, warnings and errors (damage,
//! a stream cut short, a read error) are the same as on one thread.

use std::io::Read;
use std::ops::ControlFlow;
use std::sync::atomic::Ordering;
use std::sync::mpsc::Receiver;

use rstscope_capture::aligned::AlignedBuf;
use rstscope_capture::{CaptureError, CaptureReader, Inflater, Summary};

use crate::input::{fill, Batch, Queue, CHUNK};

/// The reading thread for gzip: reads, inflates into batches, frames and
/// (while the analysing thread is behind) decodes each, and sends them on.
/// Ends after the batch that carries the end, or when the analysing thread
/// stops taking batches.
pub(crate) fn inflate_ahead(source: &mut impl Read, empty: Receiver<Batch>, queue: Queue<'_>) {
    let Ok(batch) = empty.recv() else {
        return;
    };
    let mut ahead = Ahead {
        batch: fresh(batch),
        framed: false,
        empty,
        queue,
        reader: CaptureReader::inflated(),
        consumed: 0,
        fatal: None,
        gone: false,
    };
    let mut inflater = Inflater::new();
    let mut compressed = AlignedBuf::new(CHUNK);
    let end = loop {
        let len = match fill(source, &mut compressed) {
            Ok(len) => len,
            Err(err) => {
                // What was inflated before is framed and analysed first.
                ahead.frame();
                break Some(Err(ahead.fatal.take().unwrap_or_else(|| CaptureError {
                    offset: inflater.bytes_consumed(),
                    message: format!("reading the input failed: {err}"),
                })));
            }
        };
        ahead.consumed = inflater.bytes_consumed().saturating_add(len as u64);
        let chunk = compressed.get(..len).unwrap_or_default();
        let mut inflated = inflater.push(chunk, &mut |bytes| ahead.take(bytes));
        if len < CHUNK && inflated.is_ok() && ahead.open() {
            inflated = inflater.flush(&mut |bytes| ahead.take(bytes));
        }
        if ahead.gone {
            return;
        }
        if let Some(err) = ahead.fatal.take() {
            break Some(Err(err));
        }
        if let Err(message) = inflated {
            break ahead.damaged(message, &inflater);
        }
        if len < CHUNK || !ahead.open() {
            break None;
        }
    };
    let end = end.unwrap_or_else(|| ahead.finish(&inflater));
    ahead.send(Some(end));
}

/// The reading thread's state between the inflater's pieces of output.
struct Ahead<'a> {
    /// The batch being filled with inflated bytes.
    batch: Batch,
    /// Whether `batch`'s bytes have been framed (it is framed once, whole).
    framed: bool,
    empty: Receiver<Batch>,
    queue: Queue<'a>,
    reader: CaptureReader,
    /// Compressed bytes read, for progress.
    consumed: u64,
    /// A framing error that ends the capture, after the batch holding it.
    fatal: Option<CaptureError>,
    /// The analysing thread stopped taking batches.
    gone: bool,
}

impl Ahead<'_> {
    /// Whether more input is wanted (no error, not stopped, someone takes it).
    fn open(&self) -> bool {
        self.fatal.is_none() && !self.gone && !self.reader.stopped()
    }

    /// Copies inflated bytes into batches, framing and sending each full one.
    fn take(&mut self, mut bytes: &[u8]) -> ControlFlow<()> {
        while !bytes.is_empty() {
            let at = self.batch.len;
            let room = self.batch.buf.get_mut(at..).unwrap_or_default();
            let n = room.len().min(bytes.len());
            let (now, later) = bytes.split_at(n);
            if let Some(to) = room.get_mut(..n) {
                to.copy_from_slice(now);
            }
            self.batch.len = at + n;
            bytes = later;
            if self.batch.len < self.batch.buf.len() {
                continue;
            }
            self.frame();
            if !self.open() {
                return ControlFlow::Break(());
            }
            self.send(None);
            match self.empty.recv() {
                Ok(batch) => {
                    self.batch = fresh(batch);
                    self.framed = false;
                }
                Err(_) => self.gone = true,
            }
            if self.gone {
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    }

    /// Frames the batch's bytes into its records, once.
    fn frame(&mut self) {
        if std::mem::replace(&mut self.framed, true) {
            return;
        }
        let batch = &mut self.batch;
        let chunk = batch.buf.get(..batch.len).unwrap_or_default();
        let behind = self.queue.waiting.load(Ordering::Relaxed) > 0;
        let mut recorder = batch.records.recorder(chunk, behind);
        if let Err(err) = self.reader.push(chunk, &mut recorder) {
            self.fatal = Some(err);
        }
    }

    /// The gzip is damaged after the bytes inflated so far: reported as the
    /// one-thread reader reports it, at the end of the last batch.
    fn damaged(
        &mut self,
        message: String,
        inflater: &Inflater,
    ) -> Option<Result<Summary, CaptureError>> {
        self.frame();
        if let Some(err) = self.fatal.take() {
            return Some(Err(err));
        }
        let batch = &mut self.batch;
        let chunk = batch.buf.get(..batch.len).unwrap_or_default();
        let mut recorder = batch.records.recorder(chunk, false);
        match self.reader.inflate_failed(message, &mut recorder) {
            Err(err) => Some(Err(err)),
            Ok(()) => Some(self.finish(inflater)),
        }
    }

    /// The end of the input: the last batch framed, and the reader's end.
    fn finish(&mut self, inflater: &Inflater) -> Result<Summary, CaptureError> {
        self.frame();
        if let Some(err) = self.fatal.take() {
            return Err(err);
        }
        let batch = &mut self.batch;
        let chunk = batch.buf.get(..batch.len).unwrap_or_default();
        let mut recorder = batch.records.recorder(chunk, false);
        std::mem::take(&mut self.reader).finish_inflated(inflater, &mut recorder)
    }

    /// Sends the batch on (with the input's end, if this is the last).
    fn send(&mut self, end: Option<Result<Summary, CaptureError>>) {
        let mut batch = std::mem::replace(&mut self.batch, Batch::placeholder());
        batch.consumed = self.consumed;
        batch.end = end;
        self.queue.waiting.fetch_add(1, Ordering::Relaxed);
        if self.queue.full.send(batch).is_err() {
            self.gone = true;
        }
    }
}

/// An emptied batch, to be filled from its start.
fn fresh(mut batch: Batch) -> Batch {
    batch.records.clear();
    batch.len = 0;
    batch.end = None;
    batch
}

#[cfg(test)]
mod tests {
    use std::io::{self, Cursor, Read, Write};

    use flate2::write::GzEncoder;
    use flate2::Compression;
    use rstscope_core::{Analyzer, Config};
    use rstscope_scenarios::bulk::{bulk_mix, Mix};
    use rstscope_scenarios::Format;

    use crate::input::Input;

    fn gzip(plain: &[u8], level: Compression) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), level);
        encoder.write_all(plain).unwrap();
        encoder.finish().unwrap()
    }

    /// A `web` mix of `size` bytes, gzipped.
    fn web(size: u64, level: Compression) -> Vec<u8> {
        let mut plain = Vec::new();
        bulk_mix(&mut plain, size, Format::Pcap, 5, Mix::Web).unwrap();
        gzip(&plain, level)
    }

    /// Gives `bytes`, then fails.
    struct Failing(Cursor<Vec<u8>>);

    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.0.read(buf)? {
                0 => Err(io::Error::other("the disk went away")),
                n => Ok(n),
            }
        }
    }

    /// The report (as JSON) and end of `source` read on two threads (the
    /// inflater ahead) and on one (the reader inflating as it frames).
    fn both(source: impl Fn() -> Box<dyn Read + Send>, size: u64) -> [(String, String); 2] {
        let run = |two: bool| {
            let input = Input::for_test(source(), size, true);
            let mut analyzer = Analyzer::new(Config::default());
            let end = match two {
                true => input.analyse(&mut analyzer, |_| {}),
                false => input.read_into(&mut analyzer, |_| {}),
            };
            let json = serde_json::to_string(&analyzer.finish().report).unwrap();
            // `bytes` left out: after damage one thread reads on to the end
            // (ignoring it), two stop reading.
            let end = end.map(|s| (s.format, s.compressed, s.frames));
            (json, format!("{end:?}"))
        };
        [run(true), run(false)]
    }

    #[test]
    fn test_gzip_on_two_threads_gives_the_one_thread_report() {
        let gz = web(6 << 20, Compression::fast());
        let [two, one] = both(|| Box::new(Cursor::new(gz.clone())), gz.len() as u64);
        assert!(two.1.starts_with("Ok("), "{}", two.1);
        assert!(two.0.contains("\"packets\""));
        assert_eq!(two.1, one.1);
        assert!(two.0 == one.0);
    }

    #[test]
    fn test_gzip_damaged_mid_file_keeps_the_frames_before() {
        let mut gz = web(6 << 20, Compression::fast());
        let middle = gz.len() / 2;
        for byte in gz.iter_mut().skip(middle).take(64) {
            *byte ^= 0x5a;
        }
        let [two, one] = both(|| Box::new(Cursor::new(gz.clone())), gz.len() as u64);
        assert!(two.0.contains("corrupt"), "{}", two.1);
        assert_eq!(two.1, one.1);
        assert!(two.0 == one.0);
    }

    #[test]
    fn test_gzip_cut_short_reports_it() {
        let mut gz = web(3 << 20, Compression::fast());
        gz.truncate(gz.len() * 2 / 3);
        let [two, one] = both(|| Box::new(Cursor::new(gz.clone())), gz.len() as u64);
        assert!(two.0.contains("truncated"), "{}", two.0.len());
        assert_eq!(two.1, one.1);
        assert!(two.0 == one.0);
    }

    #[test]
    fn test_read_error_inside_gzip_keeps_the_frames_before() {
        // Stored blocks: the compressed file is as long as the capture, so
        // the error comes after two whole reads of compressed bytes.
        let mut gz = web(3 << 20, Compression::none());
        gz.truncate((5 << 19) + 99);
        let [two, one] = both(|| Box::new(Failing(Cursor::new(gz.clone()))), 3 << 20);
        assert!(
            two.1.contains("offset: 2097152") && two.1.contains("the disk went away"),
            "{}",
            two.1
        );
        assert!(!two.0.contains("\"packets\":0,"));
        assert_eq!(two.1, one.1);
        assert!(two.0 == one.0);
    }

    #[test]
    fn test_gzip_of_no_capture_says_so() {
        let gz = gzip(&b"no capture here\n".repeat(1 << 18), Compression::fast());
        let [two, one] = both(|| Box::new(Cursor::new(gz.clone())), gz.len() as u64);
        assert!(
            two.1
                .contains("gzip-compressed, but the content is not a capture"),
            "{}",
            two.1
        );
        assert_eq!(two.1, one.1);
        assert!(two.0 == one.0);
    }
}
