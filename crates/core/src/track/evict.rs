//! Choosing what leaves a full table: the first `count` entries in the
//! order (weight, key), where weights are small and kept side by side and
//! keys are costly to reach (a visit to each entry). Keys are fetched only
//! for the chosen entries and those that tie at the cut, so a choice costs
//! O(n) on the weights plus a sort of the chosen, and gives exactly what a
//! full sort would, in its order: what happens to the victims then
//! (the order they are listed and forgotten in) does not depend on how the
//! standard library's selection happens to arrange them.
//! [`first_unordered`] chooses the same set, unsorted, for a table that
//! drops its victims without listing them.

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
    let entries = up_to_sampled_bound(entries, count);
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

/// The front of `entries` holding every entry up to a bound taken from a
/// sample, when more than `count` are (nearly always), else all of them:
/// the cut and every entry that ties with it are there, so [`first`]
/// chooses the same from it, selecting among a few `count` entries, not a
/// whole table of them (a flood's eviction selected among 50 000).
fn up_to_sampled_bound<W: Ord + Copy>(
    entries: &mut [(W, usize)],
    count: usize,
) -> &mut [(W, usize)] {
    let Some(bound) = sampled_bound(entries, |e| e.0, count) else {
        return entries;
    };
    let mut within = 0;
    for at in 0..entries.len() {
        if entries.get(at).is_some_and(|e| e.0 <= bound) {
            entries.swap(within, at);
            within += 1;
        }
    }
    let len = if within > count {
        within
    } else {
        entries.len()
    };
    entries.split_at_mut(len).0
}

/// What [`first`] chooses, as the slots of the chosen in no particular
/// order, from the weights of every slot: cheaper, as the weights alone
/// find the cut (the `count`-th smallest) and nothing is sorted. A slot
/// whose key is `None` (vacant) is never chosen; it must weigh at least as
/// much as every occupied one (so that it does not move the cut).
/// `scratch` holds the (weight, slot) the selection reorders, kept by the
/// caller for its memory.
pub fn first_unordered<W, K>(
    weights: &[W],
    scratch: &mut Vec<(W, usize)>,
    count: usize,
    key_of: impl Fn(usize) -> Option<K>,
) -> Vec<usize>
where
    W: Ord + Copy,
    K: Ord,
{
    let Some(nth) = count.min(weights.len()).checked_sub(1) else {
        return Vec::new();
    };
    // Only the weights up to a bound taken from a sample, when at least
    // `count` are (nearly always): they hold every weight up to the cut.
    gather(weights, scratch, sampled_bound(weights, |&w| w, count));
    if scratch.len() <= nth {
        gather(weights, scratch, None);
    }
    let cut = scratch.select_nth_unstable_by_key(nth, |e| e.0).1 .0;
    // Everything lighter than the cut goes (fewer than `count`); the
    // entries of the cut's weight compete by key for the places left.
    let mut chosen = Vec::with_capacity(count);
    let mut tied = Vec::new();
    for &(weight, slot) in scratch.iter() {
        if weight < cut {
            chosen.push(slot);
        } else if weight == cut {
            if let Some(key) = key_of(slot) {
                tied.push((key, slot));
            }
        }
    }
    let left = count.saturating_sub(chosen.len());
    if left < tied.len() {
        tied.select_nth_unstable(left);
        tied.truncate(left);
    }
    chosen.extend(tied.iter().map(|&(_, slot)| slot));
    chosen
}

/// Puts in `into` the (weight, slot) of `weights` up to `bound` (all
/// without one).
fn gather<W: Ord + Copy>(weights: &[W], into: &mut Vec<(W, usize)>, bound: Option<W>) {
    into.clear();
    let within = |w: &W| bound.is_none_or(|bound| *w <= bound);
    let slots = weights.iter().enumerate().filter(|(_, w)| within(w));
    into.extend(slots.map(|(slot, &w)| (w, slot)));
}

/// How many weights [`sampled_bound`] looks at.
const SAMPLE: usize = 256;

