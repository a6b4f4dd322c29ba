//! Large, realistic captures for benchmarks: `rstscope-scenarios bulk`.
//!
//! A busy gateway's view: thousands of flows open at once and interleaved in
//! time, about 40% pure ACKs, 40% full-sized segments and the rest
//! mid-sized (requests, TLS handshakes, DNS, QUIC), some IPv6, some UDP, and
//! every few hundred flows one of the catalogue's reset scenarios.
//!
//! The capture is streamed: each flow is built whole when it starts (by the
//! same [`Conversation`] and catalogue recipes as the labelled scenarios),
//! kept compactly (bulk payload bytes are not stored, only their length) and
//! merged into capture order through a heap keyed by each flow's next packet
//! time. Memory is bounded by the flows in progress, not by the file size.
//!
//! The arrival process starts [`WARMUP_S`] before the capture does and the
//! packets before the start are dropped, so the capture opens in steady
//! state: with connections already in progress, as a real capture does.
//!
//! [`Mix`] picks the traffic: long-lived flows (the default), office web
//! browsing (many short connections, [`web`]), or the long flows with port
//! and host sweeps ([`sweep`]) or SYN floods ([`flood`]) amid them. Sweeps
//! and floods come in episodes, generated one slice of capture time at a
//! time so that memory stays bounded however long they last.

mod flood;
mod sweep;
mod web;

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use etherparse::PacketBuilder;
use rstscope_core::decode::flags;
use rstscope_core::report::{Cause, Origin, Sender};

use crate::conversation::{other, Conversation, Side};
use crate::host::{Fingerprint, Host};
use crate::net::{IpId, Verdict};
use crate::packet::Packet;
use crate::rng::Rng;
use crate::scenarios::RECIPES;
use crate::write::CaptureWriter;
use crate::{payload, write, ExpectedReset, Format, Link, Options};

/// 2024-11-05 14:03:27 UTC, the catalogue's epoch: the capture's first second.
const START_US: i64 = 1_730_815_407_000_000;
/// How long the arrival process runs before the capture starts.
const WARMUP_S: f64 = 300.0;
/// Mean arrivals per second of everyday flows, and of catalogue scenarios.
const FLOWS_PER_S: f64 = 20.0;
const RECIPES_PER_S: f64 = 0.4;
/// When the first sweep or flood starts, after the capture's start.
const FIRST_EPISODE_US: i64 = 2_000_000;
/// Capture time covered by one slice of a sweep or flood.
const SLICE_US: i64 = 250_000;
/// Capture bytes per second assumed until enough has been written to measure
/// it (it decides whether a long reset scenario still fits in the capture).
const NOMINAL_RATE: f64 = 2.0e6;
/// Layer-3 MTU: full segments make 1514-byte Ethernet frames.
const MTU: usize = 1500;
/// Payloads up to this size are stored; longer ones keep a prefix of
/// [`PREFIX`] bytes and are completed from the filler when written.
const INLINE_MAX: usize = 200;
const PREFIX: usize = 32;
const FILLER_LEN: usize = 64 * 1024;
/// The capture point's MACs (as in `write`): inside hosts' frames go to the gateway.
const INSIDE_MAC: [u8; 6] = [0x3c, 0x22, 0xfb, 0x5a, 0x10, 0x7e];
const GATEWAY_MAC: [u8; 6] = [0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e];

const CLIENTS_V4: usize = 3000;
const CLIENTS_V6: usize = 600;
const SERVERS_V4: usize = 1500;
const SERVERS_V6: usize = 300;
const RESOLVERS: usize = 4;
/// Share of flows over IPv6, in percent.
const IPV6_PERCENT: u64 = 15;

const SITES: [&str; 8] = [
    "www.example.com",
    "cdn.example.net",
    "api.example.org",
    "static.example.com",
    "mail.example.net",
    "video.example.org",
    "auth.example.com",
    "telemetry.example.net",
];

/// The traffic a bulk capture carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mix {
    /// Long-lived flows: keep-alive HTTPS sessions, downloads, DNS, QUIC.
    Long,
    /// Office web browsing: page visits over several short connections after
    /// a DNS lookup, API calls of one request each, keep-alive reuse.
    Web,
    /// [`Mix::Long`] with SYN sweeps across the hosts and ports of a network.
    Scan,
    /// [`Mix::Long`] with SYN floods from spoofed sources against one server.
    Flood,
}

impl Mix {
    pub const ALL: [Mix; 4] = [Mix::Long, Mix::Web, Mix::Scan, Mix::Flood];

    pub fn name(self) -> &'static str {
        match self {
            Mix::Long => "long",
            Mix::Web => "web",
            Mix::Scan => "scan",
            Mix::Flood => "flood",
        }
    }

    pub fn parse(name: &str) -> Option<Mix> {
        Mix::ALL.into_iter().find(|mix| mix.name() == name)
    }

    /// Everyday flows started per second, and their kinds.
    fn flows(self) -> (f64, &'static [(Kind, u64)]) {
        match self {
            Mix::Web => (web::VISITS_PER_S, &web::KINDS),
            Mix::Long | Mix::Scan | Mix::Flood => (FLOWS_PER_S, &KINDS),
        }
    }

    /// Mean episodes (sweeps or floods) started per second.
    fn episodes_per_s(self) -> f64 {
        match self {
            Mix::Scan => sweep::PER_S,
            Mix::Flood => flood::PER_S,
            Mix::Long | Mix::Web => 0.0,
        }
    }
}

