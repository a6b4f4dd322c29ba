//! Rules from what the link layer recorded: a netfilter rule of the
//! capturing host that singled out the packet a RST answers (NFLOG).

use super::Decision;
use crate::attribute::facts::Facts;
use crate::attribute::link::logged_origin;
use crate::report::{Cause, Fact, SubCause};

/// The capturing host's netfilter logged the packet this RST answers by a
/// rule of its own (not the one that logs the side's other packets) and
/// sent the RST itself: that rule's REJECT answered a SYN (a refusal) or a
/// retransmitted or out-of-window segment (conntrack INVALID). Other
/// packets a rule singles out are left to the other rules.
pub fn logged_reject(f: &Facts<'_>) -> Option<Decision> {
    let origin = logged_origin(f.record)?;
    let singled_out = f
        .record
        .link
        .trigger(f.record)
        .and_then(|t| t.logged.as_ref())
        .is_some_and(|l| l.usual.is_some());
    if !singled_out {
        return None;
    }
    if f.answers_syn() {
        let fact = Fact::AnswersSyn { role: f.who() };
        return Some(
            Decision::new(Cause::Refused)
                .sub(SubCause::FirewallReject)
                .because(fact, origin),
        );
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
    Some(Decision::new(Cause::OutOfWindow).because(fact, origin))
}
