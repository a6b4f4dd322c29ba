//! Reading the capture: a second thread reads the input ahead into a few
//! reused buffers, frames it and, while the analysing thread is behind,
//! decodes it; the analysing thread tracks the previous chunk's frames (see
//! decoded.rs).

use std::fs::File;
use std::io::{self, ErrorKind, Read, Seek};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};

use rstscope_capture::aligned::AlignedBuf;
use rstscope_capture::{CaptureError, CaptureReader, Sink, Summary};
use rstscope_core::Analyzer;

use crate::decoded::Records;
use crate::inflated::inflate_ahead;

/// Bytes per read. `AHEAD + 1` buffers of this size are in flight: the
/// process holds a few MiB, never the file. (Measured on 1 GiB: 1 MiB and
/// 4 MiB equal, 256 KiB 20% slower; every first touch of a buffer page
/// costs a page fault, so bigger is not free either.)
pub(crate) const CHUNK: usize = 1 << 20;
/// Buffers filled ahead of the analysing thread.
const AHEAD: usize = 2;

/// An opened capture: a file or stdin ("-"), with its size when known.
pub struct Input {
    source: Box<dyn Read + Send>,
    /// Known for regular files only: the ones reading ahead can never block
    /// on for long.
    pub size: Option<u64>,
    /// The file starts like gzip: its frames are in the inflated stream,
    /// not in the chunks read, so they are decoded where they are inflated.
    gzipped: bool,
}

impl Input {
    pub fn open(path: &Path) -> io::Result<Self> {
        if path.as_os_str() == "-" {
            return Ok(Input {
                source: Box::new(io::stdin()),
                size: None,
                gzipped: false,
            });
        }
        let mut file = File::open(path)?;
        let meta = file.metadata()?;
        if meta.is_dir() {
            // Opening a directory succeeds on Linux; reading it would fail less clearly.
            return Err(io::Error::new(ErrorKind::IsADirectory, "is a directory"));
        }
        let mut head = [0; 2];
        let gzipped = meta.is_file() && {
            let len = fill(&mut file, &mut head)?;
            file.rewind()?;
            rstscope_capture::is_gzip(head.get(..len).unwrap_or_default())
        };
        Ok(Input {
            source: Box::new(file),
            size: meta.is_file().then_some(meta.len()),
            gzipped,
        })
    }

    /// A file-like input for tests.
    #[cfg(test)]
    pub(crate) fn for_test(source: Box<dyn Read + Send>, size: u64, gzipped: bool) -> Self {
        Input {
            source,
            size: Some(size),
            gzipped,
        }
    }

    /// Analyses the whole input, calling `progress(bytes)` after each
    /// chunk. For a regular file, reading (the kernel's copy; for gzip also
    /// inflating, inflated.rs) and framing run on a second thread, a chunk
    /// ahead, and decoding too while this thread has chunks waiting; this
    /// thread tracks, from the records and the chunk beside them, in file
    /// order, decoding what was left to it. Other inputs go through
    /// [`Input::read_into`].
    pub fn analyse(
        self,
        analyzer: &mut Analyzer,
        mut progress: impl FnMut(u64),
    ) -> Result<Summary, CaptureError> {
        if self.size.is_none() {
            return self.read_into(analyzer, progress);
        }
        let (mut source, gzipped) = (self.source, self.gzipped);
        let waiting = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            let (full_tx, full_rx) = mpsc::sync_channel::<Batch>(AHEAD);
            let (empty_tx, empty_rx) = mpsc::channel::<Batch>();
            for _ in 0..=AHEAD {
                let _ = empty_tx.send(Batch::new());
            }
            let queue = Queue {
                full: full_tx,
                waiting: &waiting,
            };
            scope.spawn(move || match gzipped {
                true => inflate_ahead(&mut source, empty_rx, queue),
                false => decode_ahead(&mut source, empty_rx, queue),
            });
            for mut batch in full_rx {
                waiting.fetch_sub(1, Ordering::Relaxed);
                let chunk = batch.buf.get(..batch.len).unwrap_or_default();
                batch.records.push_into(analyzer, chunk);
                progress(batch.consumed);
                if let Some(end) = batch.end.take() {
                    return end;
                }
                let _ = empty_tx.send(batch);
            }
            // The reading thread always sends an end before it stops.
            Err(CaptureError {
                offset: 0,
                message: "the reading thread stopped early".to_string(),
            })
        })
    }

    /// Parses the whole input into `sink`, calling `progress(bytes)` after
    /// each chunk. For a regular file, the kernel's copy of every byte into
    /// our buffers (as much CPU as half the analysis) runs on a reading
    /// thread, in parallel; the analysing thread finds each chunk in a warm
    /// buffer. Pipes and stdin are read on this thread: a reading thread
    /// blocked on a live pipe would keep an early error from returning.
    pub fn read_into(
        self,
        sink: &mut impl Sink,
        mut progress: impl FnMut(u64),
    ) -> Result<Summary, CaptureError> {
        if self.size.is_none() {
            return rstscope_capture::read_all(self.source, sink, progress);
        }
        let mut source = self.source;
        std::thread::scope(|scope| {
            let (full_tx, full_rx) = mpsc::sync_channel::<io::Result<(AlignedBuf, usize)>>(AHEAD);
            let (empty_tx, empty_rx) = mpsc::channel::<AlignedBuf>();
            for _ in 0..=AHEAD {
                let _ = empty_tx.send(AlignedBuf::new(CHUNK));
            }
            scope.spawn(move || {
                // Ends when the input does, on an error, or when the
                // analysing thread stops taking chunks (it returned early).
                for mut buf in empty_rx {
                    let filled = fill(&mut source, &mut buf);
                    let end = !matches!(filled, Ok(len) if len == CHUNK);
                    if full_tx.send(filled.map(|len| (buf, len))).is_err() || end {
                        return;
                    }
                }
            });
            let mut reader = CaptureReader::new();
            for chunk in full_rx {
                let (buf, len) = chunk.map_err(|err| CaptureError {
                    offset: reader.bytes_consumed(),
                    message: format!("reading the input failed: {err}"),
                })?;
                reader.push(buf.get(..len).unwrap_or_default(), sink)?;
                progress(reader.bytes_consumed());
                let _ = empty_tx.send(buf);
            }
            reader.finish(sink)
        })
    }
}

