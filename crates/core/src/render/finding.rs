//! The sentence of each kind of evidence.

use alloc::format;
use alloc::string::{String, ToString};

use super::{duration, reason_name};
use crate::report::{Counter, Fact, IpIdPattern, Probe, SegmentFlaw, VantagePoint};
use crate::track::baseline::initial_ttl;

/// What `fact` says, in one sentence with its numbers.
pub fn finding(fact: &Fact) -> String {
    match fact {
        Fact::DiagnosticCode { .. }
        | Fact::DiagnosticReason { .. }
        | Fact::BigIpText { .. }
        | Fact::RelayedReset { .. }
        | Fact::PayloadSays { .. }
        | Fact::MptcpReset { .. }
        | Fact::CraftedFlags { .. } => payload(fact),
        Fact::TtlInitial { .. }
        | Fact::TtlAsConnection { .. }
        | Fact::TtlAsHostNotConnection { .. }
        | Fact::TtlDiffersConnection { .. }
        | Fact::TtlAsHost { .. }
        | Fact::TtlDiffersHost { .. }
        | Fact::TtlAlone { .. } => ttl(fact),
        Fact::DfMissing { .. }
        | Fact::IpIdZeroUnexpected { .. }
        | Fact::IpIdZeroDf
        | Fact::IpIdCopiesTrigger { .. }
        | Fact::IpIdCopiesAsSender { .. }
        | Fact::IpIdContinues { .. }
        | Fact::IpIdBreaks { .. }
        | Fact::IpIdNotZero { .. } => ip_id(fact),
        Fact::AckZero { .. }
        | Fact::AckBeyond { .. }
        | Fact::AckIsnPlusOne { .. }
        | Fact::SeqExact { .. }
        | Fact::SeqIsPeerAck { .. }
        | Fact::SeqInWindow { .. }
        | Fact::SeqOutsideWindow { .. } => numbers(fact),
        Fact::TimingEarly { .. }
        | Fact::TimingInLine { .. }
        | Fact::RaceData { .. }
        | Fact::RacePackets { .. }
        | Fact::Repeat { .. }
        | Fact::RstRepeated { .. }
        | Fact::CaptureCopy { .. } => timing(fact),
        Fact::VantagePastLimits
        | Fact::VantageNoConnection { .. }
        | Fact::VantageBothNearerThere { .. }
        | Fact::VantageBoth { .. }
        | Fact::VantageNotWatching { .. }
        | Fact::VantageMadeOnPath { .. }
        | Fact::VantageDroppedOnPath { .. }
        | Fact::VantageOneSideOnly { .. }
        | Fact::VantageSameCapture => vantage(fact),
        Fact::AnswersSynInName { .. }
        | Fact::AnswersInvalidSegment { .. }
        | Fact::IdleBeforeTrigger { .. }
        | Fact::ForgedUnexplained { .. }
        | Fact::SharedAddress { .. }
        | Fact::StealthProbe { .. }
        | Fact::ConnectProbe { .. }
        | Fact::PortSweep { .. }
        | Fact::AnswersSyn { .. }
        | Fact::HalfOpen { .. }
        | Fact::ScannerAbort { .. }
        | Fact::ScannerKernel { .. } => shape(fact),
        Fact::BothFin
        | Fact::DataAfterClose { .. }
        | Fact::AfterOwnFin { .. }
        | Fact::OwnSeriesAfterFin { .. }
        | Fact::ConnectionlessAfterFin { .. }
        | Fact::AfterTeardown { .. }
        | Fact::SocketlessAnswer { .. }
        | Fact::LostConnection { .. }
        | Fact::GaveUp { .. }
        | Fact::SilenceThenReset { .. }
        | Fact::IdleForgotten { .. }
        | Fact::NoContext
        | Fact::AlsoFits { .. }
        | Fact::AbortForm { .. }
        | Fact::AbortAfterOwn { .. }
        | Fact::RefusalForm { .. }
        | Fact::RefusalWithData { .. }
        | Fact::MidConnectionAnswer { .. }
        | Fact::MidConnectionAfter { .. } => close(fact),
        Fact::SynAckAfterReset { .. }
        | Fact::AcceptedAfterOwnReset { .. }
        | Fact::SynSentRejects { .. }
        | Fact::FinGaveUp { .. }
        | Fact::DeviceSilenceReset { .. }
        | Fact::PurgedAfterClose { .. }
        | Fact::UnwantedConnection { .. }
        | Fact::KernelSyn { .. }
        | Fact::NeverUsed { .. }
        | Fact::ChallengeAckAnswered { .. }
        | Fact::RequestUnanswered { .. }
        | Fact::WindowStayedShut { .. }
        | Fact::PeerRetransmitting { .. } => giving_up(fact),
        Fact::InvalidTrigger { .. } | Fact::RejectNumbers { .. } => rejected(fact),
        Fact::NoSocketAnswer { role, frame, bytes } => format!(
            "a bare RST (no ACK flag) at the sequence number the {}'s {bytes}-byte segment (frame {frame}) acknowledged: the answer of a {role} stack with no socket for the connection (an application's abort carries ACK)",
            role.other()
        ),
        Fact::WifiLink { .. } | Fact::NflogRule { .. } | Fact::Process { .. } => {
            super::link::finding(fact)
        }
    }
}

