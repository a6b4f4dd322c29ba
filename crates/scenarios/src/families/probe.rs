//! Probes: port scans and load-balancer health checks.

use rstscope_core::decode::flags::{ACK, FIN, PSH, URG};
use rstscope_core::report::Cause;

use super::{own, pick, Stage};
use crate::conversation::Side;
use crate::host::{Fingerprint, Host};
use crate::label::SubCause;
use crate::payload;

const PORTS: [u16; 16] = [
    21, 22, 23, 25, 53, 80, 110, 135, 139, 143, 443, 445, 3306, 3389, 5432, 8080,
];

/// A scanner's raw probes: nmap's window and options, its own TTL.
fn scanner(st: &mut Stage) -> Host {
    let windows = [1024, 2048, 3072, 4096];
    let window = pick(&mut st.rng, &windows);
    Host {
        fingerprint: Fingerprint {
            name: "nmap",
            // nmap picks a random TTL in 37..=59 for raw probes (`tcpip.cc`).
            initial_ttl: st.rng.range(37, 59) as u8,
            syn_window: window,
            window,
            ..Fingerprint::NMAP
        },
        ..st.client
    }
}

/// The ports a scan tries, and which of them are open.
fn targets(st: &mut Stage) -> Vec<(u16, bool)> {
    let count = st.rng.range(4, 12);
    let mut ports: Vec<u16> = Vec::new();
    while ports.len() < count as usize {
        let port = pick(&mut st.rng, &PORTS);
        if !ports.contains(&port) {
            ports.push(port);
        }
    }
    let open = st.rng.range(1, 3);
    ports
        .into_iter()
        .enumerate()
        .map(|(i, p)| (p, (i as u64) < open))
        .collect()
}

/// `nmap -sS`: raw SYNs from one source port. An open port's SYN-ACK
/// reaches the scanner's kernel, which has no socket and resets it (`seq =
/// SEG.ACK`); a closed port refuses.
pub fn syn_scan(st: &mut Stage) {
    st.background(0.0, 30.0);
    let prober = scanner(st);
    // masscan with --banners speaks on the open port with its own stack
    // after the scanner's kernel already reset it (Zeek's modbus capture).
    let banners = st.chance(30);
    let source_port = st.rng.range(40_000, 65_000) as u16;
    let start = st.seconds(1.0, 30.0);
    let pace = st.seconds(0.0002, 0.05);
    let scan = st.net.incident();
    for (i, (port, open)) in targets(st).into_iter().enumerate() {
        let mut c = st.connect_from(&prober, source_port, port, start + pace * i as f64);
        c.syn();
        if open {
            c.syn_ack();
            let (seq, ack, flags) = c.no_socket_answer(Side::Client);
            let kernel = st.client;
            c.wait(st.path.answer_us(Side::Client) as f64 / 1e6 + 0.000_05);
            let root = c.reset_from(
                &kernel,
                Side::Client,
                seq,
                ack,
                flags,
                own(Side::Client, Cause::Scan).within(scan),
            );
            if banners {
                let probe = payload::http_request("GET", "target", "/", 0);
                c.send(Side::Client, &probe);
                let label = own(Side::Server, Cause::ClosedSocket).after(Some(root));
                c.reset_no_socket(Side::Server, label);
            }
        } else {
            c.reset_no_socket(Side::Server, own(Side::Server, Cause::Refused).within(scan));
        }
        st.net.add(c);
    }
}

/// `nmap -sT`: the scanner's kernel connects to each port; an open port's
/// connection is closed at once with `SO_LINGER` 0 (RST+ACK from the
/// socket), a closed port refuses.
pub fn connect_scan(st: &mut Stage) {
    st.background(0.0, 30.0);
    let start = st.seconds(1.0, 30.0);
    let pace = st.seconds(0.0002, 0.05);
    let scan = st.net.incident();
    for (i, (port, open)) in targets(st).into_iter().enumerate() {
        let mut c = st.connect(port, start + pace * i as f64);
        c.syn();
        if open {
            c.syn_ack();
            c.ack(Side::Client);
            let label = own(Side::Client, Cause::Scan)
                .sub(SubCause::ConnectProbe)
                .within(scan);
            c.reset_now(Side::Client, ACK, label);
        } else {
            c.reset_no_socket(Side::Server, own(Side::Server, Cause::Refused).within(scan));
        }
        st.net.add(c);
    }
}

/// `nmap -sF`, `-sN`, `-sX`: one odd segment per port and no handshake.
/// Closed ports answer RST+ACK (seq 0, ack = the probe's end, RFC 9293
/// §3.10.7.1); open ones stay silent.
pub fn stealth_scan(st: &mut Stage) {
    st.background(0.0, 30.0);
    let prober = scanner(st);
    let source_port = st.rng.range(40_000, 65_000) as u16;
    let (flags, sub) = pick(
        &mut st.rng,
        &[
            (FIN, SubCause::FinProbe),
            (0, SubCause::NullProbe),
            (FIN | PSH | URG, SubCause::XmasProbe),
        ],
    );
    let start = st.seconds(1.0, 30.0);
    let pace = st.seconds(0.0002, 0.3);
    let scan = st.net.incident();
    for (i, (port, open)) in targets(st).into_iter().enumerate() {
        let mut c = st.connect_from(&prober, source_port, port, start + pace * i as f64);
        c.probe(Side::Client, flags);
        if !open {
            let label = own(Side::Server, Cause::Scan).sub(sub).within(scan);
            c.reset_no_socket(Side::Server, label);
        }
        st.net.add(c);
    }
}

/// A load balancer's TCP health checks, seen at the backend (HAProxy
/// `check`, cloud balancers): connect, then abort at once with RST+ACK
/// (`SO_LINGER` 0), every 2-30 s; real traffic from the balancer between.
pub fn health_check(st: &mut Stage) {
    st.background(0.0, 60.0);
    let interval = pick(&mut st.rng, &[2.0, 5.0, 10.0, 30.0]);
    let port = pick(&mut st.rng, &[80, 8080, 8443, 9000]);
    let start = st.seconds(0.5, 10.0);
    let checks = st.net.incident();
    for i in 0..st.rng.range(2, 6) {
        let mut c = st.connect(port, start + interval * i as f64);
        c.handshake();
        c.wait(st.seconds(0.0, 0.002));
        let label = own(Side::Client, Cause::AppAbort)
            .sub(SubCause::ConnectProbe)
            .within(checks);
        c.reset(Side::Client, ACK, label);
        st.net.add(c);
    }
}
