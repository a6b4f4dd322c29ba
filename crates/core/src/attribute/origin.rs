//! Who really emitted a RST: each signal adds weight for the claimed
//! sender or for a device on the path, and explains itself in an
//! [`Evidence`] item with the numbers seen.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::record::ResetRecord;
use crate::decode::flags;
use crate::report::{Evidence, Origin};
use crate::track::baseline::{initial_ttl, is_counter_step, IpIdStyle, TtlBaseline};
use crate::track::conn::{Conn, Side};
use crate::track::host::{HostIpId, HostProfile};
use crate::track::seq;

/// Another RST of the same connection, for repeat analysis.
#[derive(Clone, Copy, Debug)]
pub struct Sibling {
    pub frame: u64,
    pub side: Side,
    pub ts_ns: i64,
    pub seq: u32,
    pub ack: u32,
}

/// Everything a signal may look at.
pub struct Context<'a> {
    pub record: &'a ResetRecord,
    /// The connection at its end (baselines include packets after the RST).
    pub conn: &'a Conn,
    pub host: Option<&'a HostProfile>,
    pub siblings: &'a [Sibling],
}

/// Signals that argued for one origin, with their weights.
#[derive(Default)]
pub struct Weighing {
    pub sender: f32,
    pub middlebox: f32,
    pub items: Vec<(f32, Evidence)>,
}

impl Weighing {
    fn add(&mut self, signal: &str, weight: f32, points_to: Origin, finding: String) {
        match points_to {
            Origin::Middlebox => self.middlebox += weight,
            Origin::Unknown => {}
            _ => self.sender += weight,
        }
        self.items.push((
            weight,
            Evidence {
                signal: signal.to_string(),
                finding,
                points_to,
            },
        ));
    }

    /// Evidence strongest first.
    pub fn into_evidence(mut self) -> Vec<Evidence> {
        self.items.sort_by(|a, b| b.0.total_cmp(&a.0));
        self.items.into_iter().map(|(_, e)| e).collect()
    }
}

fn origin_of(side: Side) -> Origin {
    match side {
        Side::Client => Origin::Client,
        Side::Server => Origin::Server,
    }
}

pub fn ms(ns: i64) -> String {
    let ms = ns as f64 / 1e6;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else if ms < 10_000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.0} s", ms / 1000.0)
    }
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
    payload(ctx, &mut w);
    w
}

/// What the RST's payload says about who wrote it: a vendor's reset-cause
/// text (an F5 BIG-IP full proxy is the client's server) or a
/// draft-ietf-tcpm-rst-diagnostic-payload reason code, which the sending
/// TCP stack writes (code 17 names middlebox interference).
fn payload(ctx: &Context<'_>, w: &mut Weighing) {
    let r = ctx.record;
    let sender = origin_of(r.side);
    let who = r.side.name();
    if let Some(code) = r.report.reason_code {
        let name = super::payload::reason_name(code);
        if code == 17 {
            w.add(
                "payload",
                2.0,
                Origin::Middlebox,
                format!("diagnostic payload (0x33AA) reason code {code}: {name}"),
            );
        } else {
            w.add(
                "payload",
                1.0,
                sender,
                format!("diagnostic payload (0x33AA) reason code {code} ({name}), written by the {who}'s TCP stack"),
            );
        }
        return;
    }
    if let Some(text) = r.report.payload_text.as_deref() {
        if super::payload::is_big_ip(text) {
            w.add(
                "payload",
                2.0,
                sender,
                format!("the payload is an F5 BIG-IP reset cause (\"{text}\"): the {who} is a BIG-IP full proxy"),
            );
        }
    }
}