fn payload(fact: &Fact) -> String {
    match fact {
        Fact::DiagnosticCode { code: code @ 17, .. } => format!(
            "diagnostic payload (0x33AA) reason code {code}: {}",
            reason_name(*code)
        ),
        Fact::DiagnosticCode { role, code } => format!(
            "diagnostic payload (0x33AA) reason code {code} ({}), written by the {role}'s TCP stack",
            reason_name(*code)
        ),
        Fact::DiagnosticReason { code } => {
            format!("diagnostic reason code {code}: {}", reason_name(*code))
        }
        Fact::BigIpText { role, text } => format!(
            "the payload is an F5 BIG-IP reset cause (\"{text}\"): the {role} is a BIG-IP full proxy"
        ),
        Fact::RelayedReset { text } => format!(
            "the proxy passes on a reset from the far side (\"{text}\"): the backend aborted"
        ),
        Fact::PayloadSays { text } => format!("the RST says \"{text}\""),
        Fact::MptcpReset { role, reason } => format!(
            "MPTCP TCPRST option, reason {reason} ({}): the {role}'s MPTCP layer closed this subflow; the MPTCP connection can go on over its other subflows",
            mptcp_reason_name(*reason)
        ),
        Fact::CraftedFlags { flags } => format!(
            "the RST also carries SYN ({flags}): no TCP stack sends that, a scanner or fuzzer crafted it"
        ),
        _ => String::new(),
    }
}

/// RFC 8684 §3.6's MP_TCPRST reason codes.
fn mptcp_reason_name(reason: u8) -> &'static str {
    match reason {
        0 => "unspecified error",
        1 => "MPTCP-specific error",
        2 => "lack of resources",
        3 => "administratively prohibited",
        4 => "too much outstanding data",
        5 => "unacceptable performance",
        6 => "middlebox interference",
        _ => "a code RFC 8684 does not assign",
    }
}

fn usual(ttl: Option<u8>) -> String {
    ttl.map_or_else(|| "?".to_string(), |t| t.to_string())
}

fn ttl(fact: &Fact) -> String {
    match *fact {
        Fact::TtlInitial { role, ttl, packets } => format!(
            "TTL {ttl} is an initial TTL, as on {packets} other packets of the {role}: sent by the capturing host itself"
        ),
        Fact::TtlAsConnection { role, ttl, packets } => {
            format!("TTL {ttl}, as the {role}'s {packets} other packets on this connection")
        }
        Fact::TtlAsHostNotConnection { role, ttl, usual: u, matching, packets } => format!(
            "TTL {ttl} differs from this connection's {} but matches {matching} of the {role}'s {packets} packets overall",
            usual(u)
        ),
        Fact::TtlDiffersConnection { role, ttl, packets, usual: u } => {
            let mut text = format!(
                "TTL {ttl}, the {role}'s other {packets} packets had TTL {}",
                usual(u)
            );
            if let Some(b) = u {
                if initial_ttl(b) != initial_ttl(ttl) {
                    text.push_str(&format!(
                        " (initial TTL {} vs {}: a different machine)",
                        initial_ttl(ttl),
                        initial_ttl(b)
                    ));
                } else {
                    let way = if ttl > b { "nearer" } else { "farther" };
                    let hops = ttl.abs_diff(b);
                    let unit = if hops == 1 { "hop" } else { "hops" };
                    text.push_str(&format!(" ({hops} {unit} {way}: a different machine)"));
                }
            }
            text
        }
        Fact::TtlAsHost { role, ttl, packets } => {
            format!("TTL {ttl}, as the {role}'s {packets} packets on its other connections")
        }
        Fact::TtlDiffersHost { role, ttl, packets, usual: u } => {
            let mut text = format!(
                "TTL {ttl}, the {role}'s {packets} packets on other connections had TTL {}",
                usual(u)
            );
            if let Some(b) = u {
                text.push_str(&format!(
                    " ({} hops apart: a different machine)",
                    ttl.abs_diff(b)
                ));
            }
            text
        }
        Fact::TtlAlone { role, ttl } => {
            format!("TTL {ttl}; no other packet from the {role} to compare it with")
        }
        _ => String::new(),
    }
}

