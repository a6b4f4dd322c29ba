//! Why a RST was sent: a list of small rules, each looking at the
//! [`Facts`] of one RST and either deciding its cause, with the evidence,
//! or passing. The first rule that decides wins, so the order below is the
//! precedence, most specific first:
//!
//! 1. what the RST says about itself: a diagnostic reason code, an MPTCP
//!    reset option's reason, a proxy
//!    relaying its backend's reset, flags no stack sends; a port scanner's
//!    kernel resetting the SYN-ACKs its hand-made SYNs drew, whose TTL and
//!    IP-ID its probes never shared ([`payload`], [`probe`]); a device
//!    purging a flow its ends had closed seconds before ([`path`]); then whether an
//!    earlier reset had already torn the connection down, so this one only
//!    answers a segment for a socket no longer there ([`consequence`];
//!    whoever sent it, a device answering for a dead socket included);
//! 2. a packet the capturing host's firewall singled out and rejected, as
//!    NFLOG logged it ([`link`]);
//! 3. a RST forged on the path (the signals say middlebox): a SYN answered
//!    while the real SYN-ACK still came (a race, not a refusal), a refused
//!    SYN, state expired after idle, an invalid segment rejected, else
//!    injected ([`path`]); a host's own firewall rejecting an INVALID
//!    segment with netfilter's numbers ([`path`]);
//! 4. probes and scans, a SYN the sender reset and then accepted (a decoy
//!    crafted on its host), refusals of a SYN, a challenge ACK answered from
//!    SYN-SENT, an unacceptable ACK rejected in SYN-SENT, a connection
//!    its opener no longer wanted or never used ([`probe`], [`handshake`]);
//! 5. how the connection was closing: a FIN never acknowledged, data after
//!    a close, an endpoint's stack answering with no socket for the
//!    connection ([`consequence`]), both FINs, the sender's own FIN (its
//!    stack's connection-less form: data after the close, else an abort)
//!    ([`idle`], [`close`]);
//! 6. a sender giving up or a host that lost the connection: a window that
//!    stayed shut, retransmissions, the peer retransmitting into a rebooted
//!    host, a text naming a timeout, a request left unanswered, idle ([`idle`]);
//! 7. a bare RST answering data at its ACK: a stack with no socket for the
//!    connection ([`close`]);
//! 8. the same RST again and again with nothing else: a lost connection
//!    ([`consequence`]);
//! 9. nothing seen to explain it, else an application abort mid-connection ([`close`]).
//!
//! A new rule is one function here and its place in [`RULES`], with tests
//! named for the situation in `tests/engine.rs`.

mod close;
pub mod consequence;
mod handshake;
mod idle;
mod link;
mod path;
mod payload;
mod probe;

use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use super::facts::Facts;
use crate::report::{Cause, Evidence, Fact, Origin, SubCause};

/// A rule's conclusion.
pub struct Decision {
    pub cause: Cause,
    pub sub_cause: Option<SubCause>,
    pub evidence: Vec<Evidence>,
    /// The idle gap that explains an idle timeout.
    pub idle_ns: Option<i64>,
    /// Retransmissions behind a give-up, when not the data run the
    /// connection tracked (a FIN's).
    pub retransmissions: Option<u32>,
    /// Who emitted the RST, when the rule's evidence settles it against
    /// the origin signals (which it then explains).
    pub origin: Option<Origin>,
    /// The frame of the earlier reset this one followed from.
    pub consequence_of: Option<u64>,
}

impl Decision {
    fn new(cause: Cause) -> Self {
        Self {
            cause,
            sub_cause: None,
            evidence: Vec::new(),
            idle_ns: None,
            retransmissions: None,
            origin: None,
            consequence_of: None,
        }
    }

    fn emitted_by(mut self, origin: Origin) -> Self {
        self.origin = Some(origin);
        self
    }

    fn sub(mut self, sub: SubCause) -> Self {
        self.sub_cause = Some(sub);
        self
    }

    fn because(mut self, fact: Fact, points_to: Origin) -> Self {
        self.evidence.push(Evidence::of(fact, points_to));
        self
    }

    fn idle(mut self, idle_ns: i64) -> Self {
        self.idle_ns = Some(idle_ns);
        self
    }

    fn after(mut self, root_frame: u64) -> Self {
        self.consequence_of = Some(root_frame);
        self
    }
}

/// Which rule decided a verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    DiagnosticReason,
    MptcpReason,
    RelayedReset,
    CraftedFlags,
    ScannerKernel,
    PathSynRace,
    PurgedAfterClose,
    AfterTeardown,
    LoggedReject,
    PathRefusal,
    PathStateExpired,
    PathInvalidSegment,
    PathInjection,
    HostReject,
    StealthProbe,
    ConnectProbe,
    ScanRefused,
    AcceptedAfterOwnReset,
    SynSentRejects,
    Refused,
    RefusedUnseen,
    ChallengeAckAnswered,
    SpeculativeConnect,
    NeverUsed,
    HalfOpenScan,
    ScannerAbort,
    FinGiveUp,
    OwnSeriesAfterFin,
    DataAfterClose,
    SocketlessAnswer,
    AfterBothFins,
    ConnectionlessAfterFin,
    AfterOwnFin,
    ZeroWindowStall,
    RetransmitGiveUp,
    PeerLostConnection,
    RequestTimeout,
    PayloadTimeout,
    SilenceThenReset,
    StateForgotten,
    NoSocketAnswer,
    LostConnection,
    AbortForm,
    RefusalForm,
    NoContext,
    MidConnection,
}

