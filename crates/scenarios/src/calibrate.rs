//! Fitting `confidence` on the train split: the table of
//! `rstscope_core::confidence` (`crates/core/src/confidence/table/fitted.rs`),
//! written as Rust by `rstscope-scenarios calibrate` (`scripts/calibrate.sh`).
//!
//! For every key of every level (see `confidence::table`), the share of
//! right verdicts among the train resets with that key, smoothed towards
//! the level above (an m-estimate: `(right + m · parent) / (resets + m)`), so
//! a key seen a few times stays near its coarser neighbours and a key seen
//! often speaks for itself. `m` is chosen by cross-validation over the
//! train captures (five folds, a capture's resets in one fold), and every
//! value is kept within [`FLOOR`, `CEILING`]. The held-out split is never
//! read here.

use std::collections::BTreeMap;
use std::fmt::Write;

use rstscope_core::confidence::table::{EvidenceKey, HistoryKey, ShapeKey, VerdictKey, SCALE};
use rstscope_core::confidence::Basis;

use crate::accuracy::metrics::Calibration;
use crate::accuracy::{Scored, Set};

/// Smoothing strengths tried by cross-validation.
pub const SMOOTHING: &[u32] = &[1, 2, 5, 10, 20, 50, 100];
const FOLDS: u64 = 5;

/// Train resets and whether their verdict was right.
struct Point {
    basis: Basis,
    right: bool,
    fold: u64,
}

/// Resets and right verdicts of one key, and its smoothed probability.
#[derive(Clone, Copy, Debug)]
struct Cell {
    resets: u32,
    right: u32,
    probability: f64,
}

/// A fitted table: one map per level, ordered as the core's tables.
pub struct Fit {
    pub smoothing: u32,
    pub resets: usize,
    prior: f64,
    verdict: BTreeMap<VerdictKey, Cell>,
    shape: BTreeMap<ShapeKey, Cell>,
    history: BTreeMap<HistoryKey, Cell>,
    evidence: BTreeMap<EvidenceKey, Cell>,
}

impl Fit {
    fn new(points: &[&Point], smoothing: u32) -> Fit {
        let m = f64::from(smoothing);
        let right = points.iter().filter(|p| p.right).count();
        let prior = (right as f64 + m * 0.5) / (points.len() as f64 + m);
        let verdict = level(points, m, Basis::verdict_key, |_| prior);
        let shape = level(points, m, Basis::shape_key, |b| {
            verdict[&b.verdict_key()].probability
        });
        let history = level(points, m, Basis::history_key, |b| {
            shape[&b.shape_key()].probability
        });
        let evidence = level(points, m, Basis::evidence_key, |b| {
            history[&b.history_key()].probability
        });
        Fit {
            smoothing,
            resets: points.len(),
            prior,
            verdict,
            shape,
            history,
            evidence,
        }
    }

    /// What the core's lookup gives `basis` with this table.
    fn probability(&self, b: &Basis) -> f64 {
        self.evidence
            .get(&b.evidence_key())
            .or_else(|| self.history.get(&b.history_key()))
            .or_else(|| self.shape.get(&b.shape_key()))
            .or_else(|| self.verdict.get(&b.verdict_key()))
            .map_or(quantised(FLOOR), |c| c.probability)
    }
}

/// The cells of one level: each key's resets and right verdicts, its
/// probability smoothed towards `parent` (the level above's).
fn level<K: Ord>(
    points: &[&Point],
    m: f64,
    key: fn(&Basis) -> K,
    parent: impl Fn(&Basis) -> f64,
) -> BTreeMap<K, Cell> {
    let mut counts: BTreeMap<K, (u32, u32, f64)> = BTreeMap::new();
    for p in points {
        let cell = counts
            .entry(key(&p.basis))
            .or_insert_with(|| (0, 0, parent(&p.basis)));
        cell.0 += 1;
        cell.1 += u32::from(p.right);
    }
    counts
        .into_iter()
        .map(|(k, (resets, right, parent))| {
            let p = (f64::from(right) + m * parent) / (f64::from(resets) + m);
            let cell = Cell {
                resets,
                right,
                probability: quantised(p),
            };
            (k, cell)
        })
        .collect()
}

