//! Two vantage points: the same traffic captured near the client and near
//! the server, compared. "Was this RST sent by the other end, or made on
//! the path?" has a direct answer when both ends were watched: a RST in the
//! server's name that reached the client but never left the server was made
//! in between.
//!
//! Analyse each capture with its trace recorded ([`crate::Config::traced`]),
//! then call [`compare`] on the two [`Analysis`]es. Connections are matched
//! by what survives NAT (ISNs, sequence numbers and payload, IP-IDs), never
//! by addresses alone. The result is typed: which captures these are
//! ([`Relation`]: two points of one path, one capture twice, or unrelated),
//! and for every RST its fate on the path
//! ([`PathFate`](crate::report::PathFate)) and its time on the main
//! capture's clock; [`story`] puts them in words for every front end.

mod clock;
mod differences;
mod ladder;
mod matching;
mod relation;
pub mod story;
pub mod trace;
mod vantage;
mod verdict;

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use crate::analyzer::Analysis;
use crate::report::{
    CaptureName, CaptureVantage, ClockOffset, Comparison, Drift, Endpoint, MatchMethod,
    MatchedConnection, Relation, Report, Reset, UnmatchedConnection, VantagePoint,
};
pub use trace::{Limits, Trace};

use clock::{Clock, Sample};
use matching::{Match, MatchIndex};
use trace::{Pkt, TraceConn};

/// One capture as the comparison sees it: its report and its trace.
pub(crate) struct Capture<'a> {
    pub name: CaptureName,
    pub report: &'a Report,
    pub trace: &'a Trace,
    /// Kept packets of each recorded connection (index = connection id),
    /// in frame order.
    pub packets: Vec<Vec<Pkt>>,
}

impl<'a> Capture<'a> {
    fn new(name: CaptureName, analysis: &'a Analysis) -> Self {
        Self {
            name,
            report: &analysis.report,
            trace: &analysis.trace,
            packets: analysis
                .trace
                .conns()
                .iter()
                .map(TraceConn::packets)
                .collect(),
        }
    }

    fn conns(&self) -> &'a [TraceConn] {
        self.trace.conns()
    }

    fn conn(&self, i: usize) -> Option<&'a TraceConn> {
        self.trace.conns().get(i)
    }

    fn packet(&self, conn: usize, k: usize) -> Option<&Pkt> {
        self.packets.get(conn).and_then(|p| p.get(k))
    }

    /// Whether this capture was recording at `ts_ns` (its own clock).
    fn covers(&self, ts_ns: f64) -> bool {
        self.trace
            .span()
            .is_some_and(|(a, b)| ts_ns >= a as f64 - 1e6 && ts_ns <= b as f64 + 1e6)
    }

    /// Where `reset`'s packet is in the trace: (connection, packet index).
    fn rst(&self, reset: &Reset) -> Option<(usize, usize)> {
        let conn = usize::try_from(reset.connection?).ok()?;
        let k = self
            .packets
            .get(conn)?
            .iter()
            .position(|p| p.frame == reset.frame)?;
        Some((conn, k))
    }

    /// Recorded connection `i`'s id in the report, if the report lists it.
    fn listed(&self, i: usize) -> Option<u32> {
        let id = u32::try_from(i).ok()?;
        self.report
            .connections
            .binary_search_by_key(&id, |c| c.id)
            .is_ok()
            .then_some(id)
    }
}

fn seconds(ns: i64) -> f64 {
    ns as f64 / 1e9
}

