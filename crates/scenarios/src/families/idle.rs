//! Idle connections that something times out: a NAT's mapping, an
//! endpoint application's idle timer, a load balancer's flow table.

use rstscope_core::decode::flags::ACK;
use rstscope_core::report::{Cause, Origin};

use super::stacks;
use super::{forged, own, pick, verdict, Device, Stage};
use crate::conversation::{other, rst_for, Conversation, Side};
use crate::label::SubCause;
use crate::net::{Incident, Verdict};
use crate::payload;
use crate::scenarios::traffic;

/// Idle timeouts of real NATs, seconds: aggressive cellular and enterprise
/// settings of a minute or two, Azure NAT gateway 240 (4 min default),
/// consumer routers 300-600, AWS NAT gateway 350, GCP Cloud NAT
/// 1200 (established), Linux `nf_conntrack_tcp_timeout_established` set
/// to an hour or two by firewall distributions (their documentation).
const NAT_TIMEOUT_S: [f64; 9] = [
    60.0, 120.0, 240.0, 300.0, 350.0, 600.0, 1200.0, 3600.0, 7200.0,
];

/// A NAT at the client's edge (a home router, a carrier-grade NAT or a
/// cloud NAT gateway a few hops out) forgets a connection idle longer than
/// its timeout. At the client: the next packet is answered by the NAT
/// (RST by the socket-less rule, the NAT's TTL and IP-ID), or, when the NAT
/// gave the flow a new external port, by the server's kernel, which knows
/// no such connection. At the server: the server's next packet reaches the
/// NAT's own address, whose kernel resets it in the client's name.
pub fn nat(st: &mut Stage) {
    let nat = nat_device(st);
    st.background(0.0, 30.0);
    let at = st.seconds(1.0, 30.0);
    let mut c = st.connect(443, at);
    traffic::https_start(&mut st.net, &mut c, "chat.example.com");
    let timeout = pick(&mut st.rng, &NAT_TIMEOUT_S);
    c.wait(timeout + st.seconds(1.0, 900.0));
    let incident = st.net.incident();
    expired_flow(st, &mut c, &nat, incident);
    st.net.add(c);
}

/// Long-lived connections a client keeps (push, chat, mail, telemetry).
const LONG_LIVED: [(u16, &str); 5] = [
    (443, "push.example.com"),
    (5222, "chat.example.com"),
    (993, "imap.example.com"),
    (8883, "mqtt.example.com"),
    (443, "sync.example.com"),
];

/// One NAT forgets a batch of idle flows at once: each of the client's
/// long-lived connections meets a RST when it is next used (one actor,
/// many connections).
pub fn nat_batch(st: &mut Stage) {
    let nat = nat_device(st);
    st.background(0.0, 30.0);
    let timeout = pick(&mut st.rng, &NAT_TIMEOUT_S);
    let count = st.rng.range(2, 5) as usize;
    let mut flows = Vec::new();
    for &(port, name) in LONG_LIVED.iter().take(count) {
        let at = st.seconds(1.0, 60.0);
        let mut c = st.connect(port, at);
        traffic::https_start(&mut st.net, &mut c, name);
        flows.push(c);
    }
    // Each wakes up at its own time, all past the timeout.
    let wake = 60.0 + timeout;
    let batch = st.net.incident();
    for mut c in flows {
        c.set_now_us(crate::net::EPOCH_US);
        c.wait(wake + st.seconds(1.0, 900.0));
        expired_flow(st, &mut c, &nat, batch);
        st.net.add(c);
    }
}

/// A NAT at the client's edge: a home router or a carrier-grade NAT
/// (Linux netfilter mostly) or an appliance, 1-3 hops out.
fn nat_device(st: &mut Stage) -> Device {
    let position = st.position(Some(Side::Client), 3);
    let fingerprint = if st.chance(70) {
        stacks::NETFILTER
    } else {
        stacks::appliance(&mut st.rng)
    };
    st.device(fingerprint, position)
}

