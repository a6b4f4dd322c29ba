//! Why a RST was sent: a list of small rules, each looking at the
//! [`Facts`] of one RST and either deciding its cause, with the evidence,
//! or passing. The first rule that decides wins, so the order below is the
//! precedence, most specific first:
//!
//! 1. what the RST says about itself: a diagnostic reason code, a proxy
//!    relaying its backend's reset, flags no stack sends ([`payload`], [`probe`]);
//! 2. a RST forged on the path (the signals say middlebox): a refused SYN,
//!    an invalid segment rejected, state expired after idle, else injected ([`path`]);
//! 3. probes and scans, and refusals of a SYN ([`probe`], [`handshake`]);
//! 4. how the connection was closing: FINs, data after a close ([`close`]);
//! 5. a sender giving up: retransmissions, a text naming a timeout, idle ([`idle`]);
//! 6. nothing seen to explain it, else an application abort mid-connection ([`close`]).
//!
//! A new rule is one function here and its place in [`RULES`], with tests
//! named for the situation in `tests/engine.rs`.

mod close;
mod handshake;
mod idle;
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
    /// How clearly the connection's shape points at this cause, in [0, 1].
    pub certainty: f32,
    pub evidence: Vec<Evidence>,
    /// The idle gap that explains an idle timeout.
    pub idle_ns: Option<i64>,
}

impl Decision {
    fn new(cause: Cause, certainty: f32) -> Self {
        Self {
            cause,
            sub_cause: None,
            certainty,
            evidence: Vec::new(),
            idle_ns: None,
        }
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
}

/// Which rule decided a verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    DiagnosticReason,
    RelayedReset,
    CraftedFlags,
    PathRefusal,
    PathInvalidSegment,
    PathStateExpired,
    PathInjection,
    StealthProbe,
    ConnectProbe,
    ScanRefused,
    Refused,
    HalfOpenScan,
    ScannerAbort,
    AfterBothFins,
    DataAfterClose,
    AfterOwnFin,
    RetransmitGiveUp,
    PayloadTimeout,
    SilenceThenReset,
    StateForgotten,
    NoContext,
    MidConnection,
}

type RuleFn = fn(&Facts<'_>) -> Option<Decision>;

/// Every rule, in precedence order.
const RULES: &[(Rule, RuleFn)] = &[
    (Rule::DiagnosticReason, payload::diagnostic_reason),
    (Rule::RelayedReset, payload::relayed_reset),
    (Rule::CraftedFlags, probe::crafted_flags),
    (Rule::PathRefusal, path::refusal),
    (Rule::PathInvalidSegment, path::invalid_segment),
    (Rule::PathStateExpired, path::state_expired),
    (Rule::PathInjection, path::injection),
    (Rule::StealthProbe, probe::stealth),
    (Rule::ConnectProbe, probe::connect),
    (Rule::ScanRefused, probe::scan_refused),
    (Rule::Refused, handshake::refused),
    (Rule::HalfOpenScan, handshake::half_open_scan),
    (Rule::ScannerAbort, probe::scanner_abort),
    (Rule::AfterBothFins, close::after_both_fins),
    (Rule::DataAfterClose, close::data_after_close),
    (Rule::AfterOwnFin, close::after_own_fin),
    (Rule::RetransmitGiveUp, idle::retransmit_give_up),
    (Rule::PayloadTimeout, payload::says_timeout),
    (Rule::SilenceThenReset, idle::silence_then_reset),
    (Rule::StateForgotten, idle::state_forgotten),
    (Rule::NoContext, close::no_context),
];

/// The cause of the RST `facts` describe, and the rule that decided it.
pub fn decide(facts: &Facts<'_>) -> (Rule, Decision) {
    RULES
        .iter()
        .find_map(|(rule, f)| Some((*rule, f(facts)?)))
        .unwrap_or_else(|| (Rule::MidConnection, close::mid_connection(facts)))
}