fn ttl(ctx: &Context<'_>, w: &mut Weighing) {
    let r = ctx.record;
    let (t, who) = (r.report.ttl, r.side.name());
    let sender = origin_of(r.side);
    let conn_base: &TtlBaseline = &ctx.conn.dir(r.side).ttl;
    let host_base = ctx.host.map(|h| h.ttl).unwrap_or_default();
    let (conn_total, conn_near) = (conn_base.total(), conn_base.near(t));
    let (host_total, host_near) = (host_base.total(), host_base.near(t));
    let host_other = host_total.saturating_sub(conn_total);

    // An untouched initial TTL means zero routers: the capturing machine
    // itself sent it, as it sent its other packets with that TTL.
    if matches!(t, 64 | 128 | 255) && host_base.exact(t) >= 2 {
        let n = host_base.exact(t);
        let finding = format!("TTL {t} is an initial TTL, as on {n} other packets of the {who}: sent by the capturing host itself");
        w.add("ttl", 3.0, sender, finding);
        return;
    }
    if conn_total > 0 {
        if conn_near.saturating_mul(2) >= conn_total {
            let weight = 1.0 + 1.5 * (conn_total.min(10) as f32 / 10.0);
            w.add(
                "ttl",
                weight,
                sender,
                format!("TTL {t}, as the {who}'s {conn_total} other packets on this connection"),
            );
            return;
        }
        if conn_near == 0 {
            if host_near.saturating_mul(2) >= host_total && host_other >= 3 {
                let finding = format!(
                    "TTL {t} differs from this connection's {} but matches {host_near} of the {who}'s {host_total} packets overall",
                    dominant(conn_base)
                );
                w.add("ttl", 0.5, sender, finding);
                return;
            }
            let mut weight = if conn_total >= 3 { 2.5 } else { 2.0 };
            let base = dominant(conn_base);
            let mut finding =
                format!("TTL {t}, the {who}'s other {conn_total} packets had TTL {base}");
            if let Some((b, _)) = conn_base.dominant() {
                if initial_ttl(b) != initial_ttl(t) {
                    weight += 1.0;
                    finding.push_str(&format!(
                        " (initial TTL {} vs {}: a different machine)",
                        initial_ttl(t),
                        initial_ttl(b)
                    ));
                } else {
                    let way = if t > b { "nearer" } else { "farther" };
                    finding.push_str(&format!(
                        " ({} hops {way}: a different machine)",
                        t.abs_diff(b)
                    ));
                }
            }
            w.add("ttl", weight, Origin::Middlebox, finding);
        }
        return;
    }
    if host_total > 0 {
        let base = dominant(&host_base);
        if host_near.saturating_mul(2) >= host_total {
            let weight = 1.0 + 1.0 * (host_total.min(10) as f32 / 10.0);
            let finding =
                format!("TTL {t}, as the {who}'s {host_total} packets on its other connections");
            w.add("ttl", weight, sender, finding);
        } else if host_near == 0 {
            let mut weight = 1.5;
            let mut finding = format!(
                "TTL {t}, the {who}'s {host_total} packets on other connections had TTL {base}"
            );
            if let Some((b, _)) = host_base.dominant() {
                if initial_ttl(b) != initial_ttl(t) {
                    weight += 1.0;
                }
                finding.push_str(&format!(
                    " ({} hops apart: a different machine)",
                    t.abs_diff(b)
                ));
            }
            w.add("ttl", weight, Origin::Middlebox, finding);
        }
        return;
    }
    w.add(
        "ttl",
        0.0,
        Origin::Unknown,
        format!("TTL {t}; no other packet from the {who} to compare it with"),
    );
}

fn dominant(base: &TtlBaseline) -> String {
    base.dominant()
        .map_or_else(|| "?".to_string(), |(t, _)| t.to_string())
}