/// How a host's IP-IDs go, as a phrase.
pub fn pattern(p: IpIdPattern) -> &'static str {
    match p {
        IpIdPattern::Global => "one IP-ID counter for all its connections",
        IpIdPattern::PerConnection => "an IP-ID counter per connection",
        IpIdPattern::Zero => "IP-ID 0",
        IpIdPattern::Random => "random IP-IDs",
        IpIdPattern::Unknown => "too few packets to know its IP-ID pattern",
    }
}

fn counter(c: Counter) -> &'static str {
    match c {
        Counter::Global => "global IP-ID counter",
        Counter::Connection => "IP-ID counter on this connection",
    }
}

fn ip_id(fact: &Fact) -> String {
    match *fact {
        Fact::DfMissing { role, packets } => {
            // Counted over the host, not the connection the drawer lists.
            format!("DF not set, while the {role} set DF on all {packets} packets it sent in the capture (its resets aside)")
        }
        Fact::IpIdZeroUnexpected { role, pattern: p } => format!(
            "IP-ID 0, but the {role} uses {} and never sends 0",
            pattern(p)
        ),
        Fact::IpIdZeroDf => "IP-ID 0 with DF, as Linux stacks send connection-less resets".into(),
        Fact::IpIdCopiesTrigger { role, id } => {
            format!("IP-ID {id} copies the {}'s packet it answers", role.other())
        }
        Fact::IpIdCopiesAsSender {
            role,
            id,
            copies,
            packets,
        } => format!(
            "IP-ID {id} copies the {}'s packet it answers, as {copies} of the {role}'s {packets} other packets on this connection copy the {}'s last IP-ID: that stack's own habit, not a forger's",
            role.other(),
            role.other()
        ),
        Fact::IpIdContinues {
            role,
            id,
            last,
            counter: c,
        } => format!(
            "IP-ID {id} continues the {role}'s {} (last {last})",
            counter(c)
        ),
        Fact::IpIdBreaks {
            role,
            id,
            last,
            counter: c,
        } => format!(
            "IP-ID {id} breaks the {role}'s {} (last {last}, step {})",
            counter(c),
            id.wrapping_sub(last)
        ),
        Fact::IpIdNotZero { role, id } => {
            format!("IP-ID {id}, but the {role} always sends IP-ID 0")
        }
        _ => String::new(),
    }
}

fn numbers(fact: &Fact) -> String {
    match *fact {
        Fact::AckZero { role } => format!(
            "RST+ACK with ack 0: the {}'s data was never tracked",
            role.other()
        ),
        Fact::AckBeyond { role, ack, bytes } => format!(
            "ack {ack} acknowledges {bytes} bytes the {} never sent",
            role.other()
        ),
        Fact::AckIsnPlusOne { role, ack, isn } => format!(
            "ack {ack} = the {}'s ISN {isn} + 1: the standard answer to a SYN",
            role.other()
        ),
        Fact::SeqExact { role, seq } => {
            format!("seq {seq} is exactly the {role}'s next sequence number (RFC 5961)")
        }
        Fact::SeqIsPeerAck { role, seq, behind } => format!(
            "seq {seq} equals the {}'s last ACK, but the {role} had sent {behind} more bytes",
            role.other()
        ),
        Fact::SeqInWindow { role, seq, offset } => format!(
            "seq {seq} is {offset} bytes into the {}'s window, not at its edge",
            role.other()
        ),
        Fact::SeqOutsideWindow { role, seq, offset } => format!(
            "seq {seq} is {offset} bytes from the {role}'s next sequence number: outside the window"
        ),
        _ => String::new(),
    }
}

