//! Why a RST was sent, from the connection's shape around it and the
//! origin already concluded (rst-signals.md, "Why resets happen").

use alloc::vec::Vec;

use super::payload;
use super::probe;
use super::record::ResetRecord;
use super::role;
use crate::decode::flags;
use crate::report::{Cause, Evidence, Fact, Origin, Stage, SubCause};
use crate::track::seq;

/// Silence this long before a RST (or before the packet it answers) makes
/// an idle timeout the explanation: NAT and firewall timeouts are minutes.
pub const IDLE_NS: i64 = 30_000_000_000;
/// Retransmissions of the same data before a RST that mean "gave up".
const GIVE_UP_RETRANSMISSIONS: u32 = 3;

pub struct CauseVerdict {
    pub cause: Cause,
    pub sub_cause: Option<SubCause>,
    /// How clearly the connection's shape points at this cause, in [0, 1].
    pub certainty: f32,
    pub evidence: Vec<Evidence>,
    /// The idle gap that explains an idle timeout.
    pub idle_ns: Option<i64>,
}

impl CauseVerdict {
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
}

/// Picks the cause of a RST whose origin is `origin`.
pub fn decide(
    r: &ResetRecord,
    origin: Origin,
    stage: Stage,
    tampering_signs: bool,
    scanner: bool,
) -> CauseVerdict {
    let s = &r.snapshot;
    let who = role(r.side);
    let trigger = r.trigger();
    let idle_before_trigger = trigger.map(|t| t.gap_before_ns).filter(|g| *g >= IDLE_NS);
    let answers_syn = s.peer.isn.is_some()
        && s.sender.isn.is_none()
        && s.sender.snd_nxt.is_none()
        && s.peer.data_packets == 0
        && s.peer.last.is_some_and(|l| l.flags & flags::SYN != 0);
    let by = if origin == Origin::Middlebox {
        Origin::Middlebox
    } else {
        origin
    };

    if let Some(code) = r.report.reason_code {
        let cause = match code {
            3 => Some(Cause::ClosedSocket),
            4 | 5 => Some(Cause::AppAbort),
            7 => Some(Cause::OutOfWindow),
            6 | 14 => Some(Cause::IdleTimeout),
            12 | 13 => Some(Cause::Refused),
            17 => Some(Cause::Injected),
            _ => None,
        };
        if let Some(cause) = cause {
            return CauseVerdict::new(cause, 0.95).because(Fact::DiagnosticReason { code }, by);
        }
    }

    if let Some(text) = r
        .report
        .payload_text
        .as_deref()
        .filter(|t| payload::relays_remote_reset(t))
    {
        return CauseVerdict::new(Cause::AppAbort, 0.7)
            .sub(SubCause::BackendReset)
            .because(Fact::RelayedReset { text: text.into() }, by);
    }

    if probe::crafted_rst(r.flags) {
        let flags = r.report.flags.clone();
        return CauseVerdict::new(Cause::Scan, 0.6)
            .sub(SubCause::CraftedFlags)
            .because(Fact::CraftedFlags { flags }, Origin::Unknown);
    }

    if origin == Origin::Middlebox {
        if answers_syn {
            return CauseVerdict::new(Cause::Refused, 0.9)
                .sub(SubCause::FirewallReject)
                .because(Fact::AnswersSynInName { role: who }, by);
        }
        if let Some(t) = trigger.filter(|t| t.retransmission || t.out_of_window) {
            let fact = Fact::AnswersInvalidSegment {
                role: who,
                frame: t.frame,
                seq: t.seq,
                out_of_window: t.out_of_window,
            };
            return CauseVerdict::new(Cause::OutOfWindow, 0.9).because(fact, by);
        }
        if let Some(idle) = idle_before_trigger {
            let fact = Fact::IdleBeforeTrigger {
                role: who,
                idle_ns: idle,
            };
            let mut v = CauseVerdict::new(Cause::IdleTimeout, 0.9)
                .sub(SubCause::StateExpired)
                .because(fact, by);
            v.idle_ns = Some(idle);
            return v;
        }
        let early = matches!(stage, Stage::PostAck | Stage::PostPsh);
        let certainty = if tampering_signs || early { 0.85 } else { 0.6 };
        return CauseVerdict::new(Cause::Injected, certainty)
            .because(Fact::ForgedUnexplained { role: who }, by);
    }

    if let Some(kind) = probe::stealth(s).filter(|_| r.side == crate::track::Side::Server) {
        return CauseVerdict::new(Cause::Scan, 0.9)
            .sub(probe::sub_cause(kind))
            .because(
                Fact::StealthProbe {
                    role: who,
                    probe: kind,
                },
                by,
            );
    }
    if let Some(after) =
        probe::connect_probe(s, r.ts_ns).filter(|_| r.side == crate::track::Side::Client)
    {
        let fact = Fact::ConnectProbe {
            role: who,
            after_ns: after,
            scanner,
        };
        return if scanner {
            CauseVerdict::new(Cause::Scan, 0.85)
                .sub(SubCause::ConnectScan)
                .because(fact, by)
        } else {
            CauseVerdict::new(Cause::AppAbort, 0.7)
                .sub(SubCause::ConnectProbe)
                .because(fact, by)
        };
    }

    // A closed port answering a scanner is still a refusal (that is what the
    // server did); the scan is the context, kept in the sub-cause.
    if answers_syn && scanner && r.side == crate::track::Side::Server {
        return CauseVerdict::new(Cause::Refused, 0.9)
            .sub(SubCause::ScanProbe)
            .because(Fact::PortSweep { role: who }, by);
    }
    if answers_syn {
        return CauseVerdict::new(Cause::Refused, 0.9).because(Fact::AnswersSyn { role: who }, by);
    }
    let scan = r.side == crate::track::Side::Client
        && s.peer.isn.is_some()
        && s.ack_ns.is_none()
        && s.sender.data_packets == 0
        && s.sender.last.is_some_and(|l| l.flags & flags::SYN != 0);
    if scan {
        return CauseVerdict::new(Cause::Scan, 0.85)
            .sub(SubCause::HalfOpen)
            .because(Fact::HalfOpen { role: who }, by);
    }
    if scanner
        && r.side == crate::track::Side::Client
        && s.sender.data_packets == 0
        && matches!(stage, Stage::PostSyn | Stage::PostAck)
    {
        return CauseVerdict::new(Cause::Scan, 0.8)
            .sub(SubCause::ScannerAbort)
            .because(Fact::ScannerAbort { role: who }, by);
    }
    if s.sender.fin_seq.is_some() && s.peer.fin_seq.is_some() {
        return CauseVerdict::new(Cause::GracefulClose, 0.9)
            .sub(SubCause::RstAfterFin)
            .because(Fact::BothFin, by);
    }
    if let Some(fin) = s.sender.fin_seq {
        if let Some(t) = trigger.filter(|t| t.payload_len > 0) {
            let fact = Fact::DataAfterClose {
                role: who,
                fin_seq: fin,
                bytes: t.payload_len,
            };
            return CauseVerdict::new(Cause::ClosedSocket, 0.9)
                .sub(SubCause::DataAfterClose)
                .because(fact, by);
        }
        return CauseVerdict::new(Cause::GracefulClose, 0.75)
            .sub(SubCause::RstAfterFin)
            .because(
                Fact::AfterOwnFin {
                    role: who,
                    fin_seq: fin,
                },
                by,
            );
    }
    let sender = &s.sender;
    let unacked = sender
        .snd_nxt
        .zip(s.peer.last_ack)
        .is_some_and(|(nxt, acked)| seq::after(nxt, acked));
    if sender.rexmit_run >= GIVE_UP_RETRANSMISSIONS && unacked {
        let span = sender.rexmit_last_ns.saturating_sub(sender.rexmit_first_ns);
        let fact = Fact::GaveUp {
            role: who,
            retransmissions: sender.rexmit_run,
            over_ns: span,
        };
        return CauseVerdict::new(Cause::RetransmitTimeout, 0.9).because(fact, by);
    }
    if let Some(text) = r
        .report
        .payload_text
        .as_deref()
        .filter(|t| payload::mentions_timeout(t))
    {
        let mut v = CauseVerdict::new(Cause::IdleTimeout, 0.9)
            .because(Fact::PayloadSays { text: text.into() }, by);
        if s.gap_before_ns >= IDLE_NS {
            v.idle_ns = Some(s.gap_before_ns);
        }
        return v;
    }
    if trigger.is_none() && s.gap_before_ns >= IDLE_NS {
        let fact = Fact::SilenceThenReset {
            role: who,
            silence_ns: s.gap_before_ns,
        };
        let mut v = CauseVerdict::new(Cause::IdleTimeout, 0.8).because(fact, by);
        v.idle_ns = Some(s.gap_before_ns);
        return v;
    }
    if let Some(idle) = idle_before_trigger {
        let fact = Fact::IdleForgotten {
            role: who,
            idle_ns: idle,
        };
        let mut v = CauseVerdict::new(Cause::IdleTimeout, 0.7)
            .sub(SubCause::StateExpired)
            .because(fact, by);
        v.idle_ns = Some(idle);
        return v;
    }
    if stage == Stage::Unknown {
        return CauseVerdict::new(Cause::Unknown, 0.3).because(Fact::NoContext, Origin::Unknown);
    }
    let fact = match trigger {
        Some(t) => Fact::MidConnectionAnswer {
            role: who,
            bytes: t.payload_len,
        },
        None => Fact::MidConnectionAfter {
            gap_ns: s.gap_before_ns,
        },
    };
    CauseVerdict::new(Cause::AppAbort, 0.6).because(fact, by)
}
