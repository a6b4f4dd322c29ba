//! Each RST of either capture, judged again with both ends in view; and
//! what the path changed in each matched connection.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::clock::Clock;
use super::ladder;
use super::matching::Match;
use super::record::Pkt;
use super::Side;
use crate::analyzer::endpoint;
use crate::decode::flags;
use crate::report::{
    Cause, ComparedReset, Difference, Evidence, Fact, Origin, Reset, Role, SeenAt, Sender,
    VantagePoint,
};

/// A connection silent this long before the packet a RST answers had idled out.
const IDLE_NS: i64 = 60_000_000_000;
/// Frame numbers listed in a difference's finding.
const LISTED_FRAMES: usize = 5;

pub struct Context<'a> {
    pub main: &'a Side<'a>,
    pub peer: &'a Side<'a>,
    pub matches: &'a [Match],
    pub clock: Option<&'a Clock>,
    pub main_vantage: VantagePoint,
}

/// One capture's view of the comparison: itself, the other, and how
/// to reach the other's packets and clock.
pub(super) struct View<'a> {
    pub this: &'a Side<'a>,
    pub other: &'a Side<'a>,
    pub is_main: bool,
    vantage: VantagePoint,
    pub clock: Option<&'a Clock>,
}

impl View<'_> {
    /// The match of this capture's connection `i`, with (this, other) indices.
    pub fn find<'m>(&self, matches: &'m [Match], i: usize) -> Option<&'m Match> {
        matches.iter().find(|m| {
            if self.is_main {
                m.main == i
            } else {
                m.peer == i
            }
        })
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
                c.main_time(ts_ns) - d
            }
        }
    }

    fn only(&self) -> SeenAt {
        if self.is_main {
            SeenAt::MainOnly
        } else {
            SeenAt::PeerOnly
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

fn views<'a>(ctx: &'a Context<'a>) -> [View<'a>; 2] {
    [
        View {
            this: ctx.main,
            other: ctx.peer,
            is_main: true,
            vantage: ctx.main_vantage,
            clock: ctx.clock,
        },
        View {
            this: ctx.peer,
            other: ctx.main,
            is_main: false,
            vantage: other_vantage(ctx.main_vantage),
            clock: ctx.clock,
        },
    ]
}

/// Every RST frame of main, then of peer.
pub fn resets(ctx: &Context<'_>) -> Vec<ComparedReset> {
    let mut out = Vec::new();
    for view in views(ctx) {
        let other_resets: BTreeMap<u64, &Reset> = view
            .other
            .report
            .resets
            .iter()
            .map(|r| (r.frame, r))
            .collect();
        for r in &view.this.report.resets {
            let mut compared = judge(ctx, &view, r, &other_resets);
            compared.ladder = ladder::around(ctx, &view, r.frame);
            out.push(compared);
        }
    }
    out
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
        seen_at: view.only(),
        peer_frame: None,
        origin: r.origin,
        cause: r.cause,
        confidence: r.confidence,
        evidence: r.evidence.clone(),
        ladder: Vec::new(),
    };
    let other_name = view.other.name;
    let Some(&ci) = view.this.v.rst_frames.get(&r.frame) else {
        lead(&mut out, Fact::VantagePastLimits, Origin::Unknown);
        return out;
    };
    let packets = view.this.packets.get(ci).map(Vec::as_slice).unwrap_or(&[]);
    let Some(k) = packets.iter().position(|p| p.frame == r.frame) else {
        return out;
    };
    let Some(conn) = view.this.conn(ci) else {
        return out;
    };
    let Some(pkt) = packets.get(k) else {
        return out;
    };
    let from_client = match r.sender {
        Sender::Client => true,
        Sender::Server => false,
        Sender::Unknown => conn.sent_by_client(pkt.from_a),
    };
    let sender = if from_client {
        Role::Client
    } else {
        Role::Server
    };
    let Some(m) = view.find(ctx.matches, ci) else {
        let t = view.other_time(pkt.ts_ns, from_client);
        let fact = Fact::VantageNoConnection {
            other: other_name,
            running: view.other.covers(t),
        };
        lead(&mut out, fact, Origin::Unknown);
        return out;
    };
    let (_, oi, pairs) = view.oriented(m);
    let twin = pairs
        .iter()
        .find(|(a, _)| *a == k)
        .and_then(|&(_, b)| view.other.packet(oi, b));
    // Is this capture nearer the sender, or the receiver?
    let near = match (view.vantage, from_client) {
        (VantagePoint::ClientSide, c) => Some(c),
        (VantagePoint::ServerSide, c) => Some(!c),
        (VantagePoint::Unknown, _) => twin.map(|t| {
            // Seen at both: the capture that saw it first is nearer the sender.
            let here = view.other_time(pkt.ts_ns, from_client);
            here < t.ts_ns as f64
        }),
    };
    let (here, there) = (view.vantage, other_vantage(view.vantage));

    if let Some(twin) = twin {
        out.seen_at = SeenAt::Both;
        out.peer_frame = Some(twin.frame);
        if near == Some(false) {
            // The capture near the sender is the better judge.
            if let Some(o) = other_resets.get(&twin.frame) {
                out.origin = o.origin;
                out.cause = o.cause;
                out.confidence = o.confidence.max(0.9);
                out.evidence = o.evidence.clone();
            }
            let fact = Fact::VantageBothNearerThere {
                there,
                sender,
                frame: twin.frame,
            };
            let origin = out.origin;
            lead(&mut out, fact, origin);
        } else {
            out.confidence = out.confidence.max(0.9);
            let fact = Fact::VantageBoth {
                there,
                frame: twin.frame,
            };
            let origin = out.origin;
            lead(&mut out, fact, origin);
        }
        return out;
    }

    // Seen here only: was the other capture watching when it would have passed?
    let t = view.other_time(pkt.ts_ns, from_client);
    let other_conn = view.other.conn(oi);
    let watching = view.other.covers(t) && other_conn.is_some_and(|c| c.complete_at(t as i64));
    if !watching {
        let fact = Fact::VantageNotWatching { other: other_name };
        lead(&mut out, fact, Origin::Unknown);
        return out;
    }
    let other_packets = view.other.packets.get(oi).map_or(0, Vec::len);
    match near {
        Some(false) => {
            // Arrived here in the sender's name, never left the sender's side.
            out.origin = Origin::Middlebox;
            out.cause = path_cause(r.cause, packets, k);
            out.confidence = 0.95;
            // The packet it answers, if that never reached the other end either.
            let answered = packets
                .get(..k)
                .unwrap_or(&[])
                .iter()
                .rev()
                .find(|p| conn.sent_by_client(p.from_a) != from_client);
            let dropped = answered
                .filter(|a| {
                    let idx = packets.iter().position(|p| p.frame == a.frame);
                    !idx.is_some_and(|i| pairs.iter().any(|(x, _)| *x == i))
                })
                .map(|a| a.frame);
            let fact = Fact::VantageMadeOnPath {
                there,
                sender,
                packets: other_packets as u64,
                dropped,
            };
            lead(&mut out, fact, Origin::Middlebox);
        }
        Some(true) => {
            let fact = Fact::VantageDroppedOnPath {
                here,
                there,
                receiver: sender.other(),
            };
            let origin = out.origin;
            lead(&mut out, fact, origin);
        }
        None => {
            let fact = Fact::VantageOneSideOnly {
                here: view.this.name,
                sender,
            };
            lead(&mut out, fact, Origin::Unknown);
        }
    }
    out
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
            if idle.is_some_and(|gap| gap >= IDLE_NS) {
                Cause::IdleTimeout
            } else {
                Cause::Injected
            }
        }
    }
}

