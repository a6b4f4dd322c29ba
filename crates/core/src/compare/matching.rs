//! Finding the same connection, and the same packets, in two captures,
//! without trusting addresses: NAT rewrites them. ISNs first, then data
//! segments (absolute sequence number, length, content hash), then bare
//! segments with the same IPv4 IP-ID; addresses only as a last guess.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;

use super::trace::{Pkt, PktKey};
use super::Capture;
use crate::decode::flags;
use crate::report::MatchMethod;

/// A key shared by more packets than this is ambiguous and not used.
const MAX_KEY_FANOUT: usize = 16;

/// Two connections found to be the same.
#[derive(Clone, Debug)]
pub struct Match {
    pub main: usize,
    pub peer: usize,
    pub how: MatchMethod,
    pub confidence: f32,
    /// Main's client is peer's server (the captures guessed the roles
    /// differently).
    pub flipped: bool,
    /// Indices (main packet, peer packet) of the same packets.
    pub pairs: Vec<(usize, usize)>,
}

/// Each connection's match, by connection index, in either capture: a
/// lookup instead of a walk over every match (captures of tens of
/// thousands of connections).
pub struct MatchIndex {
    main: Vec<Option<usize>>,
    peer: Vec<Option<usize>>,
}

impl MatchIndex {
    pub fn new(matches: &[Match], main_conns: usize, peer_conns: usize) -> Self {
        let mut main = alloc::vec![None; main_conns];
        let mut peer = alloc::vec![None; peer_conns];
        for (n, m) in matches.iter().enumerate() {
            for (slots, conn) in [(&mut main, m.main), (&mut peer, m.peer)] {
                if let Some(slot @ None) = slots.get_mut(conn) {
                    *slot = Some(n);
                }
            }
        }
        Self { main, peer }
    }

    /// Where in the matches connection `conn` of main (or of peer) is.
    pub fn of(&self, is_main: bool, conn: usize) -> Option<usize> {
        let slots = if is_main { &self.main } else { &self.peer };
        slots.get(conn).copied().flatten()
    }
}

/// (strength, hits, start-time gap, main, peer, method, confidence, flipped)
type Candidate = (u32, u32, i64, usize, usize, MatchMethod, f32, bool);

#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    isn_same: u32,
    isn_flipped: u32,
    payload: u32,
    ip_id: u32,
    same: u32,
    flipped: u32,
}

/// Matches by ISN, payload and IP-ID, one to one, strongest first.
pub fn by_content(main: &Capture<'_>, peer: &Capture<'_>) -> Vec<Match> {
    let mut tallies: BTreeMap<(usize, usize), Tally> = BTreeMap::new();
    tally_isns(main, peer, &mut tallies);
    tally_packets(main, peer, &mut tallies);
    choose(main, peer, candidates(main, peer, &tallies))
}

/// Connections that share an ISN, in either direction.
fn tally_isns(
    main: &Capture<'_>,
    peer: &Capture<'_>,
    tallies: &mut BTreeMap<(usize, usize), Tally>,
) {
    let mut by_isn: BTreeMap<u32, Vec<(usize, bool)>> = BTreeMap::new();
    for (pi, c) in peer.conns().iter().enumerate() {
        for (isn, client) in [(c.isn_client, true), (c.isn_server, false)] {
            if let Some(isn) = isn {
                by_isn.entry(isn).or_default().push((pi, client));
            }
        }
    }
    for (mi, c) in main.conns().iter().enumerate() {
        for (isn, client) in [(c.isn_client, true), (c.isn_server, false)] {
            let Some(list) = isn.and_then(|isn| by_isn.get(&isn)) else {
                continue;
            };
            if list.len() > MAX_KEY_FANOUT {
                continue;
            }
            for &(pi, p_client) in list {
                let t = tallies.entry((mi, pi)).or_default();
                if client == p_client {
                    t.isn_same += 1;
                } else {
                    t.isn_flipped += 1;
                }
            }
        }
    }
}

/// Connections that share packets: the same segment at both capture points.
fn tally_packets(
    main: &Capture<'_>,
    peer: &Capture<'_>,
    tallies: &mut BTreeMap<(usize, usize), Tally>,
) {
    let mut index: BTreeMap<PktKey, Vec<(usize, usize)>> = BTreeMap::new();
    for (pi, packets) in peer.packets.iter().enumerate() {
        for (k, p) in packets.iter().enumerate() {
            if !p.has(flags::SYN) {
                index.entry(p.key()).or_default().push((pi, k));
            }
        }
    }
    for (mi, packets) in main.packets.iter().enumerate() {
        for m in packets.iter().filter(|p| !p.has(flags::SYN)) {
            let Some(list) = index.get(&m.key()) else {
                continue;
            };
            if list.len() > MAX_KEY_FANOUT {
                continue;
            }
            let mut last = None;
            for &(pi, k) in list {
                if last == Some(pi) {
                    continue; // one hit per main packet and peer connection
                }
                last = Some(pi);
                let Some(p) = peer.packet(pi, k).filter(|p| m.same_content(p)) else {
                    continue;
                };
                let t = tallies.entry((mi, pi)).or_default();
                if m.payload_len > 0 && m.hash != 0 {
                    t.payload += 1;
                } else if m.ip_id.is_some_and(|id| id != 0) && m.ip_id == p.ip_id {
                    t.ip_id += 1;
                } else {
                    continue;
                }
                if m.from_client == p.from_client {
                    t.same += 1;
                } else {
                    t.flipped += 1;
                }
            }
        }
    }
}

