//! Each RST of either capture, judged again with both ends in view: where
//! it was seen, what the path did to it, and the verdict that follows.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::clock::Clock;
use super::ladder;
use super::matching::{Match, MatchIndex};
use super::trace::Pkt;
use super::Capture;
use crate::report::{
    Cause, ComparedReset, Evidence, Fact, Origin, PathFate, Relation, Reset, Role, SeenAt, Sender,
    VantagePoint,
};

/// A connection silent this long before the packet a RST made on the path
/// answers had idled out of the device that made it; a shorter silence reads
/// as an injection. Longer than one capture's idle gap (30 s,
/// `attribute::facts::IDLE_NS`).
const PATH_IDLE_TIMEOUT_NS: i64 = 60_000_000_000;

pub struct Context<'a> {
    pub main: &'a Capture<'a>,
    pub peer: &'a Capture<'a>,
    pub matches: &'a [Match],
    /// Each connection's place in `matches`.
    pub index: &'a MatchIndex,
    pub clock: Option<&'a Clock>,
    pub main_vantage: VantagePoint,
    pub relation: Relation,
}

/// One capture's view of the comparison: itself, the other, and how
/// to reach the other's packets and clock.
pub(super) struct View<'a> {
    pub this: &'a Capture<'a>,
    pub other: &'a Capture<'a>,
    pub is_main: bool,
    pub vantage: VantagePoint,
    pub clock: Option<&'a Clock>,
    matches: &'a [Match],
    index: &'a MatchIndex,
}

impl<'a> View<'a> {
    /// The match of this capture's connection `i`, with (this, other) indices.
    pub fn find(&self, i: usize) -> Option<&'a Match> {
        self.matches.get(self.index.of(self.is_main, i)?)
    }

    /// (this conn, other conn, pairs as (this pkt, other pkt)).
    pub fn oriented(&self, m: &Match) -> (usize, usize, Vec<(usize, usize)>) {
        if self.is_main {
            (m.main, m.peer, m.pairs.clone())
        } else {
            (
                m.peer,
                m.main,
                m.pairs.iter().map(|&(a, b)| (b, a)).collect(),
            )
        }
    }

    /// The other capture's clock reading (ns) when a packet seen here at
    /// `ts_ns` would be seen there.
    pub fn other_time(&self, ts_ns: i64, from_client: bool) -> f64 {
        match self.clock {
            None => ts_ns as f64,
            Some(c) if self.is_main => c.expected_peer(ts_ns, from_client),
            Some(c) => {
                let d = c.delay_ns.unwrap_or(0.0);
                // Peer -> main: undo the offset; the delay runs the other way.
                let d = if from_client { d } else { -d };
                c.main_time(ts_ns as f64) - d
            }
        }
    }

    /// A time of this capture (ns) on the main capture's clock (ns),
    /// converted as the ladder converts it (path delay left in).
    pub fn on_main_clock(&self, ts_ns: f64) -> f64 {
        match (self.is_main, self.clock) {
            (false, Some(c)) => c.main_time(ts_ns),
            _ => ts_ns,
        }
    }

    fn only(&self) -> SeenAt {
        if self.is_main {
            SeenAt::MainOnly
        } else {
            SeenAt::PeerOnly
        }
    }

    /// Whether this capture is nearer the RST's sender than the other,
    /// from the vantages, or else from which capture saw its twin first.
    fn nearer_sender(&self, pkt: &Pkt, from_client: bool, twin: Option<&Pkt>) -> Option<bool> {
        match (self.vantage, from_client) {
            (VantagePoint::ClientSide, c) => Some(c),
            (VantagePoint::ServerSide, c) => Some(!c),
            (VantagePoint::Unknown, _) => {
                twin.map(|t| self.other_time(pkt.ts_ns, from_client) < t.ts_ns as f64)
            }
        }
    }
}

fn other_vantage(v: VantagePoint) -> VantagePoint {
    match v {
        VantagePoint::ClientSide => VantagePoint::ServerSide,
        VantagePoint::ServerSide => VantagePoint::ClientSide,
        VantagePoint::Unknown => VantagePoint::Unknown,
    }
}

pub(super) fn views<'a>(ctx: &'a Context<'a>) -> [View<'a>; 2] {
    [
        View {
            this: ctx.main,
            other: ctx.peer,
            is_main: true,
            vantage: ctx.main_vantage,
            clock: ctx.clock,
            matches: ctx.matches,
            index: ctx.index,
        },
        View {
            this: ctx.peer,
            other: ctx.main,
            is_main: false,
            vantage: other_vantage(ctx.main_vantage),
            clock: ctx.clock,
            matches: ctx.matches,
            index: ctx.index,
        },
    ]
}

