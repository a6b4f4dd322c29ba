//! Whether a reset's evidence points to two origins.

use alloc::vec::Vec;

use crate::render;
use crate::report::{Conflict, Origin, Reset, Signal};

/// The conflict in `reset`'s evidence: signals for its concluded origin
/// and for another known origin (the one most signals name, the strongest
/// first on a tie). `None` when all signals agree or the origin is unknown.
pub fn conflict(reset: &Reset) -> Option<Conflict> {
    let concluded = reset.origin;
    if concluded == Origin::Unknown {
        return None;
    }
    let other = Origin::ALL
        .iter()
        .copied()
        .filter(|o| *o != concluded && *o != Origin::Unknown)
        .map(|o| (o, signals_for(reset, o)))
        .filter(|(_, signals)| !signals.is_empty())
        .max_by_key(|(o, signals)| (signals.len(), core::cmp::Reverse(first_at(reset, *o))));
    // Most resets have no other origin: their own signals are not gathered.
    let (other, for_other) = other?;
    let for_concluded = signals_for(reset, concluded);
    if for_concluded.is_empty() {
        return None;
    }
    let mut conflict = Conflict {
        concluded,
        for_concluded,
        other,
        for_other,
        sentence: alloc::string::String::new(),
    };
    conflict.sentence = render::conflict(&conflict);
    Some(conflict)
}

/// The kinds of signal in `reset`'s evidence that point to `origin`, in
/// evidence order (strongest first), each once.
fn signals_for(reset: &Reset, origin: Origin) -> Vec<Signal> {
    let mut out: Vec<Signal> = Vec::new();
    for e in reset.evidence.iter().filter(|e| e.points_to == origin) {
        if !out.contains(&e.signal) {
            out.push(e.signal);
        }
    }
    out
}

/// Where the first evidence item for `origin` is.
fn first_at(reset: &Reset, origin: Origin) -> usize {
    reset
        .evidence
        .iter()
        .position(|e| e.points_to == origin)
        .unwrap_or(usize::MAX)
}