fn timing(fact: &Fact) -> String {
    match *fact {
        Fact::TimingEarly {
            role,
            delay_ns,
            answer_ns,
        } => format!(
            "RST {} after the {}'s packet; the {role} needs {} to answer (its SYN-ACK round trip)",
            duration(delay_ns),
            role.other(),
            duration(answer_ns)
        ),
        Fact::TimingInLine {
            role,
            delay_ns,
            answer_ns,
        } => format!(
            "RST {} after the {}'s packet, in line with the {role}'s {} round trip",
            duration(delay_ns),
            role.other(),
            duration(answer_ns)
        ),
        Fact::RaceData { role, after_ns } => format!(
            "{role} data at +{} after this RST: the {role} never reset",
            duration(after_ns)
        ),
        Fact::RacePackets {
            role,
            packets,
            first_ns,
        } => format!(
            "{packets} {role} packet{} after this RST, the first at +{}",
            if packets == 1 { "" } else { "s" },
            duration(first_ns)
        ),
        Fact::Repeat {
            apart_ns,
            later,
            seq_moves,
            ack_moves,
        } => {
            let when = if later { "later" } else { "earlier" };
            let apart = duration(apart_ns);
            // An ack that did not move is not news.
            if ack_moves == 0 {
                format!("another RST {apart} {when}: seq moves by {seq_moves}")
            } else {
                format!("another RST {apart} {when}: seq moves by {seq_moves}, ack by {ack_moves}")
            }
        }
        Fact::RstRepeated { role, times, seq } => format!(
            "the {role} sent this same RST (seq {seq}) {times} times from these ports and nothing else: one stack answering again and again, not a forger"
        ),
        Fact::CaptureCopy { frame, apart_ns } => format!(
            "the same packet as frame {frame} (same numbers, flags and IP-ID) recorded again {} later: the capture holds packets twice (a doubled capture or a mirror's second copy), so this is that reset, not another",
            duration(apart_ns)
        ),
        _ => String::new(),
    }
}

fn probe(p: Probe) -> &'static str {
    match p {
        Probe::Fin => "a lone FIN (nmap -sF)",
        Probe::Null => "a segment with no flags at all (nmap -sN)",
        Probe::Xmas => "a FIN+PSH+URG segment (nmap -sX)",
    }
}

/// The connection's shape: the evidence of causes.
fn shape(fact: &Fact) -> String {
    match *fact {
        Fact::AnswersSynInName { role } => {
            format!("answers the {}'s SYN in the {role}'s name", role.other())
        }
        Fact::AnswersInvalidSegment { role, frame, seq, out_of_window } => format!(
            "answers {} segment from the {} (frame {frame}, seq {seq})",
            if out_of_window { "an out-of-window" } else { "a retransmitted" },
            role.other()
        ),
        Fact::IdleBeforeTrigger { role, idle_ns } => format!(
            "the connection was idle {} before the {}'s packet this RST answers",
            duration(idle_ns),
            role.other()
        ),
        Fact::ForgedUnexplained { role } => format!(
            "forged in the {role}'s name with no idle gap or invalid segment to explain it"
        ),
        Fact::SharedAddress { role } => format!(
            "only the {role}'s other connections differ, nothing of this one: several machines \
             behind one address (NAT, a server pool) are likelier than a forger"
        ),
        Fact::StealthProbe { role, probe: p } => format!(
            "the {}'s only packet was {} with no handshake: a stealth port probe, which a closed port answers with RST",
            role.other(),
            probe(p)
        ),
        Fact::ConnectProbe { .. } => connect_probe(fact),
        Fact::PortSweep { role } => format!(
            "the {} swept many ports with SYNs: a port scan, and this closed port answered",
            role.other()
        ),
        Fact::AnswersSyn { role } => format!(
            "answers the {}'s SYN: nothing accepted the connection",
            role.other()
        ),
        Fact::HalfOpen { role } => format!(
            "the {role} answered the SYN-ACK with RST instead of completing the handshake"
        ),
        Fact::ScannerAbort { role } => format!(
            "the {role} swept many ports with SYNs: a port scanner dropping the connection it probed"
        ),
        Fact::ScannerKernel { role } => format!(
            "the {role} sweeps ports with hand-made SYNs: its kernel, which never opened this connection, reset the SYN-ACK with its own TTL and IP-ID, not the probes'"
        ),
        _ => String::new(),
    }
}

