//! Rules for a RST during the handshake.

use super::probe::last_was_syn;
use super::Decision;
use crate::attribute::facts::Facts;
use crate::attribute::probe::CONNECT_PROBE_NS;
use crate::report::{Cause, Fact, Origin, Stage, SubCause};
use crate::track::conn::Direction;
use crate::track::Side;

/// The sender answered the SYN with RST, by its fingerprint, and then
/// accepted it with its own SYN-ACK: no stack refuses a SYN it goes on to
/// accept, so something on its host crafted the RST (an evasion test's
/// decoy). A device's RST in its name is [`super::path::syn_race`]'s.
pub fn accepted_after_own_reset(f: &Facts<'_>) -> Option<Decision> {
    if f.origin == Origin::Middlebox || !f.answers_syn() {
        return None;
    }
    let after_ns = f.record.after.sender_syn_ack_ns?;
    let fact = Fact::AcceptedAfterOwnReset {
        role: f.who(),
        after_ns,
    };
    Some(Decision::new(Cause::Injected).because(fact, f.origin))
}

/// The SYN answered by RST: nothing accepted the connection.
pub fn refused(f: &Facts<'_>) -> Option<Decision> {
    if !f.answers_syn() {
        return None;
    }
    let fact = Fact::AnswersSyn { role: f.who() };
    Some(Decision::new(Cause::Refused).because(fact, f.origin))
}

/// The SYN answered by RST from an address that sent nothing else in the
/// capture: its TTL has nothing to be compared with, and a firewall
/// refusing the port in the server's name (REJECT with tcp-reset) sends
/// the same numbers, so its reject fits the packets as well as the host's
/// closed port. It follows [`refused`], which always decides first: this
/// is that verdict's rival reading, never a verdict of its own.
pub fn refused_unseen(f: &Facts<'_>) -> Option<Decision> {
    let unseen = f.conn.dir(f.side()).ttl.total() == 0 && f.host.is_none_or(|h| h.ttl.total() == 0);
    if !f.answers_syn() || f.origin != f.sender() || !unseen {
        return None;
    }
    let fact = Fact::AnswersSynInName { role: f.who() };
    Some(
        Decision::new(Cause::Refused)
            .sub(SubCause::FirewallReject)
            .because(fact, Origin::Middlebox)
            .emitted_by(Origin::Middlebox),
    )
}

/// The client answered the SYN-ACK with RST instead of its ACK.
pub fn is_half_open(f: &Facts<'_>) -> bool {
    let s = &f.record.snapshot;
    f.side() == Side::Client
        && s.peer.isn.is_some()
        && s.ack_ns.is_none()
        && s.sender.data_packets == 0
        && last_was_syn(&s.sender)
}

/// The client answered the SYN-ACK with RST instead of its ACK: a
/// half-open (SYN) scan.
pub fn half_open_scan(f: &Facts<'_>) -> Option<Decision> {
    if !is_half_open(f) {
        return None;
    }
    let fact = Fact::HalfOpen { role: f.who() };
    Some(
        Decision::new(Cause::Scan)
            .sub(SubCause::HalfOpen)
            .because(fact, f.origin),
    )
}

/// The sender, in SYN-SENT on a port an old connection still held, got
/// the peer's bare ACK (an RFC 5961 §4 challenge ACK, acknowledging the
/// old connection, not the SYN) and reset it at that ACK's number (RFC
/// 9293 §3.10.7.3): the RST answers a connection the sender no longer has.
pub fn challenge_ack_answered(f: &Facts<'_>) -> Option<Decision> {
    let (t, syn_seq) = f.record.syn_sent_answer()?;
    if t.ack == syn_seq.wrapping_add(1) {
        return None;
    }
    let fact = Fact::ChallengeAckAnswered {
        role: f.who(),
        ack: t.ack,
    };
    Some(
        Decision::new(Cause::ClosedSocket)
            .sub(SubCause::ChallengeAck)
            .because(fact, f.origin),
    )
}

