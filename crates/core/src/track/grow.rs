//! How the tracking's hash tables grow: four times over where hashbrown
//! would double, up to the table's limit. A table that fills to its limit
//! (a flood's or a scan's connections and hosts) moves each entry about a
//! third as often: a rehash hashes every entry again. A full table takes
//! the same memory as before; one below its limit at most twice.

use hashbrown::HashTable;

/// Makes room in `table` for one more entry, its limit `max` entries:
/// when it is full, room for four times its entries (at most `max`, and
/// at least one more). `hasher` hashes an entry when it moves.
pub fn room_for_one<T>(table: &mut HashTable<T>, max: usize, hasher: impl Fn(&T) -> u64) {
    let len = table.len();
    if len < table.capacity() {
        return;
    }
    let target = len.saturating_mul(4).min(max).max(len.saturating_add(1));
    table.reserve(target.saturating_sub(len), hasher);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(n: &u64) -> u64 {
        n.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }

    /// The capacities a table passes through while `n` entries go in.
    fn capacities(n: u64, max: usize) -> alloc::vec::Vec<usize> {
        let mut table = HashTable::new();
        let mut seen = alloc::vec::Vec::new();
        for i in 0..n {
            room_for_one(&mut table, max, hash);
            table.insert_unique(hash(&i), i, hash);
            if seen.last() != Some(&table.capacity()) {
                seen.push(table.capacity());
            }
        }
        seen
    }

    #[test]
    fn test_grows_four_times_over_up_to_the_limit() {
        // hashbrown alone: 3, 7, 14, 28, 56, 112, 224, 448, 896, 1792.
        assert_eq!(capacities(1000, 1000), [3, 14, 56, 224, 896, 1792]);
    }

    #[test]
    fn test_grows_past_the_limit_one_entry_at_a_time() {
        // A limit of 20: room for 20 (28), then as needed past it.
        assert_eq!(capacities(40, 20), [3, 14, 28, 56]);
    }
}
