//! Who really emitted a RST: each signal adds weight for the claimed
//! sender or for a device on the path, and explains itself in an
//! [`Evidence`] item with the numbers seen.

use alloc::vec::Vec;

use super::record::ResetRecord;
use super::role;
use crate::decode::flags;
use crate::report::{Counter, Evidence, Fact, IpIdPattern, Origin, Role};
use crate::track::baseline::{initial_ttl, is_counter_step, IpIdStyle, TtlBaseline};
use crate::track::conn::{Conn, Direction, Side};
use crate::track::host::HostProfile;
use crate::track::seq;

/// Another RST of the same connection, for repeat analysis.
#[derive(Clone, Copy, Debug)]
pub struct Sibling {
    pub frame: u64,
    pub side: Side,
    pub ts_ns: i64,
    pub seq: u32,
    /// None for a bare RST: without the ACK flag its ack field means nothing.
    pub ack: Option<u32>,
}

/// Everything a signal may look at.
pub struct Context<'a> {
    pub record: &'a ResetRecord,
    /// The connection at its end (baselines include packets after the RST).
    pub conn: &'a Conn,
    pub host: Option<&'a HostProfile>,
    pub siblings: &'a [Sibling],
    /// How often the claimed sender sent this same RST on these ports (at
    /// least twice, and no other), across connections.
    pub echo: Option<u32>,
    /// The sender's socket may be gone: an earlier reset had torn the
    /// connection down, or it is [`after_own_fin`]. A stack answering for the dead socket takes its seq
    /// from the segment it answers and its IP-ID from outside the
    /// connection, and answers each segment with moving numbers, so those
    /// numbers say nothing about a forger.
    pub socket_gone: bool,
}

/// Data the sender's FIN did not cover, at most: an unscaled window.
const UNACKED_AT_FIN: i64 = 65_535;

/// A bare RST (no ACK) from a sender that had sent its FIN, whose seq is
/// that FIN's or up to a window behind it: the form of its closing
/// stack's answer (RFC 9293 §3.10.7.1: seq = SEG.ACK) to a peer segment
/// that crossed the FIN, acking only what had reached the peer.
pub fn after_own_fin(r: &ResetRecord) -> bool {
    let Some(fin) = r.snapshot.sender.fin_seq else {
        return false;
    };
    let behind = seq::diff(fin, r.packet.seq);
    r.flags & flags::ACK == 0 && (0..=UNACKED_AT_FIN).contains(&behind)
}

/// Signals that argued for one origin, with their weights.
#[derive(Default)]
pub struct Weighing {
    pub sender: f32,
    pub middlebox: f32,
    pub items: Vec<(f32, Evidence)>,
}

impl Weighing {
    fn add(&mut self, fact: Fact, weight: f32, points_to: Origin) {
        match points_to {
            Origin::Middlebox => self.middlebox += weight,
            Origin::Unknown => {}
            _ => self.sender += weight,
        }
        self.items.push((weight, Evidence::of(fact, points_to)));
    }

    /// Every signal for a middlebox compares the RST with its sender
    /// address's other connections, none with this connection.
    fn middlebox_only_by_address(&self) -> bool {
        self.items
            .iter()
            .filter(|(_, e)| e.points_to == Origin::Middlebox)
            .all(|(_, e)| about_address(&e.fact))
    }

    /// Evidence strongest first.
    pub fn into_evidence(mut self) -> Vec<Evidence> {
        crate::sort::sort_by(&mut self.items, |a, b| b.0.total_cmp(&a.0));
        self.items.into_iter().map(|(_, e)| e).collect()
    }
}

/// The signals that compare a RST with its sender address's habits on
/// other connections (TTL, DF, the host's IP-ID pattern or counter).
fn about_address(fact: &Fact) -> bool {
    matches!(
        fact,
        Fact::TtlDiffersHost { .. }
            | Fact::DfMissing { .. }
            | Fact::IpIdZeroUnexpected { .. }
            | Fact::IpIdNotZero { .. }
            | Fact::IpIdBreaks {
                counter: Counter::Global,
                ..
            }
    )
}