fn ip_id(ctx: &Context<'_>, w: &mut Weighing) {
    let r = ctx.record;
    let Some(id) = r.report.ip_id else { return };
    let who = r.side.name();
    let sender = origin_of(r.side);
    let style = ctx.host.map_or(HostIpId::Unknown, |h| h.ip_id_style());
    let always_df = ctx.host.is_some_and(|h| h.always_df());
    let conn_dir = &r.snapshot.sender;

    if always_df && !r.dont_fragment {
        let n = ctx.host.map_or(0, |h| h.df_set);
        w.add(
            "ip-id",
            0.75,
            Origin::Middlebox,
            format!("DF not set, while the {who} set DF on all its {n} packets"),
        );
    }
    if id == 0 {
        match style {
            HostIpId::Global | HostIpId::Random => w.add(
                "ip-id",
                1.0,
                Origin::Middlebox,
                format!(
                    "IP-ID 0, but the {who} uses {} and never sends 0",
                    style.describe()
                ),
            ),
            _ if r.dont_fragment => w.add(
                "ip-id",
                0.5,
                sender,
                "IP-ID 0 with DF, as Linux stacks send connection-less resets".to_string(),
            ),
            _ => {}
        }
        return;
    }
    if let Some(trigger) = r.trigger() {
        if trigger.ip_id == Some(id) {
            let finding = format!(
                "IP-ID {id} copies the {}'s packet it answers",
                r.side.other().name()
            );
            w.add("ip-id", 1.5, Origin::Middlebox, finding);
            return;
        }
    }
    if style == HostIpId::Global {
        if let Some(last) = r.snapshot.sender_host_last_id {
            continue_or_break(w, sender, who, id, last, "global IP-ID counter");
            return;
        }
    }
    let conn_counter = conn_dir.ip_id.style() == IpIdStyle::Counter;
    if let Some(last) = conn_dir.last_ip_id.filter(|l| *l != 0) {
        if style == HostIpId::PerConnection || conn_counter {
            continue_or_break(w, sender, who, id, last, "IP-ID counter on this connection");
            return;
        }
    }
    if style == HostIpId::Zero {
        w.add(
            "ip-id",
            1.0,
            Origin::Middlebox,
            format!("IP-ID {id}, but the {who} always sends IP-ID 0"),
        );
    }
}

fn continue_or_break(w: &mut Weighing, sender: Origin, who: &str, id: u16, last: u16, what: &str) {
    if is_counter_step(last, id) {
        w.add(
            "ip-id",
            1.5,
            sender,
            format!("IP-ID {id} continues the {who}'s {what} (last {last})"),
        );
    } else {
        let finding = format!(
            "IP-ID {id} breaks the {who}'s {what} (last {last}, step {})",
            id.wrapping_sub(last)
        );
        w.add("ip-id", 1.5, Origin::Middlebox, finding);
    }
}

