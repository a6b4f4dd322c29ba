use rstscope_core::decode::flags::ACK;
use rstscope_core::report::{Cause, Origin, Sender};

use super::traffic;
use crate::conversation::Side;
use crate::host::{Fingerprint, Host};
use crate::net::{Net, Verdict};

/// The client tries an admin port nothing listens on; the server's kernel
/// refuses with the same TTL as its HTTPS traffic (its baseline).
pub fn build(net: &mut Net, client: &Host, at: f64) {
    let server = net.remote_host(Fingerprint::LINUX, 12);
    traffic::browse(net, client, &server, "shop.example.com", at, 38.0);

    let mut c = net.connect(client, &server, 8443, at + 6.0, 38.0);
    c.syn();
    let ack = c.client_isn().wrapping_add(1);
    c.reset_stateless(
        Side::Server,
        0,
        ack,
        ACK,
        Verdict::new(Sender::Server, Origin::Server, Cause::Refused),
    );
    net.add(c);

    traffic::browse(net, client, &server, "shop.example.com", at + 9.0, 38.0);
}