/// A middlebox verdict that would rest on the address alone: the sender
/// sent nothing else on this connection, the RST answers no SYN (where a
/// device refusing in the server's name is common), and every signal for
/// a middlebox compares it with the address's other connections. Several
/// machines behind one address (NAT, a server pool) explain that as well
/// as a forger, so the claimed sender keeps it.
pub fn shared_address(w: &Weighing, ctx: &Context<'_>) -> bool {
    let r = ctx.record;
    w.middlebox > w.sender
        && w.middlebox_only_by_address()
        && ctx.conn.dir(r.side).ttl.total() == 0
        && !r.answers_syn()
}

/// The RST left the capturing host itself ([`ttl_initial`]): no device
/// sits between a host and its own capture, so the signals for one (data
/// after the RST, an answer quicker than the host's usual) are the host's
/// own doing: a raw-socket tool beside its kernel, an evasion decoy.
pub fn sent_by_capturing_host(w: &Weighing) -> bool {
    w.items
        .iter()
        .any(|(_, e)| matches!(e.fact, Fact::TtlInitial { .. }))
}

/// Weighs every origin signal of one RST.
pub fn weigh(ctx: &Context<'_>) -> Weighing {
    let mut w = Weighing::default();
    ttl(ctx, &mut w);
    ip_id(ctx, &mut w);
    sequence(ctx, &mut w);
    timing(ctx, &mut w);
    race(ctx, &mut w);
    repeat(ctx, &mut w);
    echo(ctx, &mut w);
    payload(ctx, &mut w);
    w
}

/// What the RST's payload says about who wrote it: a vendor's reset-cause
/// text (an F5 BIG-IP full proxy is the client's server) or a
/// draft-ietf-tcpm-rst-diagnostic-payload reason code, which the sending
/// TCP stack writes (code 17 names middlebox interference).
fn payload(ctx: &Context<'_>, w: &mut Weighing) {
    let r = ctx.record;
    let sender = Origin::from(r.side);
    let who = role(r.side);
    if let Some(code) = r.packet.reason_code {
        let fact = Fact::DiagnosticCode { role: who, code };
        if code == 17 {
            w.add(fact, 2.0, Origin::Middlebox);
        } else {
            w.add(fact, 1.0, sender);
        }
        return;
    }
    if let Some(text) = r.packet.payload_text.as_deref() {
        if super::payload::is_big_ip(text) {
            let text = text.into();
            w.add(Fact::BigIpText { role: who, text }, 2.0, sender);
        }
    }
}

/// One signal: the fact, its weight and whom it points to.
type Signal = (Fact, f32, Origin);

/// A RST's TTL and the baselines it is compared with: its sender's packets
/// on this connection and on all of the address's connections.
struct TtlSeen {
    ttl: u8,
    who: Role,
    sender: Origin,
    conn: TtlBaseline,
    host: TtlBaseline,
}

fn ttl(ctx: &Context<'_>, w: &mut Weighing) {
    let r = ctx.record;
    let seen = TtlSeen {
        ttl: r.packet.ttl,
        who: role(r.side),
        sender: Origin::from(r.side),
        conn: ctx.conn.dir(r.side).ttl,
        host: ctx.host.map(|h| h.ttl).unwrap_or_default(),
    };
    let signal = if let Some(initial) = ttl_initial(&seen) {
        Some(initial)
    } else if seen.conn.total() > 0 {
        ttl_vs_connection(&seen)
    } else if seen.host.total() > 0 {
        ttl_vs_host(&seen)
    } else {
        let fact = Fact::TtlAlone {
            role: seen.who,
            ttl: seen.ttl,
        };
        Some((fact, 0.0, Origin::Unknown))
    };
    if let Some((fact, weight, points_to)) = signal {
        w.add(fact, weight, points_to);
    }
}

/// An untouched initial TTL means zero routers: the capturing machine
/// itself sent it, as it sent its other packets with that TTL.
fn ttl_initial(s: &TtlSeen) -> Option<Signal> {
    let packets = s.host.exact(s.ttl);
    if !matches!(s.ttl, 64 | 128 | 255) || packets < 2 {
        return None;
    }
    let fact = Fact::TtlInitial {
        role: s.who,
        ttl: s.ttl,
        packets,
    };
    Some((fact, 3.0, s.sender))
}

