//! Rules for a RST the signals say a device on the path sent in an
//! endpoint's name: what made the device send it.

use super::Decision;
use crate::attribute::facts::Facts;
use crate::report::{Cause, Fact, Origin, Stage, SubCause};

fn forged(f: &Facts<'_>) -> bool {
    f.origin == Origin::Middlebox
}

/// A device answered the SYN in the server's name: a firewall refusing the port.
pub fn refusal(f: &Facts<'_>) -> Option<Decision> {
    if !forged(f) || !f.answers_syn() {
        return None;
    }
    let fact = Fact::AnswersSynInName { role: f.who() };
    Some(
        Decision::new(Cause::Refused, 0.9)
            .sub(SubCause::FirewallReject)
            .because(fact, Origin::Middlebox),
    )
}

/// A stateful device rejected a retransmitted or out-of-window segment.
pub fn invalid_segment(f: &Facts<'_>) -> Option<Decision> {
    if !forged(f) {
        return None;
    }
    let t = f
        .trigger()
        .filter(|t| t.retransmission || t.out_of_window)?;
    let fact = Fact::AnswersInvalidSegment {
        role: f.who(),
        frame: t.frame,
        seq: t.seq,
        out_of_window: t.out_of_window,
    };
    Some(Decision::new(Cause::OutOfWindow, 0.9).because(fact, Origin::Middlebox))
}

/// A device's state for the connection expired while it idled.
pub fn state_expired(f: &Facts<'_>) -> Option<Decision> {
    if !forged(f) {
        return None;
    }
    let idle = f.idle_before_trigger()?;
    let fact = Fact::IdleBeforeTrigger {
        role: f.who(),
        idle_ns: idle,
    };
    Some(
        Decision::new(Cause::IdleTimeout, 0.9)
            .sub(SubCause::StateExpired)
            .because(fact, Origin::Middlebox)
            .idle(idle),
    )
}

/// Forged with nothing else to explain it: injected (censor, DPI).
pub fn injection(f: &Facts<'_>) -> Option<Decision> {
    if !forged(f) {
        return None;
    }
    let early = matches!(f.stage, Stage::PostAck | Stage::PostPsh);
    let certainty = if f.tampering || early { 0.85 } else { 0.6 };
    let fact = Fact::ForgedUnexplained { role: f.who() };
    Some(Decision::new(Cause::Injected, certainty).because(fact, Origin::Middlebox))
}