fn connect_probe(fact: &Fact) -> String {
    let Fact::ConnectProbe {
        role,
        after_ns,
        scanner,
    } = *fact
    else {
        return String::new();
    };
    let finding = format!(
        "the {role} completed the handshake and reset {} later without sending or receiving data",
        duration(after_ns)
    );
    if scanner {
        format!("{finding}; it probed many ports or hosts: a connect() scan")
    } else {
        format!(
            "{finding}: a port check (load-balancer health check, monitoring or a connect() scan)"
        )
    }
}

/// How the connection was closing or idling before the RST.
fn close(fact: &Fact) -> String {
    match *fact {
        Fact::BothFin => {
            "both sides had sent FIN: the data was delivered, the RST only tears down".into()
        }
        Fact::DataAfterClose { role, fin_seq, bytes } => format!(
            "the {role} had closed (FIN at seq {fin_seq}); the {} still sent {bytes} bytes",
            role.other()
        ),
        Fact::AfterOwnFin { role, fin_seq } => {
            format!("the {role} had already sent its FIN (seq {fin_seq})")
        }
        Fact::OwnSeriesAfterFin { role, ip_id, last } => format!(
            "IP-ID {ip_id} comes next after the {role}'s {last} on this connection: its socket sent the RST after its FIN (a stack without the connection answers from outside the series), so the {role} closed and then aborted, and the {}'s data only crossed the FIN",
            role.other()
        ),
        Fact::ConnectionlessAfterFin { role, fin_seq, ack } => {
            let form = if ack == 0 {
                String::from("IP-ID 0 while its socket numbered this connection's packets (Linux's form)")
            } else {
                format!("the ack field {ack} filled without the ACK flag (Windows' form)")
            };
            format!(
                "after the {role}'s FIN (seq {fin_seq}), a bare RST with {form}: the {role}'s stack sent it from outside the connection, answering a segment that reached it after it closed, not the socket aborting"
            )
        }
        Fact::LostConnection { role, times } => format!(
            "nothing but the same RST from the {role} ({times} times): it answers a {} still sending on a connection the {role} no longer has (half-open)",
            role.other()
        ),
        Fact::SocketlessAnswer { role, seq } => format!(
            "bare RST with seq {seq}, the ack of the {}'s segment it answers: the answer of a stack with no socket for the connection (RFC 9293 §3.10.7.1)",
            role.other()
        ),
        Fact::AfterTeardown { role, root_frame } => format!(
            "the reset in frame {root_frame} had already torn the connection down: the {role}'s stack answered a segment for a socket no longer there"
        ),
        Fact::GaveUp { role, retransmissions, over_ns } => format!(
            "the {role} retransmitted the same data {retransmissions} times over {} without an ACK, then reset",
            duration(over_ns)
        ),
        Fact::SilenceThenReset { role, silence_ns } => format!(
            "{} of silence, then the {role} reset on its own",
            duration(silence_ns)
        ),
        Fact::IdleForgotten { role, idle_ns } => format!(
            "idle {} before the {}'s packet: the {role} had forgotten the connection",
            duration(idle_ns),
            role.other()
        ),
        Fact::AlsoFits { cause, sub_cause } => match sub_cause {
            Some(sub) => format!("the same packets also fit another cause, {cause} ({sub}): the cause is contested"),
            None => format!("the same packets also fit another cause, {cause}: the cause is contested"),
        },
        Fact::NoContext => {
            "no handshake or data seen on this connection to explain the RST".into()
        }
        Fact::AbortForm { role } => format!(
            "nothing else of this connection captured, and the {role}'s RST carries the ACK flag with live sequence numbers: the form of a socket closing by abort (a stack without the connection answers with a bare RST at the segment's ack, or with seq 0 to a SYN)"
        ),
        Fact::AbortAfterOwn { role, seq } => format!(
            "only the {role}'s own packets of this connection captured, and its RST carries the ACK flag at its next sequence number {seq}: the form of its socket closing by abort (a stack without the connection answers with a bare RST at the segment's ack)"
        ),
        Fact::RefusalForm { role } => format!(
            "nothing else of this connection captured, and the {role}'s RST+ACK has seq 0 and acknowledges a sequence number: the form of a stack refusing a SYN sent before the capture began"
        ),
        Fact::RefusalWithData { role, bytes } => format!(
            "but it carries {bytes} bytes of data, which no stack's refusal does: a device answering in the {role}'s name or a crafted frame may have sent it, so who emitted it is open"
        ),
        Fact::MidConnectionAnswer { role, bytes } => format!(
            "in-window RST mid-connection, answering the {}'s {bytes}-byte segment",
            role.other()
        ),
        Fact::MidConnectionAfter { gap_ns } => format!(
            "in-window RST mid-connection, {} after the last packet",
            duration(gap_ns)
        ),
        _ => String::new(),
    }
}