/// The sender, in SYN-SENT (its SYN the last thing it sent, no SYN from the
/// peer), got a segment with ACK and without SYN and reset it at that
/// segment's ack: its stack found the segment unacceptable and goes on
/// waiting for the SYN-ACK. An ACK of anything but the SYN is unacceptable
/// in SYN-SENT (RFC 9293 §3.10.7.3); one acknowledging the SYN is too when
/// it echoes a timestamp the sender never sent (Linux,
/// `tcp_rcv_synsent_state_process`, RFC 7323 §5.4). An ACK of something
/// else may also be a challenge ACK from a peer still holding an old
/// connection on the ports ([`challenge_ack_answered`], which comes first):
/// the packets fit both, so this reading contests that one.
pub fn syn_sent_rejects(f: &Facts<'_>) -> Option<Decision> {
    let (t, _) = f.record.syn_sent_answer()?;
    if f.record.snapshot.peer.isn.is_some() || f.has_ack() {
        return None;
    }
    let fact = Fact::SynSentRejects {
        role: f.who(),
        frame: t.frame,
    };
    Some(Decision::new(Cause::OutOfWindow).because(fact, f.origin))
}

/// A client that sweeps no ports reset the SYN-ACK of a connection it
/// opened: its socket was gone before the answer came, so the application
/// no longer wanted it (a browser's preconnect or connection pool, happy
/// eyeballs' loser, a connect timeout), no scan. The kernel, not a
/// raw-packet tool, sent the SYN when another connection to the same port
/// opened beside it, or when the SYN carried a window scale option, which
/// connect() sends and hand-made probes (nmap -sS, masscan, zmap) do not. A
/// lone probe with neither tells nothing either way and stays a half-open
/// scan. A sender that goes on sending data on the connection did not give
/// it up: a raw tool owns it, and its kernel reset a handshake it never made.
pub fn speculative_connect(f: &Facts<'_>) -> Option<Decision> {
    let sent_after = f.record.after.sender_data_ns.is_some();
    if f.scanner || sent_after || !f.earlier.is_empty() || !is_half_open(f) {
        return None;
    }
    let role = f.who();
    let kernel_syn = f
        .record
        .snapshot
        .sender
        .wscale
        .filter(|_| !f.conn.parallel_open);
    if !f.conn.parallel_open && kernel_syn.is_none() {
        return None;
    }
    let decision = Decision::new(Cause::AppAbort)
        .sub(SubCause::SpeculativeConnect)
        .because(Fact::UnwantedConnection { role }, f.origin);
    Some(match kernel_syn {
        Some(shift) => decision.because(Fact::KernelSyn { role, shift }, f.origin),
        None => decision,
    })
}

/// Ports whose server speaks first (FTP, SSH, Telnet, SMTP, POP3, IMAP,
/// submission, MySQL, VNC): there the silence is the server's, and a client
/// aborting an unused connection may have given up waiting for a greeting.
const SERVER_FIRST_PORTS: &[u16] = &[21, 22, 23, 25, 110, 143, 587, 3306, 5900];

/// The client aborted (RST+ACK) a connection it had opened and never
/// used, where the client speaks first: no byte either way since the
/// handshake, longer after it than a connect() probe. A preconnect or a
/// pooled spare the application closed; after a long silence an idle timer
/// may have been what closed it, which the rival rule names.
pub fn never_used(f: &Facts<'_>) -> Option<Decision> {
    let s = &f.record.snapshot;
    let unused = |d: &Direction| d.data_packets == 0 && d.fin_seq.is_none();
    let opened = s.ack_ns?;
    let idle_ns = f.record.ts_ns.saturating_sub(opened);
    let quiet = f.stage == Stage::PostAck && unused(&s.sender) && unused(&s.peer);
    if f.scanner
        || f.side() != Side::Client
        || !f.has_ack()
        || !quiet
        || idle_ns <= CONNECT_PROBE_NS
        || SERVER_FIRST_PORTS.contains(&f.conn.server.port)
    {
        return None;
    }
    let fact = Fact::NeverUsed {
        role: f.who(),
        idle_ns,
    };
    Some(
        Decision::new(Cause::AppAbort)
            .sub(SubCause::SpeculativeConnect)
            .because(fact, f.origin),
    )
}