/// `(AppAbort, Client, Some(RstAfterFin), ...)` with each enum named by
/// its type: positions are fixed by the key types of `confidence::table`.
fn key_text(debug: &str) -> String {
    const TYPES: [&str; 11] = [
        "Cause", "Origin", "SubCause", "Stage", "", "", "Earlier", "", "Count", "Count", "",
    ];
    let inner = debug.trim_start_matches('(').trim_end_matches(')');
    let parts: Vec<String> = inner
        .split(", ")
        .zip(TYPES)
        .map(|(value, ty)| match (value, ty) {
            (_, "") | ("None", "SubCause") => value.to_string(),
            (v, "SubCause") => format!(
                "Some(SubCause::{})",
                v.trim_start_matches("Some(").trim_end_matches(')')
            ),
            (v, ty) => format!("{ty}::{v}"),
        })
        .collect();
    format!("({})", parts.join(", "))
}

/// Probabilities stay within [`FLOOR`, `CEILING`]: a verdict right in every
/// generated variant can still be wrong on a capture no generator foresaw,
/// and one never right there can still be right elsewhere.
pub const FLOOR: f64 = 0.02;
pub const CEILING: f64 = 0.98;

fn quantised(p: f64) -> f64 {
    (p.clamp(FLOOR, CEILING) * f64::from(SCALE)).round() / f64::from(SCALE)
}

/// Cross-validated calibration of one smoothing strength: each fold's
/// resets scored by a table fitted on the other folds.
pub struct Trial {
    pub smoothing: u32,
    pub calibration: Calibration,
    /// Mean squared error of the probability.
    pub brier: f64,
}

/// Fits the table on the train resets of `scored` (others are ignored),
/// with the smoothing the cross-validation prefers; returns it with every
/// trial.
pub fn fit(scored: &[Scored]) -> (Fit, Vec<Trial>) {
    let points: Vec<Point> = scored
        .iter()
        .filter(|s| s.set == Set::Train)
        .filter_map(|s| {
            Some(Point {
                basis: s.judged.as_ref()?.basis,
                right: s.right(),
                fold: fold_of(&s.capture),
            })
        })
        // The generator labels every reset with what happened, so a
        // "cannot tell" verdict is wrong there by construction: whether it
        // was right is beyond the train split, and such a verdict keeps
        // the floor (a cell of one or two would be pulled up towards the
        // overall share instead).
        .filter(|p| !p.basis.cannot_tell())
        .collect();
    let by_capture: Vec<&Scored> = scored
        .iter()
        .filter(|s| s.set == Set::Train && s.judged.is_some())
        .collect();
    let trials: Vec<Trial> = SMOOTHING
        .iter()
        .map(|&m| trial(&points, &by_capture, m))
        .collect();
    // The smoothest table within 2 % of the best Brier score: a generated
    // world is tidier than a real one, so between near-equals the table
    // that trusts small cells less wins.
    let best = trials.iter().map(|t| t.brier).fold(f64::INFINITY, f64::min);
    let best = trials
        .iter()
        .filter(|t| t.brier <= best * 1.02)
        .map(|t| t.smoothing)
        .max()
        .unwrap_or(10);
    let all: Vec<&Point> = points.iter().collect();
    (Fit::new(&all, best), trials)
}