/// The everyday flows and how often each starts (weights out of 100 in
/// the long mix).
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// HTTPS: a few request/response exchanges, then a keep-alive idle.
    Web,
    /// One plain HTTP fetch, closed at once.
    Fetch,
    /// A large download (software update, video segment run).
    Download,
    Upload,
    Dns,
    /// QUIC-like UDP on port 443.
    Quic,
    /// A web page visit: DNS, then several short connections ([`web`]).
    Page,
    /// One API call or health check per connection ([`web`]).
    Api,
}

const KINDS: [(Kind, u64); 6] = [
    (Kind::Web, 45),
    (Kind::Fetch, 10),
    (Kind::Download, 3),
    (Kind::Upload, 2),
    (Kind::Dns, 30),
    (Kind::Quic, 10),
];

/// What `bulk` wrote.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub bytes: u64,
    pub packets: u64,
    pub tcp_packets: u64,
    pub udp_packets: u64,
    pub ipv6_packets: u64,
    /// TCP segments with only ACK set and no payload.
    pub pure_acks: u64,
    /// TCP segments with SYN and without ACK: connection attempts.
    pub syns: u64,
    /// Frames of 1514 bytes (full Ethernet MTU).
    pub full_frames: u64,
    /// Flows started after the warm-up (a catalogue scenario counts once).
    pub flows: u64,
    /// Catalogue scenarios started, and the names of those never started
    /// (longer than the capture).
    pub scenarios: u64,
    pub missing_scenarios: Vec<&'static str>,
    /// Most and mean flows in progress while the capture was written.
    pub max_open_flows: usize,
    pub mean_open_flows: f64,
    /// Seconds of capture time.
    pub duration_s: f64,
    /// The ground truth of every catalogue RST written.
    pub labels: Vec<ExpectedReset>,
}

/// Writes a capture of the [`Mix::Long`] traffic of at least `size` bytes
/// (it stops at the first frame past it) to `out`. Same size, format and
/// seed: same bytes.
pub fn bulk(out: &mut impl Write, size: u64, format: Format, seed: u64) -> io::Result<Stats> {
    bulk_mix(out, size, format, seed, Mix::Long)
}

/// [`bulk`] with the traffic of `mix`.
pub fn bulk_mix(
    out: &mut impl Write,
    size: u64,
    format: Format,
    seed: u64,
    mix: Mix,
) -> io::Result<Stats> {
    let mut generator = Generator::new(seed, mix);
    let mut stats = Stats::default();
    let mut writer = CaptureWriter::new(out, format, Link::Ethernet.link_type())?;
    stats.bytes = writer.bytes();

    let mut frame = Vec::with_capacity(2048);
    let mut open_flow_sum = 0u64;
    while stats.bytes < size {
        let Some(wire) = generator.next_wire(&stats, size) else {
            break;
        };
        if wire.ts_us < START_US {
            continue; // warm-up
        }
        generator.frame(wire.ts_us, &wire, &mut frame);
        stats.count(&wire, frame.len());
        if let Some(v) = wire.label {
            stats.labels.push(ExpectedReset {
                frame: stats.packets,
                sender: v.sender,
                origin: v.origin,
                cause: v.cause,
                sub_cause: v.sub_cause,
                consequence_of: None,
                incident: stats.packets,
            });
        }
        writer.frame(wire.ts_us, &frame)?;
        stats.bytes = writer.bytes();
        stats.duration_s = (wire.ts_us - START_US) as f64 / 1e6;
        let open = generator.flows.len() + 1;
        stats.max_open_flows = stats.max_open_flows.max(open);
        open_flow_sum += open as u64;
    }
    stats.flows = generator.flows_started;
    stats.scenarios = generator.scenarios_started;
    stats.missing_scenarios = RECIPES
        .iter()
        .zip(&generator.started_per_recipe)
        .filter(|&(_, &n)| n == 0)
        .map(|(recipe, _)| recipe.name)
        .collect();
    stats.mean_open_flows = open_flow_sum as f64 / stats.packets.max(1) as f64;
    writer.into_inner().flush()?;
    Ok(stats)
}

impl Stats {
    fn count(&mut self, wire: &Wire, frame_len: usize) {
        self.packets += 1;
        if frame_len == MTU + 14 {
            self.full_frames += 1;
        }
        match &wire.body {
            Body::Tcp { packet, .. } => {
                self.tcp_packets += 1;
                self.ipv6_packets += u64::from(packet.src.is_ipv6());
                let empty = packet.payload.is_empty() && wire.filler_len == 0;
                self.pure_acks += u64::from(packet.flags == flags::ACK && empty);
                self.syns += u64::from(packet.flags & (flags::SYN | flags::ACK) == flags::SYN);
            }
            Body::Udp(datagram) => {
                self.udp_packets += 1;
                self.ipv6_packets += u64::from(datagram.src.is_ipv6());
            }
        }
    }

    /// One line per figure, for the command line.
    pub fn describe(&self) -> String {
        let pct = |n: u64| 100.0 * n as f64 / self.packets.max(1) as f64;
        let mid = self.packets - self.pure_acks - self.full_frames;
        let mut text = format!(
            "{} bytes, {} frames over {:.0} s of capture time ({:.1} MB/s)\n\
             size mix: {:.1}% pure ACKs, {:.1}% full 1514 B frames, {:.1}% other sizes \
             (mean frame {:.0} B)\n\
             {:.1}% TCP, {:.1}% UDP, {:.1}% IPv6\n\
             {} flows started, {} TCP SYNs, {} reset scenarios ({} labelled RSTs); \
             flows in progress: max {}, mean {:.0}",
            self.bytes,
            self.packets,
            self.duration_s,
            self.bytes as f64 / self.duration_s.max(1e-3) / 1e6,
            pct(self.pure_acks),
            pct(self.full_frames),
            pct(mid),
            self.bytes as f64 / self.packets.max(1) as f64,
            pct(self.tcp_packets),
            pct(self.udp_packets),
            pct(self.ipv6_packets),
            self.flows,
            self.syns,
            self.scenarios,
            self.labels.len(),
            self.max_open_flows,
            self.mean_open_flows,
        );
        if !self.missing_scenarios.is_empty() {
            text.push_str(&format!(
                "\nnot included (longer than the capture): {}",
                self.missing_scenarios.join(", ")
            ));
        }
        text
    }
}

