use rstscope_core::decode::flags::ACK;
use rstscope_core::report::{Cause, Origin, Sender};

use super::traffic;
use crate::conversation::Side;
use crate::host::{Fingerprint, Host};
use crate::net::{Net, Verdict};

const PORTS: [u16; 9] = [21, 22, 25, 80, 110, 143, 443, 3306, 8080];
const OPEN: [u16; 3] = [22, 80, 443];

/// `nmap -sS` from the capturing host: raw SYN probes from one source port
/// (nmap's TTL and window). Open ports answer SYN-ACK and the scanner's
/// kernel, knowing no such connection, resets them; closed ports refuse.
pub fn build(net: &mut Net, client: &Host, at: f64) {
    let server = net.remote_host(Fingerprint::LINUX, 8);
    traffic::browse(net, client, &server, "scanme.example.net", at, 25.0);

    let prober = Host {
        fingerprint: Fingerprint::NMAP,
        ..*client
    };
    // nmap picks one random source port for all its probes.
    let source_port = net.rng().range(40_000, 65_000) as u16;
    for (i, &port) in PORTS.iter().enumerate() {
        let mut c = net.connect_from(
            &prober,
            source_port,
            &server,
            port,
            at + 5.0 + 0.0004 * i as f64,
            25.0,
        );
        c.syn();
        let isn_plus_one = c.client_isn().wrapping_add(1);
        if OPEN.contains(&port) {
            c.syn_ack();
            let label = Verdict::new(Sender::Client, Origin::Client, Cause::Scan);
            c.wait(0.000_05);
            c.reset_from(client, Side::Client, isn_plus_one, 0, 0, label);
        } else {
            let label = Verdict::new(Sender::Server, Origin::Server, Cause::Refused);
            c.reset_stateless(Side::Server, 0, isn_plus_one, ACK, label);
        }
        net.add(c);
    }
}
