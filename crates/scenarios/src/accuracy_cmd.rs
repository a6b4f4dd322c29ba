//! `rstscope-scenarios accuracy` and `rstscope-scenarios variant`: the
//! harness's command line (the work is in the library's `accuracy`).

use std::fmt::Write;
use std::fs;
use std::path::PathBuf;

use rstscope_scenarios::accuracy::metrics::{per_capture_calibration, Calibration, Summary};
use rstscope_scenarios::accuracy::{self, floor, markdown, Run, Scored, Set};
use rstscope_scenarios::calibrate;
use rstscope_scenarios::families::{self, Split};

pub struct AccuracyArgs {
    /// Score the held-out split too and write ACCURACY.md and the floor:
    /// only `scripts/accuracy.sh` asks, so work never sees held-out numbers.
    write: bool,
    errors: bool,
    family: Option<String>,
    train: u64,
    held_out: u64,
    out: PathBuf,
    floor: PathBuf,
    labels: PathBuf,
    captures: PathBuf,
    /// Where to write every real-label verdict, one a line, to compare two
    /// engines verdict by verdict (`diff`).
    verdicts: Option<PathBuf>,
}

impl AccuracyArgs {
    pub fn parse(args: &[&str]) -> Result<Self, String> {
        let mut parsed = AccuracyArgs {
            write: false,
            errors: false,
            family: None,
            train: accuracy::TRAIN_PER_FAMILY,
            held_out: accuracy::HELD_OUT_PER_FAMILY,
            out: "ACCURACY.md".into(),
            floor: "crates/scenarios/accuracy-floor.json".into(),
            labels: "crates/scenarios/labels/real".into(),
            captures: "../shared/captures".into(),
            verdicts: None,
        };
        let mut args = args.iter();
        while let Some(&arg) = args.next() {
            let mut value = || args.next().copied().ok_or(format!("{arg} needs a value"));
            match arg {
                "--write" => parsed.write = true,
                "--errors" => parsed.errors = true,
                "--family" => parsed.family = Some(value()?.to_string()),
                "--train" => {
                    parsed.train = value()?.parse().map_err(|e| format!("--train: {e}"))?
                }
                "--held-out" => {
                    parsed.held_out = value()?.parse().map_err(|e| format!("--held-out: {e}"))?
                }
                "--out" => parsed.out = value()?.into(),
                "--floor" => parsed.floor = value()?.into(),
                "--labels" => parsed.labels = value()?.into(),
                "--captures" => parsed.captures = value()?.into(),
                "--verdicts" => parsed.verdicts = Some(value()?.into()),
                other => return Err(format!("unexpected argument {other:?}")),
            }
        }
        Ok(parsed)
    }
}

/// Scores the train split and the real labels, and with `--errors` lists
/// their wrong verdicts. With `--write` it also scores the held-out split,
/// writes ACCURACY.md and the floor, and prints the held-out totals.
pub fn run(args: &AccuracyArgs) -> std::io::Result<String> {
    let held_out = if args.write { args.held_out } else { 0 };
    let run = accuracy::run(args.train, held_out, &args.labels, &args.captures)
        .map_err(std::io::Error::other)?;
    let mut message = if args.write {
        fs::write(&args.out, markdown::render(&run))?;
        fs::write(&args.floor, floor_file(&run))?;
        format!("wrote {} and {}", args.out.display(), args.floor.display())
    } else {
        String::from("train and real labels (held-out is scored by scripts/accuracy.sh alone)")
    };
    if let Some(path) = &args.verdicts {
        fs::write(path, real_verdicts(&run))?;
    }
    if args.errors {
        // A closed pipe (`| head`) just ends the listing.
        let listing = errors(&run, args.family.as_deref());
        let _ = std::io::Write::write_all(&mut std::io::stdout(), listing.as_bytes());
    }
    for set in [Set::HeldOut, Set::Real, Set::Train] {
        let items: Vec<&Scored> = run.scored.iter().filter(|s| s.set == set).collect();
        if !items.is_empty() {
            message.push_str(&totals(set, &items));
        }
    }
    Ok(message)
}

/// One set's accuracy and calibration on a line (the real labels also with
/// every capture weighing the same).
fn totals(set: Set, items: &[&Scored]) -> String {
    let s = Summary::of(items);
    let calibration = Calibration::of(items);
    let pct = |r: accuracy::metrics::Ratio| r.value().map_or(0.0, |v| v * 100.0);
    let num = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.3}"));
    let mut line = format!(
        "\n{:>12}: {} resets, origin {:.1} %, cause {:.1} %, right {:.1} %, ECE {}, AUROC {}",
        set.name(),
        items.len(),
        pct(s.origin_all),
        pct(s.cause_all),
        pct(s.right_all),
        num(calibration.ece),
        num(calibration.auroc),
    );
    if set == Set::Real {
        let (ece, auroc) = per_capture_calibration(items);
        let _ = write!(line, "; per capture ECE {}, AUROC {}", num(ece), num(auroc));
    }
    line
}

