use rstscope_core::decode::flags::ACK;
use rstscope_core::report::{Cause, Origin, Sender};

use super::traffic;
use crate::conversation::Side;
use crate::host::{Fingerprint, Host};
use crate::net::{Net, Verdict};
use crate::payload;

/// An API server's worker crashes while handling a POST: the kernel aborts
/// the connection with an in-window RST+ACK whose TTL and IP-ID continue
/// the server's own series.
pub fn build(net: &mut Net, client: &Host, at: f64) {
    let server = net.remote_host(Fingerprint::LINUX, 11);
    traffic::fetch(net, client, &server, "api.example.net", 8080, at, 31.0);

    let mut c = net.connect(client, &server, 8080, at + 3.0, 31.0);
    c.handshake();
    c.send(
        Side::Client,
        &payload::http_request("POST", "api.example.net", "/v1/upload", 900),
    );
    c.ack(Side::Server);
    c.wait(1.8);
    c.reset(
        Side::Server,
        ACK,
        Verdict::new(Sender::Server, Origin::Server, Cause::AppAbort),
    );
    net.add(c);

    traffic::fetch(
        net,
        client,
        &server,
        "api.example.net",
        8080,
        at + 7.0,
        31.0,
    );
}