/// One packet waiting in a flow.
struct Wire {
    ts_us: i64,
    body: Body,
    /// Payload bytes after the stored ones, taken from the filler.
    filler_len: usize,
    label: Option<Verdict>,
}

enum Body {
    /// `packet.payload` holds the stored part of the payload.
    Tcp {
        packet: Packet,
        ip_id: IpId,
    },
    Udp(Datagram),
}

struct Datagram {
    src: IpAddr,
    dst: IpAddr,
    src_port: u16,
    dst_port: u16,
    ttl: u8,
    outgoing: bool,
    payload: Vec<u8>,
}

/// A flow's packets, the next one last.
struct Flow {
    id: u64,
    wires: Vec<Wire>,
}

impl Flow {
    fn key(&self) -> (i64, u64) {
        (self.wires.last().map_or(i64::MAX, |w| w.ts_us), self.id)
    }
}

// The heap is a max-heap: the flow with the earliest next packet is "greatest".
impl Ord for Flow {
    fn cmp(&self, other: &Self) -> Ordering {
        other.key().cmp(&self.key())
    }
}

impl PartialOrd for Flow {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Flow {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Flow {}

struct Generator {
    mix: Mix,
    rng: Rng,
    clients_v4: Vec<Host>,
    clients_v6: Vec<Host>,
    servers_v4: Vec<Host>,
    servers_v6: Vec<Host>,
    resolvers: Vec<Host>,
    /// Per host id: next ephemeral port and global IP-ID counter.
    ports: Vec<u16>,
    ip_ids: Vec<u16>,
    filler: Vec<u8>,
    flows: BinaryHeap<Flow>,
    next_flow_us: i64,
    next_scenario_us: i64,
    next_recipe: usize,
    /// The sweep or flood in progress, else when the next one starts.
    episode: Option<Episode>,
    next_episode_us: i64,
    flows_started: u64,
    scenarios_started: u64,
    started_per_recipe: Vec<u64>,
}

impl Generator {
    fn new(seed: u64, mix: Mix) -> Self {
        let mut rng = Rng::new(seed ^ 0xb01c_b01c);
        let filler = (0..FILLER_LEN).map(|_| rng.next_u64() as u8).collect();
        let mut generator = Self {
            mix,
            rng,
            clients_v4: Vec::new(),
            clients_v6: Vec::new(),
            servers_v4: Vec::new(),
            servers_v6: Vec::new(),
            resolvers: Vec::new(),
            ports: Vec::new(),
            ip_ids: Vec::new(),
            filler,
            flows: BinaryHeap::new(),
            next_flow_us: START_US - (WARMUP_S * 1e6) as i64,
            next_scenario_us: START_US,
            next_recipe: 0,
            episode: None,
            next_episode_us: i64::MAX,
            flows_started: 0,
            scenarios_started: 0,
            started_per_recipe: vec![0; RECIPES.len()],
        };
        generator.add_hosts();
        if mix.episodes_per_s() > 0.0 {
            // The first one early, so that even a small capture has one.
            generator.next_episode_us = START_US + FIRST_EPISODE_US;
        }
        generator
    }

    /// Inside clients (10.0.0.0/16, 2001:db8:100::/48) a hop or two from the
    /// capture point; servers (198.18.0.0/15, 2001:db8:200::/48) further out.
    fn add_hosts(&mut self) {
        for i in 0..CLIENTS_V4 {
            let addr = IpAddr::V4(Ipv4Addr::new(10, 0, (i / 250) as u8, (i % 250 + 2) as u8));
            let host = self.host(addr, client_stack(i), (i % 3) as u8);
            self.clients_v4.push(host);
        }
        for i in 0..CLIENTS_V6 {
            let addr = IpAddr::V6(Ipv6Addr::new(
                0x2001,
                0xdb8,
                0x100,
                0,
                0,
                0,
                0,
                i as u16 + 2,
            ));
            let host = self.host(addr, client_stack(i), (i % 3) as u8);
            self.clients_v6.push(host);
        }
        for i in 0..SERVERS_V4 {
            let addr = IpAddr::V4(Ipv4Addr::new(198, 18, (i / 250) as u8, (i % 250 + 2) as u8));
            let host = self.host(addr, server_stack(i), 4 + (i % 21) as u8);
            self.servers_v4.push(host);
        }
        for i in 0..SERVERS_V6 {
            let addr = IpAddr::V6(Ipv6Addr::new(
                0x2001,
                0xdb8,
                0x200,
                0,
                0,
                0,
                0,
                i as u16 + 2,
            ));
            let host = self.host(addr, server_stack(i), 4 + (i % 21) as u8);
            self.servers_v6.push(host);
        }
        for i in 0..RESOLVERS {
            let addr = if i % 2 == 0 {
                IpAddr::V4(Ipv4Addr::new(10, 255, 0, 53 + i as u8))
            } else {
                IpAddr::V6(Ipv6Addr::new(
                    0x2001,
                    0xdb8,
                    0x100,
                    0xff,
                    0,
                    0,
                    0,
                    53 + i as u16,
                ))
            };
            let host = self.host(addr, Fingerprint::LINUX, 1);
            self.resolvers.push(host);
        }
    }