/// The real labels' verdicts, one a line in label order: capture, frame,
/// right or wrong, confidence, and what was expected and judged
/// (sender/origin/cause).
fn real_verdicts(run: &Run) -> String {
    let mut out = String::from("capture\tframe\tright\tconfidence\texpected\tjudged\n");
    for s in run.scored.iter().filter(|s| s.set == Set::Real) {
        let t = &s.truth;
        let judged = s.judged.as_ref().map_or(("—".into(), 0.0), |j| {
            let verdict = format!(
                "{}/{}/{}",
                j.sender.as_str(),
                j.origin.as_str(),
                j.cause.as_str()
            );
            (verdict, j.confidence)
        });
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{:.3}\t{}/{}/{}\t{}",
            s.source,
            t.frame,
            if s.right() { "right" } else { "wrong" },
            judged.1,
            t.sender.as_str(),
            t.origin.as_str(),
            t.cause.as_str(),
            judged.0,
        );
    }
    out
}

fn floor_file(run: &Run) -> String {
    let entry = |set: Set| {
        let items: Vec<&Scored> = run.scored.iter().filter(|s| s.set == set).collect();
        (!items.is_empty())
            .then(|| floor::entry(items.len(), &floor::inputs(&items), &Summary::of(&items)))
    };
    floor::file(entry(Set::HeldOut).unwrap_or_default(), entry(Set::Real))
}

fn errors(run: &Run, family: Option<&str>) -> String {
    let mut out = String::new();
    for s in accuracy::errors(run).filter(|s| family.is_none_or(|f| s.source == f)) {
        let t = &s.truth;
        let _ = writeln!(
            out,
            "[{}] {} frame {}: expected {}/{}/{}{}{}",
            s.set.name(),
            s.source,
            t.frame,
            t.sender.as_str(),
            t.origin.as_str(),
            t.cause.as_str(),
            t.sub_cause
                .as_deref()
                .map_or(String::new(), |x| format!(" ({x})")),
            t.consequence_of
                .map_or(String::new(), |f| format!(", consequence of {f}")),
        );
        let _ = writeln!(out, "    {}", s.detail);
        match &s.judged {
            None => out.push_str("    got: no reset in the report\n"),
            Some(j) => {
                let _ = writeln!(
                    out,
                    "    got {}/{}/{}{} at {:.2}, consequence_of {:?}",
                    j.sender.as_str(),
                    j.origin.as_str(),
                    j.cause.as_str(),
                    j.sub_cause
                        .as_deref()
                        .map_or(String::new(), |x| format!(" ({x})")),
                    j.confidence,
                    j.consequence_of
                );
                for e in &j.evidence {
                    let _ = writeln!(out, "      - {e}");
                }
            }
        }
    }
    out
}

/// Writes the `index`-th train variant of `family` to `out` (held-out
/// variants are never written out).
pub fn write_variant(family: &str, index: &str, out: &str) -> std::io::Result<String> {
    let family = families::find(family)
        .ok_or_else(|| std::io::Error::other(format!("no family {family:?}")))?;
    let index: u64 = index
        .parse()
        .map_err(|e| std::io::Error::other(format!("index: {e}")))?;
    let variant = families::variant(family, Split::Train, index);
    fs::write(out, variant.bytes())?;
    let mut message = format!(
        "wrote {out}: {} ({})",
        variant.file_name(),
        variant.traits.setting
    );
    for e in &variant.scenario.expected {
        let _ = write!(
            message,
            "\n  frame {}: {}/{}/{}{}{}{}",
            e.frame,
            e.sender.as_str(),
            e.origin.as_str(),
            e.cause.as_str(),
            e.sub_cause
                .map_or(String::new(), |x| format!(" ({})", x.as_str())),
            e.consequence_of
                .map_or(String::new(), |f| format!(", consequence of {f}")),
            if e.incident == e.frame {
                String::new()
            } else {
                format!(", incident {}", e.incident)
            },
        );
    }
    Ok(message)
}

/// `rstscope-scenarios calibrate [--out <fitted.rs>]`: fits the confidence
/// table on the train split (never the held-out one) and writes it as the
/// core's Rust module.
pub fn calibrate(args: &[&str]) -> std::io::Result<String> {
    let out = match args {
        [] => "crates/core/src/confidence/table/fitted.rs",
        ["--out", path] => path,
        _ => return Err(std::io::Error::other("usage: calibrate [--out <file.rs>]")),
    };
    let scored = accuracy::score_split(Split::Train, accuracy::TRAIN_PER_FAMILY);
    let (fit, trials) = calibrate::fit(&scored);
    let source = format!(
        "the train split ({} variants per family, seeds 1..)",
        accuracy::TRAIN_PER_FAMILY
    );
    fs::write(out, fit.rust(&source, &trials))?;
    let mut message = String::from("cross-validation on train (5 folds by capture):");
    for t in &trials {
        let _ = write!(message, "\n  {}", t.line().trim_start_matches("//! - "));
    }
    let _ = write!(
        message,
        "\nwrote {out}: {} train resets, m = {}",
        fit.resets, fit.smoothing
    );
    Ok(message)
}
