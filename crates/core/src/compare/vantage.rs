//! Which capture is nearer the client. Signals, each a vote:
//! - the path delay: the client's packets show up in one capture first;
//! - TTLs: near the client its packets carry an untouched initial TTL
//!   (64, 128, 255), near the server the server's do;
//! - the handshake split: near the client SYN → SYN-ACK takes the round
//!   trip and SYN-ACK → ACK almost nothing; near the server the reverse;
//! - NAT: the client's private address is only seen inside the NAT.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::net::IpAddr;

use super::clock::{median, Clock};
use super::matching::Match;
use super::Capture;
use crate::decode::flags;
use crate::report::VantagePoint;

/// A path delay below this does not tell the captures apart.
const MIN_DELAY_NS: f64 = 20_000.0;

/// The vantage of main and peer, and why.
pub fn infer(
    main: &Capture<'_>,
    peer: &Capture<'_>,
    matches: &[Match],
    clock: Option<&Clock>,
) -> (VantagePoint, VantagePoint, Vec<String>) {
    let mut score = 0i32;
    let mut why = Vec::new();
    if let Some(d) = clock.and_then(|c| c.delay_ns) {
        if d.abs() >= MIN_DELAY_NS {
            let (near, far) = if d > 0.0 {
                ("main", "peer")
            } else {
                ("peer", "main")
            };
            score += if d > 0.0 { 2 } else { -2 };
            why.push(format!(
                "the client's packets reached the {far} capture {:.3} ms after the {near} capture, the server's packets the other way round",
                d.abs() / 1e6
            ));
        }
    }
    for (capture, sign) in [(main, 1), (peer, -1)] {
        if let Some((vote, text)) = ttl_vote(capture) {
            score += sign * vote;
            why.push(text);
        }
        if let Some((vote, text)) = handshake_vote(capture) {
            score += sign * vote;
            why.push(text);
        }
    }
    if let Some((vote, text)) = nat_vote(main, peer, matches) {
        score += vote;
        why.push(text);
    }
    let (m, p) = match score.cmp(&0) {
        core::cmp::Ordering::Greater => (VantagePoint::ClientSide, VantagePoint::ServerSide),
        core::cmp::Ordering::Less => (VantagePoint::ServerSide, VantagePoint::ClientSide),
        core::cmp::Ordering::Equal => (VantagePoint::Unknown, VantagePoint::Unknown),
    };
    (m, p, why)
}

fn is_initial(ttl: u8) -> bool {
    matches!(ttl, 64 | 128 | 255)
}

/// +1: this capture is near the client, -1: near the server.
fn ttl_vote(capture: &Capture<'_>) -> Option<(i32, String)> {
    let mut client: BTreeMap<u8, u64> = BTreeMap::new();
    let mut server: BTreeMap<u8, u64> = BTreeMap::new();
    for (conn, packets) in capture.conns().iter().zip(&capture.packets) {
        if !conn.roles_certain {
            continue;
        }
        for p in packets.iter().filter(|p| !p.has(flags::RST)) {
            let map = if p.from_client {
                &mut client
            } else {
                &mut server
            };
            *map.entry(p.ttl).or_default() += 1;
        }
    }
    let mode = |m: &BTreeMap<u8, u64>| m.iter().max_by_key(|(_, n)| **n).map(|(t, _)| *t);
    let (c, s) = (mode(&client)?, mode(&server)?);
    let name = capture.name.as_str();
    match (is_initial(c), is_initial(s)) {
        (true, false) => Some((
            1,
            format!("{name}: the clients' packets carry TTL {c}, an initial value (no router before this capture), the servers' {s}"),
        )),
        (false, true) => Some((
            -1,
            format!("{name}: the servers' packets carry TTL {s}, an initial value (no router before this capture), the clients' {c}"),
        )),
        _ => None,
    }
}

/// SYN → SYN-ACK against SYN-ACK → ACK over the capture's handshakes.
fn handshake_vote(capture: &Capture<'_>) -> Option<(i32, String)> {
    let (mut first, mut second) = (Vec::new(), Vec::new());
    for packets in &capture.packets {
        let syn = packets
            .iter()
            .find(|p| p.has(flags::SYN) && !p.has(flags::ACK) && p.from_client);
        let syn_ack = packets
            .iter()
            .find(|p| p.has(flags::SYN) && p.has(flags::ACK) && !p.from_client);
        let (Some(syn), Some(syn_ack)) = (syn, syn_ack) else {
            continue;
        };
        let ack = packets.iter().find(|p| {
            p.frame > syn_ack.frame
                && p.from_client
                && p.has(flags::ACK)
                && !p.has(flags::SYN)
                && !p.has(flags::RST)
        });
        let Some(ack) = ack else {
            continue;
        };
        first.push(syn_ack.ts_ns.saturating_sub(syn.ts_ns) as f64);
        second.push(ack.ts_ns.saturating_sub(syn_ack.ts_ns) as f64);
    }
    let n = first.len();
    let (a, b) = (median(first.into_iter())?, median(second.into_iter())?);
    let name = capture.name.as_str();
    let ms = |x: f64| x / 1e6;
    if a > 2.0 * b + 100_000.0 {
        Some((
            1,
            format!("{name}: SYN → SYN-ACK {:.3} ms, SYN-ACK → ACK {:.3} ms (median of {n} handshakes): the round trip lies beyond this capture, towards the server", ms(a), ms(b)),
        ))
    } else if b > 2.0 * a + 100_000.0 {
        Some((
            -1,
            format!("{name}: SYN → SYN-ACK {:.3} ms, SYN-ACK → ACK {:.3} ms (median of {n} handshakes): the round trip lies beyond this capture, towards the client", ms(a), ms(b)),
        ))
    } else {
        None
    }
}

fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private() || (o[0] == 100 && (o[1] & 0xc0) == 64)
        }
        IpAddr::V6(v6) => (v6.segments()[0] & 0xfe00) == 0xfc00,
    }
}

/// +1 when main sees the client's private address and peer its translation.
fn nat_vote(main: &Capture<'_>, peer: &Capture<'_>, matches: &[Match]) -> Option<(i32, String)> {
    for m in matches {
        let (mc, pc) = (main.conn(m.main)?, peer.conn(m.peer)?);
        let main_client = mc.client;
        let peer_client = if m.flipped { pc.server } else { pc.client };
        if main_client.ip == peer_client.ip {
            continue;
        }
        let (a, b) = (is_private(main_client.ip), is_private(peer_client.ip));
        if a != b {
            let (inside, outside) = if a {
                ("main", "peer")
            } else {
                ("peer", "main")
            };
            return Some((
                if a { 1 } else { -1 },
                format!(
                    "the client's private address {} is seen in the {inside} capture, its NAT translation {} in the {outside} capture",
                    if a { main_client.ip } else { peer_client.ip },
                    if a { peer_client.ip } else { main_client.ip },
                ),
            ));
        }
    }
    None
}