/// The TTL against the sender's packets on this connection (when it is
/// neither theirs nor clearly another's, no signal).
fn ttl_vs_connection(s: &TtlSeen) -> Option<Signal> {
    let (ttl, who) = (s.ttl, s.who);
    let (packets, near) = (s.conn.total(), s.conn.near(ttl));
    if let Some(usual) = one_hop_nearer(&s.conn, ttl) {
        let fact = Fact::TtlDiffersConnection {
            role: who,
            ttl,
            packets,
            usual: Some(usual),
        };
        return Some((fact, 2.0, Origin::Middlebox));
    }
    if near.saturating_mul(2) >= packets {
        let weight = 1.0 + 1.5 * (packets.min(10) as f32 / 10.0);
        let fact = Fact::TtlAsConnection {
            role: who,
            ttl,
            packets,
        };
        return Some((fact, weight, s.sender));
    }
    if near > 0 {
        return None;
    }
    let usual = s.conn.dominant().map(|(t, _)| t);
    let (host_total, host_near) = (s.host.total(), s.host.near(ttl));
    if host_near.saturating_mul(2) >= host_total && host_total.saturating_sub(packets) >= 3 {
        let fact = Fact::TtlAsHostNotConnection {
            role: who,
            ttl,
            usual,
            matching: host_near,
            packets: host_total,
        };
        return Some((fact, 0.5, s.sender));
    }
    let weight = if packets >= 3 { 2.5 } else { 2.0 } + other_initial(usual, ttl);
    let fact = Fact::TtlDiffersConnection {
        role: who,
        ttl,
        packets,
        usual,
    };
    Some((fact, weight, Origin::Middlebox))
}

/// Packets of a connection before its sender's TTL counts as steady.
const STEADY_TTL_PACKETS: u32 = 4;

/// The sender's one TTL on this connection, when every one of its (at
/// least [`STEADY_TTL_PACKETS`]) packets had it and the RST's `ttl` is one
/// above: a machine one router nearer the capture. A route change moves
/// the TTL by one too, but it moves the packets after it alike, while a
/// firewall in front of the host answers in its name from one hop closer.
fn one_hop_nearer(conn: &TtlBaseline, ttl: u8) -> Option<u8> {
    nearer_than_steady(conn, ttl).filter(|usual| usual.checked_add(1) == Some(ttl))
}

/// The one TTL of `base`, when every one of its (at least
/// [`STEADY_TTL_PACKETS`]) packets had it and `ttl`, from the same initial
/// TTL, is above it: sent from fewer routers away than the sender.
fn nearer_than_steady(base: &TtlBaseline, ttl: u8) -> Option<u8> {
    let (usual, packets) = base.dominant()?;
    let steady = packets >= STEADY_TTL_PACKETS && packets == base.total();
    (steady && ttl > usual && initial_ttl(ttl) == initial_ttl(usual)).then_some(usual)
}

/// The TTL against the sender address's packets on its other connections
/// (when it is neither theirs nor clearly another's, no signal).
fn ttl_vs_host(s: &TtlSeen) -> Option<Signal> {
    let (ttl, who) = (s.ttl, s.who);
    let (packets, near) = (s.host.total(), s.host.near(ttl));
    // One machine behind the address (its packets all at one TTL) and a
    // RST from nearer: no server pool explains that, a device in front does.
    if let Some(usual) = nearer_than_steady(&s.host, ttl) {
        let usual = Some(usual);
        let fact = Fact::TtlDiffersHost {
            role: who,
            ttl,
            packets,
            usual,
        };
        return Some((fact, 2.0, Origin::Middlebox));
    }
    let usual = s.host.dominant().map(|(t, _)| t);
    if near.saturating_mul(2) >= packets {
        let weight = 1.0 + 1.0 * (packets.min(10) as f32 / 10.0);
        let fact = Fact::TtlAsHost {
            role: who,
            ttl,
            packets,
        };
        return Some((fact, weight, s.sender));
    }
    if near > 0 {
        return None;
    }
    let weight = 1.5 + other_initial(usual, ttl);
    let fact = Fact::TtlDiffersHost {
        role: who,
        ttl,
        packets,
        usual,
    };
    Some((fact, weight, Origin::Middlebox))
}

