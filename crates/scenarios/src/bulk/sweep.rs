//! The `scan` mix's episodes: an inside host sweeps a block of outside
//! addresses with nmap-style SYN probes (`nmap -sS`: raw SYNs from one
//! source port, ports and hosts in a scattered order, evenly paced).
//! Where nothing lives there is no answer; a live server behind a firewall
//! (four in five) answers only on its open ports; an unfiltered one refuses the others
//! with RST+ACK. An open port answers SYN-ACK, which the scanner's own
//! kernel resets (it knows no such connection). Both kinds of RST are
//! labelled, with the catalogue's `syn-scan` verdicts.

use rstscope_core::decode::flags::ACK;
use rstscope_core::report::{Cause, Origin, Sender};

use super::{Generator, Wire, SERVERS_V4, SLICE_US};
use crate::conversation::{Conversation, Side};
use crate::host::{Fingerprint, Host};
use crate::net::Verdict;
use crate::rng::Rng;
use std::net::{IpAddr, Ipv4Addr};

/// Mean sweeps started per second of capture time.
pub(super) const PER_S: f64 = 1.0 / 10.0;

/// nmap's top 100 TCP ports, most often open first (its scan order); a
/// sweep takes the first 10 to 100.
const TOP_PORTS: [u16; 100] = [
    80, 23, 443, 21, 22, 25, 3389, 110, 445, 139, 143, 53, 135, 3306, 8080, 1723, 111, 995, 993,
    5900, 1025, 587, 8888, 199, 1720, 465, 548, 113, 81, 6001, 10000, 514, 5060, 179, 1026, 2000,
    8443, 8000, 32768, 554, 26, 1433, 49152, 2001, 515, 8008, 49154, 1027, 5666, 646, 5000, 5631,
    631, 49153, 8081, 2049, 88, 79, 5800, 106, 2121, 1110, 49155, 6000, 513, 990, 5357, 427, 49156,
    543, 544, 5101, 144, 7, 389, 8009, 3128, 444, 9999, 5009, 7070, 5190, 3000, 5432, 1900, 3986,
    13, 1029, 9, 5051, 6646, 49157, 1028, 873, 1755, 2717, 4899, 9100, 119, 37,
];

/// How a swept address answers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answers {
    /// Nothing lives there.
    Nothing,
    /// A firewall drops probes to closed ports.
    OpenPorts,
    /// Closed ports are refused.
    Everything,
}

struct Target {
    host: Host,
    answers: Answers,
    /// Its own open ports beside 80 and 443.
    ssh: bool,
    rtt_us: i64,
}

pub(super) struct Sweep {
    /// The scanning machine's own stack (its kernel's resets)...
    scanner: Host,
    /// ...and the scanner's raw probes from the same address.
    prober: Host,
    source_port: u16,
    targets: Vec<Target>,
    ports: Vec<u16>,
    /// Probe `i` goes to pair `i * stride % pairs`: each (target, port)
    /// pair once, in a scattered order.
    stride: usize,
    sent: usize,
    gap_us: i64,
    pub(super) next_us: i64,
}

impl Sweep {
    /// A sweep from a workstation that browses the web too: its visit
    /// starts at `at`, the probes a second later.
    pub(super) fn new(generator: &mut Generator, at: i64) -> (Self, Vec<Wire>) {
        let clients = generator.clients_v4.len() as u64;
        let scanner = generator.clients_v4[generator.rng.range(0, clients - 1) as usize];
        let site = generator.server_for(&scanner);
        let visit = generator.page_from(&scanner, &site, at);
        let source_port = generator.rng.range(40_000, 65_000) as u16;
        // A /24 of the servers' range (198.18.0.0/21; 198.18.6-7 are empty).
        let block = generator.rng.range(0, 7) as usize;
        let count = generator.log_uniform(16, 254);
        let first = generator.rng.range(1, 255 - count as u64) as usize;
        let mut targets = Vec::with_capacity(count);
        for last in first..first + count {
            targets.push(target(generator, block, last));
        }
        let ports = TOP_PORTS[..generator.log_uniform(10, TOP_PORTS.len())].to_vec();
        let pairs = targets.len() * ports.len();
        let mut stride = generator.rng.range(1, pairs as u64 - 1) as usize;
        while gcd(stride, pairs) != 1 {
            stride += 1;
        }
        let rate = generator.log_uniform(200, 3_000);
        let sweep = Self {
            scanner,
            prober: Host {
                fingerprint: Fingerprint::NMAP,
                ..scanner
            },
            source_port,
            targets,
            ports,
            stride,
            sent: 0,
            gap_us: (1e6 / rate as f64) as i64,
            next_us: at + 1_000_000,
        };
        (sweep, visit)
    }

    /// The probes (and answers) of the next slice of capture time, and
    /// whether any remain.
    pub(super) fn slice(&mut self, generator: &mut Generator) -> (Vec<Wire>, bool) {
        let end = self.next_us + SLICE_US;
        let pairs = self.targets.len() * self.ports.len();
        let mut wires = Vec::new();
        while self.next_us < end && self.sent < pairs {
            let pair = self.sent * self.stride % pairs;
            let (host, port) = (pair / self.ports.len(), self.ports[pair % self.ports.len()]);
            let c = self.probe(generator, &self.targets[host], port);
            wires.extend(generator.compact(c));
            self.sent += 1;
            self.next_us += self.gap_us;
        }
        (wires, self.sent < pairs)
    }

    fn probe(&self, generator: &mut Generator, target: &Target, port: u16) -> Conversation {
        let rng = Rng::new(generator.rng.next_u64());
        let client = (self.prober, self.source_port);
        let mut c = Conversation::new(
            0,
            rng,
            client,
            (target.host, port),
            self.next_us,
            target.rtt_us,
        );
        c.syn();
        let isn_plus_one = c.client_isn().wrapping_add(1);
        let open = port == 80 || port == 443 || (port == 22 && target.ssh);
        match target.answers {
            Answers::OpenPorts | Answers::Everything if open => {
                c.syn_ack();
                c.wait(0.000_05);
                let label = Verdict::new(Sender::Client, Origin::Client, Cause::Scan);
                c.reset_from(&self.scanner, Side::Client, isn_plus_one, 0, 0, label);
            }
            Answers::Everything => {
                let label = Verdict::new(Sender::Server, Origin::Server, Cause::Refused);
                c.reset_stateless(Side::Server, 0, isn_plus_one, ACK, label);
            }
            Answers::OpenPorts | Answers::Nothing => {}
        }
        c
    }
}

/// The address `198.18.block.last`: one of the generator's servers (80% of
/// them behind a firewall), or nothing.
fn target(generator: &mut Generator, block: usize, last: usize) -> Target {
    let addr = IpAddr::V4(Ipv4Addr::new(198, 18, block as u8, last as u8));
    let index = (2..=251).contains(&last).then(|| block * 250 + last - 2);
    let server = index
        .filter(|&i| i < SERVERS_V4)
        .map(|i| generator.servers_v4[i]);
    let rtt_us = generator.rtt_us();
    let firewalled = generator.rng.range(1, 10) <= 8;
    match server {
        Some(host) => Target {
            host,
            answers: if firewalled {
                Answers::OpenPorts
            } else {
                Answers::Everything
            },
            ssh: generator.rng.range(1, 4) == 1,
            rtt_us,
        },
        None => Target {
            host: Host {
                id: 0,
                addr,
                fingerprint: Fingerprint::LINUX,
                hops: 10,
            },
            answers: Answers::Nothing,
            ssh: false,
            rtt_us,
        },
    }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}