    fn host(&mut self, addr: IpAddr, fingerprint: Fingerprint, hops: u8) -> Host {
        let (low, high) = fingerprint.ephemeral_ports;
        self.ports
            .push(self.rng.range(u64::from(low), u64::from(high)) as u16);
        self.ip_ids.push(self.rng.u16());
        Host {
            id: self.ports.len() - 1,
            addr,
            fingerprint,
            hops,
        }
    }

    /// The next packet in capture order, starting flows as their time comes.
    fn next_wire(&mut self, stats: &Stats, size: u64) -> Option<Wire> {
        loop {
            let next_packet = self.flows.peek().map_or(i64::MAX, |f| f.key().0);
            let next_episode = self
                .episode
                .as_ref()
                .map_or(self.next_episode_us, Episode::next_us);
            if next_episode <= next_packet.min(self.next_flow_us) {
                self.run_episode(next_episode);
            } else if self.next_scenario_us <= next_packet.min(self.next_flow_us) {
                let at = self.next_scenario_us;
                self.next_scenario_us += self.interarrival(RECIPES_PER_S);
                let remaining = self.remaining_us(at, stats, size);
                self.start_scenario(at, remaining);
            } else if self.next_flow_us <= next_packet {
                let at = self.next_flow_us;
                self.next_flow_us += self.interarrival(self.mix.flows().0);
                self.start_flow(at);
            } else {
                let mut flow = self.flows.pop()?;
                let wire = flow.wires.pop()?;
                if !flow.wires.is_empty() {
                    self.flows.push(flow);
                }
                return Some(wire);
            }
        }
    }

    /// Writes the next slice of the episode in progress, or starts one.
    fn run_episode(&mut self, at: i64) {
        let mut episode = match self.episode.take() {
            Some(episode) => episode,
            None => {
                self.next_episode_us = i64::MAX;
                match self.mix {
                    Mix::Scan => {
                        let (sweep, visit) = sweep::Sweep::new(self, at);
                        self.push_flow(visit);
                        Episode::Sweep(sweep)
                    }
                    _ => Episode::Flood(flood::Flood::new(self, at)),
                }
            }
        };
        let (wires, more) = match &mut episode {
            Episode::Sweep(sweep) => sweep.slice(self),
            Episode::Flood(flood) => flood.slice(self),
        };
        self.push_flow(wires);
        if more {
            self.episode = Some(episode);
        } else {
            self.next_episode_us = at + self.interarrival(self.mix.episodes_per_s());
        }
    }

    /// Capture time left at `at` if the rate so far holds.
    fn remaining_us(&self, at: i64, stats: &Stats, size: u64) -> i64 {
        let elapsed_s = (at - START_US) as f64 / 1e6;
        let rate = if elapsed_s >= 10.0 {
            stats.bytes as f64 / elapsed_s
        } else {
            NOMINAL_RATE
        };
        (size.saturating_sub(stats.bytes) as f64 / rate * 1e6) as i64
    }