/// Extra weight when `ttl` started from another initial TTL than the
/// `usual` one: another operating system, not only another path.
fn other_initial(usual: Option<u8>, ttl: u8) -> f32 {
    if usual.is_some_and(|b| initial_ttl(b) != initial_ttl(ttl)) {
        1.0
    } else {
        0.0
    }
}

fn ip_id(ctx: &Context<'_>, w: &mut Weighing) {
    let r = ctx.record;
    let Some(id) = r.packet.ip_id else { return };
    let who = role(r.side);
    let sender = Origin::from(r.side);
    let pattern = ctx.host.map_or(IpIdPattern::Unknown, |h| h.ip_id_style());
    let always_df = ctx.host.is_some_and(|h| h.always_df());
    let conn_dir = &r.snapshot.sender;

    if always_df && !r.dont_fragment {
        let packets = ctx.host.map_or(0, |h| h.df_set);
        w.add(
            Fact::DfMissing { role: who, packets },
            0.75,
            Origin::Middlebox,
        );
    }
    if id == 0 {
        match pattern {
            IpIdPattern::Global | IpIdPattern::Random => w.add(
                Fact::IpIdZeroUnexpected { role: who, pattern },
                1.0,
                Origin::Middlebox,
            ),
            _ if r.dont_fragment => w.add(Fact::IpIdZeroDf, 0.5, sender),
            _ => {}
        }
        return;
    }
    if let Some(trigger) = r.trigger() {
        if trigger.ip_id == Some(id) {
            // The sender's own last ID too: a constant ID (hand-made
            // packets carry one) copies nothing and continues nothing.
            if conn_dir.last_ip_id != Some(id) {
                copied_ip_id(ctx.conn.dir(r.side), w, sender, who, id);
            }
            return;
        }
    }
    if pattern == IpIdPattern::Global {
        if let Some(last) = r.snapshot.sender_host_last_id {
            continue_or_break(w, sender, who, id, last, Counter::Global);
            return;
        }
    }
    let conn_counter = conn_dir.ip_id.style() == IpIdStyle::Counter;
    if let Some(last) = conn_dir.last_ip_id.filter(|l| *l != 0) {
        if ctx.socket_gone {
            return;
        }
        if pattern == IpIdPattern::PerConnection || conn_counter {
            continue_or_break(w, sender, who, id, last, Counter::Connection);
            return;
        }
    }
    if pattern == IpIdPattern::Zero {
        w.add(Fact::IpIdNotZero { role: who, id }, 1.0, Origin::Middlebox);
    }
}

/// A RST whose IP-ID `id` copies the packet it answers: a forger's shortcut,
/// unless the sender's stack (`dir`, the connection at its end) copies the
/// other side's IP-ID on its own packets too.
fn copied_ip_id(dir: &Direction, w: &mut Weighing, sender: Origin, who: Role, id: u16) {
    if dir.copies_peer_ip_id() {
        let fact = Fact::IpIdCopiesAsSender {
            role: who,
            id,
            copies: dir.ip_id_copies,
            packets: dir.ip_id.nonzero,
        };
        w.add(fact, 1.5, sender);
    } else {
        let fact = Fact::IpIdCopiesTrigger { role: who, id };
        w.add(fact, 1.5, Origin::Middlebox);
    }
}

fn continue_or_break(
    w: &mut Weighing,
    sender: Origin,
    who: Role,
    id: u16,
    last: u16,
    counter: Counter,
) {
    if is_counter_step(last, id) {
        let fact = Fact::IpIdContinues {
            role: who,
            id,
            last,
            counter,
        };
        w.add(fact, 1.5, sender);
    } else {
        let fact = Fact::IpIdBreaks {
            role: who,
            id,
            last,
            counter,
        };
        w.add(fact, 1.5, Origin::Middlebox);
    }
}

