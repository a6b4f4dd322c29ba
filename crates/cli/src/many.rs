//! Several captures at once (or rows of any number): analysed on all cores,
//! printed in the order they were named, then a combined summary.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use rstscope_batch::{pool, rows, targets, zeek, Combined, Outcome, RowKind, Source};
use rstscope_core::Report;
use serde::Serialize;

use crate::{progress, text, Format};

/// How the captures are printed.
pub enum Output {
    Text { ladder: bool, lines: Vec<String> },
    Json { first: bool },
    Ndjson(RowKind),
    Zeek(RowKind),
}

impl Output {
    pub fn new(format: Format, rows: RowKind, ladder: bool) -> Self {
        match format {
            Format::Text => Output::Text {
                ladder,
                lines: Vec::new(),
            },
            Format::Json => Output::Json { first: true },
            Format::Ndjson => Output::Ndjson(rows),
            Format::Zeek => Output::Zeek(rows),
        }
    }

    fn begin(&mut self, out: &mut impl Write) -> io::Result<()> {
        match self {
            Output::Json { .. } => writeln!(out, "{{\n\"captures\": ["),
            Output::Zeek(kind) => zeek::write_header(out, *kind, SystemTime::now()),
            Output::Text { .. } | Output::Ndjson(_) => Ok(()),
        }
    }

    fn capture(
        &mut self,
        out: &mut impl Write,
        capture: &str,
        outcome: &Outcome,
    ) -> io::Result<()> {
        match self {
            Output::Text { ladder, lines } => {
                lines.push(one_line(capture, outcome));
                text_capture(out, capture, outcome, *ladder)
            }
            Output::Json { first } => {
                if !std::mem::take(first) {
                    writeln!(out, ",")?;
                }
                json_capture(out, capture, outcome)
            }
            Output::Ndjson(kind) => rows::write_ndjson(out, *kind, Some(capture), outcome),
            Output::Zeek(kind) => zeek::write_rows(out, *kind, Some(capture), outcome),
        }
    }

    fn end(&mut self, out: &mut impl Write, combined: &Combined) -> io::Result<()> {
        match self {
            Output::Text { lines, .. } => text_combined(out, combined, lines),
            Output::Json { .. } => {
                write!(out, "\n],\n\"summary\": ")?;
                crate::json::write_pretty(&mut *out, combined)?;
                writeln!(out, "\n}}")
            }
            Output::Ndjson(_) => Ok(()),
            Output::Zeek(_) => zeek::write_close(out, SystemTime::now()),
        }
    }
}

/// Analyses every capture `args` name on `jobs` threads (0: one per core)
/// and prints them. Exit code: 0 all analysed, 1 none, 3 some.
pub fn run(args: &[PathBuf], output: Output, jobs: usize) -> ExitCode {
    let found = targets::expand(args);
    if found.captures.is_empty() && found.unreadable.is_empty() {
        eprintln!("rstscope: no captures found in {}", list(args));
        return ExitCode::FAILURE;
    }
    if !found.skipped.is_empty() {
        let shown = found.skipped.len().min(3);
        let more = if found.skipped.len() > shown {
            ", ..."
        } else {
            ""
        };
        eprintln!(
            "rstscope: skipped {} file(s) that are not captures: {}{more}",
            found.skipped.len(),
            list(found.skipped.get(..shown).unwrap_or_default())
        );
    }
    let skipped = found
        .skipped
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let total = found.captures.len() + found.unreadable.len();
    let mut run = Run {
        output,
        out: io::BufWriter::new(io::stdout().lock()),
        combined: Combined::new(skipped),
        counter: progress::Counter::new(total, io::stderr().is_terminal()),
    };
    let printed = run.all(&found, jobs);
    run.counter.clear();
    match printed {
        Err(err) if err.kind() != io::ErrorKind::BrokenPipe => {
            eprintln!("rstscope: writing the report: {err}");
            ExitCode::FAILURE
        }
        _ if run.combined.failed == 0 => ExitCode::SUCCESS,
        _ if run.combined.analysed == 0 => ExitCode::FAILURE,
        _ => ExitCode::from(3),
    }
}