/// Compares two captures of the same traffic. `main` is the capture the
/// report is about; the result is the same, mirrored, with the two swapped.
pub fn compare(main: &Analysis, peer: &Analysis) -> Comparison {
    let main = Capture::new(CaptureName::Main, main);
    let peer = Capture::new(CaptureName::Peer, peer);
    let (matches, clock) = match_connections(&main, &peer);
    let relation = relation::of(&main, &peer, &matches);
    let (main_vantage, peer_vantage, why) = match relation {
        Relation::TwoVantages => vantage::infer(&main, &peer, &matches, clock.as_ref()),
        // One capture twice, or nothing in common: no vantage to tell.
        _ => (VantagePoint::Unknown, VantagePoint::Unknown, Vec::new()),
    };
    let index = MatchIndex::new(&matches, main.conns().len(), peer.conns().len());
    let ctx = verdict::Context {
        main: &main,
        peer: &peer,
        matches: &matches,
        index: &index,
        clock: clock.as_ref(),
        main_vantage,
        relation,
    };
    let matched = matches
        .iter()
        .map(|m| matched_entry(&ctx, m))
        .collect::<Vec<_>>();
    let unmatched = unmatched(&main, &peer, &index, clock.as_ref());
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
        relation,
    }
}

/// The same connections in both captures, and the clock their packets give.
fn match_connections(main: &Capture<'_>, peer: &Capture<'_>) -> (Vec<Match>, Option<Clock>) {
    let mut matches = matching::by_content(main, peer);
    let at_ns = main.trace.span().map(|s| s.0).unwrap_or_default();
    let mut clock = fit_clock(main, peer, &matches, at_ns);
    if let Some(c) = clock {
        // Drop packet pairs the clock says cannot be the same packet
        // (a retransmission paired with the wrong copy), then refit.
        for m in &mut matches {
            let keep = |&(i, j): &(usize, usize)| plausible(main, peer, m, i, j, &c);
            let pairs: Vec<(usize, usize)> = m.pairs.iter().copied().filter(keep).collect();
            m.pairs = pairs;
        }
        clock = fit_clock(main, peer, &matches, at_ns).or(clock);
    }
    matches.extend(by_addresses(main, peer, &matches, clock.as_ref()));
    crate::sort::sort_by_key(&mut matches, |m| m.main);
    (matches, clock)
}

fn capture_vantage(capture: &Capture<'_>, vantage: VantagePoint, why: &[String]) -> CaptureVantage {
    CaptureVantage {
        vantage,
        why: why.to_vec(),
        connections: capture.trace.connections() as u64,
        packets: capture.trace.packets() as u64,
        dropped_packets: capture.trace.dropped_packets,
        dropped_connections: capture.trace.dropped_connections,
    }
}

/// The clock from every matched packet pair.
fn fit_clock(
    main: &Capture<'_>,
    peer: &Capture<'_>,
    matches: &[Match],
    at_ns: i64,
) -> Option<Clock> {
    let per_conn: Vec<Vec<Sample>> = matches
        .iter()
        .map(|m| {
            m.pairs
                .iter()
                .filter_map(|&(i, j)| {
                    let (a, b) = (main.packet(m.main, i)?, peer.packet(m.peer, j)?);
                    Some(Sample {
                        t_main: a.ts_ns,
                        diff_ns: b.ts_ns.saturating_sub(a.ts_ns) as f64,
                        from_client: a.from_client,
                    })
                })
                .collect()
        })
        .collect();
    clock::fit(&per_conn, at_ns)
}

/// Whether a packet pair fits the clock: within a second plus twice the path delay.
fn plausible(
    main: &Capture<'_>,
    peer: &Capture<'_>,
    m: &Match,
    i: usize,
    j: usize,
    c: &Clock,
) -> bool {
    let (Some(a), Some(b)) = (main.packet(m.main, i), peer.packet(m.peer, j)) else {
        return false;
    };
    let expected = c.expected_peer(a.ts_ns, a.from_client);
    let tolerance = 1e9 + 2.0 * c.delay_ns.unwrap_or(0.0).abs();
    (b.ts_ns as f64 - expected).abs() <= tolerance
}