fn sequence(ctx: &Context<'_>, w: &mut Weighing) {
    let r = ctx.record;
    // From SYN-SENT a stack resets at the segment's ack, whatever it sent.
    if r.syn_sent_answer().is_some() {
        return;
    }
    let who = role(r.side);
    let sender = Origin::from(r.side);
    let (s, p) = (&r.snapshot.sender, &r.snapshot.peer);
    let (rst_seq, rst_ack) = (r.packet.seq, r.packet.ack);
    let has_ack = r.flags & flags::ACK != 0;

    if has_ack && rst_ack == 0 && p.snd_nxt.is_some_and(|n| n != 0) {
        w.add(Fact::AckZero { role: who }, 1.0, Origin::Middlebox);
    } else if has_ack {
        if let Some(nxt) = p.snd_nxt {
            let bytes = seq::diff(rst_ack, nxt);
            if bytes > 0 {
                let fact = Fact::AckBeyond {
                    role: who,
                    ack: rst_ack,
                    bytes,
                };
                w.add(fact, 1.0, Origin::Middlebox);
            }
        }
    }
    if s.isn.is_none() && s.snd_nxt.is_none() {
        if let Some(isn) = p
            .isn
            .filter(|isn| has_ack && rst_ack == isn.wrapping_add(1))
        {
            let fact = Fact::AckIsnPlusOne {
                role: who,
                ack: rst_ack,
                isn,
            };
            w.add(fact, 0.25, sender);
        }
        return;
    }
    let Some(nxt) = s.snd_nxt else { return };
    let offset = seq::diff(rst_seq, nxt);
    if ctx.socket_gone && offset != 0 {
        return;
    }
    let seq = rst_seq;
    if offset == 0 {
        w.add(Fact::SeqExact { role: who, seq }, 0.5, sender);
    } else if p.last_ack == Some(rst_seq) && offset < 0 {
        let fact = Fact::SeqIsPeerAck {
            role: who,
            seq,
            behind: -offset,
        };
        w.add(fact, 1.0, Origin::Middlebox);
    } else {
        let window = p.window.unwrap_or(0);
        if offset > 0 && offset <= i64::from(window) {
            w.add(
                Fact::SeqInWindow {
                    role: who,
                    seq,
                    offset,
                },
                0.0,
                Origin::Unknown,
            );
        } else {
            let fact = Fact::SeqOutsideWindow {
                role: who,
                seq,
                offset,
            };
            w.add(fact, 0.75, Origin::Middlebox);
        }
    }
}

/// An early RST must also beat the endpoint's answer time by this much:
/// on a LAN, half of a 1 ms round trip is jitter, not a shorter path.
const EARLY_MARGIN_NS: i64 = 2_000_000;

fn timing(ctx: &Context<'_>, w: &mut Weighing) {
    let r = ctx.record;
    let Some(trigger) = r.trigger() else { return };
    let delay = r.ts_ns.saturating_sub(trigger.ts_ns);
    // A RST stamped before the packet it answers: the capture's clock
    // (merged interfaces) cannot time it.
    if delay < 0 {
        return;
    }
    let expected = match r.side {
        Side::Server => ctx
            .conn
            .server_delay_ns()
            .or(ctx.host.and_then(|h| h.server_delay_ns)),
        Side::Client => ctx
            .conn
            .client_delay_ns()
            .or(ctx.host.and_then(|h| h.client_delay_ns)),
    };
    // Below a millisecond the far end is on the capture's LAN: no margin to judge.
    let Some(expected) = expected.filter(|e| *e >= 1_000_000) else {
        return;
    };
    let (who, delay_ns, answer_ns) = (role(r.side), delay, expected);
    // The endpoint cannot answer sooner than its own round trip from the
    // capture; a RST well inside it (by a fifth, and beyond LAN jitter)
    // came from nearer: a careful injector copying TTL and IP-ID still
    // cannot beat the clock.
    let early = delay.saturating_mul(5) < expected.saturating_mul(4);
    if early && expected.saturating_sub(delay) >= EARLY_MARGIN_NS {
        let fact = Fact::TimingEarly {
            role: who,
            delay_ns,
            answer_ns,
        };
        w.add(fact, 2.0, Origin::Middlebox);
    } else {
        let fact = Fact::TimingInLine {
            role: who,
            delay_ns,
            answer_ns,
        };
        w.add(fact, 0.75, Origin::from(r.side));
    }
}

