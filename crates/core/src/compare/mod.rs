//! Two vantage points: the same traffic captured near the client and near
//! the server, compared. "Was this RST sent by the other end, or made on
//! the path?" has a direct answer when both ends were watched: a RST in the
//! server's name that reached the client but never left the server was made
//! in between.
//!
//! Feed each capture's frames to an [`crate::Analyzer`] and a [`Vantage`],
//! then call [`compare`]. Connections are matched by what survives NAT
//! (ISNs, sequence numbers and payload, IP-IDs), never by addresses alone.

mod clock;
mod ladder;
mod matching;
mod record;
mod vantage;
mod verdict;

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::net::IpAddr;

use crate::analyzer::endpoint;
use crate::report::{
    CaptureName, CaptureVantage, ClockOffset, Comparison, Drift, MatchMethod, MatchedConnection,
    Report, UnmatchedConnection, VantagePoint,
};
pub use record::{fnv1a, Limits, Pkt, Vantage, HASHED_BYTES};

use clock::{Clock, Sample};

type Endpoint = (IpAddr, u16);
use matching::Match;

/// One capture as the comparison sees it.
pub(crate) struct Side<'a> {
    pub name: CaptureName,
    pub report: &'a Report,
    pub v: &'a Vantage,
    /// Kept packets of each connection, in frame order.
    pub packets: Vec<Vec<Pkt>>,
    /// Report connection id of each recorded connection.
    pub ids: Vec<Option<u32>>,
    /// First and last frame time (ns).
    pub span: Option<(i64, i64)>,
}

impl<'a> Side<'a> {
    fn new(name: CaptureName, report: &'a Report, v: &'a Vantage) -> Self {
        let packets = v.conns.iter().map(record::Conn::packets).collect();
        let ids = report_ids(report, v);
        let span = match (report.capture.first_time, report.capture.last_time) {
            (Some(a), Some(b)) => Some((ns(a), ns(b))),
            _ => {
                let first = v.conns.iter().map(|c| c.first_ns).min();
                let last = v.conns.iter().map(|c| c.last_ns).max();
                first.zip(last)
            }
        };
        Self {
            name,
            report,
            v,
            packets,
            ids,
            span,
        }
    }

    fn conn(&self, i: usize) -> Option<&record::Conn> {
        self.v.conns.get(i)
    }

    fn packet(&self, conn: usize, k: usize) -> Option<&Pkt> {
        self.packets.get(conn).and_then(|p| p.get(k))
    }

    /// Whether this capture was recording at `ts_ns` (its own clock).
    fn covers(&self, ts_ns: f64) -> bool {
        self.span
            .is_some_and(|(a, b)| ts_ns >= a as f64 - 1e6 && ts_ns <= b as f64 + 1e6)
    }
}

/// Seconds since the epoch to ns.
fn ns(seconds: f64) -> i64 {
    let x = seconds * 1e9;
    // no_std: no f64::round; half away from zero by hand.
    (if x < 0.0 { x - 0.5 } else { x + 0.5 }) as i64
}

fn seconds(ns: i64) -> f64 {
    ns as f64 / 1e9
}

/// The report's connection id for each recorded connection: through the
/// connection's RSTs when it has any, else by endpoints and start time.
fn report_ids(report: &Report, v: &Vantage) -> Vec<Option<u32>> {
    let mut by_endpoints: BTreeMap<(String, String), Vec<(i64, u32)>> = BTreeMap::new();
    for c in &report.connections {
        by_endpoints
            .entry(pair_key(c.client.clone(), c.server.clone()))
            .or_default()
            .push((ns(c.first_time), c.id));
    }
    let by_rst: BTreeMap<u64, u32> = report
        .resets
        .iter()
        .filter_map(|r| r.connection.map(|c| (r.frame, c)))
        .collect();
    let mut ids: Vec<Option<u32>> = v
        .conns
        .iter()
        .map(|c| {
            let key = pair_key(endpoint(c.a.0, c.a.1), endpoint(c.b.0, c.b.1));
            let list = by_endpoints.get(&key)?;
            list.iter()
                .filter(|(t, _)| *t <= c.first_ns.saturating_add(1_000))
                .max_by_key(|(t, _)| *t)
                .or_else(|| list.iter().min_by_key(|(t, _)| *t))
                .map(|&(_, id)| id)
        })
        .collect();
    for (frame, &ci) in &v.rst_frames {
        if let (Some(&id), Some(slot)) = (by_rst.get(frame), ids.get_mut(ci)) {
            *slot = Some(id);
        }
    }
    ids
}

fn pair_key(x: String, y: String) -> (String, String) {
    if x <= y {
        (x, y)
    } else {
        (y, x)
    }
}