/// What differs between the two copies of a matched connection.
pub fn differences(ctx: &Context<'_>, m: &Match) -> Vec<Difference> {
    let mut out = Vec::new();
    let (main, peer) = (ctx.main, ctx.peer);
    let (Some(mc), Some(pc)) = (main.conn(m.main), peer.conn(m.peer)) else {
        return out;
    };
    let mp = main.packets.get(m.main).map(Vec::as_slice).unwrap_or(&[]);
    let pp = peer.packets.get(m.peer).map(Vec::as_slice).unwrap_or(&[]);

    // Address and port translation.
    let (peer_a, peer_b) = if m.flipped {
        (pc.b, pc.a)
    } else {
        (pc.a, pc.b)
    };
    for (mine, theirs, is_a) in [(mc.a, peer_a, true), (mc.b, peer_b, false)] {
        let role = if mc.sent_by_client(is_a) {
            "client"
        } else {
            "server"
        };
        if mine.0 != theirs.0 {
            out.push(Difference {
                kind: "nat".into(),
                finding: format!(
                    "the {role} is {} in main and {} in peer: address{} translated (NAT)",
                    endpoint(mine.0, mine.1),
                    endpoint(theirs.0, theirs.1),
                    if mine.1 != theirs.1 { " and port" } else { "" }
                ),
            });
        } else if mine.1 != theirs.1 {
            out.push(Difference {
                kind: "port".into(),
                finding: format!(
                    "the {role}'s port is {} in main and {} in peer: port translated",
                    mine.1, theirs.1
                ),
            });
        }
    }

    let pairs: Vec<(&Pkt, &Pkt)> = m
        .pairs
        .iter()
        .filter_map(|&(i, j)| Some((mp.get(i)?, pp.get(j)?)))
        .collect();
    for from_client in [true, false] {
        let who = if from_client { "client" } else { "server" };
        let dir: Vec<&(&Pkt, &Pkt)> = pairs
            .iter()
            .filter(|(a, _)| mc.sent_by_client(a.from_a) == from_client)
            .collect();
        if dir.is_empty() {
            continue;
        }
        // TTL: the hops between the captures, or a rewrite.
        let mut ttls: BTreeMap<(u8, u8), u64> = BTreeMap::new();
        for (a, b) in dir.iter().map(|p| (p.0, p.1)) {
            *ttls.entry((a.ttl, b.ttl)).or_default() += 1;
        }
        if let Some((&(ta, tb), _)) = ttls.iter().max_by_key(|(_, n)| **n) {
            if ta != tb {
                out.push(Difference {
                    kind: "ttl".into(),
                    finding: format!(
                        "the {who}'s packets carry TTL {ta} in main and {tb} in peer ({} hops between the captures{})",
                        ta.abs_diff(tb),
                        if ttls.len() > 1 { ", not on every packet" } else { "" }
                    ),
                });
            }
        }
        let ids: Vec<(u16, u16)> = dir
            .iter()
            .filter_map(|(a, b)| Some((a.ip_id?, b.ip_id?)))
            .collect();
        let changed = ids.iter().filter(|(a, b)| a != b).count();
        if changed > 0 {
            out.push(Difference {
                kind: "ip-id".into(),
                finding: format!(
                    "IP-ID rewritten on {changed} of {} {who} packets (a device on the path sets its own)",
                    ids.len()
                ),
            });
        }
        for (a, b) in dir.iter().filter(|(a, _)| a.has(flags::SYN)) {
            if a.mss != b.mss {
                let show = |x: Option<u16>| x.map_or("none".into(), |v| format!("{v}"));
                out.push(Difference {
                    kind: "mss".into(),
                    finding: format!(
                        "MSS on the {who}'s {}: {} in main, {} in peer (clamped on the path)",
                        if a.has(flags::ACK) { "SYN-ACK" } else { "SYN" },
                        show(a.mss),
                        show(b.mss)
                    ),
                });
            }
        }
        let windows: Vec<(u16, u16)> = dir
            .iter()
            .filter(|(a, _)| !a.has(flags::SYN) && !a.has(flags::RST))
            .map(|(a, b)| (a.window, b.window))
            .collect();
        let changed: Vec<&(u16, u16)> = windows.iter().filter(|(a, b)| a != b).collect();
        if let Some((a, b)) = changed.first() {
            out.push(Difference {
                kind: "window".into(),
                finding: format!(
                    "window changed on {} of {} {who} packets (e.g. {a} in main, {b} in peer)",
                    changed.len(),
                    windows.len()
                ),
            });
        }
    }

    // Packets seen at one end only, while the other was watching.
    for view in views(ctx) {
        let (ti, oi, pairs) = view.oriented(m);
        let packets = view.this.packets.get(ti).map(Vec::as_slice).unwrap_or(&[]);
        let Some(conn) = view.this.conn(ti) else {
            continue;
        };
        let other_conn = view.other.conn(oi);
        for from_client in [true, false] {
            let lonely: Vec<u64> = packets
                .iter()
                .enumerate()
                .filter(|(k, p)| {
                    conn.sent_by_client(p.from_a) == from_client
                        && !pairs.iter().any(|(a, _)| a == k)
                        && {
                            let t = view.other_time(p.ts_ns, from_client);
                            view.other.covers(t)
                                && other_conn.is_some_and(|c| {
                                    c.complete_at(t as i64) && t >= c.first_ns as f64 - 1e9
                                })
                        }
                })
                .map(|(_, p)| p.frame)
                .collect();
            if lonely.is_empty() {
                continue;
            }
            let who = if from_client { "client" } else { "server" };
            let near = match view.vantage {
                VantagePoint::ClientSide => Some(from_client),
                VantagePoint::ServerSide => Some(!from_client),
                VantagePoint::Unknown => None,
            };
            let name = view.this.name.as_str();
            let other = view.other.name.as_str();
            let frames = list_frames(&lonely);
            let (kind, finding) = match near {
                Some(true) => (
                    "loss",
                    format!(
                        "{} {who} {} in {name} ({frames}) never reached {other}: lost on the path",
                        lonely.len(),
                        packets_word(lonely.len())
                    ),
                ),
                Some(false) => (
                    "made-on-path",
                    format!(
                        "{} {} in the {who}'s name in {name} ({frames}) never left the {who}'s side ({other}): made on the path",
                        lonely.len(),
                        packets_word(lonely.len())
                    ),
                ),
                None => (
                    "one-side-only",
                    format!(
                        "{} {who} {} seen in {name} only ({frames})",
                        lonely.len(),
                        packets_word(lonely.len())
                    ),
                ),
            };
            out.push(Difference {
                kind: kind.into(),
                finding,
            });
        }
    }
    out
}

fn packets_word(n: usize) -> &'static str {
    if n == 1 {
        "packet"
    } else {
        "packets"
    }
}

fn list_frames(frames: &[u64]) -> String {
    let mut s: Vec<String> = frames
        .iter()
        .take(LISTED_FRAMES)
        .map(|f| format!("{f}"))
        .collect();
    if frames.len() > LISTED_FRAMES {
        s.push("…".into());
    }
    let word = if frames.len() == 1 { "frame" } else { "frames" };
    format!("{word} {}", s.join(", "))
}
