//! One capture (or a pair of captures of the same traffic) in, a report out:
//! the same analysis for the CLI and the Python package, from a file, stdin
//! or bytes already in memory.

use std::fmt;
use std::io;
use std::path::Path;

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
/// whole pool.
pub fn analyze_in_pool(source: Source<'_>) -> Result<Report, Error> {
    analysis_on(source, Config::default(), Cores::Shared, |_| {}).map(|a| a.report)
}

/// Whether a capture's analysis has a second core to itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cores {
    /// The reading thread reads, frames and decodes; this one tracks.
    Two,
    /// The reading thread only reads (the kernel's copy).
    Shared,
}

impl Cores {
    /// `Two` unless the process may run on one core only (`taskset`).
    fn available() -> Self {
        match std::thread::available_parallelism() {
            Ok(n) if n.get() >= 2 => Cores::Two,
            _ => Cores::Shared,
        }
    }
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
    analysis_on(source, config, Cores::available(), progress)
}

fn analysis_on(
    source: Source<'_>,
    config: Config,
    cores: Cores,
    progress: impl FnMut(u64),
) -> Result<Analysis, Error> {
    let mut analyzer = Analyzer::new(config);
    match source {
        Source::Path(path) => {
            let input = Input::open(path).map_err(Error::Open)?;
            match cores {
                Cores::Two => input.analyse(&mut analyzer, progress),
                Cores::Shared => input.read_into(&mut analyzer, progress),
            }
            .map(|_| ())
        }
        Source::Bytes(bytes) => read_bytes(bytes, &mut analyzer, progress),
    }
    .map_err(Error::Read)?;
    Ok(analyzer.finish())
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