    /// Exponential inter-arrival time, in microseconds.
    fn interarrival(&mut self, per_s: f64) -> i64 {
        let u = (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        (-(1.0 - u).ln() / per_s * 1e6).round().max(1.0) as i64
    }

    fn push_flow(&mut self, mut wires: Vec<Wire>) {
        if wires.is_empty() {
            return;
        }
        wires.sort_by_key(|w| std::cmp::Reverse(w.ts_us));
        let id = self.flows_started + self.scenarios_started;
        self.flows.push(Flow { id, wires });
    }

    /// The next catalogue scenario (in catalogue order) that ends before the
    /// capture does, its addresses moved to a block of its own.
    fn start_scenario(&mut self, at: i64, remaining_us: i64) {
        for _ in 0..RECIPES.len() {
            let index = self.next_recipe % RECIPES.len();
            let recipe = &RECIPES[index];
            self.next_recipe += 1;
            let options = Options {
                ipv6: self.rng.range(1, 100) <= IPV6_PERCENT,
                seed: self.rng.next_u64(),
                ..Options::default()
            };
            let scenario = recipe.build(&options);
            let (Some(first), Some(last)) = (scenario.packets.first(), scenario.packets.last())
            else {
                continue;
            };
            let (first_us, span_us) = (first.ts_us, last.ts_us - first.ts_us);
            if span_us > remaining_us {
                continue;
            }
            self.started_per_recipe[index] += 1;
            let instance = self.scenarios_started;
            let mut labels = scenario.expected.iter().peekable();
            let mut wires = Vec::with_capacity(scenario.packets.len());
            for (index, mut packet) in scenario.packets.into_iter().enumerate() {
                let label = labels
                    .next_if(|e| e.frame == index as u64 + 1)
                    .map(|e| Verdict::new(e.sender, e.origin, e.cause));
                packet.ts_us += at - first_us;
                packet.src = relocate(packet.src, instance);
                packet.dst = relocate(packet.dst, instance);
                let ip_id = IpId::Fixed(packet.ip_id);
                wires.push(Wire {
                    ts_us: packet.ts_us,
                    body: Body::Tcp { packet, ip_id },
                    filler_len: 0,
                    label,
                });
            }
            self.scenarios_started += 1;
            self.push_flow(wires);
            return;
        }
    }

    fn start_flow(&mut self, at: i64) {
        let kinds = self.mix.flows().1;
        let mut pick = self
            .rng
            .range(1, kinds.iter().map(|&(_, weight)| weight).sum());
        let kind = kinds
            .iter()
            .find(|&&(_, weight)| {
                let hit = pick <= weight;
                pick = pick.saturating_sub(weight);
                hit
            })
            .map_or(Kind::Web, |&(kind, _)| kind);
        let wires = match kind {
            Kind::Dns => self.dns(at),
            Kind::Quic => self.quic(at),
            Kind::Page => self.page(at),
            Kind::Api => self.api(at),
            _ => {
                let conversation = self.tcp(kind, at);
                self.compact(conversation)
            }
        };
        if at >= START_US {
            self.flows_started += 1;
        }
        self.push_flow(wires);
    }

    /// A client and a server of the same IP version.
    fn endpoints(&mut self) -> (Host, Host) {
        let ipv6 = self.rng.range(1, 100) <= IPV6_PERCENT;
        let (clients, servers) = if ipv6 {
            (&self.clients_v6, &self.servers_v6)
        } else {
            (&self.clients_v4, &self.servers_v4)
        };
        let client = clients[self.rng.range(0, clients.len() as u64 - 1) as usize];
        let server = servers[self.rng.range(0, servers.len() as u64 - 1) as usize];
        (client, server)
    }

    /// Another server of `client`'s IP version (a page's CDN or API host).
    fn server_for(&mut self, client: &Host) -> Host {
        let servers = if client.addr.is_ipv6() {
            &self.servers_v6
        } else {
            &self.servers_v4
        };
        servers[self.rng.range(0, servers.len() as u64 - 1) as usize]
    }

    /// The next ephemeral port of `host`, stepping like Linux does.
    fn ephemeral_port(&mut self, host: &Host) -> u16 {
        let (low, high) = host.fingerprint.ephemeral_ports;
        let step = self.rng.range(1, 9) as u16;
        let port = &mut self.ports[host.id];
        *port = port.checked_add(step).filter(|&p| p <= high).unwrap_or(low);
        *port
    }

    /// Round-trip time, log-uniform between 2 and 200 ms, in microseconds.
    fn rtt_us(&mut self) -> i64 {
        let u = self.rng.range(0, 1_000_000) as f64 / 1e6;
        (2_000.0 * 100f64.powf(u)) as i64
    }

    /// Log-uniform in `low..=high`.
    fn log_uniform(&mut self, low: usize, high: usize) -> usize {
        let u = self.rng.range(0, 1_000_000) as f64 / 1e6;
        (low as f64 * (high as f64 / low as f64).powf(u)) as usize
    }

    fn seconds(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.rng.range(0, 1_000_000) as f64 / 1e6
    }

    /// A TCP flow of `kind`, built by the scenarios' conversation model.
    fn tcp(&mut self, kind: Kind, at: i64) -> Conversation {
        let (client, server) = self.endpoints();
        let port = match kind {
            Kind::Fetch => 80,
            _ => 443,
        };
        let client_port = self.ephemeral_port(&client);
        let rtt_us = self.rtt_us();
        let rng = Rng::new(self.rng.next_u64());
        let mut c = Conversation::new(0, rng, (client, client_port), (server, port), at, rtt_us);
        let segment = full_segment(&client, &server);
        let sni = SITES[self.rng.range(0, SITES.len() as u64 - 1) as usize];
        c.handshake();
        match kind {
            Kind::Fetch => {
                let request = payload::http_request("GET", sni, "/index.html", 0);
                c.send(Side::Client, &request);
                let size = self.log_uniform(1_000, 60_000);
                self.transfer(&mut c, Side::Server, size, segment);
                c.close(Side::Client);
            }
            Kind::Download | Kind::Upload => {
                c.send(Side::Client, &payload::tls_client_hello(sni, &mut self.rng));
                self.transfer(&mut c, Side::Server, 3_000, segment);
                let (from, size) = match kind {
                    Kind::Download => (Side::Server, self.log_uniform(100_000, 8_000_000)),
                    _ => (Side::Client, self.log_uniform(100_000, 2_000_000)),
                };
                c.send(other(from), &self.filler[..400]);
                self.transfer(&mut c, from, size, segment);
                c.close(Side::Client);
            }
            _ => {
                c.send(Side::Client, &payload::tls_client_hello(sni, &mut self.rng));
                let flight = self.log_uniform(2_500, 5_000);
                self.transfer(&mut c, Side::Server, flight, segment);
                for _ in 0..self.rng.range(1, 4) {
                    let think = self.seconds(0.02, 3.0);
                    c.wait(think);
                    let request = self.log_uniform(250, 1_200);
                    c.send(Side::Client, &self.filler[..request]);
                    let response = self.log_uniform(300, 100_000);
                    self.transfer(&mut c, Side::Server, response, segment);
                }
                // Keep-alive, then the browser or the server closes (or the
                // flow is still idle when it is forgotten).
                let idle = self.seconds(30.0, 600.0);
                c.wait(idle);
                match self.rng.range(1, 10) {
                    1..=7 => c.close(Side::Client),
                    8..=9 => c.close(Side::Server),
                    _ => {}
                }
            }
        }
        c
    }

    /// `len` bytes from `from` in full segments, each acknowledged.
    fn transfer(&self, c: &mut Conversation, from: Side, len: usize, segment: usize) {
        let mut left = len;
        while left > 0 {
            let n = left.min(segment);
            c.send(from, &self.filler[..n]);
            c.ack(other(from));
            left -= n;
        }
    }

    /// A conversation's packets with their bulk payload bytes dropped.
    fn compact(&mut self, conversation: Conversation) -> Vec<Wire> {
        conversation
            .into_drafts()
            .into_iter()
            .map(|draft| {
                let mut packet = draft.packet;
                let mut filler_len = 0;
                if packet.payload.len() > INLINE_MAX {
                    filler_len = packet.payload.len() - PREFIX;
                    packet.payload.truncate(PREFIX);
                    packet.payload.shrink_to_fit();
                }
                Wire {
                    ts_us: packet.ts_us,
                    body: Body::Tcp {
                        packet,
                        ip_id: draft.ip_id,
                    },
                    filler_len,
                    label: draft.label.map(|(_, v)| v),
                }
            })
            .collect()
    }

    /// A DNS lookup: A or AAAA query and its answer.
    fn dns(&mut self, at: i64) -> Vec<Wire> {
        let (client, _) = self.endpoints();
        self.dns_from(&client, at)
    }

    /// A DNS lookup by `client`; the answer is the last packet.
    fn dns_from(&mut self, client: &Host, at: i64) -> Vec<Wire> {
        let client = *client;
        let resolver = self.resolvers[usize::from(client.addr.is_ipv6())];
        let port = self.ephemeral_port(&client);
        let name = format!(
            "h{}.{}",
            self.rng.range(1, 9_999),
            SITES[self.rng.range(0, SITES.len() as u64 - 1) as usize]
        );
        let id = self.rng.u16();
        let answers = self.rng.range(1, 4) as usize;
        let query = dns_message(id, &name, 0);
        let answer = dns_message(id, &name, answers);
        let rtt_us = self.rng.range(300, 20_000) as i64;
        vec![
            self.datagram(at, &client, port, &resolver, 53, query),
            self.datagram(at + rtt_us, &resolver, 53, &client, port, answer),
        ]
    }

    /// A QUIC-like download: client Initial, server datagrams in bursts of
    /// ten per round trip, a short client ACK after every second one.
    fn quic(&mut self, at: i64) -> Vec<Wire> {
        let (client, server) = self.endpoints();
        let port = self.ephemeral_port(&client);
        let rtt_us = self.rtt_us();
        let mut wires = Vec::new();
        let initial = quic_packet(true, 1_252);
        wires.push(self.datagram(at, &client, port, &server, 443, initial));
        let datagrams = self.log_uniform(8, 400);
        let mut now = at;
        for i in 0..datagrams {
            now += if i % 10 == 0 { rtt_us } else { 60 };
            let len = self.rng.range(1_150, 1_252) as usize;
            wires.push(self.datagram(now, &server, 443, &client, port, quic_packet(i < 2, len)));
            if i % 2 == 1 || i + 1 == datagrams {
                let ack_len = self.rng.range(30, 60) as usize;
                let ack = quic_packet(false, ack_len);
                wires.push(self.datagram(now + 150, &client, port, &server, 443, ack));
            }
        }
        wires
    }

    fn datagram(
        &self,
        ts_us: i64,
        from: &Host,
        src_port: u16,
        to: &Host,
        dst_port: u16,
        mut payload: Vec<u8>,
    ) -> Wire {
        let mut filler_len = 0;
        if payload.len() > INLINE_MAX {
            filler_len = payload.len() - PREFIX;
            payload.truncate(PREFIX);
        }
        Wire {
            ts_us,
            body: Body::Udp(Datagram {
                src: from.addr,
                dst: to.addr,
                src_port,
                dst_port,
                ttl: from.ttl_seen(),
                outgoing: from.hops < 4,
                payload,
            }),
            filler_len,
            label: None,
        }
    }

    /// The link-layer frame of `wire`, into `out`.
    fn frame(&mut self, ts_us: i64, wire: &Wire, out: &mut Vec<u8>) {
        out.clear();
        match &wire.body {
            Body::Tcp { packet, ip_id } => {
                let mut packet = packet.clone();
                packet.ip_id = match *ip_id {
                    IpId::Fixed(id) => id,
                    IpId::HostCounter(host) => {
                        let counter = &mut self.ip_ids[host];
                        *counter = counter.wrapping_add(1);
                        *counter
                    }
                };
                if wire.filler_len > 0 {
                    // Keyed by sequence number: a retransmission repeats its bytes.
                    let at = packet.seq as usize % (FILLER_LEN - MTU);
                    let filler = &self.filler[at..at + wire.filler_len];
                    packet.payload.extend_from_slice(filler);
                }
                out.extend_from_slice(&write::frame(&packet, Link::Ethernet));
            }
            Body::Udp(d) => {
                let (src_mac, dst_mac) = if d.outgoing {
                    (INSIDE_MAC, GATEWAY_MAC)
                } else {
                    (GATEWAY_MAC, INSIDE_MAC)
                };
                let at = ts_us as usize % (FILLER_LEN - MTU);
                let mut payload = d.payload.clone();
                payload.extend_from_slice(&self.filler[at..at + wire.filler_len]);
                let ethernet = PacketBuilder::ethernet2(src_mac, dst_mac);
                let ip = match (d.src, d.dst) {
                    (IpAddr::V4(src), IpAddr::V4(dst)) => {
                        ethernet.ipv4(src.octets(), dst.octets(), d.ttl)
                    }
                    (IpAddr::V6(src), IpAddr::V6(dst)) => {
                        ethernet.ipv6(src.octets(), dst.octets(), d.ttl)
                    }
                    _ => unreachable!("a datagram's addresses share one IP version"),
                };
                ip.udp(d.src_port, d.dst_port)
                    .write(out, &payload)
                    .expect("a generated datagram fits in a frame");
            }
        }
    }
}

/// A sweep or a flood in progress.
enum Episode {
    Sweep(sweep::Sweep),
    Flood(flood::Flood),
}

impl Episode {
    /// When its next slice starts.
    fn next_us(&self) -> i64 {
        match self {
            Episode::Sweep(sweep) => sweep.next_us,
            Episode::Flood(flood) => flood.next_us,
        }
    }
}

/// What the server of a [`syn_flood`] does with each SYN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloodAnswer {
    /// Nothing: every SYN is a connection to track.
    Silence,
    /// RST+ACK, as from a closed port: a refused connection per SYN, the
    /// most resets a capture can hold per byte (a share link's worst case).
    Refusal,
}

/// The tracker's worst case for memory: `count` SYNs, each from a different
/// (spoofed) source to one server, as in a SYN flood, never answered
/// ([`FloodAnswer::Silence`]) or each refused. Every SYN is a new
/// connection to track, so the analyzer's peak memory on this capture
/// measures its per-connection state.
pub fn syn_flood(
    out: &mut impl Write,
    count: u64,
    answer: FloodAnswer,
    format: Format,
    seed: u64,
) -> io::Result<u64> {
    let mut rng = Rng::new(seed);
    let mut writer = CaptureWriter::new(out, format, Link::Ethernet.link_type())?;
    let server = Host {
        id: 1,
        addr: IpAddr::V4(Ipv4Addr::new(198, 18, 0, 80)),
        fingerprint: Fingerprint::LINUX,
        hops: 6,
    };
    for i in 0..count {
        let [a, b, c, d] = (i as u32).to_be_bytes();
        let client = Host {
            id: 0,
            addr: IpAddr::V4(Ipv4Addr::new(100 | (a & 0x1f), b, c, d)),
            fingerprint: Fingerprint::NMAP,
            hops: 12,
        };
        let port = rng.range(1024, 65535) as u16;
        let at = START_US + (i * 10) as i64; // 100 000 SYNs per second
        let mut c = Conversation::new(
            0,
            Rng::new(rng.next_u64()),
            (client, port),
            (server, 80),
            at,
            0,
        );
        c.syn();
        if answer == FloodAnswer::Refusal {
            let refused = Verdict::new(Sender::Server, Origin::Server, Cause::Refused);
            c.reset_no_socket(Side::Server, refused);
        }
        for draft in c.into_drafts() {
            let mut packet = draft.packet;
            packet.ip_id = rng.u16();
            writer.frame(packet.ts_us, &write::frame(&packet, Link::Ethernet))?;
        }
    }
    let bytes = writer.bytes();
    writer.into_inner().flush()?;
    Ok(bytes)
}

/// Payload per full segment between two hosts: 1500 minus the IP and TCP
/// headers (and the timestamp option when both stacks use it).
fn full_segment(client: &Host, server: &Host) -> usize {
    let timestamps = client.fingerprint.timestamps && server.fingerprint.timestamps;
    let ip_header = if client.addr.is_ipv6() { 40 } else { 20 };
    MTU - ip_header - 20 - if timestamps { 12 } else { 0 }
}

fn client_stack(i: usize) -> Fingerprint {
    match i % 20 {
        0..=11 => Fingerprint::LINUX,
        _ => Fingerprint::WINDOWS,
    }
}

fn server_stack(i: usize) -> Fingerprint {
    match i % 20 {
        0..=10 => Fingerprint::LINUX,
        11..=16 => Fingerprint::LINUX_ZERO_ID,
        17..=18 => Fingerprint::BIG_IP,
        _ => Fingerprint::WINDOWS,
    }
}

/// Moves a catalogue scenario's address into a block of its own, so that
/// instances never share a host (or a host's TTL/IP-ID baseline): the
/// scenario's LAN 192.168.1.0/24 → 10.128.0.0/9, its servers → 100.64.0.0/10,
/// and for IPv6 the instance number goes into the interface identifier.
fn relocate(addr: IpAddr, instance: u64) -> IpAddr {
    let [hi, lo] = (instance as u16).to_be_bytes();
    match addr {
        IpAddr::V4(v4) => {
            let [a, _, _, d] = v4.octets();
            if a == 192 {
                IpAddr::V4(Ipv4Addr::new(10, 128 | (hi & 0x7f), lo, d))
            } else {
                IpAddr::V4(Ipv4Addr::new(100, 64 | (hi & 0x3f), lo, d))
            }
        }
        IpAddr::V6(v6) => {
            let mut segments = v6.segments();
            segments[5] = instance as u16;
            IpAddr::V6(Ipv6Addr::from(segments))
        }
    }
}

/// A DNS query (`answers` 0) or response with that many A records.
fn dns_message(id: u16, name: &str, answers: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + 16 * answers);
    out.extend_from_slice(&id.to_be_bytes());
    let flags: u16 = if answers == 0 { 0x0100 } else { 0x8180 };
    out.extend_from_slice(&flags.to_be_bytes());
    for count in [1, answers as u16, 0, 0] {
        out.extend_from_slice(&count.to_be_bytes());
    }
    for label in name.split('.') {
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.extend_from_slice(&[0, 0, 1, 0, 1]); // root, type A, class IN
    for i in 0..answers {
        out.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4]);
        out.extend_from_slice(&[198, 18, 7, 10 + i as u8]);
    }
    out
}