/// Compares two captures of the same traffic. `main` is the capture the
/// report is about; the result is the same, mirrored, with the two swapped.
pub fn compare(main: (&Report, &Vantage), peer: (&Report, &Vantage)) -> Comparison {
    let main = Side::new(CaptureName::Main, main.0, main.1);
    let peer = Side::new(CaptureName::Peer, peer.0, peer.1);

    let mut matches = matching::by_content(&main, &peer);
    let at_ns = main.span.map(|s| s.0).unwrap_or_default();
    let mut clock = fit_clock(&main, &peer, &matches, at_ns);
    if let Some(c) = clock {
        // Drop packet pairs the clock says cannot be the same packet
        // (a retransmission paired with the wrong copy), then refit.
        for m in &mut matches {
            let keep = |&(i, j): &(usize, usize)| plausible(&main, &peer, m, i, j, &c);
            let pairs: Vec<(usize, usize)> = m.pairs.iter().copied().filter(keep).collect();
            m.pairs = pairs;
        }
        clock = fit_clock(&main, &peer, &matches, at_ns).or(clock);
    }
    matches.extend(by_addresses(&main, &peer, &matches, clock.as_ref()));
    matches.sort_by_key(|m| m.main);

    let (main_vantage, peer_vantage, why) = vantage::infer(&main, &peer, &matches, clock.as_ref());
    let ctx = verdict::Context {
        main: &main,
        peer: &peer,
        matches: &matches,
        clock: clock.as_ref(),
        main_vantage,
    };
    let matched = matches
        .iter()
        .map(|m| matched_entry(&ctx, m))
        .collect::<Vec<_>>();
    let unmatched = unmatched(&main, &peer, &matches, clock.as_ref());
    let resets = verdict::resets(&ctx);

    let clock_offset = clock.map(|c| ClockOffset {
        seconds: c.offset_ns / 1e9,
        at: seconds(c.at_ns),
        samples: c.samples as u64,
        corrected: c.delay_ns.is_some(),
        path_delay: c.delay_ns.map(|d| d.abs() / 1e9),
    });
    let drift = clock.filter(|c| c.slope != 0.0).map(|c| Drift {
        ppm: c.slope * 1e6,
        span: c.span_ns / 1e9,
    });
    Comparison {
        main: capture_vantage(&main, main_vantage, &why),
        peer: capture_vantage(&peer, peer_vantage, &why),
        matched,
        unmatched,
        clock_offset,
        drift,
        resets,
    }
}

fn capture_vantage(side: &Side<'_>, vantage: VantagePoint, why: &[String]) -> CaptureVantage {
    CaptureVantage {
        vantage,
        why: why.to_vec(),
        connections: side.v.conns.len() as u64,
        packets: side.v.packets() as u64,
        dropped_packets: side.v.dropped_packets,
        dropped_connections: side.v.dropped_connections,
    }
}

/// The clock from every matched packet pair.
fn fit_clock(main: &Side<'_>, peer: &Side<'_>, matches: &[Match], at_ns: i64) -> Option<Clock> {
    let per_conn: Vec<Vec<Sample>> = matches
        .iter()
        .filter_map(|m| {
            let conn = main.conn(m.main)?;
            let samples = m
                .pairs
                .iter()
                .filter_map(|&(i, j)| {
                    let (a, b) = (main.packet(m.main, i)?, peer.packet(m.peer, j)?);
                    Some(Sample {
                        t_main: a.ts_ns,
                        diff_ns: b.ts_ns.saturating_sub(a.ts_ns) as f64,
                        from_client: conn.sent_by_client(a.from_a),
                    })
                })
                .collect();
            Some(samples)
        })
        .collect();
    clock::fit(&per_conn, at_ns)
}

/// Whether a packet pair fits the clock: within a second plus twice the path delay.
fn plausible(main: &Side<'_>, peer: &Side<'_>, m: &Match, i: usize, j: usize, c: &Clock) -> bool {
    let (Some(a), Some(b), Some(conn)) = (
        main.packet(m.main, i),
        peer.packet(m.peer, j),
        main.conn(m.main),
    ) else {
        return false;
    };
    let expected = c.expected_peer(a.ts_ns, conn.sent_by_client(a.from_a));
    let tolerance = 1e9 + 2.0 * c.delay_ns.unwrap_or(0.0).abs();
    (b.ts_ns as f64 - expected).abs() <= tolerance
}

