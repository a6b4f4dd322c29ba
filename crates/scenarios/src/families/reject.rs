//! Refusals and rejections: a closed port's own answer, a firewall's
//! REJECT of a SYN, and conntrack-INVALID segments rejected mid-connection.

use rstscope_core::decode::flags::ACK;
use rstscope_core::report::Cause;

use super::stacks::{self, Stack};
use super::{forged, own, pick, Device, Stage, Vantage};
use crate::conversation::{other, rst_for, Conversation, Side};
use crate::label::SubCause;
use crate::payload;
use crate::scenarios::traffic;

/// Ports people try that are often closed.
const CLOSED_PORTS: [u16; 10] = [8443, 3306, 5432, 6379, 9200, 8080, 25, 3389, 5900, 27017];

/// A SYN to a closed port: the server's kernel answers RST+ACK (seq 0,
/// ack ISN+1, RFC 9293 §3.10.7.1) with its own TTL; the application may
/// try again a little later (and is refused again). A Windows client's
/// stack itself sends the same SYN twice more, half a second apart, before
/// it reports the refusal (Zeek's `pop3.pcap`).
pub fn refused(st: &mut Stage) {
    st.background(0.0, 60.0);
    let port = pick(&mut st.rng, &CLOSED_PORTS);
    let mut at = st.seconds(1.0, 60.0);
    let retries = st.net.incident();
    for _ in 0..st.rng.range(1, 3) {
        let mut c = st.connect(port, at);
        c.syn();
        let label = own(Side::Server, Cause::Refused).within(retries);
        c.reset_no_socket(Side::Server, label);
        if st.client_stack == Stack::Windows {
            for _ in 0..2 {
                c.wait(0.5);
                c.syn();
                c.reset_no_socket(Side::Server, label);
            }
        }
        st.net.add(c);
        at += st.seconds(0.2, 3.0);
    }
}

/// A SYN rejected by `REJECT --reject-with tcp-reset` (netfilter: TTL 64,
/// IP-ID 0, DF, no options) or a firewall appliance, a few hops before the
/// server or at the client's network edge, in the server's name. A Linux
/// server's own netfilter rejecting is the server host refusing.
pub fn firewall(st: &mut Stage) {
    st.background(0.0, 60.0);
    let port = pick(&mut st.rng, &CLOSED_PORTS);
    let at = st.seconds(1.0, 60.0);
    let mut c = st.connect(port, at);
    c.syn();
    let linux = matches!(st.server_stack, Stack::Linux | Stack::LinuxNoTimestamps);
    if linux && st.chance(25) {
        let label = own(Side::Server, Cause::Refused).sub(SubCause::FirewallReject);
        c.reset_no_socket(Side::Server, label);
    } else {
        let firewall = edge_firewall(st);
        let isn = c.client_isn();
        if let Some(delay) = st.reply_after(Side::Client, &firewall) {
            c.wait(delay);
            let label = forged(Side::Server, Cause::Refused).sub(SubCause::FirewallReject);
            c.reset_from(
                &firewall.host,
                Side::Server,
                0,
                isn.wrapping_add(1),
                ACK,
                label,
            );
        }
    }
    st.net.add(c);
}

/// A firewall the client's packets reach after the capture: at the
/// client's network edge or 2-5 hops before the server.
fn edge_firewall(st: &mut Stage) -> Device {
    let position = if st.chance(30) {
        st.position(Some(Side::Client), 2)
    } else {
        st.position(Some(Side::Server), 5)
            .min(st.path.hops.saturating_sub(2))
    };
    let position = position.max(st.path.tap + 1);
    let fingerprint = if st.chance(50) {
        stacks::NETFILTER
    } else {
        stacks::appliance(&mut st.rng)
    };
    st.device(fingerprint, position)
}

/// What a stateful firewall finds INVALID (`nf_conntrack_proto_tcp.c`,
/// `tcp_in_window`): a segment outside the window it tracked.
#[derive(Clone, Copy, Debug)]
enum Trigger {
    /// Already acknowledged data retransmitted long after the window moved
    /// on (Kubernetes issues 74839, 117924).
    LateRetransmission,
    /// A segment far beyond the receiver's window.
    BeyondWindow,
    /// A duplicate ACK whose SACK block covers bytes never sent.
    BadSack,
    /// A segment that took a slower path turns up after its fast
    /// retransmission was acknowledged and the transfer moved on past
    /// the window: reordering, duplicate ACKs with SACK blocks, then a
    /// late out-of-order original.
    Reordered,
}

