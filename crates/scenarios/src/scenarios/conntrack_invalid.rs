use rstscope_core::report::{Cause, Origin, Sender};

use super::traffic;
use crate::conversation::Side;
use crate::host::{Fingerprint, Host};
use crate::net::{Net, Verdict};
use crate::payload;

/// The client spuriously retransmits an already acknowledged segment; a
/// stateful firewall two hops out marks it INVALID and its `REJECT
/// --reject-with tcp-reset` answers within a millisecond in the server's
/// name (Kubernetes issues 74839 and 117924).
pub fn build(net: &mut Net, client: &Host, at: f64) {
    let server = net.remote_host(Fingerprint::LINUX, 9);
    let firewall = net.remote_host(Fingerprint::LINUX_MIDDLEBOX, 2);
    traffic::browse(net, client, &server, "registry.example.io", at, 18.0);

    let mut c = traffic::https_open(net, client, &server, "registry.example.io", at + 4.0, 18.0);
    let request = payload::tls_application_data(610, net.rng());
    let seq = c.next_seq(Side::Client);
    c.send(Side::Client, &request);
    c.send(
        Side::Server,
        &payload::tls_application_data(8_000, net.rng()),
    );
    c.ack(Side::Client);
    c.retransmit(Side::Client, seq, &request, 0.21);
    let server_seq = c.next_seq(Side::Server);
    let label = Verdict::new(Sender::Server, Origin::Middlebox, Cause::OutOfWindow);
    c.wait(0.0003);
    c.reset_from(&firewall, Side::Server, server_seq, 0, 0, label);
    net.add(c);
}
