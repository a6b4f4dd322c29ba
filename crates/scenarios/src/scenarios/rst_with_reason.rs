use rstscope_core::report::{Cause, Origin, Sender};

use super::traffic;
use crate::conversation::Side;
use crate::host::{Fingerprint, Host};
use crate::net::{Net, Verdict};

/// F5's text, as in tcpdump's `tcp_rst_data.pcap`.
const REASON: &str = "BIG-IP: [0x2409b71:704] Flow expired (sweeper)";

/// An F5 BIG-IP virtual server (a full proxy: it is the client's server)
/// sweeps a flow idle for its 300 s timeout and says so in the RST payload.
pub fn build(net: &mut Net, client: &Host, at: f64) {
    let server = net.remote_host(Fingerprint::BIG_IP, 9);
    let mut c = traffic::https_open(net, client, &server, "portal.example.com", at, 29.0);
    traffic::browse(net, client, &server, "portal.example.com", at + 90.0, 29.0);
    c.wait(300.0);
    c.reset_with_text(
        Side::Server,
        REASON,
        Verdict::new(Sender::Server, Origin::Server, Cause::IdleTimeout),
    );
    net.add(c);
}
