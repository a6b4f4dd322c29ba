//! The accuracy harness: every labelled reset of the generated splits and
//! of the hand-labelled real captures, analysed by the real pipeline
//! (rstscope-capture + rstscope-core), scored against its label.
//!
//! Held-out results leave this module only as aggregates ([`metrics`]):
//! [`Scored::detail`] is empty for them and [`errors`] refuses them, so no
//! rule is ever written against an individual held-out reset.

pub mod floor;
pub mod markdown;
pub mod metrics;

use std::path::Path;

use rstscope_capture::CaptureReader;
use rstscope_core::confidence::{self, Basis};
use rstscope_core::report::{Cause, Origin, Report, Reset, Sender};
use rstscope_core::{Analyzer, Config};

use crate::families::{self, Split, Variant};
use crate::real::{self, RealFile};

/// Generated variants per family in each split: enough for a stable
/// aggregate, small enough that the floor test stays a few seconds.
pub const TRAIN_PER_FAMILY: u64 = 60;
pub const HELD_OUT_PER_FAMILY: u64 = 60;

/// Which truth set a reset belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Set {
    Train,
    HeldOut,
    Real,
}

impl Set {
    pub fn name(self) -> &'static str {
        match self {
            Set::Train => "train",
            Set::HeldOut => "held-out",
            Set::Real => "real labels",
        }
    }
}

/// The label of one RST.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Truth {
    pub frame: u64,
    pub sender: Sender,
    pub origin: Origin,
    pub cause: Cause,
    pub sub_cause: Option<String>,
    pub consequence_of: Option<u64>,
    /// The first frame of its incident (generated truth only).
    pub incident: Option<u64>,
}

/// What the report's JSON says a reset is a consequence of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// The report has no `consequence_of` field.
    NotReported,
    /// `consequence_of: null`: a root.
    Root,
    Frame(u64),
}

/// The engine's verdict on one labelled RST.
#[derive(Clone, Debug)]
pub struct Judged {
    pub sender: Sender,
    pub origin: Origin,
    pub cause: Cause,
    pub sub_cause: Option<String>,
    pub confidence: f32,
    /// What the verdict rests on: what its confidence was looked up by.
    pub basis: Basis,
    pub consequence_of: Link,
    /// The reset's `incident` (its JSON text), when the report has the field.
    pub incident: Option<String>,
    /// `signal → points_to: finding`, strongest first.
    pub evidence: Vec<String>,
}

/// One labelled RST and the verdict it got.
#[derive(Clone, Debug)]
pub struct Scored {
    pub set: Set,
    /// The family, or the real capture's file name.
    pub source: String,
    /// The capture it is in (incidents are compared within one).
    pub capture: String,
    /// Where to find it again (variant seed, stacks, path); empty for held-out.
    pub detail: String,
    /// What the variant varied, for breakdowns: (dimension, value).
    pub traits: Vec<(&'static str, &'static str)>,
    pub truth: Truth,
    /// `None` when the report has no reset at that frame.
    pub judged: Option<Judged>,
}

impl Scored {
    pub fn origin_right(&self) -> bool {
        self.judged
            .as_ref()
            .is_some_and(|j| j.origin == self.truth.origin)
    }

    pub fn cause_right(&self) -> bool {
        self.judged
            .as_ref()
            .is_some_and(|j| j.cause == self.truth.cause)
    }

    /// Origin and cause both right: what the confidence claims.
    pub fn right(&self) -> bool {
        self.origin_right() && self.cause_right()
    }

    pub fn is_root(&self) -> bool {
        self.truth.consequence_of.is_none()
    }
}

/// Everything one run scored, with what could not be scored.
pub struct Run {
    pub scored: Vec<Scored>,
    pub train_per_family: u64,
    pub held_out_per_family: u64,
    pub real: RealStatus,
}

/// What became of the real labels.
pub enum RealStatus {
    /// No label files, or no captures folder: nothing scored.
    Skipped(String),
    Scored {
        files: usize,
        /// Label files whose capture is missing.
        missing_captures: Vec<String>,
        /// Captures the reader refuses, with its error: their resets count
        /// as not reported.
        unreadable: Vec<(String, String)>,
        /// RSTs the report has that no label covers, by file.
        unlabelled: Vec<(String, usize)>,
    },
}

/// Scores `count` variants of every family in `split`.
pub fn score_split(split: Split, count: u64) -> Vec<Scored> {
    families::split(split, count)
        .flat_map(|variant| score_variant(&variant))
        .collect()
}

fn score_variant(variant: &Variant) -> Vec<Scored> {
    let report = analyze(&variant.bytes()).unwrap_or_default();
    let bases = confidence::bases(&report.resets, &report.capture);
    let set = match variant.split {
        Split::Train => Set::Train,
        Split::HeldOut => Set::HeldOut,
    };
    let detail = match variant.split {
        Split::Train => format!(
            "{} ({}; {}{})",
            variant.file_name(),
            variant.traits.setting,
            variant.options.link.name(),
            if variant.traits.merged {
                "; timestamps go backwards"
            } else {
                ""
            }
        ),
        Split::HeldOut => String::new(),
    };
    let traits = vec![
        ("vantage", variant.traits.vantage.name()),
        ("ip", if variant.traits.ipv6 { "IPv6" } else { "IPv4" }),
        (
            "timestamps",
            if variant.traits.merged {
                "merged, going backwards"
            } else {
                "in order"
            },
        ),
    ];
    variant
        .scenario
        .expected
        .iter()
        .map(|e| Scored {
            set,
            source: variant.family.name.to_string(),
            capture: variant.file_name(),
            detail: detail.clone(),
            traits: traits.clone(),
            truth: Truth {
                frame: e.frame,
                sender: e.sender,
                origin: e.origin,
                cause: e.cause,
                sub_cause: e.sub_cause.map(|s| s.as_str().to_string()),
                consequence_of: e.consequence_of,
                incident: Some(e.incident),
            },
            judged: judged(&report, &bases, e.frame),
        })
        .collect()
}

