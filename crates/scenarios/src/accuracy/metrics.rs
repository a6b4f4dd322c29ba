//! Aggregates over scored resets: accuracies, the cause confusion matrix,
//! consequence links, and calibration (10-bin table, ECE, AUROC).

use std::collections::BTreeMap;

use rstscope_core::report::Cause;

use super::{Link, Scored};

/// `hits` of `total`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ratio {
    pub hits: usize,
    pub total: usize,
}

impl Ratio {
    pub fn of<'a>(items: impl Iterator<Item = &'a Scored>, hit: impl Fn(&Scored) -> bool) -> Ratio {
        let mut ratio = Ratio::default();
        for item in items {
            ratio.total += 1;
            ratio.hits += usize::from(hit(item));
        }
        ratio
    }

    pub fn value(self) -> Option<f64> {
        (self.total > 0).then(|| self.hits as f64 / self.total as f64)
    }
}

/// The headline numbers of one set of resets.
#[derive(Clone, Debug)]
pub struct Summary {
    pub origin_all: Ratio,
    pub cause_all: Ratio,
    pub origin_root: Ratio,
    pub cause_root: Ratio,
    /// Origin and cause both right.
    pub right_all: Ratio,
    pub sender_all: Ratio,
    pub links: Links,
    /// Among resets whose label names a sub-cause.
    pub sub_cause: Ratio,
    pub incidents: IncidentPairs,
    pub calibration: Calibration,
}

impl Summary {
    pub fn of(items: &[&Scored]) -> Summary {
        let all = || items.iter().copied();
        let roots = || items.iter().copied().filter(|s| s.is_root());
        Summary {
            origin_all: Ratio::of(all(), Scored::origin_right),
            cause_all: Ratio::of(all(), Scored::cause_right),
            origin_root: Ratio::of(roots(), Scored::origin_right),
            cause_root: Ratio::of(roots(), Scored::cause_right),
            right_all: Ratio::of(all(), Scored::right),
            sender_all: Ratio::of(all(), |s| {
                s.judged
                    .as_ref()
                    .is_some_and(|j| j.sender == s.truth.sender)
            }),
            links: Links::of(items),
            sub_cause: Ratio::of(all().filter(|s| s.truth.sub_cause.is_some()), |s| {
                s.judged
                    .as_ref()
                    .is_some_and(|j| j.sub_cause == s.truth.sub_cause)
            }),
            incidents: IncidentPairs::of(items),
            calibration: Calibration::of(items),
        }
    }
}

/// Incident grouping, over pairs of labelled resets of one capture: of the
/// pairs the truth puts in one incident, how many the report does too
/// (recall), and of the pairs the report groups, how many belong together
/// (precision). Only where the truth has incidents (generated captures).
#[derive(Clone, Copy, Debug, Default)]
pub struct IncidentPairs {
    /// Whether the report carries `incident` at all.
    pub reported: bool,
    pub recall: Ratio,
    pub precision: Ratio,
}

impl IncidentPairs {
    fn of(items: &[&Scored]) -> IncidentPairs {
        let mut out = IncidentPairs {
            reported: items
                .iter()
                .any(|s| s.judged.as_ref().is_some_and(|j| j.incident.is_some())),
            ..IncidentPairs::default()
        };
        for group in group_by(items, |s| s.capture.clone()).values() {
            for (i, a) in group.iter().enumerate() {
                for b in &group[i + 1..] {
                    let (Some(ta), Some(tb)) = (a.truth.incident, b.truth.incident) else {
                        continue;
                    };
                    let together = ta == tb;
                    let grouped = match (reported_incident(a), reported_incident(b)) {
                        (Some(x), Some(y)) => x == y,
                        _ => false,
                    };
                    if together {
                        out.recall.total += 1;
                        out.recall.hits += usize::from(grouped);
                    }
                    if grouped {
                        out.precision.total += 1;
                        out.precision.hits += usize::from(together);
                    }
                }
            }
        }
        out
    }
}

/// The report's incident of a reset, when it names one.
fn reported_incident(s: &Scored) -> Option<&str> {
    s.judged
        .as_ref()
        .and_then(|j| j.incident.as_deref())
        .filter(|i| *i != "null")
}

/// How consequence resets are linked to their roots.
#[derive(Clone, Copy, Debug, Default)]
pub struct Links {
    /// Whether the report carries `consequence_of` at all.
    pub reported: bool,
    /// Consequences linked to the right root.
    pub consequences: Ratio,
    /// Roots the engine linked to some other reset.
    pub roots_linked: Ratio,
}

impl Links {
    fn of(items: &[&Scored]) -> Links {
        let link = |s: &Scored| s.judged.as_ref().map(|j| j.consequence_of);
        Links {
            reported: items
                .iter()
                .any(|s| !matches!(link(s), None | Some(Link::NotReported))),
            consequences: Ratio::of(
                items.iter().copied().filter(|s| !s.is_root()),
                |s| matches!((link(s), s.truth.consequence_of), (Some(Link::Frame(g)), Some(w)) if g == w),
            ),
            roots_linked: Ratio::of(items.iter().copied().filter(|s| s.is_root()), |s| {
                matches!(link(s), Some(Link::Frame(_)))
            }),
        }
    }
}

