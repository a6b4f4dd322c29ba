use rstscope_core::decode::flags::ACK;
use rstscope_core::report::{Cause, Origin, Sender};

use super::traffic;
use crate::conversation::Side;
use crate::host::{Fingerprint, Host};
use crate::net::{Net, Verdict};
use crate::payload;

/// A censor seven hops out matches the ClientHello's SNI and injects two
/// RST+ACKs in the server's name (TTL 248, random IP-IDs, the second one's
/// ack jumping ahead); the real server's ServerHello still arrives later.
pub fn build(net: &mut Net, client: &Host, at: f64) {
    let server = net.remote_host(Fingerprint::LINUX, 15);
    let censor = net.remote_host(Fingerprint::CENSOR, 7);
    traffic::browse(net, client, &server, "news.example.org", at, 140.0);

    let mut c = net.connect(client, &server, 443, at + 6.0, 140.0);
    c.handshake();
    c.send(
        Side::Client,
        &payload::tls_client_hello("blocked.example.org", net.rng()),
    );
    let (seq, ack) = (c.next_seq(Side::Server), c.next_seq(Side::Client));
    let label = Verdict::new(Sender::Server, Origin::Middlebox, Cause::Injected);
    c.wait(0.021);
    c.reset_from(&censor, Side::Server, seq, ack, ACK, label);
    c.wait(0.000_06);
    c.reset_from(
        &censor,
        Side::Server,
        seq,
        ack.wrapping_add(1460),
        ACK,
        label,
    );
    c.send(Side::Server, &payload::tls_server_flight(2_600, net.rng()));
    net.add(c);
}