/// Last resort: the same addresses and ports at overlapping times, with at
/// least one packet in common (without one there is nothing to compare).
fn by_addresses(
    main: &Capture<'_>,
    peer: &Capture<'_>,
    matches: &[Match],
    clock: Option<&Clock>,
) -> Vec<Match> {
    let index = MatchIndex::new(matches, main.conns().len(), peer.conns().len());
    let mut peer_used: Vec<bool> = (0..peer.conns().len())
        .map(|pi| index.of(false, pi).is_some())
        .collect();
    let mut by_endpoints: BTreeMap<(Endpoint, Endpoint), Vec<usize>> = BTreeMap::new();
    for (pi, (c, used)) in peer.conns().iter().zip(&peer_used).enumerate() {
        if !used {
            by_endpoints
                .entry((c.client, c.server))
                .or_default()
                .push(pi);
        }
    }
    let mut out = Vec::new();
    for (mi, mc) in main.conns().iter().enumerate() {
        if index.of(true, mi).is_some() {
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
        for (key, flipped) in [
            ((mc.client, mc.server), false),
            ((mc.server, mc.client), true),
        ] {
            let Some(list) = by_endpoints.get(&key) else {
                continue;
            };
            let overlapping = |pc: &TraceConn| {
                (pc.first_ns as f64) <= last + slack && (pc.last_ns as f64) >= first - slack
            };
            let found = list.iter().copied().find_map(|pi| {
                if peer_used.get(pi) != Some(&false) || !peer.conn(pi).is_some_and(overlapping) {
                    return None;
                }
                let (m, p) = (
                    main.packets.get(mi).map(Vec::as_slice).unwrap_or(&[]),
                    peer.packets.get(pi).map(Vec::as_slice).unwrap_or(&[]),
                );
                let pairs = matching::align(m, p, flipped);
                (!pairs.is_empty()).then_some((pi, pairs))
            });
            if let Some((pi, pairs)) = found {
                if let Some(used) = peer_used.get_mut(pi) {
                    *used = true;
                }
                out.push(Match {
                    main: mi,
                    peer: pi,
                    how: MatchMethod::Addresses,
                    confidence: 0.5,
                    flipped,
                    pairs,
                });
                break;
            }
        }
    }
    out
}

fn matched_entry(ctx: &verdict::Context<'_>, m: &Match) -> MatchedConnection {
    let (main, peer) = (ctx.main, ctx.peer);
    let (main_client, main_server) = main
        .conn(m.main)
        .map(|c| (c.client, c.server))
        .unwrap_or_default();
    // The peer's endpoints in main's roles.
    let (peer_client, peer_server) = peer
        .conn(m.peer)
        .map(|c| match m.flipped {
            false => (c.client, c.server),
            true => (c.server, c.client),
        })
        .unwrap_or_default();
    MatchedConnection {
        main: main.listed(m.main),
        peer: peer.listed(m.peer),
        how: m.how,
        confidence: m.confidence,
        main_client,
        main_server,
        peer_client,
        peer_server,
        packets_matched: m.pairs.len() as u64,
        differences: differences::differences(ctx, m),
    }
}

fn unmatched(
    main: &Capture<'_>,
    peer: &Capture<'_>,
    index: &MatchIndex,
    clock: Option<&Clock>,
) -> Vec<UnmatchedConnection> {
    let mut out = Vec::new();
    for (this, other, is_main) in [(main, peer, true), (peer, main, false)] {
        for (i, c) in this.conns().iter().enumerate() {
            if index.of(is_main, i).is_some() {
                continue;
            }
            // The connection's span in the other capture's clock.
            let map = |t: i64| match clock {
                Some(c) if is_main => t as f64 + c.offset_diff(t),
                Some(c) => c.main_time(t as f64),
                None => t as f64,
            };
            let (first, last) = (map(c.first_ns), map(c.last_ns));
            let overlaps = other
                .trace
                .span()
                .is_some_and(|(a, b)| first <= b as f64 && last >= a as f64);
            let reason = if overlaps {
                "no packet in common with the other capture: not on its path, or not captured there"
            } else {
                "outside the other capture's time span"
            };
            out.push(UnmatchedConnection {
                capture: this.name,
                connection: this.listed(i),
                client: c.client,
                server: c.server,
                first_time: seconds(c.first_ns),
                reason: reason.into(),
            });
        }
    }
    out
}