/// A weight with likely a little more than `count` of `items` up to it
/// (twice as many of an evenly spread sample as expected, and a few): a
/// guess, checked by the caller. None when there are too few to sample.
fn sampled_bound<T, W: Ord + Copy>(
    items: &[T],
    weight: impl Fn(&T) -> W,
    count: usize,
) -> Option<W> {
    let step = items.len() / SAMPLE;
    if step < 4 {
        return None;
    }
    let mut sample: Vec<W> = items
        .iter()
        .step_by(step)
        .take(SAMPLE)
        .map(weight)
        .collect();
    let expected = count.saturating_mul(SAMPLE) / items.len();
    let nth = expected.saturating_mul(2).saturating_add(8);
    let last = sample.len().checked_sub(1)?;
    Some(*sample.select_nth_unstable(nth.min(last)).1)
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

        /// Enough entries to sample (ties or not): the same.
        #[test]
        fn past_the_sample_picks_what_a_full_sort_picks(
            weights in proptest::collection::vec(prop_oneof![0u16..4, 0u16..2000], 1024..4000),
            count in 0usize..1000,
        ) {
            let key_of = |slot: usize| Some(key(slot));
            let entries: Vec<(u16, usize)> = weights.iter().copied().zip(0..).collect();
            let chosen: Vec<usize> =
                first(&mut entries.clone(), count, key_of).into_iter().map(|(_, k)| k).collect();
            let mut sorted: Vec<(u16, usize)> =
                entries.iter().map(|&(w, slot)| (w, key(slot))).collect();
            sorted.sort_unstable();
            let expected: Vec<usize> = sorted.iter().take(count).map(|&(_, k)| k).collect();
            prop_assert_eq!(chosen, expected);
        }

        /// Few weights, many ties: selected among all.
        #[test]
        fn unordered_picks_what_a_full_sort_picks(
            slots in proptest::collection::vec(proptest::option::of(0u16..4), 0..60),
            count in 0usize..70,
        ) {
            prop_assert_eq!(unordered(&slots, count), full_sort(&slots, count));
        }

        /// Enough weights to sample (ties or not): the same.
        #[test]
        fn unordered_past_the_sample_picks_what_a_full_sort_picks(
            slots in proptest::collection::vec(proptest::option::of(0u16..2000), 1024..4000),
            count in 0usize..1000,
        ) {
            prop_assert_eq!(unordered(&slots, count), full_sort(&slots, count));
        }
    }

    /// A sample that sees only the lightest: its bound holds fewer than
    /// `count`, and all the weights are selected after all.
    #[test]
    fn test_unordered_misled_sample_still_picks_what_a_full_sort_picks() {
        let step = 2048 / SAMPLE;
        let slots: Vec<Option<u16>> = (0..2048u16)
            .map(|i| {
                Some(if usize::from(i) % step == 0 {
                    0
                } else {
                    1 + i % 500
                })
            })
            .collect();
        assert_eq!(sampled_bound(&weights(&slots), |&w| w, 600), Some(0));
        assert_eq!(unordered(&slots, 600), full_sort(&slots, 600));
    }

    /// Keys: distinct, in an order unrelated to the slots.
    fn key(slot: usize) -> usize {
        (slot * 7919) % 10007
    }

    /// A vacant slot (`None`) weighs the most.
    fn weights(slots: &[Option<u16>]) -> Vec<u16> {
        slots.iter().map(|w| w.unwrap_or(u16::MAX)).collect()
    }

    /// The keys [`first_unordered`] chooses, sorted.
    fn unordered(slots: &[Option<u16>], count: usize) -> Vec<Option<usize>> {
        let key_of = |slot: usize| slots.get(slot)?.map(|_| key(slot));
        let chosen = first_unordered(&weights(slots), &mut Vec::new(), count, key_of);
        let mut keys: Vec<Option<usize>> = chosen.into_iter().map(key_of).collect();
        keys.sort_unstable();
        keys
    }

    /// The keys of the first `count` occupied slots by (weight, key), sorted.
    fn full_sort(slots: &[Option<u16>], count: usize) -> Vec<Option<usize>> {
        let occupied = slots.iter().enumerate();
        let mut sorted: Vec<(u16, usize)> = occupied
            .filter_map(|(slot, w)| Some(((*w)?, key(slot))))
            .collect();
        sorted.sort_unstable();
        let mut keys: Vec<Option<usize>> =
            sorted.iter().take(count).map(|&(_, k)| Some(k)).collect();
        keys.sort_unstable();
        keys
    }
}
