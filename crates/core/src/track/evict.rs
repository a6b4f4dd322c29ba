//! Choosing what leaves a full table: the first `count` entries in the
//! order (weight, key), where weights are small and kept side by side and
//! keys are costly to reach (a visit to each entry). Keys are fetched only
//! for the entries that tie at the cut, so a choice costs O(n) on the
//! weights alone, and picks exactly the entries a full sort would.

use alloc::vec::Vec;

/// The first `count` of `entries` (weight, slot) in the order (weight,
/// `key_of(slot)`); entries whose key is `None` are left out.
pub fn first<W, K>(
    mut entries: Vec<(W, usize)>,
    count: usize,
    key_of: impl Fn(usize) -> Option<K>,
) -> Vec<K>
where
    W: Ord + Copy,
    K: Ord,
{
    if count >= entries.len() {
        return entries
            .iter()
            .filter_map(|&(_, slot)| key_of(slot))
            .collect();
    }
    let (before, &mut (cut, _), _) = entries.select_nth_unstable_by_key(count, |e| e.0);
    let mut chosen = Vec::with_capacity(count);
    chosen.extend(
        before
            .iter()
            .filter(|(weight, _)| *weight < cut)
            .filter_map(|&(_, slot)| key_of(slot)),
    );
    let mut tied: Vec<K> = entries
        .iter()
        .filter(|(weight, _)| *weight == cut)
        .filter_map(|&(_, slot)| key_of(slot))
        .collect();
    tied.sort_unstable();
    let room = count.saturating_sub(chosen.len());
    chosen.extend(tied.into_iter().take(room));
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The same entries as sorting everything by (weight, key).
        #[test]
        fn picks_what_a_full_sort_picks(
            weights in proptest::collection::vec(0u8..4, 0..60),
            count in 0usize..70,
        ) {
            // Keys: distinct, in an order unrelated to the slots.
            let key_of = |slot: usize| Some((slot * 37) % 101);
            let entries: Vec<(u8, usize)> = weights.iter().copied().zip(0..).collect();
            let mut chosen = first(entries.clone(), count, key_of);
            let mut sorted: Vec<(u8, usize)> =
                entries.iter().map(|&(w, slot)| (w, (slot * 37) % 101)).collect();
            sorted.sort_unstable();
            let mut expected: Vec<usize> = sorted.iter().take(count).map(|&(_, k)| k).collect();
            chosen.sort_unstable();
            expected.sort_unstable();
            prop_assert_eq!(chosen, expected);
        }
    }
}
