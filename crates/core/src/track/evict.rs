//! Choosing what leaves a full table: the first `count` entries in the
//! order (weight, key), where weights are small and kept side by side and
//! keys are costly to reach (a visit to each entry). Keys are fetched only
//! for the chosen entries and those that tie at the cut, so a choice costs
//! O(n) on the weights plus a sort of the chosen, and gives exactly what a
//! full sort would, in its order: what happens to the victims then
//! (the order they are listed and forgotten in) does not depend on how the
//! standard library's selection happens to arrange them.

use alloc::vec::Vec;

/// The first `count` of `entries` (weight, slot) as (weight, `key_of(slot)`),
/// sorted; entries whose key is `None` are left out. `entries` is
/// reordered, not freed: a caller may keep its memory for the next choice.
pub fn first<W, K>(
    entries: &mut [(W, usize)],
    count: usize,
    key_of: impl Fn(usize) -> Option<K>,
) -> Vec<(W, K)>
where
    W: Ord + Copy,
    K: Ord,
{
    if count < entries.len() {
        entries.select_nth_unstable_by_key(count, |e| e.0);
    }
    let (before, after) = entries.split_at(count.min(entries.len()));
    // Entries of the cut's weight compete by key, on both sides of it.
    let tied = |(weight, _): &&(W, usize)| after.first().is_some_and(|cut| *weight == cut.0);
    let mut candidates: Vec<(W, usize)> = before
        .iter()
        .chain(after.iter().filter(tied))
        .copied()
        .collect();
    // Sorted by weight alone (cheap to compare), then each run of equal
    // weights by key: the order a sort by (weight, key) gives, with keys
    // compared only where weights tie.
    candidates.sort_unstable_by_key(|&(weight, _)| weight);
    let mut chosen = Vec::with_capacity(count.min(candidates.len()));
    for run in candidates.chunk_by(|a, b| a.0 == b.0) {
        if chosen.len() >= count {
            break;
        }
        let start = chosen.len();
        chosen.extend(
            run.iter()
                .filter_map(|&(weight, slot)| Some((weight, key_of(slot)?))),
        );
        if let Some(same) = chosen.get_mut(start..) {
            same.sort_unstable_by(|a, b| a.1.cmp(&b.1));
        }
    }
    chosen.truncate(count);
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The same entries, in the same order, as sorting everything by
        /// (weight, key).
        #[test]
        fn picks_what_a_full_sort_picks(
            weights in proptest::collection::vec(0u8..4, 0..60),
            count in 0usize..70,
        ) {
            // Keys: distinct, in an order unrelated to the slots.
            let key_of = |slot: usize| Some((slot * 37) % 101);
            let entries: Vec<(u8, usize)> = weights.iter().copied().zip(0..).collect();
            let chosen: Vec<usize> =
                first(&mut entries.clone(), count, key_of).into_iter().map(|(_, k)| k).collect();
            let mut sorted: Vec<(u8, usize)> =
                entries.iter().map(|&(w, slot)| (w, (slot * 37) % 101)).collect();
            sorted.sort_unstable();
            let expected: Vec<usize> = sorted.iter().take(count).map(|&(_, k)| k).collect();
            prop_assert_eq!(chosen, expected);
        }
    }
}
