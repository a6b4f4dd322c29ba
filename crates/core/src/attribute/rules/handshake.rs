//! Rules for a RST during the handshake.

use super::probe::last_was_syn;
use super::Decision;
use crate::attribute::facts::Facts;
use crate::report::{Cause, Fact, SubCause};
use crate::track::Side;

/// The SYN answered by RST: nothing accepted the connection.
pub fn refused(f: &Facts<'_>) -> Option<Decision> {
    if !f.answers_syn() {
        return None;
    }
    let fact = Fact::AnswersSyn { role: f.who() };
    Some(Decision::new(Cause::Refused, 0.9).because(fact, f.origin))
}

/// The client answered the SYN-ACK with RST instead of its ACK: a
/// half-open (SYN) scan.
pub fn half_open_scan(f: &Facts<'_>) -> Option<Decision> {
    let s = &f.record.snapshot;
    let scan = f.side() == Side::Client
        && s.peer.isn.is_some()
        && s.ack_ns.is_none()
        && s.sender.data_packets == 0
        && last_was_syn(&s.sender);
    if !scan {
        return None;
    }
    let fact = Fact::HalfOpen { role: f.who() };
    Some(
        Decision::new(Cause::Scan, 0.85)
            .sub(SubCause::HalfOpen)
            .because(fact, f.origin),
    )
}