/// One confidence bin: [lower, lower + 0.1).
#[derive(Clone, Copy, Debug, Default)]
pub struct Bin {
    pub count: usize,
    pub confidence_sum: f64,
    pub right: usize,
}

impl Bin {
    pub fn mean_confidence(&self) -> Option<f64> {
        (self.count > 0).then(|| self.confidence_sum / self.count as f64)
    }

    pub fn accuracy(&self) -> Option<f64> {
        (self.count > 0).then(|| self.right as f64 / self.count as f64)
    }
}

/// Does confidence mean probability? Over the resets the report judged
/// (a reset missing from the report has no confidence).
#[derive(Clone, Debug, Default)]
pub struct Calibration {
    pub bins: [Bin; 10],
    /// Expected calibration error: Σ (n_b / N) |accuracy_b − confidence_b|.
    pub ece: Option<f64>,
    /// Probability that a right verdict has a higher confidence than a
    /// wrong one (ties count half); `None` without both kinds.
    pub auroc: Option<f64>,
}

impl Calibration {
    pub fn of(items: &[&Scored]) -> Calibration {
        let points: Vec<(f64, bool)> = items
            .iter()
            .filter_map(|s| {
                s.judged
                    .as_ref()
                    .map(|j| (f64::from(j.confidence), s.right()))
            })
            .collect();
        let mut bins = [Bin::default(); 10];
        for &(confidence, right) in &points {
            let index = ((confidence * 10.0).floor().max(0.0) as usize).min(9);
            let bin = &mut bins[index];
            bin.count += 1;
            bin.confidence_sum += confidence;
            bin.right += usize::from(right);
        }
        let n = points.len() as f64;
        let ece = (!points.is_empty()).then(|| {
            bins.iter()
                .filter_map(|b| {
                    Some(b.count as f64 / n * (b.accuracy()? - b.mean_confidence()?).abs())
                })
                .sum()
        });
        Calibration {
            bins,
            ece,
            auroc: auroc(&points),
        }
    }
}

/// Mann-Whitney U over (score, positive) pairs, normalised to [0, 1].
fn auroc(points: &[(f64, bool)]) -> Option<f64> {
    let weighted: Vec<(f64, bool, f64)> = points.iter().map(|&(s, p)| (s, p, 1.0)).collect();
    auroc_weighted(&weighted)
}

/// The same over (score, positive, weight): the weighted share of
/// (positive, negative) pairs the score orders right, ties counting half.
fn auroc_weighted(points: &[(f64, bool, f64)]) -> Option<f64> {
    let mut sorted: Vec<(f64, bool, f64)> = points.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut below, mut pairs_right) = (0.0, 0.0);
    for tie in sorted.chunk_by(|a, b| a.0 == b.0) {
        let weight =
            |positive: bool| -> f64 { tie.iter().filter(|p| p.1 == positive).map(|p| p.2).sum() };
        let (pos, neg) = (weight(true), weight(false));
        pairs_right += pos * (below + 0.5 * neg);
        below += neg;
    }
    let positives: f64 = sorted.iter().filter(|p| p.1).map(|p| p.2).sum();
    let pairs = positives * below;
    (pairs > 0.0).then(|| pairs_right / pairs)
}

/// ECE and AUROC with every capture weighing the same (each of its `n`
/// verdicts weighs 1/n), so one capture of a thousand alike resets does
/// not stand for all the others.
pub fn per_capture_calibration(items: &[&Scored]) -> (Option<f64>, Option<f64>) {
    let groups = group_by(items, |s| s.capture.clone());
    let mut points: Vec<(f64, bool, f64)> = Vec::new();
    for group in groups.values() {
        let judged: Vec<(f64, bool)> = group
            .iter()
            .filter_map(|s| Some((f64::from(s.judged.as_ref()?.confidence), s.right())))
            .collect();
        let weight = 1.0 / judged.len().max(1) as f64;
        points.extend(judged.iter().map(|&(c, r)| (c, r, weight)));
    }
    let mut bins = [(0.0, 0.0, 0.0); 10];
    for &(confidence, right, w) in &points {
        let index = ((confidence * 10.0).floor().max(0.0) as usize).min(9);
        let bin = &mut bins[index];
        bin.0 += w;
        bin.1 += w * confidence;
        bin.2 += w * f64::from(u8::from(right));
    }
    let total: f64 = bins.iter().map(|b| b.0).sum();
    let ece = (total > 0.0).then(|| {
        bins.iter()
            .filter(|b| b.0 > 0.0)
            .map(|b| b.0 / total * ((b.2 - b.1) / b.0).abs())
            .sum()
    });
    (ece, auroc_weighted(&points))
}

