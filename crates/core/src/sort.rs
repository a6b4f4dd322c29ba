//! Sorting (and sorted maps) without a new copy of the standard library's
//! sort for every call site.
//!
//! Each `slice::sort_by` call site with its own closure is a new copy of the
//! standard sort (driftsort, 4–10 KB of WebAssembly each: 15 % of the
//! worker's code). Sorts off the per-packet path call [`sort_by`] or
//! [`sort_by_key`] instead: a short slice is sorted in place by insertion (a
//! few hundred bytes per call site), a longer one by sorting its indices
//! through [`order`], which is not generic and so exists once, then moving
//! the items into that order. Stable like `slice::sort_by`; a long slice
//! pays a dynamic call per comparison, so per-packet code keeps the
//! standard sort.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::cmp::Ordering;

/// Longest slice sorted by insertion.
const SHORT: usize = 20;

/// Sorts `items` by `cmp`, keeping equal items in their order.
pub fn sort_by<T>(items: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if items.len() <= SHORT {
        insertion(items, &mut cmp);
        return;
    }
    let order = order(
        items.len(),
        &mut |a, b| match (items.get(a), items.get(b)) {
            (Some(a), Some(b)) => cmp(a, b),
            _ => Ordering::Equal,
        },
    );
    permute(items, order);
}

/// Sorts `items` by `key`, keeping items of equal keys in their order.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// The map of `pairs` (the last value of a repeated key wins, as with
/// `collect`), built by inserting: `collect` into a `BTreeMap` sorts the
/// pairs first, one more copy of the standard sort per key and value type.
pub fn map_of<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    map.extend(pairs);
    map
}

fn insertion<T>(items: &mut [T], cmp: &mut impl FnMut(&T, &T) -> Ordering) {
    for i in 1..items.len() {
        let mut j = i;
        while let (Some(before), Some(item)) = (j.checked_sub(1), items.get(j)) {
            match items.get(before) {
                Some(prev) if cmp(prev, item) == Ordering::Greater => items.swap(before, j),
                _ => break,
            }
            j = before;
        }
    }
}

/// The indices `0..len` in the order `cmp` (on indices) sorts them, ties
/// in index order.
fn order(len: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// Moves the item at `order[k]` to position `k`, for every `k`, one cycle
/// of the permutation at a time.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..order.len() {
        let mut at = start;
        while let Some(&from) = order.get(at) {
            // Done: this position already holds its item.
            if from == at || from >= items.len() {
                break;
            }
            if let Some(slot) = order.get_mut(at) {
                *slot = at;
            }
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// A deterministic shuffle of `len` items with many equal keys.
    fn items(len: u64) -> Vec<(u64, u64)> {
        (0..len).map(|i| ((i * 7919) % 13, i)).collect()
    }

    #[test]
    fn test_sort_by_key_matches_the_standard_stable_sort_at_every_length() {
        for len in [0, 1, 2, 3, 19, 20, 21, 22, 100, 1000] {
            let mut ours = items(len);
            let mut std_sorted = ours.clone();
            sort_by_key(&mut ours, |&(key, _)| key);
            std_sorted.sort_by_key(|&(key, _)| key);
            assert_eq!(ours, std_sorted, "length {len}");
        }
    }

    #[test]
    fn test_sort_by_descending_keeps_ties_in_order() {
        let mut long = items(500);
        let mut expected = long.clone();
        sort_by(&mut long, |a, b| b.0.cmp(&a.0));
        expected.sort_by_key(|x| core::cmp::Reverse(x.0));
        assert_eq!(long, expected);
        let mut short = vec![(1, 'a'), (3, 'b'), (1, 'c'), (2, 'd'), (3, 'e')];
        sort_by(&mut short, |a, b| b.0.cmp(&a.0));
        assert_eq!(
            short,
            vec![(3, 'b'), (3, 'e'), (2, 'd'), (1, 'a'), (1, 'c')]
        );
    }

    #[test]
    fn test_map_of_keeps_the_last_value_of_a_key_like_collect() {
        let pairs = [(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd')];
        let collected: BTreeMap<_, _> = pairs.into_iter().collect();
        assert_eq!(map_of(pairs), collected);
    }

    #[test]
    fn test_permute_moves_every_item_once() {
        let mut letters = vec!['a', 'b', 'c', 'd', 'e', 'f'];
        permute(&mut letters, vec![2, 0, 1, 5, 3, 4]);
        assert_eq!(letters, vec!['c', 'a', 'b', 'f', 'd', 'e']);
    }
}