/// One chunk of the input, its frames decoded, on its way from the reading
/// thread to the analysing one (and back, emptied, to be reused).
pub(crate) struct Batch {
    pub(crate) buf: AlignedBuf,
    /// Bytes of `buf` read (for gzip: inflated).
    pub(crate) len: usize,
    pub(crate) records: Records,
    /// Input bytes read up to the end of this chunk.
    pub(crate) consumed: u64,
    /// The input's end (its summary) or the error that stopped reading.
    pub(crate) end: Option<Result<Summary, CaptureError>>,
}

impl Batch {
    fn new() -> Self {
        Batch {
            buf: AlignedBuf::new(CHUNK),
            len: 0,
            records: Records::default(),
            consumed: 0,
            end: None,
        }
    }

    /// A batch without a buffer, in the place of one sent on.
    pub(crate) fn placeholder() -> Self {
        Batch {
            buf: AlignedBuf::empty(),
            len: 0,
            records: Records::default(),
            consumed: 0,
            end: None,
        }
    }
}

/// Where the reading thread sends filled batches, and how many wait there.
pub(crate) struct Queue<'a> {
    pub(crate) full: SyncSender<Batch>,
    pub(crate) waiting: &'a AtomicUsize,
}

/// The reading thread: fills each empty batch, frames it, decodes it if
/// the analysing thread has batches waiting (it is the slower one; when it
/// waits for this thread instead, as on long transfers where the kernel's
/// copy dominates, decoding stays with it), and sends it on. Which thread
/// decodes a frame changes no byte of the report. Ends after the batch that
/// carries the end, or when the analysing thread stops taking batches (it
/// returned early).
fn decode_ahead(source: &mut impl Read, empty: Receiver<Batch>, queue: Queue<'_>) {
    let mut reader = CaptureReader::new();
    for mut batch in empty {
        batch.records.clear();
        batch.end = match fill(source, &mut batch.buf) {
            Err(err) => Some(Err(CaptureError {
                offset: reader.bytes_consumed(),
                message: format!("reading the input failed: {err}"),
            })),
            Ok(len) => {
                batch.len = len;
                let chunk = batch.buf.get(..len).unwrap_or_default();
                let behind = queue.waiting.load(Ordering::Relaxed) > 0;
                let mut recorder = batch.records.recorder(chunk, behind);
                let pushed = reader.push(chunk, &mut recorder);
                batch.consumed = reader.bytes_consumed();
                match pushed {
                    Err(err) => Some(Err(err)),
                    Ok(()) if len < CHUNK => {
                        Some(std::mem::take(&mut reader).finish(&mut recorder))
                    }
                    Ok(()) => None,
                }
            }
        };
        let last = batch.end.is_some();
        queue.waiting.fetch_add(1, Ordering::Relaxed);
        if queue.full.send(batch).is_err() || last {
            return;
        }
    }
}

/// Reads until `buf` is full or the input ends; the bytes read.
pub(crate) fn fill(source: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut len = 0;
    while let Some(rest @ [_, ..]) = buf.get_mut(len..) {
        match source.read(rest) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(err) if err.kind() == ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstscope_core::Config;
    use rstscope_scenarios::bulk::{bulk_mix, Mix};
    use rstscope_scenarios::Format;

    /// Gives `bytes`, then fails.
    struct Failing {
        bytes: io::Cursor<Vec<u8>>,
    }

    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.bytes.read(buf)? {
                0 => Err(io::Error::other("the disk went away")),
                n => Ok(n),
            }
        }
    }

    #[test]
    fn test_read_error_mid_file_keeps_the_frames_before() {
        let mut bytes = Vec::new();
        bulk_mix(&mut bytes, 3 << 20, Format::Pcap, 3, Mix::Web).unwrap();
        bytes.truncate((5 << 19) + 99);
        let input = Input {
            source: Box::new(Failing {
                bytes: io::Cursor::new(bytes),
            }),
            size: Some(3 << 20),
            gzipped: false,
        };
        let mut analyzer = Analyzer::new(Config::default());
        let err = input.analyse(&mut analyzer, |_| {}).unwrap_err();
        assert_eq!(err.offset, 2 << 20, "{err}");
        assert!(err.message.contains("the disk went away"), "{err}");
        // The two whole chunks read before the error are analysed.
        let info = analyzer.finish().report.capture;
        assert!(info.packets > 2_000, "{}", info.packets);
    }
}
