//! `rstscope`: the command-line face of rstscope-core. Glue only: read the
//! captures, feed the analyzer, print the reports.

mod export;
mod json;
mod many;
mod progress;
mod text;

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{error::ErrorKind, Args, CommandFactory, Parser, Subcommand, ValueEnum};
use rstscope_batch::{RowKind, Source};
use rstscope_core::{Analysis, Config, Report};

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
    /// Analyse every TCP reset in one or more captures.
    #[command(after_help = EXIT_CODES)]
    Analyze(AnalyzeArgs),
}

const EXIT_CODES: &str = "Exit codes: 0 every capture was analysed; 1 none could be \
(not a capture, unreadable, nothing found); 2 wrong arguments; 3 some captures were \
analysed and some could not be (each has a one-line error on stderr).";

#[derive(Args)]
struct AnalyzeArgs {
    /// Captures (.pcap, .pcapng, optionally gzipped; "-" reads stdin) and
    /// directories of captures (walked in name order; files that do not
    /// start like a capture are skipped).
    #[arg(required = true, value_name = "CAPTURE")]
    captures: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// With --format ndjson or zeek: one row per reset (the default), per
    /// connection, per incident, or per capture (analysed or not, with its
    /// error).
    #[arg(long, value_enum)]
    rows: Option<Rows>,
    /// Captures analysed at once (0: one per core).
    #[arg(short, long, default_value_t = 0, value_name = "N")]
    jobs: usize,
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
    #[command(flatten)]
    export: export::ExportArgs,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Readable report(s), then a combined summary for several captures.
    Text,
    /// One JSON document: the report, or for several captures
    /// {"captures": [...], "summary": {...}}.
    Json,
    /// One JSON object per line and row, each naming its capture.
    Ndjson,
    /// A Zeek-style TSV log of the rows.
    Zeek,
}

#[derive(Clone, Copy, ValueEnum)]
enum Rows {
    Resets,
    Connections,
    Incidents,
    Captures,
}

impl From<Rows> for RowKind {
    fn from(rows: Rows) -> Self {
        match rows {
            Rows::Resets => RowKind::Resets,
            Rows::Connections => RowKind::Connections,
            Rows::Incidents => RowKind::Incidents,
            Rows::Captures => RowKind::Captures,
        }
    }
}

impl AnalyzeArgs {
    /// One file named alone keeps the single-report text and JSON of old;
    /// rows look the same for one capture or many.
    fn single(&self) -> bool {
        matches!(self.format, Format::Text | Format::Json)
            && matches!(self.captures.as_slice(), [one] if !one.is_dir())
    }

    fn check(&self) -> Result<(), &'static str> {
        let rows = matches!(self.format, Format::Ndjson | Format::Zeek);
        if self.rows.is_some() && !rows {
            return Err("--rows goes with --format ndjson or zeek");
        }
        if self.peer.is_some() && !self.single() {
            return Err(
                "--peer compares two captures: give one capture file, and --format text or json",
            );
        }
        if self.export.export_pcap.is_some() {
            if !self.single() {
                return Err("--export-pcap writes one capture's packets: give one capture file, and --format text or json");
            }
            if self.captures.iter().any(|c| c == Path::new("-")) {
                return Err("--export-pcap reads the capture again: give a file, not stdin");
            }
        }
        Ok(())
    }
}

fn main() -> ExitCode {
    let Command::Analyze(args) = Cli::parse().command;
    if let Err(message) = args.check() {
        Cli::command()
            .error(ErrorKind::ArgumentConflict, message)
            .exit();
    }
    if !args.single() {
        return many::run(
            &args.captures,
            many::Output::new(
                args.format,
                args.rows.map_or(RowKind::Resets, RowKind::from),
                args.ladder,
            ),
            args.jobs,
        );
    }
    let capture = args
        .captures
        .first()
        .map_or(Path::new("-"), PathBuf::as_path);
    let report = match analyze_one(capture, args.peer.as_deref()) {
        Ok(report) => report,
        Err(message) => return fail(&message),
    };
    if let Some(out) = &args.export.export_pcap {
        match export::write(capture, &report, &args.export) {
            Ok(frames) => eprintln!("rstscope: wrote {frames} packets to {}", out.display()),
            Err(message) => return fail(&message),
        }
    }
    let printed = print(&report, args.format, args.ladder);
    // The process ends here: freeing a report's connections and resets one
    // by one was 5 % of a flood's instructions (callgrind).
    std::mem::forget(report);
    match printed {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`rstscope ... | head`) is not an error worth a message.
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => fail(&format!("writing the report: {err}")),
    }
}

/// The capture's report; with a peer capture, its comparison added.
fn analyze_one(capture: &Path, peer: Option<&Path>) -> Result<Report, String> {
    let Some(peer) = peer else {
        return analyze(capture, Config::default()).map(|analysis| analysis.report);
    };
    let main = analyze(capture, Config::traced())?;
    let peer = analyze(peer, Config::traced())?;
    Ok(main.compared_with(&peer))
}

/// One capture analysed, with a progress line on a terminal; a failure
/// names the file.
fn analyze(path: &Path, config: Config) -> Result<Analysis, String> {
    let size = std::fs::metadata(path)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    let mut bar = progress::Bar::new(size, io::stderr().is_terminal());
    let result = rstscope_batch::analysis(Source::Path(path), config, |b| bar.update(b));
    bar.clear();
    result.map_err(|err| format!("{}: {err}", path.display()))
}

fn fail(message: &str) -> ExitCode {
    eprintln!("rstscope: {message}");
    ExitCode::FAILURE
}

/// Reports of large captures run to hundreds of MB: written in 1 MiB
/// pieces, not the default 8 KiB (35 000 write calls for a scan's 144 MB).
const OUT_BUFFER: usize = 1 << 20;

fn print(report: &Report, format: Format, ladder: bool) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(OUT_BUFFER, io::stdout().lock());
    match format {
        Format::Text => text::write(&mut out, report, ladder)?,
        _ => {
            json::write_report(&mut out, report)?;
            writeln!(out)?;
        }
    }
    out.flush()
}