fn race(ctx: &Context<'_>, w: &mut Weighing) {
    let r = ctx.record;
    // A RST from SYN-SENT keeps the connection: the sender goes on.
    if r.syn_sent_answer().is_some() {
        return;
    }
    let a = &r.after;
    let who = role(r.side);
    if let Some(data) = a.sender_data_ns {
        let fact = Fact::RaceData {
            role: who,
            after_ns: data,
        };
        // No stack sends data on a connection it reset: this outweighs a
        // copied TTL and IP-ID.
        w.add(fact, 3.5, Origin::Middlebox);
    } else if let Some(first) = a.sender_first_ns {
        let fact = Fact::RacePackets {
            role: who,
            packets: a.sender_packets,
            first_ns: first,
        };
        w.add(fact, 1.5, Origin::Middlebox);
    }
}

fn repeat(ctx: &Context<'_>, w: &mut Weighing) {
    if ctx.socket_gone {
        return;
    }
    let r = ctx.record;
    const BURST_NS: i64 = 1_000_000_000;
    let close = ctx.siblings.iter().filter(|s| {
        s.side == r.side
            && s.frame != r.packet.frame
            && s.ts_ns.abs_diff(r.ts_ns) <= BURST_NS as u64
    });
    // A bare RST's ack field is whatever its sender left there: compare
    // acks only when both RSTs carry the ACK flag.
    let own_ack = (r.flags & flags::ACK != 0).then_some(r.packet.ack);
    for s in close {
        let ack_moves = match (s.ack, own_ack) {
            (Some(theirs), Some(ours)) => seq::diff(theirs, ours),
            _ => 0,
        };
        let seq_moves = seq::diff(s.seq, r.packet.seq);
        if ack_moves != 0 || seq_moves.abs() > 2 {
            let fact = Fact::Repeat {
                apart_ns: s.ts_ns.abs_diff(r.ts_ns) as i64,
                later: s.frame > r.packet.frame,
                seq_moves,
                ack_moves,
            };
            w.add(fact, 1.5, Origin::Middlebox);
            return;
        }
    }
}

/// The same RST again and again from a sender that sent nothing else:
/// its own stack answering a peer that keeps sending (an injector does not
/// repeat itself minutes apart with the same numbers).
fn echo(ctx: &Context<'_>, w: &mut Weighing) {
    let r = ctx.record;
    let Some(times) = ctx.echo else { return };
    if r.snapshot.sender.clean_packets() > 0 {
        return;
    }
    let fact = Fact::RstRepeated {
        role: role(r.side),
        times,
        seq: r.packet.seq,
    };
    w.add(fact, 1.0, Origin::from(r.side));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn baseline(ttls: &[u8]) -> TtlBaseline {
        let mut b = TtlBaseline::default();
        for &t in ttls {
            b.add(t);
        }
        b
    }

    #[test]
    fn one_hop_nearer_needs_a_steady_baseline_and_one_more() {
        let steady = baseline(&[52; 16]);
        assert_eq!(one_hop_nearer(&steady, 53), Some(52));
        // Its own TTL, or one farther (a route change), is the sender's.
        assert_eq!(one_hop_nearer(&steady, 52), None);
        assert_eq!(one_hop_nearer(&steady, 51), None);
        assert_eq!(one_hop_nearer(&steady, 54), None);
        // A baseline that already moved by one cannot tell a hop nearer.
        let moving = baseline(&[52, 52, 52, 53, 52]);
        assert_eq!(one_hop_nearer(&moving, 53), None);
        // Too few packets to call it steady.
        assert_eq!(one_hop_nearer(&baseline(&[52; 3]), 53), None);
    }

    #[test]
    fn nearer_than_steady_keeps_to_one_initial_ttl() {
        let steady = baseline(&[56; 48]);
        assert_eq!(nearer_than_steady(&steady, 58), Some(56));
        assert_eq!(nearer_than_steady(&steady, 55), None);
        // 120 started at 128: another machine, but not a nearer one of the same kind.
        assert_eq!(nearer_than_steady(&steady, 120), None);
        assert_eq!(nearer_than_steady(&TtlBaseline::default(), 58), None);
    }
}
