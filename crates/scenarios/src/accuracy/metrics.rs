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
            calibration: Calibration::of(items),
        }
    }
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
    let mut sorted: Vec<(f64, bool)> = points.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let positives = sorted.iter().filter(|p| p.1).count();
    let negatives = sorted.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    // Average ranks (1-based) over ties.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j < sorted.len() && sorted[j].0 == sorted[i].0 {
            j += 1;
        }
        let rank = (i + 1 + j) as f64 / 2.0;
        rank_sum += rank * sorted[i..j].iter().filter(|p| p.1).count() as f64;
        i = j;
    }
    let p = positives as f64;
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * negatives as f64))
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
}