/// A QUIC packet of `len` bytes: long header (version 1) or short header,
/// eight-byte connection IDs; the rest (encrypted on the wire) is filler.
fn quic_packet(long_header: bool, len: usize) -> Vec<u8> {
    let mut out = if long_header {
        vec![
            0xc3, 0, 0, 0, 1, 8, 0x5a, 0x11, 0x2b, 0x7e, 0x31, 0x0c, 0x44, 0x9d, 0,
        ]
    } else {
        vec![0x43, 0x5a, 0x11, 0x2b, 0x7e, 0x31, 0x0c, 0x44, 0x9d]
    };
    out.resize(len, 0);
    out
}

#[cfg(test)]
mod tests {
    use rstscope_core::report::Cause;
    use rstscope_core::{Analyzer, Config};

    use super::*;

    /// A small bulk capture reads back frame by frame in time order, mixes
    /// its traffic as promised, and the engine agrees with its labels.
    #[test]
    fn small_bulk_capture_is_well_formed_mixed_and_labelled() {
        // 32 MiB is about 15 s of capture time: room for the short scenarios.
        for (format, size) in [(Format::Pcap, 2 << 20), (Format::PcapNg, 32 << 20)] {
            let mut out = Vec::new();
            let stats = bulk(&mut out, size, format, 7).expect("writes to memory");
            assert_eq!(stats.bytes, out.len() as u64);
            assert!(stats.pure_acks > 0 && stats.full_frames > 0);
            assert!(stats.udp_packets > 0 && stats.ipv6_packets > 0);
            assert!(stats.max_open_flows > 1000, "{}", stats.describe());
            assert!(
                size < 32 << 20 || !stats.labels.is_empty(),
                "{}",
                stats.describe()
            );

            let mut analyzer = Analyzer::new(Config::default());
            let summary = rstscope_capture::read_all(&out[..], &mut analyzer, |_| {})
                .expect("a readable capture");
            assert_eq!(summary.frames, stats.packets);
            let report = analyzer.finish().report;
            assert!(
                report.capture.warnings.is_empty(),
                "{:?}",
                report.capture.warnings
            );
            for label in &stats.labels {
                let reset = report.resets.iter().find(|r| r.frame == label.frame);
                let verdict = reset.map(|r| (r.origin, r.cause));
                assert_eq!(verdict, Some((label.origin, label.cause)), "{label:?}");
            }
        }
    }

