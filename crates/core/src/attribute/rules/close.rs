//! Rules on how the connection was closing, and the fallbacks.

use super::Decision;
use crate::attribute::facts::Facts;
use crate::attribute::origin;
use crate::attribute::record::TRIGGER_WINDOW_NS;
use crate::decode::flags;
use crate::report::IpIdPattern;
use crate::report::{Cause, Fact, Origin, Stage, SubCause};
use crate::track::baseline::is_counter_step;
use crate::track::conn::RolesFrom;
use crate::track::seq;
use crate::track::table::refusal_shape;

/// Both sides had sent FIN: the RST only tears down.
pub fn after_both_fins(f: &Facts<'_>) -> Option<Decision> {
    let s = &f.record.snapshot;
    if s.sender.fin_seq.is_none() || s.peer.fin_seq.is_none() {
        return None;
    }
    Some(
        Decision::new(Cause::GracefulClose)
            .sub(SubCause::RstAfterFin)
            .because(Fact::BothFin, f.origin),
    )
}

/// The sender had closed; the peer still sent data, which its kernel
/// reset. The data need not be the last thing before the RST in capture
/// order (a capture in the middle sees the FIN and the data cross, and the
/// peer's own FIN may follow its data): it is the peer's data, sent until
/// just before the RST, that the closed sender never acknowledged. This
/// holds even after both FINs, when both sides closed at once.
pub fn data_after_close(f: &Facts<'_>) -> Option<Decision> {
    let s = &f.record.snapshot;
    let fin = s.sender.fin_seq?;
    let last = s.peer.last?;
    let recent = f.record.ts_ns.abs_diff(last.ts_ns) <= TRIGGER_WINDOW_NS as u64;
    let data_end = s.peer.fin_seq.or(s.peer.snd_nxt)?;
    let unacked = match s.sender.last_ack {
        Some(acked) => seq::diff(data_end, acked),
        None => i64::from(last.payload_len),
    };
    if !recent || unacked <= 0 || s.peer.data_packets == 0 {
        return None;
    }
    let fact = Fact::DataAfterClose {
        role: f.who(),
        fin_seq: fin,
        bytes: u32::try_from(unacked).unwrap_or(u32::MAX),
    };
    Some(
        Decision::new(Cause::ClosedSocket)
            .sub(SubCause::DataAfterClose)
            .because(fact, f.origin),
    )
}

/// The sender had sent its FIN and answers with a bare RST at or behind it
/// (the form of its stack answering a peer segment that crossed the FIN),
/// but the RST's IP-ID comes next in the connection's own series: the
/// socket sent it, not a stack without it (Linux's connection-less RSTs
/// carry IP-ID 0), so the application closed and then aborted (router
/// telnet servers) and the peer's data only crossed the FIN. A host with
/// one global counter (Windows) continues it from outside the connection
/// too, so it says nothing there: neither where the host is seen to use
/// one nor when the ack field is filled without the flag (Windows'
/// connection-less form, its counter unseen on a lone connection).
pub fn own_series_after_fin(f: &Facts<'_>) -> Option<Decision> {
    let r = f.record;
    let fin_seq = r.snapshot.sender.fin_seq?;
    let (last, ip_id) = (r.snapshot.sender.last_ip_id?, r.packet.ip_id?);
    let global = r.packet.ack != 0
        || f.host
            .is_some_and(|h| h.ip_id_style() == IpIdPattern::Global);
    if global || last == 0 || !is_counter_step(last, ip_id) || !origin::after_own_fin(r) {
        return None;
    }
    let role = f.who();
    Some(
        Decision::new(Cause::AppAbort)
            .because(Fact::OwnSeriesAfterFin { role, ip_id, last }, f.origin)
            .because(Fact::AfterOwnFin { role, fin_seq }, f.origin),
    )
}

/// The sender had sent its FIN and answers with a bare RST at or behind
/// it in a stack's connection-less form: the ack field filled without the
/// flag (Windows), or IP-ID 0 while its socket numbered the connection's
/// packets (Linux's `tcp_v4_send_reset`; a socket's abort continues the
/// series, see [`own_series_after_fin`]). The stack answered a segment
/// reaching a socket that had closed, not the socket aborting, even when
/// that segment is out of the capture's sight: data after the close.
pub fn connectionless_after_fin(f: &Facts<'_>) -> Option<Decision> {
    let r = f.record;
    let fin_seq = r.snapshot.sender.fin_seq?;
    let ack = r.packet.ack;
    let numbered = r.snapshot.sender.last_ip_id.is_some_and(|id| id != 0);
    let linux = ack == 0 && r.packet.ip_id == Some(0) && numbered;
    if !(linux || ack != 0) || !origin::after_own_fin(r) {
        return None;
    }
    let role = f.who();
    Some(
        Decision::new(Cause::ClosedSocket)
            .sub(SubCause::DataAfterClose)
            .because(
                Fact::ConnectionlessAfterFin { role, fin_seq, ack },
                f.origin,
            ),
    )
}