/// Last resort: the same addresses and ports at overlapping times.
fn by_addresses(
    main: &Side<'_>,
    peer: &Side<'_>,
    matches: &[Match],
    clock: Option<&Clock>,
) -> Vec<Match> {
    let main_used: Vec<usize> = matches.iter().map(|m| m.main).collect();
    let mut peer_used: Vec<usize> = matches.iter().map(|m| m.peer).collect();
    let mut by_endpoints: BTreeMap<(Endpoint, Endpoint), Vec<usize>> = BTreeMap::new();
    for (pi, c) in peer.v.conns.iter().enumerate() {
        if !peer_used.contains(&pi) {
            by_endpoints.entry((c.a, c.b)).or_default().push(pi);
        }
    }
    let mut out = Vec::new();
    for (mi, mc) in main.v.conns.iter().enumerate() {
        if main_used.contains(&mi) {
            continue;
        }
        let (first, last) = match clock {
            Some(c) => (
                mc.first_ns as f64 + c.offset_diff(mc.first_ns),
                mc.last_ns as f64 + c.offset_diff(mc.last_ns),
            ),
            None => (mc.first_ns as f64, mc.last_ns as f64),
        };
        let slack = 2e9;
        for (key, flipped) in [((mc.a, mc.b), false), ((mc.b, mc.a), true)] {
            let Some(list) = by_endpoints.get(&key) else {
                continue;
            };
            let found = list.iter().copied().find(|&pi| {
                !peer_used.contains(&pi)
                    && peer.conn(pi).is_some_and(|pc| {
                        (pc.first_ns as f64) <= last + slack && (pc.last_ns as f64) >= first - slack
                    })
            });
            if let Some(pi) = found {
                peer_used.push(pi);
                let (m, p) = (
                    main.packets.get(mi).map(Vec::as_slice).unwrap_or(&[]),
                    peer.packets.get(pi).map(Vec::as_slice).unwrap_or(&[]),
                );
                out.push(Match {
                    main: mi,
                    peer: pi,
                    how: MatchMethod::Addresses,
                    confidence: 0.5,
                    flipped,
                    pairs: matching::align(m, p, flipped),
                });
                break;
            }
        }
    }
    out
}

fn matched_entry(ctx: &verdict::Context<'_>, m: &Match) -> MatchedConnection {
    let (main, peer) = (ctx.main, ctx.peer);
    let name = |side: &Side<'_>, i: usize, client: bool| {
        side.conn(i)
            .map(|c| {
                let e = if client { c.client() } else { c.server() };
                endpoint(e.0, e.1)
            })
            .unwrap_or_default()
    };
    // The peer's client is the endpoint that corresponds to main's client.
    let (pc, ps) = match (main.conn(m.main), peer.conn(m.peer)) {
        (Some(mc), Some(pconn)) => {
            let client_is_a = mc.a_is_client != m.flipped;
            let (c, s) = if client_is_a {
                (pconn.a, pconn.b)
            } else {
                (pconn.b, pconn.a)
            };
            (endpoint(c.0, c.1), endpoint(s.0, s.1))
        }
        _ => (String::new(), String::new()),
    };
    MatchedConnection {
        main: main.ids.get(m.main).copied().flatten(),
        peer: peer.ids.get(m.peer).copied().flatten(),
        how: m.how,
        confidence: m.confidence,
        main_client: name(main, m.main, true),
        main_server: name(main, m.main, false),
        peer_client: pc,
        peer_server: ps,
        packets_matched: m.pairs.len() as u64,
        differences: verdict::differences(ctx, m),
    }
}

fn unmatched(
    main: &Side<'_>,
    peer: &Side<'_>,
    matches: &[Match],
    clock: Option<&Clock>,
) -> Vec<UnmatchedConnection> {
    let mut out = Vec::new();
    for (side, other, is_main) in [(main, peer, true), (peer, main, false)] {
        for (i, c) in side.v.conns.iter().enumerate() {
            let taken = matches
                .iter()
                .any(|m| if is_main { m.main == i } else { m.peer == i });
            if taken {
                continue;
            }
            // The connection's span in the other capture's clock.
            let map = |t: i64| match clock {
                Some(c) if is_main => t as f64 + c.offset_diff(t),
                Some(c) => c.main_time(t),
                None => t as f64,
            };
            let (first, last) = (map(c.first_ns), map(c.last_ns));
            let overlaps = other
                .span
                .is_some_and(|(a, b)| first <= b as f64 && last >= a as f64);
            let reason = if overlaps {
                "no packet in common with the other capture: not on its path, or not captured there"
            } else {
                "outside the other capture's time span"
            };
            let (client, server) = (c.client(), c.server());
            out.push(UnmatchedConnection {
                capture: side.name,
                connection: side.ids.get(i).copied().flatten(),
                client: endpoint(client.0, client.1),
                server: endpoint(server.0, server.1),
                first_time: seconds(c.first_ns),
                reason: reason.into(),
            });
        }
    }
    out
}
