//! Looking a [`Basis`] up in the fitted table ([`fitted`]), finest level
//! first.
//!
//! Four levels, each a sorted slice keyed by a projection of the basis:
//! the verdict (cause, origin); its shape (+ sub-cause, stage, whether the
//! roles were known, whether another cause fits); its history
//! (+ an earlier RST, the ACK flag); its evidence (+ agreeing and
//! conflicting signals, the capture's clock). Each value is already
//! smoothed towards the level above, so the finest level that knows a
//! basis gives its probability. A verdict no level knows (one the train
//! split never produced, such as an unknown cause) has no record of being
//! right: it gets [`fitted::UNSEEN`], the floor.

pub mod fitted;

use super::{Basis, Count, Earlier};
use crate::report::{Cause, Origin, Stage, SubCause};

/// Probabilities are stored in 1/10000.
pub const SCALE: f32 = 10_000.0;

pub type VerdictKey = (Cause, Origin);
pub type ShapeKey = (Cause, Origin, Option<SubCause>, Stage, bool, bool);
pub type HistoryKey = (
    Cause,
    Origin,
    Option<SubCause>,
    Stage,
    bool,
    bool,
    Earlier,
    bool,
);
pub type EvidenceKey = (
    Cause,
    Origin,
    Option<SubCause>,
    Stage,
    bool,
    bool,
    Earlier,
    bool,
    Count,
    Count,
    bool,
);

impl Basis {
    /// The engine could not tell the cause: an unknown cause with no finer
    /// one. The generator labels every reset with what happened, so such a
    /// verdict has no train record of being right, and claims the floor.
    /// (An unknown cause with a sub-cause, an MPTCP subflow reset, names
    /// what happened and is fitted as any other.)
    pub fn cannot_tell(&self) -> bool {
        self.cause == Cause::Unknown && self.sub_cause.is_none()
    }

    pub fn verdict_key(&self) -> VerdictKey {
        (self.cause, self.origin)
    }

    pub fn shape_key(&self) -> ShapeKey {
        (
            self.cause,
            self.origin,
            self.sub_cause,
            self.stage,
            self.roles_known,
            self.contested,
        )
    }

    pub fn history_key(&self) -> HistoryKey {
        let (c, o, s, st, r, k) = self.shape_key();
        (c, o, s, st, r, k, self.earlier, self.with_ack)
    }

    pub fn evidence_key(&self) -> EvidenceKey {
        let (c, o, s, st, r, k, e, a) = self.history_key();
        (
            c,
            o,
            s,
            st,
            r,
            k,
            e,
            a,
            self.agreeing,
            self.conflicting,
            self.clock_backwards,
        )
    }
}

/// The calibrated probability that a verdict with `basis` is right.
pub fn probability(basis: &Basis) -> f32 {
    if basis.cannot_tell() {
        // Never fitted (see `Basis::cannot_tell`); the (cause, origin)
        // level would otherwise lend it the record of named unknowns.
        return f32::from(fitted::UNSEEN) / SCALE;
    }
    let value = find(fitted::BY_EVIDENCE, &basis.evidence_key())
        .or_else(|| find(fitted::BY_HISTORY, &basis.history_key()))
        .or_else(|| find(fitted::BY_SHAPE, &basis.shape_key()))
        .or_else(|| find(fitted::BY_VERDICT, &basis.verdict_key()))
        .unwrap_or(fitted::UNSEEN);
    f32::from(value.min(SCALE as u16)) / SCALE
}

fn find<K: Ord>(table: &[(K, u16)], key: &K) -> Option<u16> {
    let i = table.binary_search_by(|(k, _)| k.cmp(key)).ok()?;
    table.get(i).map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted<K: Ord>(table: &[(K, u16)]) -> bool {
        table.windows(2).all(|w| w[0].0 < w[1].0)
    }

    #[test]
    fn fitted_tables_are_sorted_and_within_scale() {
        assert!(sorted(fitted::BY_VERDICT));
        assert!(sorted(fitted::BY_SHAPE));
        assert!(sorted(fitted::BY_HISTORY));
        assert!(sorted(fitted::BY_EVIDENCE));
        let values = fitted::BY_VERDICT
            .iter()
            .map(|e| e.1)
            .chain(fitted::BY_SHAPE.iter().map(|e| e.1))
            .chain(fitted::BY_HISTORY.iter().map(|e| e.1))
            .chain(fitted::BY_EVIDENCE.iter().map(|e| e.1));
        assert!(values.chain([fitted::UNSEEN]).all(|v| v <= SCALE as u16));
    }
}
