//! Rules for a RST the signals say a device on the path sent in an
//! endpoint's name: what made the device send it.

use super::Decision;
use crate::attribute::facts::{Facts, IDLE_NS};
use crate::decode::flags;
use crate::report::{Cause, Fact, Origin, SegmentFlaw, SubCause};
use crate::track::conn::{PacketNote, Side};
use crate::track::seq;

fn forged(f: &Facts<'_>) -> bool {
    f.origin == Origin::Middlebox
}

/// A device answered the SYN in the server's name, and the server's own
/// SYN-ACK still came: an injector won the race. A device that refuses a
/// port does not also let the server answer.
pub fn syn_race(f: &Facts<'_>) -> Option<Decision> {
    if !forged(f) || !f.answers_syn() {
        return None;
    }
    let after_ns = f.record.after.sender_syn_ack_ns?;
    let fact = Fact::SynAckAfterReset {
        role: f.who(),
        after_ns,
    };
    Some(Decision::new(Cause::Injected).because(fact, Origin::Middlebox))
}

/// A device answered the SYN in the server's name: a firewall refusing the port.
pub fn refusal(f: &Facts<'_>) -> Option<Decision> {
    if !forged(f) || !f.answers_syn() {
        return None;
    }
    let fact = Fact::AnswersSynInName { role: f.who() };
    Some(
        Decision::new(Cause::Refused)
            .sub(SubCause::FirewallReject)
            .because(fact, Origin::Middlebox),
    )
}

/// A stateful device rejected a segment its conntrack marks INVALID. A
/// retransmitted or out-of-window segment is enough; reordering, duplicate
/// ACKs and SACK blocks also need the RST to carry REJECT's numbers (a
/// censor answers ordinary data, not those).
pub fn invalid_segment(f: &Facts<'_>) -> Option<Decision> {
    if !forged(f) {
        return None;
    }
    let t = f.trigger()?;
    let why = flaw(&t)?;
    let numbers = reject_numbers(f, &t);
    let plain = matches!(why, SegmentFlaw::OutOfWindow | SegmentFlaw::Retransmitted);
    if !plain && numbers.is_none() {
        return None;
    }
    let role = f.who();
    let mut d = Decision::new(Cause::OutOfWindow)
        .sub(SubCause::ConntrackInvalid)
        .because(
            Fact::InvalidTrigger {
                role,
                frame: t.frame,
                flaw: why,
            },
            Origin::Middlebox,
        );
    if let Some(fact) = numbers {
        d = d.because(fact, Origin::Middlebox);
    }
    Some(d)
}

/// The host's own firewall (netfilter on the host) rejected a segment it
/// marked INVALID on a live connection: REJECT's numbers answering a
/// flawed segment, where the host's stack would have acknowledged it.
/// The origin stays the host: its kernel sent the RST.
pub fn host_reject(f: &Facts<'_>) -> Option<Decision> {
    let t = f.trigger()?;
    let why = flaw(&t)?;
    let s = &f.record.snapshot;
    // A run of retransmissions with backoff is a peer talking to a host
    // that lost the connection, not one late segment. A peer acknowledging
    // more than the host was seen to send answers packets the capture
    // missed (a FIN among them, perhaps): whether the host still held the
    // connection cannot be told.
    let missed = s
        .peer
        .last_ack
        .zip(s.sender.snd_nxt)
        .is_some_and(|(acked, nxt)| seq::after(acked, nxt));
    let live = t.gap_before_ns < IDLE_NS
        && s.peer.rexmit_run <= 1
        && s.sender.fin_seq.is_none()
        && !missed
        && f.earlier.is_empty();
    let numbers = reject_numbers(f, &t).filter(|_| live)?;
    let role = f.who();
    let fact = Fact::InvalidTrigger {
        role,
        frame: t.frame,
        flaw: why,
    };
    Some(
        Decision::new(Cause::OutOfWindow)
            .sub(SubCause::ConntrackInvalid)
            .because(fact, f.origin)
            .because(numbers, f.origin),
    )
}

/// Why conntrack would mark the segment `t` INVALID, if it would.
fn flaw(t: &PacketNote) -> Option<SegmentFlaw> {
    Some(if t.out_of_window {
        SegmentFlaw::OutOfWindow
    } else if t.retransmission {
        SegmentFlaw::Retransmitted
    } else if t.out_of_order {
        SegmentFlaw::OutOfOrder
    } else if t.sack {
        SegmentFlaw::Sack
    } else if t.dup_ack {
        SegmentFlaw::DuplicateAck
    } else {
        return None;
    })
}

