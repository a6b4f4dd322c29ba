//! Idle connections that something times out: a NAT's mapping, an
//! endpoint application's idle timer, a load balancer's flow table.

use rstscope_core::decode::flags::ACK;
use rstscope_core::report::Cause;

use super::stacks;
use super::{forged, own, pick, Stage};
use crate::conversation::{rst_for, Side};
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
