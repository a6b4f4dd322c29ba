//! Reading the capture: a second thread reads the input ahead into a few
//! reused buffers while the analysing thread parses the previous one.

use std::fs::File;
use std::io::{self, ErrorKind, Read};
use std::path::Path;
use std::sync::mpsc;

use rstscope_capture::{CaptureError, CaptureReader, Sink, Summary};

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
}

impl Input {
    pub fn open(path: &Path) -> io::Result<Self> {
        if path.as_os_str() == "-" {
            return Ok(Input {
                source: Box::new(io::stdin()),
                size: None,
            });
        }
        let file = File::open(path)?;
        let meta = file.metadata()?;
        if meta.is_dir() {
            // Opening a directory succeeds on Linux; reading it would fail less clearly.
            return Err(io::Error::new(ErrorKind::IsADirectory, "is a directory"));
        }
        Ok(Input {
            source: Box::new(file),
            size: meta.is_file().then_some(meta.len()),
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
            let (full_tx, full_rx) = mpsc::sync_channel::<io::Result<(Vec<u8>, usize)>>(AHEAD);
            let (empty_tx, empty_rx) = mpsc::channel::<Vec<u8>>();
            for _ in 0..=AHEAD {
                let _ = empty_tx.send(vec![0; CHUNK]);
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
