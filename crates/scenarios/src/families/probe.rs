//! Probes: port scans and load-balancer health checks.

use rstscope_core::decode::flags::{ACK, FIN, PSH, URG};
use rstscope_core::report::Cause;

use super::{own, pick, Stage};
use crate::conversation::Side;
use crate::host::{Fingerprint, Host};
use crate::label::SubCause;
use crate::net::Incident;
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
/// socket), a closed port refuses. Or the same across the hosts of the
/// server's network on one or two ports ([`host_sweep`]).
pub fn connect_scan(st: &mut Stage) {
    st.background(0.0, 30.0);
    if st.chance(40) {
        return host_sweep(st);
    }
    let start = st.seconds(1.0, 30.0);
    let pace = st.seconds(0.0002, 0.05);
    let scan = st.net.incident();
    for (i, (port, open)) in targets(st).into_iter().enumerate() {
        let server = st.server;
        connect_probe(st, &server, port, start + pace * i as f64, open, scan);
    }
}

/// One connect() probe of `server`:`port`: aborted at once when open,
/// refused when closed.
fn connect_probe(st: &mut Stage, server: &Host, port: u16, at: f64, open: bool, scan: Incident) {
    let client = st.client;
    let mut c = st.connect_hosts(&client, server, port, at);
    c.syn();
    if open {
        c.syn_ack();
        c.ack(Side::Client);
        // Every connect_scan variant sweeps 4-11 ports or 6-30 hosts.
        let label = own(Side::Client, Cause::Scan)
            .sub(SubCause::ConnectScan)
            .within(scan);
        c.reset_now(Side::Client, ACK, label);
    } else {
        c.reset_no_socket(Side::Server, own(Side::Server, Cause::Refused).within(scan));
    }
    st.net.add(c);
}

/// `nmap -sT -p80,443 <network>`: connect() probes of one or two ports on
/// 6-30 hosts of the server's network, host after host, port by port
/// (zeek's nmap-vsn.pcap): a few listen, some refuse, and the addresses
/// no machine holds stay silent.
fn host_sweep(st: &mut Stage) {
    let ports: &[u16] = pick(
        &mut st.rng,
        &[&[80][..], &[443], &[80, 443], &[22], &[3389]],
    );
    let count = st.rng.range(6, 30) as u8;
    // Host numbers no other host of the stage uses (see `Net`).
    let first = st.rng.range(130, 200) as u8;
    let server = st.server;
    let hosts: Vec<(Host, u64)> = (0..count)
        .map(|i| (st.net.neighbour(&server, first + i), st.rng.range(0, 9)))
        .collect();
    let start = st.seconds(1.0, 30.0);
    let pace = st.seconds(0.0001, 0.01);
    let scan = st.net.incident();
    for (p, &port) in ports.iter().enumerate() {
        for (i, (host, kind)) in hosts.iter().enumerate() {
            let at = start + pace * (p * hosts.len() + i) as f64;
            // 2 in 10 listen, 4 refuse, 4 are not there.
            if *kind < 6 {
                connect_probe(st, host, port, at, *kind < 2, scan);
            } else {
                let client = st.client;
                let mut c = st.connect_hosts(&client, host, port, at);
                c.syn();
                st.net.add(c);
            }
        }
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
/// Or seen at the balancer, checking a pool of 2-8 backends of one network
/// round after round: many hosts, but the same ones each time.
pub fn health_check(st: &mut Stage) {
    st.background(0.0, 60.0);
    let interval = pick(&mut st.rng, &[2.0, 5.0, 10.0, 30.0]);
    let port = pick(&mut st.rng, &[80, 8080, 8443, 9000]);
    let start = st.seconds(0.5, 10.0);
    let checks = st.net.incident();
    let (pool, rounds) = if st.chance(35) {
        let server = st.server;
        let size = st.rng.range(2, 8) as u8;
        let first = st.rng.range(130, 200) as u8;
        let mut pool = vec![server];
        pool.extend((1..size).map(|i| st.net.neighbour(&server, first + i)));
        (pool, st.rng.range(4, 7))
    } else {
        (vec![st.server], st.rng.range(2, 6))
    };
    let spread = st.seconds(0.001, 0.05);
    for round in 0..rounds {
        for (i, backend) in pool.iter().enumerate() {
            let at = start + interval * round as f64 + spread * i as f64;
            let client = st.client;
            let mut c = st.connect_hosts(&client, backend, port, at);
            c.handshake();
            c.wait(st.seconds(0.0, 0.002));
            let label = own(Side::Client, Cause::AppAbort)
                .sub(SubCause::ConnectProbe)
                .within(checks);
            c.reset(Side::Client, ACK, label);
            st.net.add(c);
        }
    }
}
