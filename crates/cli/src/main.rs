//! `rstscope`: the command-line face of rstscope-core. Glue only: read the
//! capture, feed the analyzer, print the report.

mod progress;
mod text;

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;

use clap::{Parser, Subcommand, ValueEnum};
use memmap2::Mmap;
#[cfg(unix)]
use memmap2::UncheckedAdvice;
use rstscope_capture::Sink;
use rstscope_core::report::Warning;
use rstscope_core::{Analyzer, Config, Frame, Report, Vantage};

#[derive(Parser)]
#[command(
    name = "rstscope",
    version,
    about = "Why was this TCP connection reset, and who really did it?"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse every TCP reset in a capture (.pcap, .pcapng, optionally gzipped; "-" reads stdin).
    Analyze {
        capture: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// A second capture of the same traffic from the other end of the
        /// path: compares the two (which RSTs crossed the path, which were
        /// made or dropped on it) and adds a "comparison" section.
        #[arg(long, value_name = "OTHER_CAPTURE")]
        peer: Option<PathBuf>,
        /// In the text report, draw each reset's connection around it:
        /// one line per packet, both directions, with seq/ack, flags, TTL
        /// and the gap since the previous packet.
        #[arg(long)]
        ladder: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Analyze {
            capture,
            format,
            peer,
            ladder,
        } => {
            let report = match analyze_pair(&capture, peer.as_deref()) {
                Ok(report) => report,
                Err(message) => return fail(&message),
            };
            match print(&report, format, ladder) {
                Ok(()) => ExitCode::SUCCESS,
                // A closed pipe (`rstscope ... | head`) is not an error worth a message.
                Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(err) => fail(&format!("writing the report: {err}")),
            }
        }
    }
}

/// The capture's report; with a peer capture, its comparison added.
fn analyze_pair(capture: &Path, peer: Option<&Path>) -> Result<Report, String> {
    let Some(peer) = peer else {
        return analyze(capture, false)
            .map(|(report, _)| report)
            .map_err(|m| named(capture, m));
    };
    let (mut report, main) = analyze(capture, true).map_err(|m| named(capture, m))?;
    let (peer_report, peer_vantage) = analyze(peer, true).map_err(|m| named(peer, m))?;
    report.comparison = Some(rstscope_core::compare(
        (&report, &main),
        (&peer_report, &peer_vantage),
    ));
    Ok(report)
}

