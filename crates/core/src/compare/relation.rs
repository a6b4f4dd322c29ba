//! What two captures are to each other, from their matched packets: two
//! points of one path, one capture twice (or a copy of it), or unrelated.

use super::matching::Match;
use super::Capture;
use crate::report::Relation;

/// Packets seen this close in time at both "ends" were seen at one point:
/// a copy keeps the timestamps (to the microsecond a pcap file holds),
/// while crossing any device takes longer.
const SAME_MOMENT_NS: i64 = 1_000;

pub fn of(main: &Capture<'_>, peer: &Capture<'_>, matches: &[Match]) -> Relation {
    if matches.is_empty() {
        let overlap = match (main.trace.span(), peer.trace.span()) {
            (Some((a0, a1)), Some((b0, b1))) => a0 <= b1 && b0 <= a1,
            _ => true,
        };
        return if overlap {
            Relation::NoCommonConnection
        } else {
            Relation::NoTimeOverlap
        };
    }
    let mut pairs = 0usize;
    let mut cut = false;
    for m in matches {
        for &(i, j) in &m.pairs {
            let (Some(a), Some(b)) = (main.packet(m.main, i), peer.packet(m.peer, j)) else {
                continue;
            };
            if a.ts_ns.abs_diff(b.ts_ns) > SAME_MOMENT_NS.unsigned_abs() {
                return Relation::TwoVantages;
            }
            cut |= a.hashed != b.hashed;
            pairs += 1;
        }
    }
    // Every packet of one of them is in the other, at the same moment.
    let all_of = |c: &Capture<'_>| pairs == c.trace.packets();
    match (pairs > 0 && (all_of(main) || all_of(peer)), cut) {
        (true, false) => Relation::SameCapture,
        (true, true) => Relation::CutCopy,
        (false, _) => Relation::TwoVantages,
    }
}
