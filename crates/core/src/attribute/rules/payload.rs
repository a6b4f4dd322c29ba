//! Rules on what the RST's payload says.

use super::Decision;
use crate::attribute::facts::Facts;
use crate::attribute::payload;
use crate::report::{Cause, Fact, Origin, SubCause};

/// A draft-ietf-tcpm-rst-diagnostic-payload reason code names the cause.
pub fn diagnostic_reason(f: &Facts<'_>) -> Option<Decision> {
    let code = f.record.packet.reason_code?;
    let cause = match code {
        3 => Cause::ClosedSocket,
        4 | 5 => Cause::AppAbort,
        7 => Cause::OutOfWindow,
        6 | 14 => Cause::IdleTimeout,
        12 | 13 => Cause::Refused,
        17 => Cause::Injected,
        _ => return None,
    };
    Some(Decision::new(cause).because(Fact::DiagnosticReason { code }, f.origin))
}

/// An MPTCP reset option (MP_TCPRST, RFC 8684 §3.6): the sender's MPTCP
/// layer closed this subflow and says why. Only an MPTCP stack writes the
/// option, so it settles who sent the RST; no cause of the catalogue fits
/// its reasons (a subflow's resources, performance, an MPTCP error), so the
/// cause stays unknown and the reason is the evidence.
pub fn mptcp_reason(f: &Facts<'_>) -> Option<Decision> {
    let reason = f.record.packet.mptcp_reason?;
    let fact = Fact::MptcpReset {
        role: f.who(),
        reason,
    };
    Some(
        Decision::new(Cause::Unknown)
            .sub(SubCause::MptcpSubflow)
            .because(fact, f.sender())
            .emitted_by(f.sender()),
    )
}

/// A proxy (F5 BIG-IP) passes on a reset from its backend: the proxy, a
/// device between the client and the backend, emitted it.
pub fn relayed_reset(f: &Facts<'_>) -> Option<Decision> {
    let text = f.record.packet.payload_text.as_deref()?;
    if !payload::relays_remote_reset(text) {
        return None;
    }
    let fact = Fact::RelayedReset { text: text.into() };
    // The proxy in between emitted it for the backend behind it.
    Some(
        Decision::new(Cause::AppAbort)
            .sub(SubCause::BackendReset)
            .because(fact, Origin::Middlebox)
            .emitted_by(Origin::Middlebox),
    )
}

/// The RST's text names an idle or expiry timeout.
pub fn says_timeout(f: &Facts<'_>) -> Option<Decision> {
    let text = f.record.packet.payload_text.as_deref()?;
    if !payload::mentions_timeout(text) {
        return None;
    }
    let gap = f.record.snapshot.gap_before_ns;
    let d = Decision::new(Cause::IdleTimeout)
        .because(Fact::PayloadSays { text: text.into() }, f.origin);
    Some(if gap >= crate::attribute::facts::IDLE_NS {
        d.idle(gap)
    } else {
        d
    })
}