fn trial(points: &[Point], scored: &[&Scored], smoothing: u32) -> Trial {
    let mut rescored: Vec<Scored> = Vec::with_capacity(scored.len());
    for fold in 0..FOLDS {
        let rest: Vec<&Point> = points.iter().filter(|p| p.fold != fold).collect();
        let fit = Fit::new(&rest, smoothing);
        for s in scored.iter().filter(|s| fold_of(&s.capture) == fold) {
            let mut s = (*s).clone();
            if let Some(j) = &mut s.judged {
                j.confidence = fit.probability(&j.basis) as f32;
            }
            rescored.push(s);
        }
    }
    let refs: Vec<&Scored> = rescored.iter().collect();
    let brier = refs
        .iter()
        .filter_map(|s| {
            let p = f64::from(s.judged.as_ref()?.confidence);
            Some((p - f64::from(u8::from(s.right()))).powi(2))
        })
        .sum::<f64>()
        / refs.len().max(1) as f64;
    Trial {
        smoothing,
        calibration: Calibration::of(&refs),
        brier,
    }
}

impl Trial {
    /// "//! - m = 5: Brier 0.0500, ECE 0.014, AUROC 0.982"
    pub fn line(&self) -> String {
        let c = &self.calibration;
        format!(
            "//! - m = {}: Brier {:.4}, ECE {:.3}, AUROC {:.3}",
            self.smoothing,
            self.brier,
            c.ece.unwrap_or(f64::NAN),
            c.auroc.unwrap_or(f64::NAN)
        )
    }
}

/// A capture's fold: its resets stay together.
fn fold_of(capture: &str) -> u64 {
    // FNV-1a: stable across runs and platforms.
    let hash = capture.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    hash % FOLDS
}

impl Fit {
    /// The table as the Rust module `confidence/table/fitted.rs`.
    pub fn rust(&self, source: &str, trials: &[Trial]) -> String {
        let mut out = format!(
            "//! Generated by `scripts/calibrate.sh` (`rstscope-scenarios calibrate`); do not edit.\n\
             //!\n\
             //! Fitted on {source}: {} resets.\n\
             //! Each value is the share of right verdicts\n\
             //! (origin and cause) among the train resets with that key, in 1/10000, smoothed\n\
             //! towards the level above: (right + m * parent) / (resets + m), m = {}, and kept\n\
             //! within [{FLOOR}, {CEILING}]. After each entry: train resets, right.\n\
             //!\n\
             //! m is the smoothest of five-fold cross-validation on the train captures\n\
             //! within 2 % of the best Brier score:\n\
             //!\n\
             {}\n\n\
             use super::{{EvidenceKey, HistoryKey, ShapeKey, VerdictKey}};\n\
             use crate::confidence::{{Count, Earlier}};\n\
             use crate::report::{{Cause, Origin, Stage, SubCause}};\n\n\
             /// Train resets the table was fitted on.\n\
             pub const TRAIN_RESETS: u32 = {};\n\
             /// The smoothing strength m.\n\
             pub const SMOOTHING: u32 = {};\n\
             /// The share of right verdicts over all train resets, in 1/10000: {}.\n\
             /// A verdict the train split never produced (no level knows its cause and\n\
             /// origin) has no record of being right, and claims the floor.\n\
             pub const UNSEEN: u16 = {};\n",
            self.resets,
            self.smoothing,
            trials.iter().map(Trial::line).collect::<Vec<_>>().join("\n"),
            self.resets,
            self.smoothing,
            to_scale(self.prior),
            to_scale(FLOOR),
        );
        let names = [
            ("BY_VERDICT", "VerdictKey", "cause and origin"),
            (
                "BY_SHAPE",
                "ShapeKey",
                "+ sub-cause, stage, whether the roles were known and another cause fits",
            ),
            ("BY_HISTORY", "HistoryKey", "+ an earlier RST, the ACK flag"),
            (
                "BY_EVIDENCE",
                "EvidenceKey",
                "+ agreeing and conflicting signals, the clock",
            ),
        ];
        let [v, sh, h, e] = names;
        write_level(&mut out, v, &self.verdict);
        write_level(&mut out, sh, &self.shape);
        write_level(&mut out, h, &self.history);
        write_level(&mut out, e, &self.evidence);
        out
    }
}

