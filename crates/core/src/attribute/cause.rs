//! Why a RST was sent, from the connection's shape around it and the
//! origin already concluded (rst-signals.md, "Why resets happen").

use alloc::format;
use alloc::string::ToString;
use alloc::vec::Vec;

use super::origin::ms;
use super::payload;
use super::probe;
use super::record::ResetRecord;
use crate::decode::flags;
use crate::report::{Cause, Evidence, Origin, Stage};
use crate::track::seq;

/// Silence this long before a RST (or before the packet it answers) makes
/// an idle timeout the explanation: NAT and firewall timeouts are minutes.
pub const IDLE_NS: i64 = 30_000_000_000;
/// Retransmissions of the same data before a RST that mean "gave up".
const GIVE_UP_RETRANSMISSIONS: u32 = 3;

pub struct CauseVerdict {
    pub cause: Cause,
    pub sub_cause: Option<&'static str>,
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

    fn sub(mut self, sub: &'static str) -> Self {
        self.sub_cause = Some(sub);
        self
    }

    fn because(mut self, signal: &str, points_to: Origin, finding: alloc::string::String) -> Self {
        self.evidence.push(Evidence {
            signal: signal.to_string(),
            finding,
            points_to,
        });
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
    let (who, peer_name) = (r.side.name(), r.side.other().name());
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
            return CauseVerdict::new(cause, 0.95).because(
                "payload",
                by,
                format!(
                    "diagnostic reason code {code}: {}",
                    payload::reason_name(code)
                ),
            );
        }
    }

    if let Some(text) = r
        .report
        .payload_text
        .as_deref()
        .filter(|t| payload::relays_remote_reset(t))
    {
        return CauseVerdict::new(Cause::AppAbort, 0.7)
            .sub("backend-reset")
            .because(
                "payload",
                by,
                format!("the proxy passes on a reset from the far side (\"{text}\"): the backend aborted"),
            );
    }

    if probe::crafted_rst(r.flags) {
        return CauseVerdict::new(Cause::Scan, 0.6)
            .sub("crafted-flags")
            .because(
                "flags",
                Origin::Unknown,
                format!(
                    "the RST also carries SYN ({}): no TCP stack sends that, a scanner or fuzzer crafted it",
                    r.report.flags
                ),
            );
    }

    if origin == Origin::Middlebox {
        if answers_syn {
            return CauseVerdict::new(Cause::Refused, 0.9)
                .sub("firewall-reject")
                .because(
                    "handshake",
                    by,
                    format!("answers the {peer_name}'s SYN in the {who}'s name"),
                );
        }
        if let Some(t) = trigger.filter(|t| t.retransmission || t.out_of_window) {
            let what = if t.out_of_window {
                "an out-of-window"
            } else {
                "a retransmitted"
            };
            return CauseVerdict::new(Cause::OutOfWindow, 0.9).because(
                "retransmit",
                by,
                format!(
                    "answers {what} segment from the {peer_name} (frame {}, seq {})",
                    t.frame, t.seq
                ),
            );
        }
        if let Some(idle) = idle_before_trigger {
            let mut v = CauseVerdict::new(Cause::IdleTimeout, 0.9).sub("state-expired").because(
                "idle",
                by,
                format!("the connection was idle {} before the {peer_name}'s packet this RST answers", ms(idle)),
            );
            v.idle_ns = Some(idle);
            return v;
        }
        let early = matches!(stage, Stage::PostAck | Stage::PostPsh);
        let certainty = if tampering_signs || early { 0.85 } else { 0.6 };
        return CauseVerdict::new(Cause::Injected, certainty).because(
            "stage",
            by,
            format!("forged in the {who}'s name with no idle gap or invalid segment to explain it"),
        );
    }

    if let Some(kind) = probe::stealth(s).filter(|_| r.side == crate::track::Side::Server) {
        return CauseVerdict::new(Cause::Scan, 0.9)
            .sub(kind.sub_cause())
            .because(
                "scan",
                by,
                format!(
                    "the {peer_name}'s only packet was {} with no handshake: a stealth port probe, which a closed port answers with RST",
                    kind.describe()
                ),
            );
    }
    if let Some(after) =
        probe::connect_probe(s, r.ts_ns).filter(|_| r.side == crate::track::Side::Client)
    {
        let finding = format!(
            "the {who} completed the handshake and reset {} later without sending or receiving data",
            ms(after)
        );
        return if scanner {
            CauseVerdict::new(Cause::Scan, 0.85)
                .sub("connect-scan")
                .because(
                    "scan",
                    by,
                    format!("{finding}; it probed many ports or hosts: a connect() scan"),
                )
        } else {
            CauseVerdict::new(Cause::AppAbort, 0.7)
                .sub("connect-probe")
                .because("stage", by, format!("{finding}: a port check (load-balancer health check, monitoring or a connect() scan)"))
        };
    }

    // A closed port answering a scanner is still a refusal (that is what the
    // server did); the scan is the context, kept in the sub-cause.
    if answers_syn && scanner && r.side == crate::track::Side::Server {
        return CauseVerdict::new(Cause::Refused, 0.9)
            .sub("scan-probe")
            .because(
                "scan",
                by,
                format!("the {peer_name} swept many ports with SYNs: a port scan, and this closed port answered"),
            );
    }
    if answers_syn {
        return CauseVerdict::new(Cause::Refused, 0.9).because(
            "handshake",
            by,
            format!("answers the {peer_name}'s SYN: nothing accepted the connection"),
        );
    }
    let scan = r.side == crate::track::Side::Client
        && s.peer.isn.is_some()
        && s.ack_ns.is_none()
        && s.sender.data_packets == 0
        && s.sender.last.is_some_and(|l| l.flags & flags::SYN != 0);
    if scan {
        return CauseVerdict::new(Cause::Scan, 0.85)
            .sub("half-open")
            .because(
                "handshake",
                by,
                format!(
                    "the {who} answered the SYN-ACK with RST instead of completing the handshake"
                ),
            );
    }
    if scanner
        && r.side == crate::track::Side::Client
        && s.sender.data_packets == 0
        && matches!(stage, Stage::PostSyn | Stage::PostAck)
    {
        return CauseVerdict::new(Cause::Scan, 0.8)
            .sub("scanner-abort")
            .because(
                "scan",
                by,
                format!("the {who} swept many ports with SYNs: a port scanner dropping the connection it probed"),
            );
    }
    if s.sender.fin_seq.is_some() && s.peer.fin_seq.is_some() {
        return CauseVerdict::new(Cause::GracefulClose, 0.9)
            .sub("rst-after-fin")
            .because(
                "fin",
                by,
                "both sides had sent FIN: the data was delivered, the RST only tears down"
                    .to_string(),
            );
    }
    if let Some(fin) = s.sender.fin_seq {
        if let Some(t) = trigger.filter(|t| t.payload_len > 0) {
            return CauseVerdict::new(Cause::ClosedSocket, 0.9).sub("data-after-close").because(
                "fin",
                by,
                format!("the {who} had closed (FIN at seq {fin}); the {peer_name} still sent {} bytes", t.payload_len),
            );
        }
        return CauseVerdict::new(Cause::GracefulClose, 0.75)
            .sub("rst-after-fin")
            .because(
                "fin",
                by,
                format!("the {who} had already sent its FIN (seq {fin})"),
            );
    }
    let sender = &s.sender;
    let unacked = sender
        .snd_nxt
        .zip(s.peer.last_ack)
        .is_some_and(|(nxt, acked)| seq::after(nxt, acked));
    if sender.rexmit_run >= GIVE_UP_RETRANSMISSIONS && unacked {
        let span = sender.rexmit_last_ns.saturating_sub(sender.rexmit_first_ns);
        return CauseVerdict::new(Cause::RetransmitTimeout, 0.9).because(
            "retransmit",
            by,
            format!(
                "the {who} retransmitted the same data {} times over {} without an ACK, then reset",
                sender.rexmit_run,
                ms(span)
            ),
        );
    }
    if let Some(text) = r
        .report
        .payload_text
        .as_deref()
        .filter(|t| payload::mentions_timeout(t))
    {
        let mut v = CauseVerdict::new(Cause::IdleTimeout, 0.9).because(
            "payload",
            by,
            format!("the RST says \"{text}\""),
        );
        if s.gap_before_ns >= IDLE_NS {
            v.idle_ns = Some(s.gap_before_ns);
        }
        return v;
    }
    if trigger.is_none() && s.gap_before_ns >= IDLE_NS {
        let mut v = CauseVerdict::new(Cause::IdleTimeout, 0.8).because(
            "idle",
            by,
            format!(
                "{} of silence, then the {who} reset on its own",
                ms(s.gap_before_ns)
            ),
        );
        v.idle_ns = Some(s.gap_before_ns);
        return v;
    }
    if let Some(idle) = idle_before_trigger {
        let mut v = CauseVerdict::new(Cause::IdleTimeout, 0.7).sub("state-expired").because(
            "idle",
            by,
            format!("idle {} before the {peer_name}'s packet: the {who} had forgotten the connection", ms(idle)),
        );
        v.idle_ns = Some(idle);
        return v;
    }
    if stage == Stage::Unknown {
        return CauseVerdict::new(Cause::Unknown, 0.3).because(
            "handshake",
            Origin::Unknown,
            "no handshake or data seen on this connection to explain the RST".to_string(),
        );
    }
    let finding = match trigger {
        Some(t) => format!(
            "in-window RST mid-connection, answering the {peer_name}'s {}-byte segment",
            t.payload_len
        ),
        None => format!(
            "in-window RST mid-connection, {} after the last packet",
            ms(s.gap_before_ns)
        ),
    };
    CauseVerdict::new(Cause::AppAbort, 0.6).because("stage", by, finding)
}
