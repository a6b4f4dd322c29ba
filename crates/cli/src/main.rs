//! `rstscope`: the command-line face of rstscope-core. Glue only: read the
//! capture, feed the analyzer, print the report.

mod input;
mod progress;
mod text;

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use rstscope_core::{Analysis, Analyzer, Config, Report};

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
        return analyze(capture, Config::default()).map(|analysis| analysis.report);
    };
    let main = analyze(capture, Config::traced())?;
    let peer = analyze(peer, Config::traced())?;
    Ok(main.compared_with(&peer))
}

fn fail(message: &str) -> ExitCode {
    eprintln!("rstscope: {message}");
    ExitCode::FAILURE
}

/// One capture analysed; a failure names the file.
fn analyze(path: &Path, config: Config) -> Result<Analysis, String> {
    let named = |message: String| format!("{}: {message}", path.display());
    let input = input::Input::open(path).map_err(|e| named(e.to_string()))?;
    let mut analyzer = Analyzer::new(config);
    let mut bar = progress::Bar::new(input.size, io::stderr().is_terminal());
    let result = input.read_into(&mut analyzer, |b| bar.update(b));
    bar.clear();
    result.map_err(|e| named(e.to_string()))?;
    Ok(analyzer.finish())
}

fn print(report: &Report, format: Format, ladder: bool) -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    match format {
        Format::Json => {
            // `io::Error::from` keeps the kind of a write error (a closed pipe).
            serde_json::to_writer_pretty(&mut out, report).map_err(io::Error::from)?;
            writeln!(out)?;
        }
        Format::Text => text::write(&mut out, report, ladder)?,
    }
    out.flush()
}