fn sequence(ctx: &Context<'_>, w: &mut Weighing) {
    let r = ctx.record;
    let (who, peer_name) = (r.side.name(), r.side.other().name());
    let sender = origin_of(r.side);
    let (s, p) = (&r.snapshot.sender, &r.snapshot.peer);
    let (rst_seq, rst_ack) = (r.report.seq, r.report.ack);
    let has_ack = r.flags & flags::ACK != 0;

    if has_ack && rst_ack == 0 && p.snd_nxt.is_some_and(|n| n != 0) {
        w.add(
            "ack",
            1.0,
            Origin::Middlebox,
            format!("RST+ACK with ack 0: the {peer_name}'s data was never tracked"),
        );
    } else if has_ack {
        if let Some(nxt) = p.snd_nxt {
            let beyond = seq::diff(rst_ack, nxt);
            if beyond > 0 {
                let finding =
                    format!("ack {rst_ack} acknowledges {beyond} bytes the {peer_name} never sent");
                w.add("ack", 1.0, Origin::Middlebox, finding);
            }
        }
    }
    if s.isn.is_none() && s.snd_nxt.is_none() {
        if let Some(isn) = p
            .isn
            .filter(|_| has_ack && rst_ack == p.isn.unwrap_or(0).wrapping_add(1))
        {
            let finding = format!(
                "ack {rst_ack} = the {peer_name}'s ISN {isn} + 1: the standard answer to a SYN"
            );
            w.add("seq", 0.25, sender, finding);
        }
        return;
    }
    let Some(nxt) = s.snd_nxt else { return };
    let offset = seq::diff(rst_seq, nxt);
    if offset == 0 {
        let finding =
            format!("seq {rst_seq} is exactly the {who}'s next sequence number (RFC 5961)");
        w.add("seq", 0.5, sender, finding);
    } else if p.last_ack == Some(rst_seq) && offset < 0 {
        let finding = format!(
            "seq {rst_seq} equals the {peer_name}'s last ACK, but the {who} had sent {} more bytes",
            -offset
        );
        w.add("seq", 1.0, Origin::Middlebox, finding);
    } else {
        let window = p.window.unwrap_or(0);
        if offset > 0 && offset <= i64::from(window) {
            let finding = format!(
                "seq {rst_seq} is {offset} bytes into the {peer_name}'s window, not at its edge"
            );
            w.add("seq", 0.0, Origin::Unknown, finding);
        } else {
            let finding = format!("seq {rst_seq} is {offset} bytes from the {who}'s next sequence number: outside the window");
            w.add("seq", 0.75, Origin::Middlebox, finding);
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
    let (who, peer_name) = (r.side.name(), r.side.other().name());
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
    if delay.saturating_mul(2) < expected && expected.saturating_sub(delay) >= EARLY_MARGIN_NS {
        let finding = format!(
            "RST {} after the {peer_name}'s packet; the {who} needs {} to answer (its SYN-ACK round trip)",
            ms(delay),
            ms(expected)
        );
        w.add("timing", 2.0, Origin::Middlebox, finding);
    } else {
        let finding = format!(
            "RST {} after the {peer_name}'s packet, in line with the {who}'s {} round trip",
            ms(delay),
            ms(expected)
        );
        w.add("timing", 0.75, origin_of(r.side), finding);
    }
}

fn race(ctx: &Context<'_>, w: &mut Weighing) {
    let r = ctx.record;
    let a = &r.after;
    let who = r.side.name();
    if let Some(data) = a.sender_data_ns {
        w.add(
            "race",
            2.5,
            Origin::Middlebox,
            format!(
                "{who} data at +{} after this RST: the {who} never reset",
                ms(data)
            ),
        );
    } else if let Some(first) = a.sender_first_ns {
        let finding = format!(
            "{} {who} packet(s) after this RST, the first at +{}",
            a.sender_packets,
            ms(first)
        );
        w.add("race", 1.5, Origin::Middlebox, finding);
    }
}

fn repeat(ctx: &Context<'_>, w: &mut Weighing) {
    let r = ctx.record;
    const BURST_NS: i64 = 1_000_000_000;
    let close = ctx.siblings.iter().filter(|s| {
        s.side == r.side
            && s.frame != r.report.frame
            && s.ts_ns.abs_diff(r.ts_ns) <= BURST_NS as u64
    });
    for s in close {
        let ack_jump = seq::diff(s.ack, r.report.ack);
        let seq_jump = seq::diff(s.seq, r.report.seq);
        if ack_jump != 0 || seq_jump.abs() > 2 {
            let finding = format!(
                "another RST {} {}: seq moves by {seq_jump}, ack by {ack_jump}",
                ms(s.ts_ns.abs_diff(r.ts_ns) as i64),
                if s.frame > r.report.frame {
                    "later"
                } else {
                    "earlier"
                }
            );
            w.add("repeat", 1.5, Origin::Middlebox, finding);
            return;
        }
    }
}

/// Confidence in the origin: the margin between the two hypotheses,
/// scaled by how much evidence there was.
pub fn confidence(w: &Weighing) -> f32 {
    let total = w.sender + w.middlebox;
    if total <= 0.0 {
        return 0.15;
    }
    let margin = (w.sender - w.middlebox).abs() / total;
    let amount = total / (total + 2.0);
    (0.15 + 0.8 * margin * amount).clamp(0.0, 1.0)
}