/// Who gave up on the connection, or lost it, and how it shows.
fn giving_up(fact: &Fact) -> String {
    match *fact {
        Fact::SynAckAfterReset { role, after_ns } => format!(
            "the {role}'s own SYN-ACK arrived {} after this RST: a device answered the SYN first, and nothing refused the port",
            duration(after_ns)
        ),
        Fact::AcceptedAfterOwnReset { role, after_ns } => format!(
            "the {role} accepted the same SYN with its SYN-ACK {} after this RST: no stack refuses a SYN it goes on to accept, so the reset was crafted on the {role}'s host (an evasion test's decoy), not a refusal",
            duration(after_ns)
        ),
        Fact::SynSentRejects { role, frame } => format!(
            "the {role}, its SYN still unanswered (SYN-SENT), reset at its ack the {}'s segment of frame {frame}, an ACK without a SYN of its own: its stack found that segment unacceptable (an ACK of something it never sent, RFC 9293 §3.10.7.3, or of its SYN with a timestamp echo it never sent, RFC 7323 §5.4) and keeps waiting for the SYN-ACK",
            role.other()
        ),
        Fact::FinGaveUp { role, fins, over_ns } => format!(
            "the {role} sent its FIN {fins} times over {} without an ACK, then gave up",
            duration(over_ns)
        ),
        Fact::DeviceSilenceReset { role, silence_ns } => format!(
            "{} of silence, then a reset in the {role}'s name that the {role} did not send: a device's state for the connection expired",
            duration(silence_ns)
        ),
        Fact::PurgedAfterClose { role, silence_ns } => format!(
            "the connection was already over (both FINs or an end's own reset); {} later a reset in the {role}'s name that the {role} did not send: a device (NAT, firewall) purging the closed flow's state, not an injector (nothing was left to stop)",
            duration(silence_ns)
        ),
        Fact::UnwantedConnection { role } => format!(
            "the {role} reset the SYN-ACK of a connection it opened while sweeping no ports: it no longer wanted it (a preconnect or the losing attempt of happy eyeballs)"
        ),
        Fact::KernelSyn { role, shift } => format!(
            "the {role}'s SYN carried a window scale option (shift {shift}), as its kernel's connect() sends and hand-made scan probes (nmap -sS, masscan, zmap) do not: an application opened the connection, and its socket was gone when the SYN-ACK came"
        ),
        Fact::NeverUsed { role, idle_ns } => format!(
            "the {role} opened the connection and reset it {} after the handshake with not a byte sent either way: it never used it (a preconnect or a pooled spare)",
            duration(idle_ns)
        ),
        Fact::ChallengeAckAnswered { role, ack } => format!(
            "the {role} had sent a new SYN on this port and answered the {}'s ACK (an RFC 5961 challenge ACK: the {} still held an old connection) with RST at its ack {ack}",
            role.other(),
            role.other()
        ),
        Fact::RequestUnanswered { role, bytes, waited_ns } => format!(
            "the {}'s ACK acknowledged the {role}'s {bytes}-byte request, but no answer came for {}: the {role} stopped waiting",
            role.other(),
            duration(waited_ns)
        ),
        Fact::WindowStayedShut { role, probes } => format!(
            "the {}'s window stayed 0 through {probes} window probes of the {role}: the {role} gave up on it",
            role.other()
        ),
        Fact::PeerRetransmitting { role, copies, over_ns } => format!(
            "the {} had retransmitted unanswered data {copies} times over {} when the {role} reset: the {role} had lost the connection (a reboot or restart), no idle timer expired",
            role.other(),
            duration(over_ns)
        ),
        _ => String::new(),
    }
}

