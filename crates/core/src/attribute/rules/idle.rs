//! Rules for a sender that gave up: on retransmitting, or after silence.

use super::Decision;
use crate::attribute::facts::{Facts, IDLE_NS};
use crate::decode::flags;
use crate::report::{Cause, Fact, Origin, SubCause};
use crate::track::{seq, Side};

/// Retransmissions of the same data before a RST that mean "gave up".
const GIVE_UP_RETRANSMISSIONS: u32 = 3;

/// The sender retransmitted the same data without an ACK, then reset.
pub fn retransmit_give_up(f: &Facts<'_>) -> Option<Decision> {
    let s = &f.record.snapshot;
    let sender = &s.sender;
    let unacked = sender
        .snd_nxt
        .zip(s.peer.last_ack)
        .is_some_and(|(nxt, acked)| seq::after(nxt, acked));
    if sender.rexmit_run < GIVE_UP_RETRANSMISSIONS || !unacked {
        return None;
    }
    let fact = Fact::GaveUp {
        role: f.who(),
        retransmissions: sender.rexmit_run,
        over_ns: sender.rexmit_last_ns.saturating_sub(sender.rexmit_first_ns),
    };
    Some(Decision::new(Cause::RetransmitTimeout).because(fact, f.origin))
}

/// Long silence, then the sender reset on its own: an idle timeout.
pub fn silence_then_reset(f: &Facts<'_>) -> Option<Decision> {
    let gap = f.record.snapshot.gap_before_ns;
    if f.trigger().is_some() || gap < IDLE_NS {
        return None;
    }
    let fact = Fact::SilenceThenReset {
        role: f.who(),
        silence_ns: gap,
    };
    Some(
        Decision::new(Cause::IdleTimeout)
            .because(fact, f.origin)
            .idle(gap),
    )
}

/// Long silence before the peer's packet, which the sender had forgotten.
/// A server may have lost it to a NAT on the client's side that mapped the
/// flow anew (an expired mapping); a client behind such a NAT is not
/// reachable through a new mapping, so a client that forgot the connection
/// lost it itself (a reboot, a restarted process): half-open.
pub fn state_forgotten(f: &Facts<'_>) -> Option<Decision> {
    let idle = f.idle_before_trigger()?;
    let fact = Fact::IdleForgotten {
        role: f.who(),
        idle_ns: idle,
    };
    if f.side() == Side::Client {
        return Some(
            Decision::new(Cause::ClosedSocket)
                .sub(SubCause::HalfOpen)
                .because(fact, f.origin),
        );
    }
    Some(
        Decision::new(Cause::IdleTimeout)
            .sub(SubCause::StateExpired)
            .because(fact, f.origin)
            .idle(idle),
    )
}

/// FINs sent in all before a RST that mean "gave up": the first and two
/// retransmissions.
const GIVE_UP_FINS: u32 = 3;

/// The sender's FIN was never acknowledged: it retransmitted it, then
/// gave up with a RST (FIN_WAIT_1 exhausting its retries).
pub fn fin_give_up(f: &Facts<'_>) -> Option<Decision> {
    let s = &f.record.snapshot;
    let fin = s.sender.fin_seq?;
    let acked = s
        .peer
        .last_ack
        .is_some_and(|a| seq::diff(a, fin.wrapping_add(1)) >= 0);
    if s.sender.fins < GIVE_UP_FINS || acked {
        return None;
    }
    let first = s.sender.fin_ns.unwrap_or(f.record.ts_ns);
    let last = s.sender.last.map_or(first, |l| l.ts_ns);
    let fact = Fact::FinGaveUp {
        role: f.who(),
        fins: s.sender.fins,
        over_ns: last.saturating_sub(first).max(0),
    };
    let mut d = Decision::new(Cause::RetransmitTimeout).because(fact, f.origin);
    d.retransmissions = Some(s.sender.fins.saturating_sub(1));
    Some(d)
}

/// Window probes before a RST that mean the sender waited on a shut window.
const STALL_PROBES: u32 = 2;

/// The peer's window stayed 0 while the sender probed it; the sending
/// application gave up. Its probes repeat old data, which is no path loss.
pub fn zero_window_stall(f: &Facts<'_>) -> Option<Decision> {
    let s = &f.record.snapshot;
    if s.peer.window != Some(0) || s.sender.zero_window_probes < STALL_PROBES {
        return None;
    }
    let fact = Fact::WindowStayedShut {
        role: f.who(),
        probes: s.sender.zero_window_probes,
    };
    Some(
        Decision::new(Cause::AppAbort)
            .sub(SubCause::ZeroWindow)
            .because(fact, f.origin),
    )
}

/// Retransmissions spread over this long are a sender backing off.
const BACKOFF_NS: i64 = 1_000_000_000;

/// The sender answered the peer's retransmission of unacknowledged data
/// with a RST: the first copy went unanswered because the sender had lost
/// the connection (a reboot, a restarted process), and its kernel resets
/// what it no longer knows, at once. A one-byte keepalive probe does not
/// count, nor a RST long after the retransmission (the sender aborting).
pub fn peer_lost_connection(f: &Facts<'_>) -> Option<Decision> {
    let t = f
        .answered()
        .filter(|t| t.retransmission && t.payload_len > 1)?;
    let peer = &f.record.snapshot.peer;
    let over_ns = t.ts_ns.saturating_sub(peer.rexmit_first_ns).max(0);
    // Backoff over a second or more: not one segment late or reordered.
    if peer.rexmit_run == 0 || over_ns < BACKOFF_NS || f.origin == Origin::Middlebox {
        return None;
    }
    let fact = Fact::PeerRetransmitting {
        role: f.who(),
        copies: peer.rexmit_run.saturating_add(1),
        over_ns,
    };
    Some(
        Decision::new(Cause::ClosedSocket)
            .sub(SubCause::HalfOpen)
            .because(fact, f.origin),
    )
}

/// The client's request was acknowledged but never answered, and after a
/// silence the client reset: its application stopped waiting.
pub fn request_timeout(f: &Facts<'_>) -> Option<Decision> {
    let s = &f.record.snapshot;
    if f.side() != Side::Client || f.trigger().is_some() {
        return None;
    }
    let request = s.sender.last.filter(|l| l.payload_len > 0)?;
    let ack = s
        .peer
        .last
        .filter(|p| p.payload_len == 0 && p.frame > request.frame)?;
    let request_end = request.seq.wrapping_add(request.payload_len);
    if ack.flags & flags::ACK == 0 || seq::diff(ack.ack, request_end) < 0 {
        return None;
    }
    let fact = Fact::RequestUnanswered {
        role: f.who(),
        bytes: request.payload_len,
        waited_ns: f.record.ts_ns.saturating_sub(request.ts_ns).max(0),
    };
    Some(
        Decision::new(Cause::AppAbort)
            .sub(SubCause::RequestTimeout)
            .because(fact, f.origin),
    )
}