/// Every RST frame of main, then of peer.
pub fn resets(ctx: &Context<'_>) -> Vec<ComparedReset> {
    let mut out = Vec::new();
    for view in views(ctx) {
        let other_resets: BTreeMap<u64, &Reset> =
            crate::sort::map_of(view.other.report.resets.iter().map(|r| (r.frame, r)));
        for r in &view.this.report.resets {
            let mut compared = judge(ctx, &view, r, &other_resets);
            compared.ladder = ladder::around(&view, r);
            out.push(compared);
        }
    }
    out
}

/// A RST of `view.this` and what the other capture tells about it.
struct Rst<'a> {
    reset: &'a Reset,
    /// Its connection, and the connection's kept packets.
    conn: usize,
    packets: &'a [Pkt],
    /// Its index in `packets`, and the packet.
    k: usize,
    pkt: &'a Pkt,
    /// Sent in the client's name (its sender, else its direction).
    from_client: bool,
}

impl Rst<'_> {
    /// The end whose name the RST carries.
    fn sender(&self) -> Role {
        if self.from_client {
            Role::Client
        } else {
            Role::Server
        }
    }
}

fn judge(
    ctx: &Context<'_>,
    view: &View<'_>,
    r: &Reset,
    other_resets: &BTreeMap<u64, &Reset>,
) -> ComparedReset {
    let mut out = ComparedReset {
        capture: view.this.name,
        frame: r.frame,
        time: r.time,
        sender: r.sender,
        seen_at: SeenAt::NotCompared,
        peer_frame: None,
        origin: r.origin,
        cause: r.cause,
        confidence: r.confidence,
        evidence: r.evidence.clone(),
        fate: PathFate::NotCompared,
        main_time: view.on_main_clock(r.time * 1e9) / 1e9,
        connection: r.connection,
        other_connection: None,
        ladder: Vec::new(),
    };
    let Some(rst) = find_rst(view, r) else {
        lead(&mut out, Fact::VantagePastLimits, Origin::Unknown);
        return out;
    };
    out.main_time = view.on_main_clock(rst.pkt.ts_ns as f64) / 1e9;
    let Some(m) = view.find(rst.conn) else {
        let t = view.other_time(rst.pkt.ts_ns, rst.from_client);
        let fact = Fact::VantageNoConnection {
            other: view.other.name,
            running: view.other.covers(t),
        };
        lead(&mut out, fact, Origin::Unknown);
        return out;
    };
    let (_, oi, pairs) = view.oriented(m);
    out.other_connection = view.other.listed(oi);
    let twin = pairs
        .iter()
        .find(|(a, _)| *a == rst.k)
        .and_then(|&(_, b)| view.other.packet(oi, b));
    match (ctx.relation, twin) {
        (Relation::SameCapture | Relation::CutCopy, _) => same_capture(&mut out, twin),
        (_, Some(twin)) => seen_at_both(view, &rst, twin, other_resets, &mut out),
        (_, None) => seen_here_only(view, &rst, oi, &pairs, &mut out),
    }
    out
}

/// `r` in the trace, or `None` when the trace did not keep it.
fn find_rst<'a>(view: &View<'a>, r: &'a Reset) -> Option<Rst<'a>> {
    let (conn, k) = view.this.rst(r)?;
    let packets = view.this.packets.get(conn)?.as_slice();
    let pkt = packets.get(k)?;
    let from_client = match r.sender {
        Sender::Client => true,
        Sender::Server => false,
        Sender::Unknown => pkt.from_client,
    };
    Some(Rst {
        reset: r,
        conn,
        packets,
        k,
        pkt,
        from_client,
    })
}

/// The other capture is this one again: the path is not in view.
fn same_capture(out: &mut ComparedReset, twin: Option<&Pkt>) {
    if let Some(twin) = twin {
        out.seen_at = SeenAt::Both;
        out.peer_frame = Some(twin.frame);
    }
    lead(out, Fact::VantageSameCapture, Origin::Unknown);
}