/// Mid-connection, one side's segment is marked conntrack-INVALID by a
/// firewall on the other host or a hop or two in front of it; netfilter's
/// REJECT answers it by its rules (the segment has ACK: `seq = SEG.ACK`, no
/// ACK flag, TTL 64, IP-ID 0, DF). The rejected side's connection dies; when
/// the host's own firewall rejected, the other application's later data
/// reaches a host without the socket, whose kernel resets it.
pub fn conntrack_invalid(st: &mut Stage) {
    st.background(0.0, 40.0);
    let at = st.seconds(1.0, 40.0);
    let mut c = st.connect(443, at);
    traffic::https_start(&mut st.net, &mut c, "registry.example.io");
    // The side whose segment is rejected, and where the firewall stands:
    // on the other host, or 1-2 hops in front of it, seen by the capture.
    let preferred = if st.chance(70) {
        Side::Server
    } else {
        Side::Client
    };
    let on_host = st.chance(40) && linux(st, preferred);
    let (target, position) = if on_host {
        (preferred, None)
    } else {
        match firewall_near(st, preferred) {
            Some(p) => (preferred, Some(p)),
            None => (other(preferred), firewall_near(st, other(preferred))),
        }
    };
    let from = other(target);
    // A bulk transfer first, so that its early bytes fall out of the
    // window conntrack tracks (about the receiver's largest window).
    let bulk_start = c.next_seq(from);
    for _ in 0..st.rng.range(2, 4) {
        c.wait(st.seconds(0.01, 0.5));
        let size = st.rng.range(40_000, 90_000) as usize;
        c.send(from, &payload::tls_application_data(size, &mut st.rng));
        c.ack(target);
    }
    send_trigger(st, &mut c, from, bulk_start);
    let label_root = match position {
        None => {
            let label = own(target, Cause::OutOfWindow).sub(SubCause::ConntrackInvalid);
            Some(c.reset_no_socket(target, label))
        }
        Some(position) => {
            let firewall = st.device(stacks::NETFILTER, position);
            st.reply_after(from, &firewall).map(|delay| {
                c.wait(delay);
                let (seq, ack, flags) = rst_for(c.trigger(from), false);
                let label = forged(target, Cause::OutOfWindow).sub(SubCause::ConntrackInvalid);
                c.reset_from(&firewall.host, target, seq, ack, flags, label)
            })
        }
    };
    if on_host && st.chance(60) {
        // The target's application still writes; the rejected side has no socket.
        c.wait(st.seconds(0.01, 3.0));
        c.send(target, &payload::tls_application_data(300, &mut st.rng));
        let label = own(from, Cause::ClosedSocket).after(label_root);
        c.reset_no_socket(from, label);
    }
    st.net.add(c);
}

fn linux(st: &Stage, side: Side) -> bool {
    let stack = match side {
        Side::Client => st.client_stack,
        Side::Server => st.server_stack,
    };
    matches!(stack, Stack::Linux | Stack::LinuxNoTimestamps)
}

/// A router position 1-2 hops in front of `side`'s host on the far side of
/// the capture from the other end, so the capture sees the segment reach
/// it and the reset come back; `None` when there is no such position.
pub(super) fn firewall_near(st: &mut Stage, side: Side) -> Option<u8> {
    let (hops, tap) = (st.path.hops, st.path.tap);
    let step = st.rng.range(1, 2) as u8;
    let position = match side {
        Side::Server => hops.saturating_sub(step).max(tap + 1),
        Side::Client => step.min(tap),
    };
    let from = st.path.end(other(side));
    (position >= 1 && position < hops && st.path.sees(from, position)).then_some(position)
}

pub(super) fn send_trigger(st: &mut Stage, c: &mut Conversation, from: Side, bulk_start: u32) {
    let trigger = pick(
        &mut st.rng,
        &[
            Trigger::LateRetransmission,
            Trigger::BeyondWindow,
            Trigger::BadSack,
            Trigger::Reordered,
        ],
    );
    let data = payload::tls_application_data(st.rng.range(100, 1300) as usize, &mut st.rng);
    match trigger {
        Trigger::LateRetransmission => {
            // One of the bulk's first segments, delayed in some queue.
            let back = st.rng.range(0, 8) as u32 * u32::from(c.mss());
            c.send_at(
                from,
                bulk_start.wrapping_add(back),
                &data,
                st.seconds(0.2, 1.5),
            );
        }
        // A sequence-randomising middlebox that leaves SACK blocks alone
        // makes them point past anything sent (Cisco ASA's known issue).
        Trigger::BadSack if c.sack_permitted() => {
            let peer = c.next_seq(other(from));
            let left = peer.wrapping_add(st.rng.range(64, 512) as u32 * 1024);
            c.wait(st.seconds(0.01, 1.0));
            c.ack_with_sack(from, (left, left.wrapping_add(1448)));
        }
        Trigger::Reordered => reordered(st, c, from),
        Trigger::BeyondWindow | Trigger::BadSack => {
            let ahead = st.rng.range(4, 64) as u32 * 1024 * 1024;
            let nxt = c.next_seq(from);
            c.send_at(from, nxt.wrapping_add(ahead), &data, st.seconds(0.01, 1.0));
        }
    }
}

/// The [`Trigger::Reordered`] story, up to the late original's arrival.
fn reordered(st: &mut Stage, c: &mut Conversation, from: Side) {
    let receiver = other(from);
    let mss = usize::from(c.mss());
    let hole_seq = c.next_seq(from);
    let hole = payload::tls_application_data(mss - 5, &mut st.rng);
    // The delay happens on the path: a capture on the sender saw the
    // original leave in order and never sees it again.
    let at_sender = matches!(
        (from, st.path.vantage),
        (Side::Client, Vantage::Client) | (Side::Server, Vantage::Server)
    );
    c.wait(st.seconds(0.01, 0.5));
    c.set_visible(from, at_sender);
    c.send(from, &hole);
    c.set_visible(from, true);
    let burst = st.rng.range(3, 8) as usize * mss - 5;
    c.send_now(from, &payload::tls_application_data(burst, &mut st.rng));
    let hole_end = hole_seq.wrapping_add(mss as u32);
    for _ in 0..3 {
        c.ack_upto(receiver, hole_seq, Some((hole_end, c.next_seq(from))));
    }
    c.retransmit(from, hole_seq, &hole, 0.000_2);
    c.ack(receiver);
    for _ in 0..st.rng.range(2, 3) {
        let size = st.rng.range(40_000, 90_000) as usize;
        c.send(from, &payload::tls_application_data(size, &mut st.rng));
        c.ack(receiver);
    }
    c.set_visible(from, !at_sender);
    c.send_at(from, hole_seq, &hole, st.seconds(0.2, 2.0));
    c.set_visible(from, true);
}