/// netfilter's REJECT --reject-with tcp-reset answers a segment with ACK
/// by `seq = SEG.ACK` and no ACK flag, one without by seq 0 and ack =
/// its end: the evidence, when the RST's numbers are these.
fn reject_numbers(f: &Facts<'_>, t: &PacketNote) -> Option<Fact> {
    let p = &f.record.packet;
    let role = f.who();
    if t.flags & flags::ACK != 0 {
        (!f.has_ack() && p.seq == t.ack).then_some(Fact::RejectNumbers {
            role,
            seq: p.seq,
            with_ack: false,
        })
    } else {
        let end = t.seq.wrapping_add(t.payload_len);
        (f.has_ack() && p.seq == 0 && p.ack == end).then_some(Fact::RejectNumbers {
            role,
            seq: 0,
            with_ack: true,
        })
    }
}

/// A device's state for the connection expired while it idled: it resets
/// the first packet after the silence (a keepalive probe too, which is why
/// this precedes the invalid-segment rule), or resets unprompted at expiry
/// (a load balancer or firewall sweeping idle flows).
pub fn state_expired(f: &Facts<'_>) -> Option<Decision> {
    if !forged(f) {
        return None;
    }
    let role = f.who();
    let (idle, fact) = match (f.trigger(), f.idle_before_trigger()) {
        (_, Some(idle)) => (
            idle,
            Fact::IdleBeforeTrigger {
                role,
                idle_ns: idle,
            },
        ),
        (None, None) => {
            let silence = f.record.snapshot.gap_before_ns;
            if silence < IDLE_NS {
                return None;
            }
            let fact = Fact::DeviceSilenceReset {
                role,
                silence_ns: silence,
            };
            (silence, fact)
        }
        (Some(_), None) => return None,
    };
    Some(
        Decision::new(Cause::IdleTimeout)
            .sub(SubCause::StateExpired)
            .because(fact, Origin::Middlebox)
            .idle(idle),
    )
}

/// Nothing prompted the RST, it continues the sender's numbers, and the
/// ends had closed the connection at least [`PURGE_AFTER_NS`] before: a
/// device (a NAT's close timer) purging the closed flow resets both ends
/// as it does. No endpoint sends that: a closed socket is gone, or in
/// TIME-WAIT answers with an ACK, and a stack without the connection
/// answers a segment, not silence. So the origin is the device whatever
/// the fingerprints say (a device next to an end can share its TTL), and
/// an injector had nothing left to stop.
pub fn purged_after_close(f: &Facts<'_>) -> Option<Decision> {
    if f.trigger().is_some() {
        return None;
    }
    let since = since_closed(f).filter(|s| *s >= PURGE_AFTER_NS)?;
    let fact = Fact::PurgedAfterClose {
        role: f.who(),
        silence_ns: since,
    };
    Some(
        Decision::new(Cause::IdleTimeout)
            .sub(SubCause::StateExpired)
            .because(fact, Origin::Middlebox)
            .emitted_by(Origin::Middlebox)
            .idle(since),
    )
}

/// A device resetting, unprompted, a connection its ends had already
/// closed waited at least this long: longer than any round trip, so not an
/// answer to what the ends sent; a device's close timers run for seconds
/// (Linux conntrack: CLOSE 10 s, TIME_WAIT 120 s).
const PURGE_AFTER_NS: i64 = 1_000_000_000;

/// How long before the RST the ends had finished the connection (both
/// FINs, or a reset of one end's own), when they had: on this connection,
/// or on the one its ports carried before, whose final numbers the RST,
/// alone on the new one, continues. A device resetting it then clears its
/// state; an injector has nothing left to stop.
fn since_closed(f: &Facts<'_>) -> Option<i64> {
    let s = &f.record.snapshot;
    let both_fins = s.sender.fin_seq.is_some() && s.peer.fin_seq.is_some();
    let endpoint_reset = f
        .earlier
        .iter()
        .any(|e| matches!(e.origin, Origin::Client | Origin::Server));
    let seq = Some(f.record.packet.seq);
    if both_fins || endpoint_reset {
        return (s.sender.snd_nxt == seq).then_some(s.gap_before_ns);
    }
    let before = f.conn.predecessor.filter(|p| p.closed() && f.alone())?;
    let nxt = match f.side() {
        Side::Client => before.client_nxt,
        Side::Server => before.server_nxt,
    };
    (nxt == seq).then(|| f.record.ts_ns.saturating_sub(before.last_ns))
}

/// Forged with nothing else to explain it: injected (censor, DPI).
pub fn injection(f: &Facts<'_>) -> Option<Decision> {
    if !forged(f) {
        return None;
    }
    let fact = Fact::ForgedUnexplained { role: f.who() };
    Some(Decision::new(Cause::Injected).because(fact, Origin::Middlebox))
}
