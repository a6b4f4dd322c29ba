use rstscope_core::decode::flags::ACK;
use rstscope_core::report::{Cause, Origin, Sender};

use super::traffic;
use crate::conversation::Side;
use crate::host::{Fingerprint, Host};
use crate::net::{Net, Verdict};

/// After 300 s without traffic the server's application times the client
/// out and aborts: a RST+ACK at the right seq, nothing triggering it, TTL
/// and IP-ID continuing the server's series.
pub fn build(net: &mut Net, client: &Host, at: f64) {
    let server = net.remote_host(Fingerprint::LINUX, 10);
    let mut c = traffic::https_open(net, client, &server, "db-proxy.example.com", at, 22.0);
    traffic::browse(
        net,
        client,
        &server,
        "db-proxy.example.com",
        at + 120.0,
        22.0,
    );
    c.wait(300.0);
    c.reset(
        Side::Server,
        ACK,
        Verdict::new(Sender::Server, Origin::Server, Cause::IdleTimeout),
    );
    net.add(c);
}
