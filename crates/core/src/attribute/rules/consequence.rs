//! Consequence resets. Once a reset has torn a connection down (an abort, a
//! forged RST, a scanner dropping a half-open connection, data reaching a
//! closed socket), the segments the other side still had in flight, or
//! sent later not knowing, reach a host with no socket, and its stack
//! answers each with a bare RST (RFC 9293 §3.10.7.1). Such a reset is
//! `closed-socket` and follows from the one that tore the connection down:
//! the root it links to is the connection's first reset that could have.

use super::Decision;
use crate::attribute::facts::{Earlier, Facts};
use crate::attribute::record::ResetRecord;
use crate::decode::flags;
use crate::report::{Cause, Fact, Origin, SubCause};
use crate::track::conn::Side;

/// The RST followed an earlier reset that tore its connection down.
pub fn after_teardown(f: &Facts<'_>) -> Option<Decision> {
    let root = root(f.earlier, f.record)?;
    // A device that forged the root and resets again is forging again.
    if root.origin == Origin::Middlebox && f.origin == Origin::Middlebox {
        return None;
    }
    let fact = Fact::AfterTeardown {
        role: f.who(),
        root_frame: root.frame,
    };
    Some(
        Decision::new(Cause::ClosedSocket)
            .after(root.frame)
            .because(fact, f.origin),
    )
}

/// An endpoint's bare RST (no ACK flag) with seq = the ack of the segment
/// it answers: its stack had no socket for the connection any more (a
/// teardown the capture missed, a reboot, or data after its close). An
/// application's abort comes from the socket, with the ACK flag.
pub fn socketless_answer(f: &Facts<'_>) -> Option<Decision> {
    let endpoint = matches!(f.origin, Origin::Client | Origin::Server);
    let t = f.trigger()?;
    // Data or a FIN that needed an answer; an application aborting right
    // after a bare ACK would look the same otherwise.
    let needs_answer = t.payload_len > 0 || t.flags & flags::FIN != 0;
    // The peer retransmitting into a host that lost the connection is
    // told by its backoff (rules::idle).
    if t.retransmission {
        return None;
    }
    let answers_ack = t.flags & flags::ACK != 0 && t.flags & flags::SYN == 0;
    if !endpoint || f.has_ack() || !answers_ack || !needs_answer || f.record.packet.seq != t.ack {
        return None;
    }
    let own_fin = f.record.snapshot.sender.fin_seq.is_some();
    // The peer's FIN alone, after the sender's own: both sides had closed
    // and nothing was left unread, so the close was graceful (the rules
    // on both FINs say so), not data reaching a closed socket.
    if own_fin && t.payload_len == 0 {
        return None;
    }
    let seq = f.record.packet.seq;
    let decision = Decision::new(Cause::ClosedSocket)
        .because(Fact::SocketlessAnswer { role: f.who(), seq }, f.origin);
    // After its own FIN, the socket closed: this answer tears it down.
    Some(if own_fin {
        decision.sub(SubCause::DataAfterClose)
    } else {
        decision
    })
}

/// Nothing from the sender but the same RST, again and again: it answers
/// a peer still sending on a connection it no longer has (half-open, RFC
/// 9293 §3.5.1), each answer on its own.
pub fn lost_connection(f: &Facts<'_>) -> Option<Decision> {
    let times = f.echo?;
    if f.record.snapshot.sender.clean_packets() > 0 {
        return None;
    }
    let fact = Fact::LostConnection {
        role: f.who(),
        times,
    };
    Some(
        Decision::new(Cause::ClosedSocket)
            .sub(SubCause::HalfOpen)
            .because(fact, f.origin),
    )
}

/// The first of the connection's `earlier` resets that tore it down for
/// `rst`: later RSTs from there only answer for a socket no longer there
/// (whoever emitted them, a device answering for the dead socket included).
pub fn root<'e>(earlier: &'e [Earlier], rst: &ResetRecord) -> Option<&'e Earlier> {
    // The peer's last segment (RSTs aside) before `rst`.
    let peer_last = rst.snapshot.peer.last.map(|l| l.frame);
    earlier
        .iter()
        .filter(|e| e.consequence_of.is_none() && !e.survived)
        .filter(|e| e.side == rst.side || sent_after(peer_last, e))
        .find(|e| tore_down(e, rst.side))
}

/// A root in the peer's name explains this side's RST only when the peer
/// sent on after it: the segments it had sent before reached this side
/// ahead of the root (one direction keeps its order), so answering them
/// was this side's own doing (its close, its abort).
fn sent_after(peer_last: Option<u64>, root: &Earlier) -> bool {
    peer_last.is_some_and(|frame| frame > root.frame)
}

fn tore_down(root: &Earlier, side: Side) -> bool {
    match root.cause {
        // A refusal had no connection to tear down: the refusing side
        // refuses each retried SYN on its own (the refused side's socket
        // is gone, though, when the real SYN-ACK arrives later).
        Cause::Refused => root.side != side,
        // The first answer to data after a close tears the socket down;
        // a host answering for a socket it had lost before (a reboot, a
        // teardown the capture missed) answers each segment on its own.
        Cause::ClosedSocket => root.sub_cause == Some(SubCause::DataAfterClose),
        // A forged RST kills the socket of the host it reaches, not of
        // the one it names: later RSTs in that name are forged again.
        _ => root.origin != Origin::Middlebox || root.side != side,
    }
}