/// The sender had sent its FIN, and reset before the peer closed: the
/// application closed and then aborted (Windows closesocket with linger
/// 0, router telnet servers), not a graceful close.
pub fn after_own_fin(f: &Facts<'_>) -> Option<Decision> {
    let fin = f.record.snapshot.sender.fin_seq?;
    // A bare RST at the ack of the peer's segment it answers is the closed
    // socket's stack answering that segment, not the application aborting.
    if answers_at_ack(f) {
        return None;
    }
    let fact = Fact::AfterOwnFin {
        role: f.who(),
        fin_seq: fin,
    };
    Some(Decision::new(Cause::AppAbort).because(fact, f.origin))
}

/// A bare RST whose seq is the ack of the peer's segment it answers.
fn answers_at_ack(f: &Facts<'_>) -> bool {
    !f.has_ack() && f.trigger().is_some_and(|t| f.record.packet.seq == t.ack)
}

/// A bare RST (no ACK flag) at the sequence number the peer's data
/// segment acknowledged: RFC 9293's answer of a stack with no socket for
/// the connection (an application's abort carries ACK). Whatever ended the
/// connection happened out of the capture's sight.
pub fn no_socket_answer(f: &Facts<'_>) -> Option<Decision> {
    let t = f
        .answered()
        .filter(|t| t.payload_len > 0 && t.flags & flags::ACK != 0)?;
    if f.has_ack() || f.record.packet.seq != t.ack {
        return None;
    }
    let fact = Fact::NoSocketAnswer {
        role: f.who(),
        frame: t.frame,
        bytes: t.payload_len,
    };
    Some(Decision::new(Cause::ClosedSocket).because(fact, f.origin))
}

/// The connection's only packet is a RST+ACK with live numbers, or one
/// continuing the sender's own packets, the only ones captured (a capture
/// that began mid-flow, roles told by the ports): a socket aborting. A
/// stack without the connection answers a stray segment with a bare RST
/// at its ack, or a SYN with seq 0 (RFC 9293 §3.10.7.1), so that form is
/// no answer; with no signal on who sent it, the claimed sender did. A
/// RST carrying data says more (a reason, a diagnostic) than its form.
pub fn abort_form(f: &Facts<'_>) -> Option<Decision> {
    let r = f.record;
    let live = f.has_ack() && r.packet.seq != 0 && r.packet.ack != 0 && r.packet.payload_len == 0;
    if f.stage != Stage::Unknown || !live || f.conn.roles_from != RolesFrom::Ports {
        return None;
    }
    let role = f.who();
    let fact = if f.alone() {
        Fact::AbortForm { role }
    } else if continues_own(f) {
        Fact::AbortAfterOwn {
            role,
            seq: r.packet.seq,
        }
    } else {
        return None;
    };
    Some(by_its_form(f, Cause::AppAbort, fact))
}

/// Only the sender's own packets came before, and the RST sits at its
/// next sequence number: the socket that sent them aborting (RST+ACK at
/// SND.NXT), not a stack answering the peer.
fn continues_own(f: &Facts<'_>) -> bool {
    let s = &f.record.snapshot;
    s.peer.clean_packets() == 0 && s.sender.snd_nxt == Some(f.record.packet.seq)
}

/// The connection's only packet is a RST+ACK with seq 0 and an ack: a
/// stack's answer to a SYN it has no listener for (RFC 9293 §3.10.7.1),
/// the SYN sent before the capture began. The sender is the responder
/// whatever its port (the flow table takes it so); with no signal on who
/// sent it, it did. A refusal carries no data: with data the form says
/// refused, not by whom.
pub fn refusal_form(f: &Facts<'_>) -> Option<Decision> {
    let r = f.record;
    if f.stage != Stage::Unknown
        || !f.alone()
        || !refusal_shape(r.flags, r.packet.seq, r.packet.ack)
    {
        return None;
    }
    let role = f.who();
    let decision = by_its_form(f, Cause::Refused, Fact::RefusalForm { role });
    let bytes = r.packet.payload_len;
    if bytes == 0 || f.origin != Origin::Unknown {
        return Some(decision);
    }
    Some(
        decision
            .because(Fact::RefusalWithData { role, bytes }, Origin::Unknown)
            .emitted_by(Origin::Unknown),
    )
}

/// A lone RST judged by its form: `fact` points at its claimed sender,
/// which also emitted it unless the origin signals say otherwise.
fn by_its_form(f: &Facts<'_>, cause: Cause, fact: Fact) -> Decision {
    let sender = f.sender();
    let origin = if f.origin == Origin::Unknown {
        sender
    } else {
        f.origin
    };
    Decision::new(cause)
        .because(fact, sender)
        .emitted_by(origin)
}

/// No handshake or data seen to explain the RST.
pub fn no_context(f: &Facts<'_>) -> Option<Decision> {
    (f.stage == Stage::Unknown)
        .then(|| Decision::new(Cause::Unknown).because(Fact::NoContext, Origin::Unknown))
}

/// The fallback: an in-window RST mid-connection, the application aborting.
pub fn mid_connection(f: &Facts<'_>) -> Decision {
    let fact = match f.answered() {
        Some(t) => Fact::MidConnectionAnswer {
            role: f.who(),
            bytes: t.payload_len,
        },
        None => Fact::MidConnectionAfter {
            gap_ns: f.record.snapshot.gap_before_ns,
        },
    };
    Decision::new(Cause::AppAbort).because(fact, f.origin)
}
