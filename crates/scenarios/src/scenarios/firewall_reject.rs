use rstscope_core::decode::flags::ACK;
use rstscope_core::report::{Cause, Origin, Sender};

use super::traffic;
use crate::conversation::Side;
use crate::host::{Fingerprint, Host};
use crate::net::{Net, Verdict};

/// A firewall three hops out (`REJECT --reject-with tcp-reset`) refuses
/// RDP in the server's name: its TTL shows a nearer hop than the server's
/// HTTPS packets, and its IP-ID is random.
pub fn build(net: &mut Net, client: &Host, at: f64) {
    let server = net.remote_host(Fingerprint::LINUX, 12);
    let firewall = net.remote_host(Fingerprint::LINUX_MIDDLEBOX, 3);
    traffic::browse(net, client, &server, "intranet.example.com", at, 42.0);

    let mut c = net.connect(client, &server, 3389, at + 5.0, 42.0);
    c.syn();
    let ack = c.client_isn().wrapping_add(1);
    let label = Verdict::new(Sender::Server, Origin::Middlebox, Cause::Refused);
    c.wait(0.0075);
    c.reset_from(&firewall, Side::Server, 0, ack, ACK, label);
    net.add(c);

    traffic::browse(net, client, &server, "intranet.example.com", at + 8.0, 42.0);
}