/// Printing the captures as their analyses end.
struct Run<W: Write> {
    output: Output,
    out: W,
    combined: Combined,
    counter: progress::Counter,
}

impl<W: Write> Run<W> {
    fn all(&mut self, found: &targets::Targets, jobs: usize) -> io::Result<()> {
        self.output.begin(&mut self.out)?;
        for (dir, err) in &found.unreadable {
            self.emit(dir, Err(format!("cannot list the directory: {err}")))?;
        }
        let workers = pool::workers(jobs).min(found.captures.len());
        let work = |path: &PathBuf| {
            let source = Source::Path(path);
            // One capture at a time: its reading thread has the other core.
            match workers {
                0 | 1 => rstscope_batch::analyze(source, |_| {}),
                _ => rstscope_batch::analyze_in_pool(source),
            }
            .map_err(|err| err.to_string())
        };
        pool::ordered(&found.captures, workers, work, |path, outcome| {
            self.emit(path, outcome)
        })?;
        self.output.end(&mut self.out, &self.combined)?;
        self.out.flush()
    }

    fn emit(&mut self, path: &Path, outcome: Outcome) -> io::Result<()> {
        if let Err(message) = &outcome {
            eprintln!("rstscope: {}: {message}", path.display());
        }
        self.combined.add(&outcome);
        self.counter.done(self.combined.captures);
        let capture = path.display().to_string();
        self.output.capture(&mut self.out, &capture, &outcome)
    }
}

fn list(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    names.join(", ")
}

fn text_capture(
    out: &mut impl Write,
    capture: &str,
    outcome: &Outcome,
    ladder: bool,
) -> io::Result<()> {
    writeln!(out, "== {capture} ==")?;
    match outcome {
        Ok(report) => text::write(out, report, ladder)?,
        Err(message) => writeln!(out, "error: {message}")?,
    }
    writeln!(out)
}

/// The capture's line in the combined summary.
fn one_line(capture: &str, outcome: &Outcome) -> String {
    match outcome {
        Ok(report) => format!(
            "{capture}: {} reset(s), {} forged: {}",
            report.resets.len(),
            rows::forged(report),
            report.summary.headline
        ),
        Err(message) => format!("{capture}: error: {message}"),
    }
}

fn text_combined(out: &mut impl Write, all: &Combined, lines: &[String]) -> io::Result<()> {
    writeln!(out, "== All {} captures ==", all.captures)?;
    writeln!(out, "{}", all.headline)?;
    writeln!(out)?;
    writeln!(
        out,
        "Captures: {} analysed, {} failed; {} packets, {} TCP, {} connections, {} resets",
        all.analysed, all.failed, all.packets, all.tcp_packets, all.connections, all.resets
    )?;
    if all.resets > 0 {
        writeln!(out, "Resets by origin: {}", text::counts(&all.by_origin))?;
        writeln!(out, "Resets by cause:  {}", text::counts(&all.by_cause))?;
    }
    if !all.skipped.is_empty() {
        writeln!(out, "Skipped (not captures): {}", all.skipped.join(", "))?;
    }
    for line in lines {
        writeln!(out, "  {line}")?;
    }
    Ok(())
}

/// One capture in the JSON document: its report, or its error.
#[derive(Serialize)]
struct JsonEntry<'a> {
    capture: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<&'a Report>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

fn json_capture(out: &mut impl Write, capture: &str, outcome: &Outcome) -> io::Result<()> {
    let entry = JsonEntry {
        capture,
        report: outcome.as_ref().ok(),
        error: outcome.as_ref().err().map(String::as_str),
    };
    crate::json::write_pretty(&mut *out, &entry)
}
