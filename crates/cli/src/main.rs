//! `rstscope`: the command-line face of rstscope-core. Glue only: read the
//! capture, feed the analyzer, print the report.

mod progress;
mod text;

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use rstscope_core::{Analyzer, Config, Report};

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
        Command::Analyze { capture, format } => match analyze(&capture) {
            Ok(report) => match print(&report, format) {
                Ok(()) => ExitCode::SUCCESS,
                // A closed pipe (`rstscope ... | head`) is not an error worth a message.
                Err(err) if err.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(err) => fail(&format!("writing the report: {err}")),
            },
            Err(message) => fail(&format!("{}: {message}", capture.display())),
        },
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("rstscope: {message}");
    ExitCode::FAILURE
}

fn analyze(path: &PathBuf) -> Result<Report, String> {
    let (input, size): (Box<dyn Read>, Option<u64>) = if path.as_os_str() == "-" {
        (Box::new(io::stdin().lock()), None)
    } else {
        let file = File::open(path).map_err(|e| e.to_string())?;
        let size = file.metadata().ok().map(|m| m.len());
        (Box::new(file), size)
    };
    let mut analyzer = Analyzer::new(Config::default());
    let mut bar = progress::Bar::new(size, io::stderr().is_terminal());
    let result = rstscope_capture::read_all(input, &mut analyzer, |bytes| bar.update(bytes));
    bar.clear();
    result.map_err(|e| e.to_string())?;
    Ok(analyzer.finish())
}

fn print(report: &Report, format: Format) -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, report).map_err(io::Error::other)?;
            writeln!(out)?;
        }
        Format::Text => text::write(&mut out, report)?,
    }
    out.flush()
}