/// Scores the hand labels in `labels_dir` against the captures in `captures_dir`.
pub fn score_real(
    labels_dir: &Path,
    captures_dir: &Path,
) -> Result<(Vec<Scored>, RealStatus), String> {
    let files = real::load(labels_dir, captures_dir)?;
    if files.is_empty() {
        let why = format!("no label files in {}", labels_dir.display());
        return Ok((Vec::new(), RealStatus::Skipped(why)));
    }
    if !captures_dir.is_dir() {
        let why = format!("{} not found", captures_dir.display());
        return Ok((Vec::new(), RealStatus::Skipped(why)));
    }
    let mut scored = Vec::new();
    let (mut missing_captures, mut unlabelled, mut unreadable) =
        (Vec::new(), Vec::new(), Vec::new());
    for file in &files {
        let Ok(bytes) = std::fs::read(&file.capture) else {
            missing_captures.push(file.name.clone());
            continue;
        };
        let report = analyze(&bytes).unwrap_or_else(|e| {
            unreadable.push((file.name.clone(), e));
            Report::default()
        });
        let extra = report
            .resets
            .iter()
            .filter(|r| !file.labels.iter().any(|l| l.frame == r.frame))
            .count();
        if extra > 0 {
            unlabelled.push((file.name.clone(), extra));
        }
        scored.extend(score_file(file, &report));
    }
    let status = RealStatus::Scored {
        files: files.len() - missing_captures.len(),
        missing_captures,
        unreadable,
        unlabelled,
    };
    Ok((scored, status))
}

fn score_file(file: &RealFile, report: &Report) -> Vec<Scored> {
    let bases = confidence::bases(&report.resets, &report.capture);
    file.labels
        .iter()
        .map(|l| Scored {
            set: Set::Real,
            source: file.name.clone(),
            capture: file.name.clone(),
            detail: format!("{}: {}", file.name, l.evidence),
            traits: Vec::new(),
            truth: Truth {
                frame: l.frame,
                sender: l.sender,
                origin: l.origin,
                cause: l.cause,
                sub_cause: l.sub_cause.clone(),
                consequence_of: l.consequence_of,
                incident: None,
            },
            judged: judged(report, &bases, l.frame),
        })
        .collect()
}

/// Train, held-out and the real labels, as `scripts/accuracy.sh` runs them.
pub fn run(
    train: u64,
    held_out: u64,
    labels_dir: &Path,
    captures_dir: &Path,
) -> Result<Run, String> {
    let mut scored = score_split(Split::Train, train);
    scored.extend(score_split(Split::HeldOut, held_out));
    let (real, status) = score_real(labels_dir, captures_dir)?;
    scored.extend(real);
    Ok(Run {
        scored,
        train_per_family: train,
        held_out_per_family: held_out,
        real: status,
    })
}

/// The wrong verdicts of the train split and the real labels, with their
/// evidence (a wrong consequence link counts once the report has links).
/// Held-out resets are never listed.
pub fn errors(run: &Run) -> impl Iterator<Item = &Scored> {
    run.scored.iter().filter(|s| {
        let links_reported = s
            .judged
            .as_ref()
            .is_some_and(|j| j.consequence_of != Link::NotReported);
        s.set != Set::HeldOut && (!s.right() || (links_reported && !link_right(s)))
    })
}

/// Whether the reset's consequence link is what the label says (a root
/// must not be linked; a link the engine does not report is wrong).
pub fn link_right(scored: &Scored) -> bool {
    match (
        scored.judged.as_ref().map(|j| j.consequence_of),
        scored.truth.consequence_of,
    ) {
        (Some(Link::Frame(got)), Some(want)) => got == want,
        (Some(Link::Root | Link::NotReported), None) => true,
        _ => false,
    }
}

/// The report of the real pipeline for a capture file's bytes.
pub fn analyze(bytes: &[u8]) -> Result<Report, String> {
    let mut analyzer = Analyzer::new(Config::default());
    let mut reader = CaptureReader::new();
    reader
        .push(bytes, &mut analyzer)
        .and_then(|_| reader.finish(&mut analyzer))
        .map_err(|e| e.to_string())?;
    Ok(analyzer.finish().report)
}

/// The verdict on the RST at `frame`, with `bases` those of the report's resets.
fn judged(report: &Report, bases: &[Basis], frame: u64) -> Option<Judged> {
    let index = report.resets.iter().position(|r| r.frame == frame)?;
    let reset = report.resets.get(index)?;
    let json = serde_json::to_value(reset).unwrap_or_default();
    let consequence_of = match json.get("consequence_of") {
        None => Link::NotReported,
        Some(value) => value.as_u64().map_or(Link::Root, Link::Frame),
    };
    Some(Judged {
        sender: reset.sender,
        origin: reset.origin,
        cause: reset.cause,
        sub_cause: reset.sub_cause.map(|s| s.as_str().to_string()),
        confidence: reset.confidence,
        basis: *bases.get(index)?,
        consequence_of,
        incident: json.get("incident").map(|v| v.to_string()),
        evidence: evidence(reset),
    })
}

fn evidence(reset: &Reset) -> Vec<String> {
    reset
        .evidence
        .iter()
        .map(|e| format!("{} → {}: {}", e.signal, e.points_to.as_str(), e.finding))
        .collect()
}
