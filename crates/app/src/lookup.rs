//! A report's connections found by id. An id is not a place in the list
//! (connections past the listing limit are left out of it), and searching
//! the list once per reset made the page of a report with 27 k resets and
//! 100 k connections take minutes (BENCHMARKS.md, session 13).

use std::collections::HashMap;

use rstscope_core::report::Connection;

/// Where each connection id is in `connections`: the first listed, should
/// two share one (as a search from the start would find).
pub fn places(connections: &[Connection]) -> HashMap<u32, usize> {
    let mut places = HashMap::with_capacity(connections.len());
    for (i, connection) in connections.iter().enumerate() {
        places.entry(connection.id).or_insert(i);
    }
    places
}

/// The connection with `id`, found through its [`places`].
pub fn connection<'a>(
    connections: &'a [Connection],
    places: &HashMap<u32, usize>,
    id: u32,
) -> Option<&'a Connection> {
    places.get(&id).and_then(|&i| connections.get(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixture's first connection listed under these ids, the place
    /// in `client_packets`.
    fn listed(ids: &[u32]) -> Vec<Connection> {
        let template = crate::test_reports::fixture_report().connections[0].clone();
        ids.iter()
            .enumerate()
            .map(|(i, &id)| Connection {
                id,
                client_packets: i as u64,
                ..template.clone()
            })
            .collect()
    }

    #[test]
    fn finds_a_connection_by_its_id_not_its_place() {
        let connections = listed(&[3, 7, 8, 12]);
        let places = places(&connections);
        let found = |id| connection(&connections, &places, id).map(|c| (c.id, c.client_packets));
        assert_eq!(found(7), Some((7, 1)));
        assert_eq!(found(12), Some((12, 3)));
        assert_eq!(found(0), None);
        assert_eq!(found(4), None);
    }

    #[test]
    fn the_first_of_two_with_one_id_is_found() {
        let connections = listed(&[5, 9, 5]);
        let places = places(&connections);
        let first = connection(&connections, &places, 5).map(|c| c.client_packets);
        assert_eq!(first, Some(0));
    }
}
