use rstscope_core::decode::flags::ACK;
use rstscope_core::report::{Cause, Origin, Sender};

use super::traffic;
use crate::conversation::Side;
use crate::host::{Fingerprint, Host};
use crate::net::{Net, Verdict};
use crate::payload;

/// A Windows download is cancelled: the application closes with
/// `SO_LINGER` 0 while the server's response sits unread, so the client's
/// stack sends RST+ACK (its global IP-ID counter continues).
pub fn build(net: &mut Net, client: &Host, at: f64) {
    let server = net.remote_host(Fingerprint::LINUX, 14);
    traffic::browse(net, client, &server, "downloads.example.org", at, 27.0);

    let mut c = net.connect(client, &server, 80, at + 1.5, 27.0);
    c.handshake();
    c.send(
        Side::Client,
        &payload::http_request("GET", "downloads.example.org", "/iso/image.iso", 0),
    );
    c.send(Side::Server, &payload::http_response("200 OK", 40_000));
    c.ack(Side::Client);
    c.wait(0.35);
    c.reset(
        Side::Client,
        ACK,
        Verdict::new(Sender::Client, Origin::Client, Cause::AppAbort),
    );
    net.add(c);

    traffic::browse(
        net,
        client,
        &server,
        "downloads.example.org",
        at + 4.0,
        27.0,
    );
}