fn flaw(flaw: SegmentFlaw) -> &'static str {
    match flaw {
        SegmentFlaw::OutOfWindow => "its data lies outside the window",
        SegmentFlaw::Retransmitted => "it repeats old data, late",
        SegmentFlaw::OutOfOrder => "its data comes after a gap (out of order)",
        SegmentFlaw::DuplicateAck => "it is a duplicate ACK",
        SegmentFlaw::Sack => "it carries SACK blocks",
    }
}

/// A stateful firewall's REJECT of a segment it marked INVALID.
fn rejected(fact: &Fact) -> String {
    match *fact {
        Fact::InvalidTrigger { role, frame, flaw: why } => format!(
            "answers the {}'s segment in frame {frame}, which conntrack marks INVALID: {}",
            role.other(),
            flaw(why)
        ),
        Fact::RejectNumbers { role, seq, with_ack: false } => format!(
            "seq {seq} is the {}'s ACK and the ACK flag is clear: the numbers of netfilter's REJECT --reject-with tcp-reset (a stack holding the connection would have acknowledged the segment)",
            role.other()
        ),
        Fact::RejectNumbers { role, with_ack: true, .. } => format!(
            "seq 0 and ack = the end of the {}'s segment: the numbers of netfilter's REJECT --reject-with tcp-reset",
            role.other()
        ),
        _ => String::new(),
    }
}

/// A capture named by the end it is nearer ("other" when unknown).
fn end(v: VantagePoint) -> &'static str {
    match v {
        VantagePoint::ClientSide => "client-side",
        VantagePoint::ServerSide => "server-side",
        VantagePoint::Unknown => "other",
    }
}

fn vantage(fact: &Fact) -> String {
    match *fact {
        Fact::VantagePastLimits => {
            "the RST was past the recording limits; compared by nothing".into()
        }
        Fact::VantageNoConnection { other, running: true } => format!(
            "the {other} capture has no packet of this connection (another path, or not captured there): nothing to compare"
        ),
        Fact::VantageNoConnection { other, running: false } => {
            format!("the {other} capture was not running at this time: nothing to compare")
        }
        Fact::VantageBothNearerThere { there, sender, frame } => format!(
            "seen at both ends: it left the {} capture (its frame {frame}) and arrived here, so it was not made on the path between them; verdict of the capture nearer the {sender}",
            end(there)
        ),
        Fact::VantageBoth { there, frame } => format!(
            "seen at both ends: it also arrived at the {} capture (its frame {frame})",
            end(there)
        ),
        Fact::VantageNotWatching { other } => format!(
            "not in the {other} capture, which was not recording this connection at that moment: nothing to compare"
        ),
        Fact::VantageMadeOnPath { there, sender, packets, dropped } => {
            let there = end(there);
            let mut text = format!(
                "carries the {sender}'s address, but the {there} capture, which saw {packets} packets of this connection, never saw it leave the {sender}: it was made on the path between the captures"
            );
            if let Some(frame) = dropped {
                text.push_str(&format!(
                    "; the {}'s packet it answers (frame {frame}) never reached the {there} capture either: the device that reset the connection also dropped it",
                    sender.other()
                ));
            }
            text
        }
        Fact::VantageDroppedOnPath { here, there, receiver } => format!(
            "sent from the {} end but never reached the {} capture: dropped on the path (the {receiver} never saw this reset)",
            end(here),
            end(there)
        ),
        Fact::VantageOneSideOnly { here, sender } => format!(
            "seen in the {here} capture only; which capture is nearer the {sender} is unknown, so it was either made on the path or dropped on it"
        ),
        Fact::VantageSameCapture => "the other capture holds the same packets at the same moments (the same capture): it tells nothing about the path".into(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Role;

    fn repeat(ack_moves: i64) -> String {
        finding(&Fact::Repeat {
            apart_ns: 2_000_000,
            later: true,
            seq_moves: 1460,
            ack_moves,
        })
    }

    #[test]
    fn test_repeat_names_the_ack_only_when_it_moved() {
        assert!(!repeat(0).contains("ack"), "{}", repeat(0));
        assert!(repeat(-5).contains("ack by -5"));
    }

    #[test]
    fn test_one_packet_is_singular() {
        let race = |packets| {
            finding(&Fact::RacePackets {
                role: Role::Client,
                packets,
                first_ns: 1_000,
            })
        };
        assert!(race(1).starts_with("1 client packet after"), "{}", race(1));
        assert!(race(3).starts_with("3 client packets after"));
    }
}
