//! One capture (or a pair of captures of the same traffic) in, a report out:
//! the same analysis for the CLI and the Python package, from a file, stdin
//! or bytes already in memory.

use std::fmt;
use std::io;
use std::path::Path;

use rstscope_capture::{CaptureError, CaptureReader, Sink};
use rstscope_core::report::Warning;
use rstscope_core::{Analyzer, Config, Frame, Report, Vantage};

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
    read(source, false, progress).map(|(report, _)| report)
}

/// The capture's report; with a peer capture (the same traffic seen from
/// the other end of the path), its comparison added.
pub fn analyze_pair(main: Source<'_>, peer: Option<Source<'_>>) -> Result<Report, PairError> {
    let Some(peer) = peer else {
        return analyze(main, |_| {}).map_err(PairError::Main);
    };
    let (mut report, main_vantage) = read(main, true, |_| {}).map_err(PairError::Main)?;
    let (peer_report, peer_vantage) = read(peer, true, |_| {}).map_err(PairError::Peer)?;
    report.comparison = Some(rstscope_core::compare(
        (&report, &main_vantage),
        (&peer_report, &peer_vantage),
    ));
    Ok(report)
}

/// Which of the two captures could not be read, and why.
#[derive(Debug)]
pub enum PairError {
    Main(Error),
    Peer(Error),
}

/// Feeds every frame to the analyzer and, when comparing, to the vantage recorder.
struct Tee {
    analyzer: Analyzer,
    vantage: Option<Vantage>,
}

impl Sink for Tee {
    fn frame(&mut self, frame: &Frame<'_>) {
        self.analyzer.push(frame);
        if let Some(vantage) = &mut self.vantage {
            vantage.push(frame);
        }
    }
    fn warning(&mut self, warning: Warning) {
        self.analyzer.warn(warning);
    }
}

fn read(
    source: Source<'_>,
    compare: bool,
    progress: impl FnMut(u64),
) -> Result<(Report, Vantage), Error> {
    let mut tee = Tee {
        analyzer: Analyzer::new(Config::default()),
        vantage: compare.then(Vantage::default),
    };
    match source {
        Source::Path(path) => {
            let input = Input::open(path).map_err(Error::Open)?;
            input.read_into(&mut tee, progress).map(|_| ())
        }
        Source::Bytes(bytes) => read_bytes(bytes, &mut tee, progress),
    }
    .map_err(Error::Read)?;
    Ok((tee.analyzer.finish(), tee.vantage.unwrap_or_default()))
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