/// The first packet after the NAT forgot the flow, and its answer: at a
/// capture before the NAT the client talks and the NAT resets it (or the
/// server does, through a new mapping); beyond the NAT the server pushes
/// and the NAT's own kernel resets it in the client's name.
fn expired_flow(st: &mut Stage, c: &mut Conversation, nat: &Device, incident: Incident) {
    let expired = |side| {
        forged(side, Cause::IdleTimeout)
            .sub(SubCause::StateExpired)
            .within(incident)
    };
    if st.path.tap < nat.position {
        c.send(
            Side::Client,
            &payload::tls_application_data(96, &mut st.rng),
        );
        if st.chance(25) {
            let by_server = own(Side::Server, Cause::IdleTimeout)
                .sub(SubCause::StateExpired)
                .within(incident);
            c.reset_no_socket(Side::Server, by_server);
        } else {
            answer_next(st, c, nat, Side::Client, expired(Side::Server));
        }
    } else {
        c.send(
            Side::Server,
            &payload::tls_application_data(180, &mut st.rng),
        );
        answer_next(st, c, nat, Side::Server, expired(Side::Client));
    }
}

/// A device that no longer knows the flow answers `talker`'s last packet
/// by the socket-less rule (`seq = SEG.ACK`), in the other end's name.
fn answer_next(
    st: &mut Stage,
    c: &mut Conversation,
    device: &Device,
    talker: Side,
    label: Verdict,
) {
    if let Some(delay) = st.reply_after(talker, device) {
        c.wait(delay);
        let (seq, ack, flags) = rst_for(c.trigger(talker), false);
        c.reset_from(&device.host, other(talker), seq, ack, flags, label);
    }
}

/// A device resets both ends the moment its idle timer expires, in each
/// other's name, at their current sequence numbers; the capture sees the
/// one (or two) coming its way.
fn reset_both(
    st: &mut Stage,
    c: &mut Conversation,
    device: &Device,
    label: impl Fn(Side) -> Verdict,
) {
    let expired = c.now_us();
    let both = st.net.incident();
    for name in [Side::Server, Side::Client] {
        let toward = st.path.end(other(name));
        if st.path.sees(device.position, toward) {
            c.set_now_us(expired + st.path.leg_us(device.position));
            let (seq, ack) = (c.next_seq(name), c.next_seq(other(name)));
            c.reset_from(&device.host, name, seq, ack, ACK, label(name).within(both));
        }
    }
}

/// Application idle timeouts, seconds (database proxies, message brokers,
/// API gateways).
const APP_TIMEOUT_S: [f64; 6] = [60.0, 120.0, 300.0, 600.0, 900.0, 3600.0];

/// An endpoint's application closes a connection idle past its timeout
/// and aborts it: a RST+ACK nothing prompted, the endpoint's own TTL and
/// IP-ID.
pub fn endpoint(st: &mut Stage) {
    st.background(0.0, 60.0);
    let at = st.seconds(1.0, 60.0);
    let mut c = st.connect(443, at);
    traffic::https_start(&mut st.net, &mut c, "db-proxy.example.com");
    let side = if st.chance(70) {
        Side::Server
    } else {
        Side::Client
    };
    let timeout = pick(&mut st.rng, &APP_TIMEOUT_S);
    c.wait(timeout + st.seconds(0.0, 1.0));
    c.reset(side, ACK, own(side, Cause::IdleTimeout));
    st.net.add(c);
}

/// An F5 BIG-IP virtual server (a full proxy: it is the client's TCP
/// peer) says why it resets in the RST's payload (tcpdump's
/// `tcp_rst_data.pcap`). It sweeps a flow idle past its TCP profile's
/// timeout (300 s by default): its own decision, so the server's. Or it
/// relays the reset of the pool member behind it ("TCP RST from remote
/// system"): the backend aborted, the BIG-IP in between emitted it, as the
/// real labels have it (`backend-reset`).
pub fn big_ip(st: &mut Stage) {
    st.background(0.0, 60.0);
    let at = st.seconds(1.0, 60.0);
    let mut c = st.connect(443, at);
    traffic::https_start(&mut st.net, &mut c, "portal.example.com");
    let tag = format!(
        "BIG-IP: [0x{:07x}:{}]",
        st.rng.range(0x100_0000, 0xfff_ffff),
        st.rng.range(100, 3000)
    );
    if st.chance(40) {
        c.send(
            Side::Client,
            &payload::tls_application_data(500, &mut st.rng),
        );
        // The pool member's round trip and its abort, behind the proxy.
        c.wait(st.seconds(0.001, 2.0));
        let reason = format!("{tag} {{peer}} TCP RST from remote system");
        let label =
            verdict(Side::Server, Origin::Middlebox, Cause::AppAbort).sub(SubCause::BackendReset);
        c.reset_with_text(Side::Server, &reason, label);
        st.net.add(c);
        return;
    }
    let timeout = pick(&mut st.rng, &[300.0, 300.0, 600.0, 1800.0]);
    c.wait(timeout + st.seconds(0.0, 10.0));
    let reason = format!("{tag} Flow expired (sweeper)");
    c.reset_with_text(Side::Server, &reason, own(Side::Server, Cause::IdleTimeout));
    st.net.add(c);
}

