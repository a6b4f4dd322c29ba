//! One capture (or a pair of captures of the same traffic) in, a report out:
//! the same analysis for the CLI and the Python package, from a file, stdin
//! or bytes already in memory.

use std::fmt;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use rstscope_capture::{CaptureError, CaptureReader, Sink};
use rstscope_core::{Analysis, Analyzer, Config, Report};

use crate::input::Input;

/// Where a capture's bytes come from.
#[derive(Clone, Copy, Debug)]
pub enum Source<'a> {
    /// A file, or stdin for "-".
    Path(&'a Path),
    /// The whole capture, already in memory (Python `bytes`, a Spark row).
    Bytes(&'a [u8]),
}

/// Why a capture could not be analysed.
#[derive(Debug)]
pub enum Error {
    /// The file could not be opened (missing, a directory, not allowed).
    Open(io::Error),
    /// The input is not a capture, or reading it failed (the error says
    /// what the input looks like, and where).
    Read(CaptureError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Open(err) => err.fmt(f),
            Error::Read(err) => err.fmt(f),
        }
    }
}

impl std::error::Error for Error {}

/// The capture's report. `progress(bytes)` is called as the input is read.
pub fn analyze(source: Source<'_>, progress: impl FnMut(u64)) -> Result<Report, Error> {
    analysis(source, Config::default(), progress).map(|analysis| analysis.report)
}

/// The capture's report, for a pool that analyses one capture per core:
/// the reading thread only reads. Framing and decoding beside the tracking
/// pay off only on a core of its own; where every core already analyses a
/// capture, handing records over (10-20 % more processor time) slows the
/// whole pool. ([`analyze`] decides the same by itself when other captures
/// are being read at once, but a pool's first capture may start alone.)
pub fn analyze_in_pool(source: Source<'_>) -> Result<Report, Error> {
    analysis_on(source, Config::default(), Cores::Shared, |_| {}).map(|a| a.report)
}

/// Whether a capture's analysis may take a second core.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cores {
    /// If one is spare, the reading thread reads, frames and decodes there.
    Spare,
    /// The reading thread only reads (the kernel's copy).
    Shared,
}

/// Captures read from files right now in this process (Python threads, a
/// pool, ...), this one included.
static READING: AtomicUsize = AtomicUsize::new(0);

/// Counts one capture in [`READING`] while it lives.
struct Reading(usize);

impl Reading {
    fn start() -> Self {
        Reading(READING.fetch_add(1, Ordering::Relaxed).saturating_add(1))
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        READING.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Whether `running` captures, each with a reading thread that frames and
/// decodes, would fit on `cores` cores.
fn spare_core(cores: usize, running: usize) -> bool {
    cores >= running.saturating_mul(2)
}

/// The capture's report; with a peer capture (the same traffic seen from
/// the other end of the path), its comparison added.
pub fn analyze_pair(main: Source<'_>, peer: Option<Source<'_>>) -> Result<Report, PairError> {
    let Some(peer) = peer else {
        return analyze(main, |_| {}).map_err(PairError::Main);
    };
    let main = analysis(main, Config::traced(), |_| {}).map_err(PairError::Main)?;
    let peer = analysis(peer, Config::traced(), |_| {}).map_err(PairError::Peer)?;
    Ok(main.compared_with(&peer))
}

/// Which of the two captures could not be read, and why.
#[derive(Debug)]
pub enum PairError {
    Main(Error),
    Peer(Error),
}

/// The capture analysed under `config` (`Config::traced()` keeps what a
/// comparison needs). `progress(bytes)` is called as the input is read.
pub fn analysis(
    source: Source<'_>,
    config: Config,
    progress: impl FnMut(u64),
) -> Result<Analysis, Error> {
    analysis_on(source, config, Cores::Spare, progress)
}

fn analysis_on(
    source: Source<'_>,
    config: Config,
    cores: Cores,
    progress: impl FnMut(u64),
) -> Result<Analysis, Error> {
    let mut analyzer = Analyzer::new(config);
    let spare = match source {
        Source::Path(path) => {
            let input = Input::open(path).map_err(Error::Open)?;
            let reading = Reading::start();
            let cores_here = std::thread::available_parallelism().map_or(1, |n| n.get());
            let spare = cores == Cores::Spare && spare_core(cores_here, reading.0);
            if spare {
                input.analyse(&mut analyzer, progress)
            } else {
                input.read_into(&mut analyzer, progress)
            }
            .map(|_| spare)
        }
        Source::Bytes(bytes) => read_bytes(bytes, &mut analyzer, progress).map(|()| false),
    }
    .map_err(Error::Read)?;
    Ok(if spare {
        finish_on_two_threads(analyzer)
    } else {
        analyzer.finish()
    })
}

/// `analyzer.finish()`, its two longest steps half here, half on the core
/// the reading thread no longer needs: the connections still open judged
/// (on a 64 MiB scan ~15 % of the analysing thread's instructions), and
/// the report entries of the resets judged while reading (on the 1 GiB
/// scan, where most connections end before the capture does, 88 M
/// instructions). The same report: the parts share nothing they write.
fn finish_on_two_threads(analyzer: Analyzer) -> Analysis {
    analyzer.finish_in_parts(2, |parts| {
        if let [first, second] = parts {
            std::thread::scope(|scope| {
                scope.spawn(|| second.run());
                first.run();
            });
        }
    })
}

/// Bytes are pushed a slice at a time so that progress can be told.
fn read_bytes(
    bytes: &[u8],
    sink: &mut impl Sink,
    mut progress: impl FnMut(u64),
) -> Result<(), CaptureError> {
    let mut reader = CaptureReader::new();
    for chunk in bytes.chunks(crate::input::CHUNK) {
        reader.push(chunk, sink)?;
        progress(reader.bytes_consumed());
    }
    reader.finish(sink).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_spare_core_for_each_capture_read_at_once() {
        assert!(spare_core(2, 1));
        assert!(!spare_core(2, 2));
        assert!(!spare_core(1, 1));
        assert!(spare_core(8, 4));
        assert!(!spare_core(8, 5));
    }

    #[test]
    fn test_reading_counts_while_alive() {
        let first = Reading::start();
        let second = Reading::start();
        assert!(second.0 > first.0);
        let running = READING.load(Ordering::Relaxed);
        drop(second);
        assert!(READING.load(Ordering::Relaxed) < running);
    }
}
