use rstscope_core::decode::flags::ACK;
use rstscope_core::report::{Cause, Origin, Sender};

use super::traffic;
use crate::conversation::Side;
use crate::host::{Fingerprint, Host};
use crate::net::{Net, Verdict};

/// A load balancer's TCP health check, seen on the backend: every few
/// seconds it opens a connection and aborts it at once with RST+ACK,
/// sending no data (HAProxy's `check` and cloud balancers do this).
pub fn build(net: &mut Net, backend: &Host, at: f64) {
    let balancer = net.remote_host(Fingerprint::LINUX, 1);
    traffic::fetch(net, &balancer, backend, "api.example.net", 8080, at, 0.6);
    for i in 0..3 {
        let start = at + 2.0 + 5.0 * f64::from(i);
        let mut c = net.connect(&balancer, backend, 8080, start, 0.6);
        c.handshake();
        c.wait(0.000_2);
        let label = Verdict::new(Sender::Client, Origin::Client, Cause::AppAbort);
        c.reset(Side::Client, ACK, label);
        net.add(c);
    }
}