/// A pass-through cloud load balancer in front of the backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Balancer {
    /// AWS Network Load Balancer: 350 s idle timeout; "if a client or a
    /// target sends data after the idle timeout period elapses, it
    /// receives a TCP RST packet" (its documentation).
    AwsNlb,
    /// Azure Load Balancer with "TCP reset on idle": at the idle timeout
    /// (4 minutes by default, up to 100) it resets both ends, unprompted.
    AzureLb,
}

/// A pass-through cloud load balancer forgets an idle flow and resets it
/// in the other end's name: AWS NLB answers the next packet, Azure LB
/// resets both ends the moment the idle timeout expires. Neither is the
/// client's TCP peer: the backend is (origin middlebox).
pub fn cloud_lb(st: &mut Stage) {
    let position = st.path.hops.saturating_sub(st.rng.range(1, 2) as u8).max(1);
    let fingerprint = stacks::appliance(&mut st.rng);
    let lb = st.device(fingerprint, position);
    let balancer = if st.chance(50) {
        Balancer::AwsNlb
    } else {
        Balancer::AzureLb
    };
    st.background(0.0, 60.0);
    let at = st.seconds(1.0, 60.0);
    let mut c = st.connect(443, at);
    traffic::https_start(&mut st.net, &mut c, "api.example.cloud");
    let label = |side| forged(side, Cause::IdleTimeout).sub(SubCause::StateExpired);
    match balancer {
        Balancer::AwsNlb => {
            c.wait(350.0 + st.seconds(1.0, 1200.0));
            // Whoever the capture sees talking first after the timeout.
            let talker = if st.path.sees(0, lb.position) {
                Side::Client
            } else {
                Side::Server
            };
            c.send(talker, &payload::tls_application_data(120, &mut st.rng));
            answer_next(st, &mut c, &lb, talker, label(other(talker)));
        }
        Balancer::AzureLb => {
            let minutes = pick(&mut st.rng, &[4.0, 4.0, 10.0, 30.0]);
            c.wait(minutes * 60.0);
            reset_both(st, &mut c, &lb, label);
        }
    }
    st.net.add(c);
}

/// Session timeouts of stateful firewalls, seconds: FortiGate's session
/// TTL 3600 by default (often lowered to 300-1800), Palo Alto TCP 3600,
/// Linux `nf_conntrack_tcp_timeout_established` set to 1800-7200 on
/// firewalls (their documentation).
const FIREWALL_TIMEOUT_S: [f64; 5] = [300.0, 900.0, 1800.0, 3600.0, 7200.0];

/// A stateful firewall (at the client's edge or in front of the server)
/// ends an idle session: a FortiGate with `timeout-send-rst` resets both
/// ends when the session expires; a Linux firewall whose conntrack entry
/// expired finds the next packet INVALID and REJECTs it with a RST.
pub fn firewall_idle(st: &mut Stage) {
    let near = st.side(50);
    let position = st.position(Some(near), 3);
    let fortigate = st.chance(50);
    let fingerprint = if fortigate {
        stacks::appliance(&mut st.rng)
    } else {
        stacks::NETFILTER
    };
    let firewall = st.device(fingerprint, position);
    st.background(0.0, 60.0);
    let at = st.seconds(1.0, 60.0);
    let mut c = st.connect(443, at);
    traffic::https_start(&mut st.net, &mut c, "erp.example.com");
    let timeout = pick(&mut st.rng, &FIREWALL_TIMEOUT_S);
    let label = |side| forged(side, Cause::IdleTimeout).sub(SubCause::StateExpired);
    if fortigate {
        c.wait(timeout);
        reset_both(st, &mut c, &firewall, label);
    } else {
        c.wait(timeout + st.seconds(1.0, 1800.0));
        let talker = if st.path.sees(0, firewall.position) {
            Side::Client
        } else {
            Side::Server
        };
        c.send(talker, &payload::tls_application_data(200, &mut st.rng));
        answer_next(st, &mut c, &firewall, talker, label(other(talker)));
    }
    st.net.add(c);
}

