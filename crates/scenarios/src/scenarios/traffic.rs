//! Everyday traffic: clean HTTPS and HTTP sessions. Scenarios use it for
//! the background connections that give each host its TTL/IP-ID baseline,
//! and to open the connection a reset later ends.

use crate::conversation::{Conversation, Side};
use crate::host::Host;
use crate::net::Net;
use crate::payload;

/// Connects and completes a TLS 1.3 handshake plus one request/response;
/// the connection is left open for the caller.
pub fn https_open(
    net: &mut Net,
    client: &Host,
    server: &Host,
    sni: &str,
    at: f64,
    rtt_ms: f64,
) -> Conversation {
    let mut c = net.connect(client, server, 443, at, rtt_ms);
    https_start(net, &mut c, sni);
    c
}

/// The handshake, TLS 1.3 handshake and one request/response on `c`.
pub fn https_start(net: &mut Net, c: &mut Conversation, sni: &str) {
    c.handshake();
    c.send(Side::Client, &payload::tls_client_hello(sni, net.rng()));
    c.send(Side::Server, &payload::tls_server_flight(2_900, net.rng()));
    c.ack(Side::Client);
    https_exchange(net, c, 420, 5_200);
}

/// One request/response inside an established TLS session.
pub fn https_exchange(net: &mut Net, c: &mut Conversation, request: usize, response: usize) {
    c.send(
        Side::Client,
        &payload::tls_application_data(request, net.rng()),
    );
    c.send(
        Side::Server,
        &payload::tls_application_data(response, net.rng()),
    );
    c.ack(Side::Client);
}

/// A complete, cleanly closed HTTPS visit.
pub fn browse(net: &mut Net, client: &Host, server: &Host, sni: &str, at: f64, rtt_ms: f64) {
    let mut c = https_open(net, client, server, sni, at, rtt_ms);
    c.wait(0.8);
    https_exchange(net, &mut c, 380, 12_000);
    c.wait(2.5);
    c.close(Side::Client);
    net.add(c);
}

/// A complete, cleanly closed plain HTTP fetch.
pub fn fetch(
    net: &mut Net,
    client: &Host,
    server: &Host,
    host: &str,
    port: u16,
    at: f64,
    rtt_ms: f64,
) {
    let mut c = net.connect(client, server, port, at, rtt_ms);
    c.handshake();
    c.send(
        Side::Client,
        &payload::http_request("GET", host, "/index.html", 0),
    );
    c.send(Side::Server, &payload::http_response("200 OK", 3_100));
    c.ack(Side::Client);
    c.close(Side::Client);
    net.add(c);
}
