//! The pair's story, conversation by conversation, in the order the
//! generator draws them (the order fixes every random byte: keep it).

use rstscope_core::decode::flags::ACK;
use rstscope_core::report::{Cause, MatchMethod, Origin, Sender};

use super::{take, Built, Cast, Seen, RTT_MS};
use crate::conversation::{Conversation, Side};
use crate::host::Host;
use crate::net::{Draft, Net, Verdict};
use crate::payload;
use crate::scenarios::traffic;

/// Every conversation of the pair, in generation order.
pub(super) fn conversations(net: &mut Net, cast: &Cast) -> Vec<Built> {
    let (client, server) = (&cast.client, &cast.server);
    vec![
        nat_idle(net, cast),
        visit(net, cast, "browse", 1.5, 0.8),
        censor(net, cast),
        server_abort(net, cast),
        dropped_reset(net, cast),
        background_fetch(net, cast, "fetch", 20.0),
        // Only the client side sees this one: it stays on the LAN.
        take(
            "lan",
            fetch(net, client, &cast.lan_server, 80, 25.0),
            client,
            &cast.lan_server,
        )
        .seen_by(None, |_, _, _| Seen::ClientOnly),
        // Only the server side sees this one: another client on the internet.
        take(
            "stranger",
            fetch(net, &cast.stranger, server, 80, 30.0),
            &cast.stranger,
            server,
        )
        .not_ours()
        .seen_by(None, |_, _, _| Seen::ServerOnly),
        // Background near the end, so both captures run past the NAT's RST.
        visit(net, cast, "browse-late", 380.0, 0.5),
        background_fetch(net, cast, "fetch-late", 405.0),
    ]
}

fn both(_: usize, _: usize, _: &Draft) -> Seen {
    Seen::Both
}

/// A long-lived HTTPS connection the NAT later forgets: it swallows the
/// client's next packet and forges a RST in the server's name.
fn nat_idle(net: &mut Net, cast: &Cast) -> Built {
    let mut c = net.connect(&cast.client, &cast.server, 443, 0.0, RTT_MS);
    c.handshake();
    c.send(
        Side::Client,
        &payload::tls_client_hello("chat.example.com", net.rng()),
    );
    c.send(Side::Server, &payload::tls_server_flight(2_900, net.rng()));
    c.ack(Side::Client);
    c.wait(2.0);
    traffic::https_exchange(net, &mut c, 420, 5_200);
    c.wait(400.0);
    c.send(Side::Client, &payload::tls_application_data(96, net.rng()));
    let seq = c.next_seq(Side::Server);
    c.wait(0.0004);
    c.reset_from(
        &cast.router,
        Side::Server,
        seq,
        0,
        0,
        Verdict::new(Sender::Server, Origin::Middlebox, Cause::IdleTimeout),
    );
    // The client's last data and the forged RST never cross the router.
    take("nat-idle", c, &cast.client, &cast.server).seen_by(
        Some(MatchMethod::Payload),
        |i, n, _| {
            if i + 2 >= n {
                Seen::ClientOnly
            } else {
                Seen::Both
            }
        },
    )
}

/// Background: a clean HTTPS visit, closed by the client after `linger_s`.
fn visit(net: &mut Net, cast: &Cast, name: &'static str, at: f64, linger_s: f64) -> Built {
    let (client, server) = (&cast.client, &cast.server);
    let mut c = traffic::https_open(net, client, server, "chat.example.com", at, RTT_MS);
    c.wait(linger_s);
    c.close(Side::Client);
    take(name, c, client, server).seen_by(Some(MatchMethod::Isn), both)
}

/// Background: a plain HTTP fetch, seen at both ends.
fn background_fetch(net: &mut Net, cast: &Cast, name: &'static str, at: f64) -> Built {
    let (client, server) = (&cast.client, &cast.server);
    take(name, fetch(net, client, server, 80, at), client, server)
        .seen_by(Some(MatchMethod::Isn), both)
}

/// A censor injects two RST+ACKs after the ClientHello: only the client sees them.
fn censor(net: &mut Net, cast: &Cast) -> Built {
    let mut c = net.connect(&cast.client, &cast.server_b, 443, 3.0, RTT_MS);
    c.handshake();
    c.send(
        Side::Client,
        &payload::tls_client_hello("blocked.example.org", net.rng()),
    );
    let (seq, ack) = (c.next_seq(Side::Server), c.next_seq(Side::Client));
    let label = Verdict::new(Sender::Server, Origin::Middlebox, Cause::Injected);
    c.wait(0.008);
    c.reset_from(&cast.censor, Side::Server, seq, ack, ACK, label);
    c.wait(0.000_06);
    let second_ack = ack.wrapping_add(1460);
    c.reset_from(&cast.censor, Side::Server, seq, second_ack, ACK, label);
    c.send(Side::Server, &payload::tls_server_flight(2_600, net.rng()));
    take("censor", c, &cast.client, &cast.server_b).seen_by(Some(MatchMethod::Isn), |_, _, d| {
        match d.label {
            Some(_) => Seen::ClientOnly,
            None => Seen::Both,
        }
    })
}

/// The server aborts a request: the RST crosses the whole path.
fn server_abort(net: &mut Net, cast: &Cast) -> Built {
    let c = aborted_upload(net, cast, 6.0, 900, 1.8);
    take("server-abort", c, &cast.client, &cast.server).seen_by(Some(MatchMethod::Isn), both)
}

/// The server aborts again, but a firewall drops its RST: only the server sees it.
fn dropped_reset(net: &mut Net, cast: &Cast) -> Built {
    let c = aborted_upload(net, cast, 10.0, 700, 1.2);
    take("dropped-reset", c, &cast.client, &cast.server).seen_by(
        Some(MatchMethod::Isn),
        |_, _, d| match d.label {
            Some(_) => Seen::ServerOnly,
            None => Seen::Both,
        },
    )
}

/// An upload of `bytes` the server acknowledges, then aborts after `after_s`.
fn aborted_upload(net: &mut Net, cast: &Cast, at: f64, bytes: usize, after_s: f64) -> Conversation {
    let mut c = net.connect(&cast.client, &cast.server, 8080, at, RTT_MS);
    c.handshake();
    c.send(
        Side::Client,
        &payload::http_request("POST", "api.example.net", "/v1/upload", bytes),
    );
    c.ack(Side::Server);
    c.wait(after_s);
    c.reset(
        Side::Server,
        ACK,
        Verdict::new(Sender::Server, Origin::Server, Cause::AppAbort),
    );
    c
}

fn fetch(net: &mut Net, client: &Host, server: &Host, port: u16, at: f64) -> Conversation {
    let mut c = net.connect(client, server, port, at, RTT_MS);
    c.handshake();
    c.send(
        Side::Client,
        &payload::http_request("GET", "www.example.com", "/index.html", 0),
    );
    c.send(Side::Server, &payload::http_response("200 OK", 3_100));
    c.ack(Side::Client);
    c.close(Side::Client);
    c
}