fn seen_at_both(
    view: &View<'_>,
    rst: &Rst<'_>,
    twin: &Pkt,
    other_resets: &BTreeMap<u64, &Reset>,
    out: &mut ComparedReset,
) {
    out.seen_at = SeenAt::Both;
    out.fate = PathFate::Crossed;
    out.peer_frame = Some(twin.frame);
    let there = other_vantage(view.vantage);
    if view.nearer_sender(rst.pkt, rst.from_client, Some(twin)) == Some(false) {
        // The capture near the sender is the better judge.
        if let Some(o) = other_resets.get(&twin.frame) {
            out.origin = o.origin;
            out.cause = o.cause;
            out.confidence = o.confidence.max(0.9);
            out.evidence = o.evidence.clone();
        }
        let fact = Fact::VantageBothNearerThere {
            there,
            sender: rst.sender(),
            frame: twin.frame,
        };
        let origin = out.origin;
        lead(out, fact, origin);
    } else {
        out.confidence = out.confidence.max(0.9);
        let fact = Fact::VantageBoth {
            there,
            frame: twin.frame,
        };
        let origin = out.origin;
        lead(out, fact, origin);
    }
}

/// Seen here only: made or lost on the path, if the other capture was
/// watching when it would have passed.
fn seen_here_only(
    view: &View<'_>,
    rst: &Rst<'_>,
    oi: usize,
    pairs: &[(usize, usize)],
    out: &mut ComparedReset,
) {
    let t = view.other_time(rst.pkt.ts_ns, rst.from_client);
    let other_conn = view.other.conn(oi);
    let watching = view.other.covers(t) && other_conn.is_some_and(|c| c.complete_at(t as i64));
    if !watching {
        let fact = Fact::VantageNotWatching {
            other: view.other.name,
        };
        lead(out, fact, Origin::Unknown);
        return;
    }
    out.seen_at = view.only();
    match view.nearer_sender(rst.pkt, rst.from_client, None) {
        Some(false) => made_on_path(view, rst, oi, pairs, out),
        Some(true) => {
            out.fate = PathFate::LostOnPath;
            let fact = Fact::VantageDroppedOnPath {
                here: view.vantage,
                there: other_vantage(view.vantage),
                receiver: rst.sender().other(),
            };
            let origin = out.origin;
            lead(out, fact, origin);
        }
        None => {
            out.fate = PathFate::OneSideOnly;
            let fact = Fact::VantageOneSideOnly {
                here: view.this.name,
                sender: rst.sender(),
            };
            lead(out, fact, Origin::Unknown);
        }
    }
}

/// Arrived here in the sender's name, never left the sender's side.
fn made_on_path(
    view: &View<'_>,
    rst: &Rst<'_>,
    oi: usize,
    pairs: &[(usize, usize)],
    out: &mut ComparedReset,
) {
    let other_packets = view.other.packets.get(oi).map_or(0, Vec::len);
    out.fate = PathFate::MadeOnPath;
    out.origin = Origin::Middlebox;
    out.cause = path_cause(rst.reset.cause, rst.packets, rst.k);
    out.confidence = 0.95;
    // The packet it answers, if that never reached the other end either.
    let before = rst.packets.get(..rst.k).unwrap_or(&[]);
    let dropped = before
        .iter()
        .enumerate()
        .rev()
        .find(|(_, p)| p.from_client != rst.from_client)
        .filter(|(i, _)| !pairs.iter().any(|(x, _)| x == i))
        .map(|(_, a)| a.frame);
    let fact = Fact::VantageMadeOnPath {
        there: other_vantage(view.vantage),
        sender: rst.sender(),
        packets: other_packets as u64,
        dropped,
    };
    lead(out, fact, Origin::Middlebox);
}

/// Puts the two-capture signal first.
fn lead(out: &mut ComparedReset, fact: Fact, points_to: Origin) {
    out.evidence.insert(0, Evidence::of(fact, points_to));
}

/// The cause of a RST made on the path: the single-capture cause when it is
/// one a device produces, else idle timeout after a long silence, else injection.
fn path_cause(single: Cause, packets: &[Pkt], k: usize) -> Cause {
    match single {
        Cause::Injected | Cause::IdleTimeout | Cause::OutOfWindow | Cause::Refused => single,
        _ => {
            let before = packets.get(..k).unwrap_or(&[]);
            let idle = before
                .windows(2)
                .last()
                .and_then(|w| Some(w.get(1)?.ts_ns.saturating_sub(w.first()?.ts_ns)));
            if idle.is_some_and(|gap| gap >= PATH_IDLE_TIMEOUT_NS) {
                Cause::IdleTimeout
            } else {
                Cause::Injected
            }
        }
    }
}