/// Counts of (labelled cause, reported cause); `None`: no reset reported.
pub fn confusion(items: &[&Scored]) -> BTreeMap<(Cause, Option<Cause>), usize> {
    let mut out = BTreeMap::new();
    for s in items {
        let got = s.judged.as_ref().map(|j| j.cause);
        *out.entry((s.truth.cause, got)).or_insert(0) += 1;
    }
    out
}

/// Items grouped by a key, in key order.
pub fn group_by<'a, K: Ord>(
    items: &[&'a Scored],
    key: impl Fn(&Scored) -> K,
) -> BTreeMap<K, Vec<&'a Scored>> {
    let mut out: BTreeMap<K, Vec<&Scored>> = BTreeMap::new();
    for &s in items {
        out.entry(key(s)).or_default().push(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accuracy::{Judged, Set, Truth};
    use rstscope_core::confidence::{Basis, Count, Earlier};
    use rstscope_core::report::{Origin, Sender, Stage};

    /// A reset labelled app-abort in `capture`, judged with `cause` at
    /// `confidence`, in the report's incident `incident`.
    fn scored(
        capture: &str,
        truth_incident: u64,
        cause: Cause,
        confidence: f32,
        incident: &str,
    ) -> Scored {
        Scored {
            set: Set::HeldOut,
            source: "family".into(),
            capture: capture.into(),
            detail: String::new(),
            traits: Vec::new(),
            truth: Truth {
                frame: 1,
                sender: Sender::Client,
                origin: Origin::Client,
                cause: Cause::AppAbort,
                sub_cause: None,
                consequence_of: None,
                incident: Some(truth_incident),
            },
            judged: Some(Judged {
                sender: Sender::Client,
                origin: Origin::Client,
                cause,
                sub_cause: None,
                confidence,
                basis: Basis {
                    cause,
                    origin: Origin::Client,
                    sub_cause: None,
                    stage: Stage::LaterInFlow,
                    roles_known: true,
                    contested: false,
                    earlier: Earlier::None,
                    with_ack: true,
                    agreeing: Count::One,
                    conflicting: Count::Zero,
                    clock_backwards: false,
                },
                consequence_of: Link::NotReported,
                incident: Some(incident.into()),
                evidence: Vec::new(),
            }),
        }
    }

    #[test]
    fn ece_weighs_each_bin_gap_by_its_share() {
        // Bin 0.9: 2 verdicts at 0.95, one right (gap 0.45); bin 0.5: 2 at 0.5, both right (gap 0.5).
        let items = [
            scored("a", 1, Cause::AppAbort, 0.95, "1"),
            scored("a", 1, Cause::Scan, 0.95, "1"),
            scored("a", 1, Cause::AppAbort, 0.5, "1"),
            scored("a", 1, Cause::AppAbort, 0.5, "1"),
        ];
        let refs: Vec<&Scored> = items.iter().collect();
        let c = Calibration::of(&refs);
        assert_eq!((c.bins[9].count, c.bins[9].right), (2, 1));
        assert_eq!((c.bins[5].count, c.bins[5].right), (2, 2));
        let ece = c.ece.expect("verdicts");
        assert!((ece - (0.5 * 0.45 + 0.5 * 0.5)).abs() < 1e-6, "{ece}");
    }

    #[test]
    fn incident_pairs_count_within_one_capture() {
        let items = [
            scored("a", 1, Cause::AppAbort, 0.5, "7"),
            scored("a", 1, Cause::AppAbort, 0.5, "7"),
            scored("a", 3, Cause::AppAbort, 0.5, "7"),
            scored("b", 1, Cause::AppAbort, 0.5, "7"),
        ];
        let refs: Vec<&Scored> = items.iter().collect();
        let pairs = IncidentPairs::of(&refs);
        // Capture a: one pair belongs together and is grouped; two pairs are grouped wrongly.
        assert_eq!((pairs.recall.hits, pairs.recall.total), (1, 1));
        assert_eq!((pairs.precision.hits, pairs.precision.total), (1, 3));
        assert!(pairs.reported);
    }

    #[test]
    fn auroc_orders_and_ties_count_half() {
        let perfect = [(0.9, true), (0.8, true), (0.2, false)];
        assert_eq!(auroc(&perfect), Some(1.0));
        let inverted = [(0.1, true), (0.8, false)];
        assert_eq!(auroc(&inverted), Some(0.0));
        let tied = [(0.5, true), (0.5, false)];
        assert_eq!(auroc(&tied), Some(0.5));
        assert_eq!(auroc(&[(0.5, true)]), None);
    }

    #[test]
    fn auroc_weighs_pairs_by_their_weights() {
        // The misordered pair (0.2 right, 0.8 wrong) weighs 3 of 4.
        let points = [(0.2, true, 3.0), (0.9, true, 1.0), (0.8, false, 1.0)];
        assert_eq!(auroc_weighted(&points), Some(0.25));
    }
}