/// One level's table, in key order (the core binary-searches it).
fn write_level<K: std::fmt::Debug>(
    out: &mut String,
    (name, ty, doc): (&str, &str, &str),
    cells: &BTreeMap<K, Cell>,
) {
    let _ = write!(
        out,
        "\n/// By {doc}.\n#[rustfmt::skip]\npub const {name}: &[({ty}, u16)] = &[\n"
    );
    for (key, cell) in cells {
        let _ = writeln!(
            out,
            "    ({}, {}), // {} resets, {} right",
            key_text(&format!("{key:?}")),
            to_scale(cell.probability),
            cell.resets,
            cell.right
        );
    }
    out.push_str("];\n");
}

fn to_scale(p: f64) -> u16 {
    (p * f64::from(SCALE)).round().clamp(0.0, f64::from(SCALE)) as u16
}

#[cfg(test)]
mod tests {
    use rstscope_core::confidence::{Count, Earlier};
    use rstscope_core::report::{Cause, Origin, Stage, SubCause};

    use super::*;

    fn basis(stage: Stage, agreeing: Count) -> Basis {
        Basis {
            cause: Cause::AppAbort,
            origin: Origin::Client,
            sub_cause: Some(SubCause::RstAfterFin),
            stage,
            roles_known: true,
            contested: false,
            earlier: Earlier::None,
            with_ack: true,
            agreeing,
            conflicting: Count::Zero,
            clock_backwards: false,
        }
    }

    fn point(basis: Basis, right: bool) -> Point {
        Point {
            basis,
            right,
            fold: 0,
        }
    }

    #[test]
    fn key_text_names_each_enum_by_its_type() {
        let b = basis(Stage::PostAck, Count::One);
        assert_eq!(
            key_text(&format!("{:?}", b.evidence_key())),
            "(Cause::AppAbort, Origin::Client, Some(SubCause::RstAfterFin), Stage::PostAck, \
             true, false, Earlier::None, true, Count::One, Count::Zero, false)"
        );
        assert_eq!(
            key_text(&format!("{:?}", b.verdict_key())),
            "(Cause::AppAbort, Origin::Client)"
        );
    }

    #[test]
    fn small_cells_lean_on_the_level_above() {
        // Nine wrong verdicts at one stage, one right at another: the
        // lone right one is pulled far towards its verdict's 10 %.
        let mut points: Vec<Point> = (0..9)
            .map(|_| point(basis(Stage::PostAck, Count::One), false))
            .collect();
        points.push(point(basis(Stage::LaterInFlow, Count::One), true));
        let refs: Vec<&Point> = points.iter().collect();
        let fit = Fit::new(&refs, 4);
        let lone = fit.probability(&basis(Stage::LaterInFlow, Count::One));
        let verdict = fit.verdict[&(Cause::AppAbort, Origin::Client)].probability;
        assert!((verdict - (1.0 + 4.0 * fit.prior) / 14.0).abs() < 1e-3);
        assert!(lone > verdict && lone < 0.75, "{lone} vs {verdict}");
        // A basis only the verdict level knows gets the verdict's value.
        let unseen_stage = basis(Stage::PostSyn, Count::Many);
        assert_eq!(fit.probability(&unseen_stage), verdict);
    }

    #[test]
    fn probabilities_stay_within_floor_and_ceiling() {
        let points: Vec<Point> = (0..500)
            .map(|_| point(basis(Stage::PostAck, Count::One), true))
            .collect();
        let refs: Vec<&Point> = points.iter().collect();
        let fit = Fit::new(&refs, 1);
        assert_eq!(fit.probability(&basis(Stage::PostAck, Count::One)), CEILING);
        let other = Basis {
            cause: Cause::Scan,
            ..basis(Stage::PostAck, Count::One)
        };
        assert_eq!(fit.probability(&other), FLOOR);
    }
}
