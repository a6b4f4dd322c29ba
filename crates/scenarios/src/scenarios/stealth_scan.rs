use rstscope_core::decode::flags::{ACK, FIN, PSH, URG};
use rstscope_core::report::{Cause, Origin, Sender};

use super::traffic;
use crate::conversation::Side;
use crate::host::{Fingerprint, Host};
use crate::net::{Net, Verdict};

/// (port, probe flags): nmap -sF, -sN and -sX against a closed and an open port each.
const PROBES: [(u16, u16); 6] = [
    (23, FIN),
    (80, FIN),
    (111, 0),
    (443, 0),
    (135, FIN | PSH | URG),
    (22, FIN | PSH | URG),
];
const OPEN: [u16; 3] = [22, 80, 443];

/// FIN, NULL and Xmas probes from the capturing host: no handshake, one
/// odd segment per port. Closed ports answer RST+ACK (RFC 9293); open ones
/// stay silent, which is how the scanner tells them apart.
pub fn build(net: &mut Net, client: &Host, at: f64) {
    let server = net.remote_host(Fingerprint::LINUX, 6);
    traffic::browse(net, client, &server, "target.example.net", at, 18.0);
    traffic::fetch(
        net,
        client,
        &server,
        "target.example.net",
        80,
        at + 1.5,
        18.0,
    );

    let prober = Host {
        fingerprint: Fingerprint::NMAP,
        ..*client
    };
    let source_port = net.rng().range(40_000, 65_000) as u16;
    for (i, &(port, flags)) in PROBES.iter().enumerate() {
        let mut c = net.connect_from(
            &prober,
            source_port,
            &server,
            port,
            at + 4.0 + 0.3 * i as f64,
            18.0,
        );
        c.probe(Side::Client, flags);
        if !OPEN.contains(&port) {
            let seq = c.next_seq(Side::Client);
            let label = Verdict::new(Sender::Server, Origin::Server, Cause::Scan);
            c.reset_stateless(
                Side::Server,
                0,
                seq.wrapping_add(u32::from(flags & FIN != 0)),
                ACK,
                label,
            );
        }
        net.add(c);
    }
}
