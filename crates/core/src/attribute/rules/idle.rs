//! Rules for a sender that gave up: on retransmitting, or after silence.

use super::Decision;
use crate::attribute::facts::{Facts, IDLE_NS};
use crate::report::{Cause, Fact, SubCause};
use crate::track::seq;

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
    Some(Decision::new(Cause::RetransmitTimeout, 0.9).because(fact, f.origin))
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
        Decision::new(Cause::IdleTimeout, 0.8)
            .because(fact, f.origin)
            .idle(gap),
    )
}

/// Long silence before the peer's packet, which the sender had forgotten.
pub fn state_forgotten(f: &Facts<'_>) -> Option<Decision> {
    let idle = f.idle_before_trigger()?;
    let fact = Fact::IdleForgotten {
        role: f.who(),
        idle_ns: idle,
    };
    Some(
        Decision::new(Cause::IdleTimeout, 0.7)
            .sub(SubCause::StateExpired)
            .because(fact, f.origin)
            .idle(idle),
    )
}
