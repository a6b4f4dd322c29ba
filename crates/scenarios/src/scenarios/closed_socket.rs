use rstscope_core::report::{Cause, Origin, Sender};

use super::traffic;
use crate::conversation::Side;
use crate::host::{Fingerprint, Host};
use crate::net::{Net, Verdict};
use crate::payload;

/// The server's keep-alive timeout closes its side (FIN) while the client
/// keeps the connection pooled; the client's next request reaches a closed
/// socket and the server's kernel answers RST at its FIN's seq + 1. This
/// server sends IP-ID 0 with DF throughout, as some Linux flows do.
pub fn build(net: &mut Net, client: &Host, at: f64) {
    let server = net.remote_host(Fingerprint::LINUX_ZERO_ID, 11);
    traffic::fetch(net, client, &server, "www.example.net", 80, at, 35.0);

    let mut c = net.connect(client, &server, 80, at + 2.0, 35.0);
    c.handshake();
    c.send(
        Side::Client,
        &payload::http_request("GET", "www.example.net", "/", 0),
    );
    c.send(Side::Server, &payload::http_response("200 OK", 2_400));
    c.ack(Side::Client);
    c.wait(5.0);
    c.fin(Side::Server);
    c.ack(Side::Client);
    c.wait(20.0);
    c.send(
        Side::Client,
        &payload::http_request("GET", "www.example.net", "/style.css", 0),
    );
    let seq = c.next_seq(Side::Server);
    c.reset_stateless(
        Side::Server,
        seq,
        0,
        0,
        Verdict::new(Sender::Server, Origin::Server, Cause::ClosedSocket),
    );
    net.add(c);

    traffic::fetch(net, client, &server, "www.example.net", 80, at + 30.0, 35.0);
}