fn named(path: &Path, message: String) -> String {
    format!("{}: {message}", path.display())
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

fn fail(message: &str) -> ExitCode {
    eprintln!("rstscope: {message}");
    ExitCode::FAILURE
}

fn analyze(path: &Path, compare: bool) -> Result<(Report, Vantage), String> {
    let input = Input::open(path).map_err(|e| e.to_string())?;
    let mut tee = Tee {
        analyzer: Analyzer::new(Config::default()),
        vantage: compare.then(Vantage::default),
    };
    let mut bar = progress::Bar::new(input.size(), io::stderr().is_terminal());
    let result = match input {
        Input::Mapped(map) => read_mapped(&map, &mut tee, |b| bar.update(b)),
        Input::Stream(read, _) => rstscope_capture::read_all(read, &mut tee, |b| bar.update(b)),
    };
    bar.clear();
    result.map_err(|e| e.to_string())?;
    Ok((tee.analyzer.finish(), tee.vantage.unwrap_or_default()))
}

/// Where the capture's bytes come from.
enum Input {
    /// A regular file, memory-mapped: parsed in place, without read()
    /// copying every byte into a buffer first (that copy was ~40% of the
    /// CLI's time on a 1 GiB capture).
    Mapped(Mmap),
    /// Stdin, pipes, devices: read in chunks (with the size when known).
    Stream(Box<dyn Read>, Option<u64>),
}

impl Input {
    fn open(path: &Path) -> io::Result<Self> {
        if path.as_os_str() == "-" {
            return Ok(Input::Stream(Box::new(io::stdin().lock()), None));
        }
        let file = File::open(path)?;
        let meta = file.metadata()?;
        if !meta.is_file() || meta.len() == 0 {
            return Ok(Input::Stream(Box::new(file), Some(meta.len())));
        }
        // SAFETY: the mapping is only read. Like every program that maps its
        // input, we assume nobody truncates the file while it is analysed
        // (the kernel would end the process with SIGBUS); a file that grows
        // is read up to its size at open.
        match unsafe { Mmap::map(&file) } {
            Ok(map) => {
                // Read-ahead for a front-to-back scan; only a hint.
                #[cfg(unix)]
                let _ = map.advise(memmap2::Advice::Sequential);
                Ok(Input::Mapped(map))
            }
            Err(_) => Ok(Input::Stream(Box::new(file), Some(meta.len()))),
        }
    }

    fn size(&self) -> Option<u64> {
        match self {
            Input::Mapped(map) => Some(map.len() as u64),
            Input::Stream(_, size) => *size,
        }
    }
}

/// Bytes of a mapped file handled per step: each window is unmapped once
/// parsed, so the process holds a few windows, not the file. (Mapping a
/// window with one MADV_POPULATE_READ call measured 8% slower than page
/// faults.)
const WINDOW: usize = 4 << 20;

/// Reads a memory-mapped capture in place, window by window. A helper
/// thread maps the next window in (page faults) while this one is analysed,
/// and unmaps the windows already analysed: a third of the CPU time, moved
/// off the analysing thread.
fn read_mapped(
    map: &Mmap,
    sink: &mut impl Sink,
    mut progress: impl FnMut(u64),
) -> Result<rstscope_capture::Summary, rstscope_capture::CaptureError> {
    let windows = || (0..).step_by(WINDOW).zip(map.chunks(WINDOW));
    std::thread::scope(|scope| {
        // Made inside the scope, so an early return drops them and the
        // helper stops before the scope waits for it. At most two windows
        // are mapped ahead: memory stays at a few windows.
        let (ready_tx, ready_rx) = mpsc::sync_channel::<()>(1);
        let (done_tx, done_rx) = mpsc::channel::<(usize, usize)>();
        scope.spawn(move || {
            for (_, window) in windows() {
                // Reading one byte per page maps the page in.
                let touched = window.iter().step_by(4096).fold(0u8, |a, &b| a ^ b);
                std::hint::black_box(touched);
                while let Ok((at, len)) = done_rx.try_recv() {
                    release(map, at, len);
                }
                if ready_tx.send(()).is_err() {
                    return;
                }
            }
            for (at, len) in done_rx {
                release(map, at, len);
            }
        });
        let mut reader = rstscope_capture::CaptureReader::new();
        for (at, window) in windows() {
            // Should the helper have stopped, this returns at once and the
            // window is faulted in here instead.
            let _ = ready_rx.recv();
            reader.push(window, sink)?;
            let _ = done_tx.send((at, window.len()));
            progress(reader.bytes_consumed());
        }
        reader.finish(sink)
    })
}

/// Unmaps `len` bytes of `map` from `at`, already parsed, from the process
/// (the pages stay in the page cache).
#[cfg(unix)]
fn release(map: &Mmap, at: usize, len: usize) {
    // SAFETY: the mapping is shared, read-only and not referenced there any
    // more (frames do not outlive the reader's push); should it be read
    // again, the kernel maps the same file pages back in.
    let _ = unsafe { map.unchecked_advise_range(UncheckedAdvice::DontNeed, at, len) };
}

#[cfg(not(unix))]
fn release(_: &Mmap, _: usize, _: usize) {}

fn print(report: &Report, format: Format, ladder: bool) -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, report).map_err(io::Error::other)?;
            writeln!(out)?;
        }
        Format::Text => text::write(&mut out, report, ladder)?,
    }
    out.flush()
}