    /// Each mix reads back frame by frame and carries its own traffic: the
    /// web mix many more connections per byte than the long one, the scan
    /// mix refused probes and the scanner's resets, the flood mix SYNs by
    /// the thousand and no resets of its own. The engine sees every
    /// labelled RST.
    #[test]
    fn every_mix_has_its_traffic() {
        let size = 8 << 20;
        let mut syns = Vec::new();
        for mix in Mix::ALL {
            let mut out = Vec::new();
            let stats = bulk_mix(&mut out, size, Format::Pcap, 5, mix).expect("writes");
            let mut analyzer = Analyzer::new(Config::default());
            let summary = rstscope_capture::read_all(&out[..], &mut analyzer, |_| {})
                .expect("a readable capture");
            assert_eq!(summary.frames, stats.packets, "{mix:?}");
            let report = analyzer.finish().report;
            assert!(report.capture.warnings.is_empty(), "{mix:?}");
            // Every RST is labelled, and every label is an RST.
            assert_eq!(report.resets.len(), stats.labels.len(), "{mix:?}");
            for label in &stats.labels {
                assert!(report.resets.iter().any(|r| r.frame == label.frame));
            }
            let causes = |cause| stats.labels.iter().filter(|l| l.cause == cause).count();
            if mix == Mix::Scan {
                // 8 MiB holds a handful of catalogue scenarios, not these.
                let counts = (causes(Cause::Scan), causes(Cause::Refused));
                assert!(
                    counts.0 > 10 && counts.1 > 10,
                    "{counts:?} {}",
                    stats.describe()
                );
            }
            syns.push((mix, stats.syns, stats.packets));
        }
        // SYNs per frame: the connections each mix starts.
        let per_frame = |i: usize| syns[i].1 as f64 / syns[i].2 as f64;
        assert!(per_frame(1) > 5.0 * per_frame(0), "web vs long: {syns:?}");
        assert!(per_frame(2) > 5.0 * per_frame(0), "scan vs long: {syns:?}");
        assert!(
            per_frame(3) > 20.0 * per_frame(0),
            "flood vs long: {syns:?}"
        );
    }

    #[test]
    fn same_seed_same_bytes() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        bulk(&mut a, 1 << 20, Format::Pcap, 3).expect("writes");
        bulk(&mut b, 1 << 20, Format::Pcap, 3).expect("writes");
        assert!(a == b);
    }

    /// Every SYN of a refused flood is its own connection, reset by the
    /// server itself; an unanswered flood has no reset.
    #[test]
    fn a_refused_flood_is_one_refused_connection_per_syn() {
        for (answer, resets) in [(FloodAnswer::Refusal, 300), (FloodAnswer::Silence, 0)] {
            let mut out = Vec::new();
            syn_flood(&mut out, 300, answer, Format::Pcap, 5).expect("writes");
            let mut analyzer = Analyzer::new(Config::default());
            rstscope_capture::read_all(&out[..], &mut analyzer, |_| {}).expect("readable");
            let report = analyzer.finish().report;
            assert_eq!(report.connections.len(), 300);
            assert_eq!(report.resets.len(), resets, "{answer:?}");
            assert!(report
                .resets
                .iter()
                .all(|r| (r.origin, r.cause) == (Origin::Server, Cause::Refused)));
        }
    }
}
