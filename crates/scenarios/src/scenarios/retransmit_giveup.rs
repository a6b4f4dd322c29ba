use rstscope_core::decode::flags::ACK;
use rstscope_core::report::{Cause, Origin, Sender};

use super::traffic;
use crate::conversation::Side;
use crate::host::{Fingerprint, Host};
use crate::net::{Net, Verdict};
use crate::payload;

/// Windows' default: 5 retransmissions with exponential backoff, then give up.
const RETRANSMISSIONS: u32 = 5;
const FIRST_RTO_S: f64 = 0.3;

/// The path starts dropping everything mid-session: the Windows client's
/// request is never acknowledged, it backs off and finally resets.
pub fn build(net: &mut Net, client: &Host, at: f64) {
    let server = net.remote_host(Fingerprint::LINUX, 16);
    traffic::browse(net, client, &server, "mail.example.com", at, 58.0);

    let mut c = traffic::https_open(net, client, &server, "mail.example.com", at + 4.0, 58.0);
    c.wait(2.0);
    let request = payload::tls_application_data(700, net.rng());
    let seq = c.next_seq(Side::Client);
    c.send(Side::Client, &request);
    for n in 0..RETRANSMISSIONS {
        c.retransmit(Side::Client, seq, &request, FIRST_RTO_S * f64::from(1 << n));
    }
    c.wait(FIRST_RTO_S * f64::from(1 << RETRANSMISSIONS));
    c.reset(
        Side::Client,
        ACK,
        Verdict::new(Sender::Client, Origin::Client, Cause::RetransmitTimeout),
    );
    net.add(c);
}
