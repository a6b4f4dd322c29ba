//! Idle connections that something times out: a NAT's mapping, an
//! endpoint application's idle timer, a load balancer's flow table.

use rstscope_core::decode::flags::ACK;
use rstscope_core::report::Cause;

use super::stacks;
use super::{forged, own, pick, Stage};
use crate::conversation::{other, rst_for, Side};
use crate::label::SubCause;
use crate::payload;
use crate::scenarios::traffic;

/// Idle timeouts of real NATs, seconds: Azure NAT gateway 240 (4 min
/// default), consumer routers 300-600, AWS NAT gateway 350, GCP Cloud NAT
/// 1200 (established), Linux `nf_conntrack_tcp_timeout_established` set
/// to an hour or two by firewall distributions (their documentation).
const NAT_TIMEOUT_S: [f64; 7] = [240.0, 300.0, 350.0, 600.0, 1200.0, 3600.0, 7200.0];

/// A NAT at the client's edge (a home router, a carrier-grade NAT or a
/// cloud NAT gateway a few hops out) forgets a connection idle longer than
/// its timeout. At the client: the next packet is answered by the NAT
/// (RST by the socket-less rule, the NAT's TTL and IP-ID), or, when the NAT
/// gave the flow a new external port, by the server's kernel, which knows
/// no such connection. At the server: the server's next packet reaches the
/// NAT's own address, whose kernel resets it in the client's name.
pub fn nat(st: &mut Stage) {
    let position = st.position(Some(Side::Client), 3);
    let fingerprint = if st.chance(70) {
        stacks::NETFILTER
    } else {
        stacks::appliance(&mut st.rng)
    };
    let nat = st.device(fingerprint, position);
    st.background(0.0, 30.0);
    let at = st.seconds(1.0, 30.0);
    let mut c = st.connect(443, at);
    traffic::https_start(&mut st.net, &mut c, "chat.example.com");
    let timeout = pick(&mut st.rng, &NAT_TIMEOUT_S);
    c.wait(timeout + st.seconds(1.0, 900.0));
    let label = |side| forged(side, Cause::IdleTimeout).sub(SubCause::StateExpired);
    if st.path.tap < position {
        c.send(
            Side::Client,
            &payload::tls_application_data(96, &mut st.rng),
        );
        if st.chance(75) {
            if let Some(delay) = st.reply_after(Side::Client, &nat) {
                c.wait(delay);
                let (seq, ack, flags) = rst_for(c.trigger(Side::Client), false);
                c.reset_from(
                    &nat.host,
                    Side::Server,
                    seq,
                    ack,
                    flags,
                    label(Side::Server),
                );
            }
        } else {
            let expired = own(Side::Server, Cause::IdleTimeout).sub(SubCause::StateExpired);
            c.reset_no_socket(Side::Server, expired);
        }
    } else {
        // The capture is beyond the NAT: the server pushes first.
        c.send(
            Side::Server,
            &payload::tls_application_data(180, &mut st.rng),
        );
        if let Some(delay) = st.reply_after(Side::Server, &nat) {
            c.wait(delay);
            let (seq, ack, flags) = rst_for(c.trigger(Side::Server), false);
            c.reset_from(
                &nat.host,
                Side::Client,
                seq,
                ack,
                flags,
                label(Side::Client),
            );
        }
    }
    st.net.add(c);
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
/// peer) sweeps a flow idle past its TCP profile's timeout (300 s by
/// default) and says why in the RST's payload, as in tcpdump's
/// `tcp_rst_data.pcap`.
pub fn big_ip(st: &mut Stage) {
    st.background(0.0, 60.0);
    let at = st.seconds(1.0, 60.0);
    let mut c = st.connect(443, at);
    traffic::https_start(&mut st.net, &mut c, "portal.example.com");
    let timeout = pick(&mut st.rng, &[300.0, 300.0, 600.0, 1800.0]);
    c.wait(timeout + st.seconds(0.0, 10.0));
    let reason = format!(
        "BIG-IP: [0x{:07x}:{}] Flow expired (sweeper)",
        st.rng.range(0x100_0000, 0xfff_ffff),
        st.rng.range(100, 3000)
    );
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
            if let Some(delay) = st.reply_after(talker, &lb) {
                c.wait(delay);
                let (seq, ack, flags) = rst_for(c.trigger(talker), false);
                c.reset_from(
                    &lb.host,
                    other(talker),
                    seq,
                    ack,
                    flags,
                    label(other(talker)),
                );
            }
        }
        Balancer::AzureLb => {
            let minutes = pick(&mut st.rng, &[4.0, 4.0, 10.0, 30.0]);
            c.wait(minutes * 60.0);
            let expired = c.now_us();
            for name in [Side::Server, Side::Client] {
                let toward = st.path.end(other(name));
                if st.path.sees(lb.position, toward) {
                    let leg = st.path.leg_us(lb.position);
                    c.set_now_us(expired + leg);
                    let (seq, ack) = (c.next_seq(name), c.next_seq(other(name)));
                    c.reset_from(&lb.host, name, seq, ack, ACK, label(name));
                }
            }
        }
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
    let position = st.position(Some(Side::Client), 3);
    let fingerprint = if st.chance(70) {
        stacks::NETFILTER
    } else {
        stacks::appliance(&mut st.rng)
    };
    let nat = st.device(fingerprint, position);
    st.background(0.0, 30.0);
    let at = st.seconds(1.0, 30.0);
    let mut c = st.connect(443, at);
    traffic::https_start(&mut st.net, &mut c, "push.example.com");
    let nat_timeout = pick(&mut st.rng, &NAT_TIMEOUT_S[..5]);
    let keepalive = pick(&mut st.rng, &KEEPALIVE_S).max(nat_timeout + 60.0);
    let label = |side| forged(side, Cause::IdleTimeout).sub(SubCause::StateExpired);
    // The probing side is the one whose packets the capture sees reach the NAT.
    let prober = if st.path.tap < position {
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
    } else if let Some(delay) = st.reply_after(prober, &nat) {
        c.wait(delay);
        let (seq, ack, flags) = rst_for(c.trigger(prober), false);
        c.reset_from(
            &nat.host,
            other(prober),
            seq,
            ack,
            flags,
            label(other(prober)),
        );
    }
    st.net.add(c);
}