/// Keepalive intervals applications set (`SO_KEEPALIVE` with
/// `TCP_KEEPIDLE`), and the kernels' 7200 s default.
const KEEPALIVE_S: [f64; 5] = [600.0, 900.0, 1800.0, 3600.0, 7200.0];

/// A keepalive probe (RFC 1122 §4.2.3.6: SEG.SEQ = SND.NXT - 1, no data
/// on Linux, one byte on Windows and the BSDs) is the first packet after an
/// idle spell longer than the NAT's timeout: the NAT resets it, or, having
/// mapped it to a new port, passes it to a server that knows no such
/// connection and resets it.
pub fn keepalive_nat(st: &mut Stage) {
    let nat = nat_device(st);
    st.background(0.0, 30.0);
    let at = st.seconds(1.0, 30.0);
    let mut c = st.connect(443, at);
    traffic::https_start(&mut st.net, &mut c, "push.example.com");
    let nat_timeout = pick(&mut st.rng, &NAT_TIMEOUT_S[..7]);
    let keepalive = pick(&mut st.rng, &KEEPALIVE_S).max(nat_timeout + 60.0);
    let label = |side| forged(side, Cause::IdleTimeout).sub(SubCause::StateExpired);
    // The probing side is the one whose packets the capture sees reach the NAT.
    let prober = if st.path.tap < nat.position {
        Side::Client
    } else {
        Side::Server
    };
    let stack = match prober {
        Side::Client => st.client_stack,
        Side::Server => st.server_stack,
    };
    c.probe_old(prober, stack.keepalive_garbage(), keepalive);
    if prober == Side::Client && st.chance(30) {
        let expired = own(Side::Server, Cause::IdleTimeout).sub(SubCause::StateExpired);
        c.reset_no_socket(Side::Server, expired);
    } else {
        answer_next(st, &mut c, &nat, prober, label(other(prober)));
    }
    st.net.add(c);
}

/// How long devices keep a closed flow's entry, seconds: Linux conntrack's
/// CLOSE (10 s), LAST_ACK (30 s), CLOSE_WAIT (60 s) and TIME_WAIT (120 s)
/// timers, and the few seconds home gateways keep one.
const CLOSED_TIMEOUT_S: [f64; 6] = [2.0, 5.0, 10.0, 30.0, 60.0, 120.0];

/// A NAT gateway keeps a closed connection's entry for a short close
/// timer and, when it purges the entry, resets both ends in each other's
/// name at their final sequence numbers (Zeek's `Teredo.pcap`: the home
/// gateway's resets come 16-18 s after both FINs or an end's own reset).
/// The endpoints had finished: nothing was left to stop, so it is no
/// injection, but a device's state expiring.
pub fn nat_closed_purge(st: &mut Stage) {
    let nat = nat_device(st);
    st.background(0.0, 30.0);
    let at = st.seconds(1.0, 30.0);
    let mut c = st.connect(80, at);
    traffic::https_start(&mut st.net, &mut c, "www.example.com");
    c.wait(st.seconds(0.05, 5.0));
    let closer = st.side(60);
    if st.chance(70) {
        c.close(closer);
    } else {
        c.reset(closer, ACK, own(closer, Cause::AppAbort));
    }
    let timeout = pick(&mut st.rng, &CLOSED_TIMEOUT_S);
    c.wait(timeout + st.seconds(0.0, 2.0));
    let label = |side| forged(side, Cause::IdleTimeout).sub(SubCause::StateExpired);
    reset_both(st, &mut c, &nat, label);
    st.net.add(c);
}