/// Each tallied pair of connections as a candidate match, with its method
/// and confidence.
fn candidates(
    main: &Capture<'_>,
    peer: &Capture<'_>,
    tallies: &BTreeMap<(usize, usize), Tally>,
) -> Vec<Candidate> {
    let mut candidates: Vec<Candidate> = Vec::new();
    for (&(mi, pi), t) in tallies {
        let (how, strength, confidence) = if t.isn_same + t.isn_flipped >= 2 {
            (MatchMethod::Isn, 4, 0.99)
        } else if t.isn_same + t.isn_flipped == 1 {
            (MatchMethod::Isn, 3, if t.payload > 0 { 0.97 } else { 0.9 })
        } else if t.payload > 0 {
            let c = match t.payload {
                1 => 0.8,
                2 => 0.9,
                _ => 0.97,
            };
            (MatchMethod::Payload, 2, c)
        } else if t.ip_id > 0 {
            (MatchMethod::IpId, 1, if t.ip_id >= 2 { 0.8 } else { 0.6 })
        } else {
            continue;
        };
        let flipped = if t.isn_same + t.isn_flipped > 0 {
            t.isn_flipped > t.isn_same
        } else {
            t.flipped > t.same
        };
        let hits = t.isn_same + t.isn_flipped + t.payload + t.ip_id;
        let (Some(mc), Some(pc)) = (main.conn(mi), peer.conn(pi)) else {
            continue;
        };
        let gap = pc.first_ns.saturating_sub(mc.first_ns).saturating_abs();
        candidates.push((strength, hits, gap, mi, pi, how, confidence, flipped));
    }
    candidates
}

/// Strongest first: method, then number of agreeing signals, then the
/// closest start times (timing breaks the remaining ties); one to one.
fn choose(main: &Capture<'_>, peer: &Capture<'_>, mut candidates: Vec<Candidate>) -> Vec<Match> {
    crate::sort::sort_by(&mut candidates, |x, y| {
        y.0.cmp(&x.0).then(y.1.cmp(&x.1)).then(x.2.cmp(&y.2))
    });
    let mut main_used = alloc::vec![false; main.conns().len()];
    let mut peer_used = alloc::vec![false; peer.conns().len()];
    let mut out = Vec::new();
    for (_, _, _, mi, pi, how, confidence, flipped) in candidates {
        let free = |used: &[bool], i: usize| used.get(i).is_some_and(|u| !u);
        if !free(&main_used, mi) || !free(&peer_used, pi) {
            continue;
        }
        if let Some(u) = main_used.get_mut(mi) {
            *u = true;
        }
        if let Some(u) = peer_used.get_mut(pi) {
            *u = true;
        }
        let (m, p) = (
            main.packets.get(mi).map(Vec::as_slice).unwrap_or(&[]),
            peer.packets.get(pi).map(Vec::as_slice).unwrap_or(&[]),
        );
        out.push(Match {
            main: mi,
            peer: pi,
            how,
            confidence,
            flipped,
            pairs: align(m, p, flipped),
        });
    }
    crate::sort::sort_by_key(&mut out, |m| m.main);
    out
}

/// Pairs the same packets of two matched connections: equal key, content
/// and direction, k-th occurrence with k-th occurrence.
pub fn align(main: &[Pkt], peer: &[Pkt], flipped: bool) -> Vec<(usize, usize)> {
    let mut queues: BTreeMap<(PktKey, bool), VecDeque<usize>> = BTreeMap::new();
    for (k, p) in peer.iter().enumerate() {
        queues
            .entry((p.key(), p.from_client != flipped))
            .or_default()
            .push_back(k);
    }
    let mut pairs = Vec::new();
    for (k, m) in main.iter().enumerate() {
        let Some(queue) = queues.get_mut(&(m.key(), m.from_client)) else {
            continue;
        };
        let same = queue
            .iter()
            .position(|&j| peer.get(j).is_some_and(|p| m.same_content(p)));
        if let Some(j) = same.and_then(|at| queue.remove(at)) {
            pairs.push((k, j));
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matched(main: usize, peer: usize) -> Match {
        Match {
            main,
            peer,
            how: MatchMethod::Isn,
            confidence: 0.99,
            flipped: false,
            pairs: Vec::new(),
        }
    }

    #[test]
    fn the_index_finds_what_a_walk_over_the_matches_finds() {
        let matches = [matched(0, 3), matched(2, 0), matched(5, 1), matched(4, 4)];
        let index = MatchIndex::new(&matches, 6, 5);
        for conn in 0..8 {
            let walk = |is_main: bool| {
                matches
                    .iter()
                    .position(|m| conn == if is_main { m.main } else { m.peer })
            };
            for is_main in [true, false] {
                // Past a capture's connections the index has no slot: no match.
                let expected = walk(is_main).filter(|_| conn < if is_main { 6 } else { 5 });
                assert_eq!(index.of(is_main, conn), expected, "{is_main} {conn}");
            }
        }
        assert_eq!(index.of(true, 1), None);
        assert_eq!(index.of(false, 2), None);
    }
}
