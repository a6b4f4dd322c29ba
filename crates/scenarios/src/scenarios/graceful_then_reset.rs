use rstscope_core::decode::flags::ACK;
use rstscope_core::report::{Cause, Origin, Sender};

use super::traffic;
use crate::conversation::Side;
use crate::host::{Fingerprint, Host};
use crate::net::{Net, Verdict};

/// A normal HTTPS visit closed with FIN both ways, after which the Windows
/// client still sends a RST+ACK: benign, the data was all delivered.
pub fn build(net: &mut Net, client: &Host, at: f64) {
    let server = net.remote_host(Fingerprint::LINUX, 12);
    traffic::browse(net, client, &server, "static.example.com", at, 33.0);

    let mut c = traffic::https_open(net, client, &server, "static.example.com", at + 3.0, 33.0);
    c.wait(1.2);
    c.close(Side::Client);
    c.reset(
        Side::Client,
        ACK,
        Verdict::new(Sender::Client, Origin::Client, Cause::GracefulClose),
    );
    net.add(c);
}
