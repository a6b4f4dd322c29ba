//! Rules on how the connection was closing, and the fallbacks.

use super::Decision;
use crate::attribute::facts::Facts;
use crate::report::{Cause, Fact, Origin, Stage, SubCause};

/// Both sides had sent FIN: the RST only tears down.
pub fn after_both_fins(f: &Facts<'_>) -> Option<Decision> {
    let s = &f.record.snapshot;
    if s.sender.fin_seq.is_none() || s.peer.fin_seq.is_none() {
        return None;
    }
    Some(
        Decision::new(Cause::GracefulClose, 0.9)
            .sub(SubCause::RstAfterFin)
            .because(Fact::BothFin, f.origin),
    )
}

/// The sender had closed; the peer still sent data, which its kernel reset.
pub fn data_after_close(f: &Facts<'_>) -> Option<Decision> {
    let fin = f.record.snapshot.sender.fin_seq?;
    let t = f.trigger().filter(|t| t.payload_len > 0)?;
    let fact = Fact::DataAfterClose {
        role: f.who(),
        fin_seq: fin,
        bytes: t.payload_len,
    };
    Some(
        Decision::new(Cause::ClosedSocket, 0.9)
            .sub(SubCause::DataAfterClose)
            .because(fact, f.origin),
    )
}

/// The sender had already sent its FIN.
pub fn after_own_fin(f: &Facts<'_>) -> Option<Decision> {
    let fin = f.record.snapshot.sender.fin_seq?;
    let fact = Fact::AfterOwnFin {
        role: f.who(),
        fin_seq: fin,
    };
    Some(
        Decision::new(Cause::GracefulClose, 0.75)
            .sub(SubCause::RstAfterFin)
            .because(fact, f.origin),
    )
}

/// No handshake or data seen to explain the RST.
pub fn no_context(f: &Facts<'_>) -> Option<Decision> {
    (f.stage == Stage::Unknown)
        .then(|| Decision::new(Cause::Unknown, 0.3).because(Fact::NoContext, Origin::Unknown))
}

/// The fallback: an in-window RST mid-connection, the application aborting.
pub fn mid_connection(f: &Facts<'_>) -> Decision {
    let fact = match f.trigger() {
        Some(t) => Fact::MidConnectionAnswer {
            role: f.who(),
            bytes: t.payload_len,
        },
        None => Fact::MidConnectionAfter {
            gap_ns: f.record.snapshot.gap_before_ns,
        },
    };
    Decision::new(Cause::AppAbort, 0.6).because(fact, f.origin)
}
