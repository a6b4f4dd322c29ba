use rstscope_core::report::{Cause, Origin, Sender};

use super::traffic;
use crate::conversation::Side;
use crate::host::{Fingerprint, Host};
use crate::net::{Net, Verdict};
use crate::payload;

/// A connection idles 400 s, longer than the home router's NAT timeout.
/// The client's next data is answered within half a millisecond by a RST in
/// the server's name with the router's TTL (one hop) and a random IP-ID.
pub fn build(net: &mut Net, client: &Host, at: f64) {
    let server = net.remote_host(Fingerprint::LINUX, 13);
    let router = net.remote_host(Fingerprint::LINUX_MIDDLEBOX, 1);
    let mut c = traffic::https_open(net, client, &server, "chat.example.com", at, 46.0);
    traffic::browse(net, client, &server, "chat.example.com", at + 30.0, 46.0);
    c.wait(400.0);
    c.send(Side::Client, &payload::tls_application_data(96, net.rng()));
    let seq = c.next_seq(Side::Server);
    let label = Verdict::new(Sender::Server, Origin::Middlebox, Cause::IdleTimeout);
    c.wait(0.0004);
    c.reset_from(&router, Side::Server, seq, 0, 0, label);
    net.add(c);
}