type RuleFn = fn(&Facts<'_>) -> Option<Decision>;

/// Every rule, in precedence order.
const RULES: &[(Rule, RuleFn)] = &[
    (Rule::DiagnosticReason, payload::diagnostic_reason),
    (Rule::MptcpReason, payload::mptcp_reason),
    (Rule::RelayedReset, payload::relayed_reset),
    (Rule::CraftedFlags, probe::crafted_flags),
    (Rule::ScannerKernel, probe::scanner_kernel),
    (Rule::PathSynRace, path::syn_race),
    (Rule::PurgedAfterClose, path::purged_after_close),
    (Rule::AfterTeardown, consequence::after_teardown),
    (Rule::LoggedReject, link::logged_reject),
    (Rule::PathRefusal, path::refusal),
    (Rule::PathStateExpired, path::state_expired),
    (Rule::PathInvalidSegment, path::invalid_segment),
    (Rule::PathInjection, path::injection),
    (Rule::HostReject, path::host_reject),
    (Rule::StealthProbe, probe::stealth),
    (Rule::ConnectProbe, probe::connect),
    (Rule::ScanRefused, probe::scan_refused),
    (
        Rule::AcceptedAfterOwnReset,
        handshake::accepted_after_own_reset,
    ),
    (Rule::Refused, handshake::refused),
    (Rule::RefusedUnseen, handshake::refused_unseen),
    (
        Rule::ChallengeAckAnswered,
        handshake::challenge_ack_answered,
    ),
    (Rule::SynSentRejects, handshake::syn_sent_rejects),
    (Rule::SpeculativeConnect, handshake::speculative_connect),
    (Rule::NeverUsed, handshake::never_used),
    (Rule::HalfOpenScan, handshake::half_open_scan),
    (Rule::ScannerAbort, probe::scanner_abort),
    (Rule::FinGiveUp, idle::fin_give_up),
    (Rule::OwnSeriesAfterFin, close::own_series_after_fin),
    (Rule::DataAfterClose, close::data_after_close),
    (Rule::SocketlessAnswer, consequence::socketless_answer),
    (Rule::AfterBothFins, close::after_both_fins),
    (
        Rule::ConnectionlessAfterFin,
        close::connectionless_after_fin,
    ),
    (Rule::AfterOwnFin, close::after_own_fin),
    (Rule::ZeroWindowStall, idle::zero_window_stall),
    (Rule::RetransmitGiveUp, idle::retransmit_give_up),
    (Rule::PeerLostConnection, idle::peer_lost_connection),
    (Rule::PayloadTimeout, payload::says_timeout),
    (Rule::RequestTimeout, idle::request_timeout),
    (Rule::SilenceThenReset, idle::silence_then_reset),
    (Rule::StateForgotten, idle::state_forgotten),
    (Rule::NoSocketAnswer, close::no_socket_answer),
    (Rule::LostConnection, consequence::lost_connection),
    (Rule::AbortForm, close::abort_form),
    (Rule::RefusalForm, close::refusal_form),
    (Rule::NoContext, close::no_context),
];

/// What the rules made of one RST.
pub struct Decided {
    /// The rule that decided the cause.
    pub rule: Rule,
    pub decision: Decision,
    /// The first later rule that decides another cause, or another
    /// emitter, on the same facts: a rival reading, so the verdict is
    /// contested.
    pub rival: Option<Decision>,
}

/// The cause of the RST `facts` describe, the rule that decided it, and
/// its rival.
pub fn decide(facts: &Facts<'_>) -> Decided {
    let mut rest = RULES.iter();
    let Some((rule, decision)) = rest.by_ref().find_map(|(rule, f)| Some((*rule, f(facts)?)))
    else {
        return Decided {
            rule: Rule::MidConnection,
            decision: close::mid_connection(facts),
            rival: None,
        };
    };
    let origin = decision.origin.unwrap_or(facts.origin);
    let rival = rest
        .filter_map(|(_, f)| f(facts))
        .find(|other| contests(&decision, origin, other));
    Decided {
        rule,
        decision,
        rival,
    }
}

/// Whether `other` names another cause than `decided`, or says another
/// known emitter than the verdict's known `origin` sent the RST; a rule
/// that can only say nothing explains the RST contests nothing.
fn contests(decided: &Decision, origin: Origin, other: &Decision) -> bool {
    let cannot_tell = other.cause == Cause::Unknown && other.sub_cause.is_none();
    let known = |o: Origin| o != Origin::Unknown;
    let other_emitter = other
        .origin
        .is_some_and(|o| known(o) && known(origin) && o != origin);
    !cannot_tell && (other.cause != decided.cause || other_emitter)
}

/// The evidence of a rival reading: that the packets also fit its cause,
/// and the fact it rests on. Both point to no origin: they argue about
/// the cause, not about who sent the RST.
pub fn rival_evidence(rival: Decision, evidence: &[Evidence]) -> Vec<Evidence> {
    let also = Fact::AlsoFits {
        cause: rival.cause,
        sub_cause: rival.sub_cause,
    };
    let mut out = alloc::vec![Evidence::of(also, Origin::Unknown)];
    let decisive = rival.evidence.into_iter().next();
    if let Some(mut item) = decisive.filter(|e| evidence.iter().all(|had| had.fact != e.fact)) {
        item.points_to = Origin::Unknown;
        out.push(item);
    }
    out
}
