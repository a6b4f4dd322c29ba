//! Families of situations: each one story of how a reset happens, told
//! again in many randomised variants — host stacks (TTL, IP-ID style,
//! options), path length and delay, where the capture sits (client, server
//! or a router between), IPv4/IPv6, link type and file format, background
//! traffic of the same hosts, the timings of real devices, and now and then
//! a capture merged from two interfaces whose timestamps go backwards.
//!
//! A variant is a pure function of (family, split, index): the seed space
//! of the train split and that of the held-out split never meet (see
//! [`Split`]), so a rule written or a number fitted on train variants has
//! never seen a held-out one.

mod path;
mod stacks;
mod stage;

mod abort;
mod censor;
mod closed;
mod decoy;
mod idle;
mod late;
mod mptcp;
mod nflog;
mod probe;
mod reject;
mod retransmit;
mod wifi;

use rstscope_core::report::{Cause, Origin, Sender};

use crate::conversation::Side;
use crate::host::Host;
use crate::net::Verdict;
use crate::packet::Packet;
use crate::rng::Rng;
use crate::{ExpectedReset, Format, Link, Options, Scenario};

pub use path::{Path, Vantage};
pub use stacks::Stack;
pub use stage::{Device, InFlight, Stage};

/// One situation and how to tell it.
pub struct Family {
    pub name: &'static str,
    pub description: &'static str,
    /// Where the capture can sit for this story to show its reset(s).
    pub vantages: &'static [Vantage],
    pub clients: &'static [Stack],
    pub servers: &'static [Stack],
    /// Shortest path the story needs (a device between the ends needs 3+).
    pub min_hops: u8,
    pub build: fn(&mut Stage),
}

/// Which side of the train / held-out divide a variant is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Split {
    /// Seeds `1..`: for writing rules and fitting numbers.
    Train,
    /// Seeds from `2^40` on: only ever scored in aggregate.
    HeldOut,
}

/// First seed of the held-out split; train seeds stay far below it.
const HELD_OUT_BASE: u64 = 1 << 40;

impl Split {
    pub fn name(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::HeldOut => "held-out",
        }
    }

    /// The seed of the `index`-th variant of this split.
    pub fn seed(self, index: u64) -> u64 {
        match self {
            Split::Train => 1 + index % (HELD_OUT_BASE - 1),
            Split::HeldOut => HELD_OUT_BASE + index,
        }
    }
}

/// What a variant varied, for accuracy broken down by it.
#[derive(Clone, Debug)]
pub struct Traits {
    pub vantage: Vantage,
    pub ipv6: bool,
    /// Timestamps go backwards: two interfaces' clocks merged.
    pub merged: bool,
    pub client_stack: Stack,
    pub server_stack: Stack,
    /// Stacks, path and capture point, in words.
    pub setting: String,
}

/// One generated capture of a family.
pub struct Variant {
    pub family: &'static Family,
    pub split: Split,
    pub seed: u64,
    pub options: Options,
    pub traits: Traits,
    pub scenario: Scenario,
}

impl Variant {
    /// A file name that says what it is.
    pub fn file_name(&self) -> String {
        format!(
            "{}-{}-{}.{}",
            self.family.name,
            self.split.name(),
            self.seed,
            self.options.format.extension()
        )
    }

    pub fn bytes(&self) -> Vec<u8> {
        crate::write(&self.scenario, &self.options)
    }
}

/// Every family, in a fixed order.
pub fn all() -> &'static [Family] {
    FAMILIES
}

pub fn find(name: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|f| f.name == name)
}

/// The `index`-th variant of `family` in `split`.
pub fn variant(family: &'static Family, split: Split, index: u64) -> Variant {
    let seed = split.seed(index);
    let mut rng = Rng::new(family_seed(family.name, seed));
    let vantage = pick(&mut rng, family.vantages);
    let mut options = Options {
        ipv6: rng.range(0, 99) < 35,
        link: pick(&mut rng, &Link::ALL),
        format: pick(&mut rng, &[Format::Pcap, Format::PcapNg]),
        seed,
    };
    let path = Path::random(&mut rng, vantage, family.min_hops);
    let stacks = (
        Stack::pick(&mut rng, family.clients),
        Stack::pick(&mut rng, family.servers),
    );
    let merged = rng.range(0, 9) == 0;
    let mut stage = Stage::new(Rng::new(rng.next_u64()), options.ipv6, path, stacks);
    (family.build)(&mut stage);
    options.link = stage.link.unwrap_or(options.link);
    let setting = stage.describe();
    let near = match vantage {
        Vantage::Server => stage.server,
        Vantage::Client | Vantage::Middle => stage.client,
    };
    let (mut packets, mut expected) = stage.net.finish();
    if merged {
        skew_interfaces(&mut packets, &near, &mut rng);
    }
    // Drawn last, so the other variants stay as they were.
    let doubled = rng.range(0, 19) == 0;
    let mut setting = setting;
    if doubled {
        (packets, expected) = record_twice(packets, &expected, &mut rng);
        setting.push_str("; every packet recorded twice");
    }
    Variant {
        family,
        split,
        seed,
        options,
        traits: Traits {
            vantage,
            ipv6: options.ipv6,
            merged,
            client_stack: stacks.0,
            server_stack: stacks.1,
            setting,
        },
        scenario: Scenario {
            name: family.name,
            description: family.description,
            packets,
            expected,
        },
    }
}

/// The first `count` variants of every family in `split`.
pub fn split(split: Split, count: u64) -> impl Iterator<Item = Variant> {
    FAMILIES
        .iter()
        .flat_map(move |family| (0..count).map(move |i| variant(family, split, i)))
}

/// A capture that holds every packet twice, the copy 0-300 µs later (two
/// taps merged, a mirror of the ports on both sides of a router: then one
/// hop further, TTL one less), as in Zeek's `ctu-64702-888.pcap` and
/// Suricata's ERSPAN `bug-5437-02`. A copied RST is the same reset: its
/// label is the original's, consequences still follow the original.
fn record_twice(
    packets: Vec<Packet>,
    expected: &[ExpectedReset],
    rng: &mut Rng,
) -> (Vec<Packet>, Vec<ExpectedReset>) {
    let hop_further = rng.range(0, 1) == 0;
    let mut twice = Vec::with_capacity(packets.len() * 2);
    let next_ts: Vec<i64> = packets
        .iter()
        .skip(1)
        .map(|p| p.ts_us)
        .chain([i64::MAX])
        .collect();
    for (packet, next) in packets.into_iter().zip(next_ts) {
        let mut copy = packet.clone();
        let room = next.saturating_sub(packet.ts_us).clamp(0, 300);
        copy.ts_us += rng.range(0, room as u64) as i64;
        if hop_further {
            copy.ttl = copy.ttl.saturating_sub(1);
        }
        twice.push(packet);
        twice.push(copy);
    }
    // Frame f becomes 2f - 1, its copy 2f.
    let moved = |frame: u64| 2 * frame - 1;
    let labels = expected
        .iter()
        .flat_map(|e| {
            let original = ExpectedReset {
                frame: moved(e.frame),
                consequence_of: e.consequence_of.map(moved),
                incident: moved(e.incident),
                ..*e
            };
            let copy = ExpectedReset {
                frame: original.frame + 1,
                ..original
            };
            [original, copy]
        })
        .collect();
    (twice, labels)
}

/// A capture written from two interfaces whose clocks disagree by 0.2-20
/// ms: packets arriving from the far side are stamped late by the other
/// interface's clock, while the file keeps arrival order, so a quick answer
/// shows up before what it answers, as in merged or multi-interface pcapng
/// files.
fn skew_interfaces(packets: &mut [Packet], near: &Host, rng: &mut Rng) {
    let offset_us = rng.range(200, 20_000) as i64;
    for packet in packets.iter_mut().filter(|p| p.src != near.addr) {
        packet.ts_us += offset_us;
    }
}

/// A reset `origin` sent for `cause`, in the name of `name`.
fn verdict(name: Side, origin: Origin, cause: Cause) -> Verdict {
    let sender = match name {
        Side::Client => Sender::Client,
        Side::Server => Sender::Server,
    };
    Verdict::new(sender, origin, cause)
}

/// A reset the endpoint `side` sent itself.
fn own(side: Side, cause: Cause) -> Verdict {
    let origin = match side {
        Side::Client => Origin::Client,
        Side::Server => Origin::Server,
    };
    verdict(side, origin, cause)
}

/// A reset a device on the path sent in the name of `side`.
fn forged(side: Side, cause: Cause) -> Verdict {
    verdict(side, Origin::Middlebox, cause)
}

/// A busy pair of hosts: two to four other families' stories between the
/// same client and server in one capture, each with its own devices and
/// background traffic, overlapping in time.
fn busy(st: &mut Stage) {
    let fits = |f: &&Family| {
        f.name != "busy-hosts"
            && !OWN_CAPTURE.contains(&f.name)
            && f.vantages.contains(&st.path.vantage)
            && f.clients.contains(&st.client_stack)
            && f.servers.contains(&st.server_stack)
            && f.min_hops <= st.path.hops
    };
    let mut candidates: Vec<&Family> = FAMILIES.iter().filter(fits).collect();
    for _ in 0..st.rng.range(2, 4) {
        if candidates.is_empty() {
            break;
        }
        let index = st.rng.range(0, candidates.len() as u64 - 1) as usize;
        (candidates.remove(index).build)(st);
    }
}

/// Stories told by a capture of their own link type (monitor-mode Wi-Fi,
/// NFLOG): not mixed into a busy pair's capture.
const OWN_CAPTURE: &[&str] = &["wifi-reorder", "conntrack-invalid-nflog"];

fn family_seed(name: &str, seed: u64) -> u64 {
    name.bytes().fold(seed ^ 0x7275_7468, |h, b| {
        h.wrapping_mul(0x100_0000_01b3) ^ u64::from(b)
    })
}

fn pick<T: Copy>(rng: &mut Rng, from: &[T]) -> T {
    from[rng.range(0, from.len() as u64 - 1) as usize]
}

use Vantage::{Client as AtClient, Middle as OnPath, Server as AtServer};

const ANYWHERE: &[Vantage] = &[AtClient, AtClient, AtServer, OnPath];

static FAMILIES: &[Family] = &[
    Family {
        name: "refused",
        description: "A SYN to a closed port, refused by the server's own kernel (RST+ACK, seq 0, ack ISN+1), sometimes retried.",
        vantages: ANYWHERE,
        clients: Stack::CLIENTS,
        servers: Stack::SERVERS,
        min_hops: 1,
        build: reject::refused,
    },
    Family {
        name: "firewall-reject",
        description: "A SYN refused by a firewall on the path (netfilter REJECT or an appliance) in the server's name; or by the server host's own netfilter.",
        vantages: &[AtClient, AtClient, OnPath],
        clients: Stack::CLIENTS,
        servers: Stack::SERVERS,
        min_hops: 4,
        build: reject::firewall,
    },
    Family {
        name: "server-abort",
        description: "The server application aborts mid-request: an in-window RST+ACK from its socket, its own TTL and IP-ID.",
        vantages: ANYWHERE,
        clients: Stack::CLIENTS,
        servers: Stack::GENERAL,
        min_hops: 1,
        build: abort::server,
    },
    Family {
        name: "client-abort",
        description: "The client cancels a download (SO_LINGER 0); the server's data still in flight is answered by the client's kernel with bare RSTs.",
        vantages: ANYWHERE,
        clients: Stack::GENERAL,
        servers: Stack::SERVERS,
        min_hops: 1,
        build: abort::client,
    },
    Family {
        name: "unread-data",
        description: "The server answers an upload after its headers and closes with the body unread: RST+ACK instead of FIN (RFC 2525 §2.17), then its kernel resets the body still in flight.",
        vantages: ANYWHERE,
        clients: Stack::GENERAL,
        servers: &[Stack::Linux, Stack::LinuxNoTimestamps, Stack::FreeBsd, Stack::MacOs, Stack::Windows],
        min_hops: 1,
        build: abort::unread_data,
    },
    Family {
        name: "closed-socket",
        description: "The server closed an idle keep-alive connection (FIN); the client's next request reaches the closed socket and the server's kernel resets.",
        vantages: ANYWHERE,
        clients: Stack::CLIENTS,
        servers: Stack::SERVERS,
        min_hops: 1,
        build: closed::after_fin,
    },
    Family {
        name: "close-race",
        description: "One side closes (FIN) while the other is still sending; its kernel resets the data that arrives after, once as the root and then for every segment in flight.",
        vantages: ANYWHERE,
        clients: Stack::GENERAL,
        servers: Stack::GENERAL,
        min_hops: 1,
        build: closed::close_race,
    },
    Family {
        name: "reboot",
        description: "One end reboots while the other holds the connection; the survivor's next segment (a retransmission, or data after a quiet spell) meets a kernel that knows no such connection.",
        vantages: ANYWHERE,
        clients: Stack::GENERAL,
        servers: Stack::SERVERS,
        min_hops: 1,
        build: closed::reboot,
    },
    Family {
        name: "nat-idle-timeout",
        description: "A NAT (home router, CGNAT, AWS/Azure/GCP NAT gateway) forgets an idle flow; the next packet is answered by a RST from the NAT, or from the server through a new mapping.",
        vantages: &[AtClient, AtClient, AtServer],
        clients: Stack::CLIENTS,
        servers: Stack::SERVERS,
        min_hops: 3,
        build: idle::nat,
    },
    Family {
        name: "nat-batch-expiry",
        description: "One NAT forgets several idle long-lived connections of a client; each meets a RST when next used.",
        vantages: &[AtClient, AtClient, AtServer],
        clients: Stack::CLIENTS,
        servers: Stack::GENERAL,
        min_hops: 3,
        build: idle::nat_batch,
    },
    Family {
        name: "nat-closed-purge",
        description: "A NAT gateway purges a closed connection's entry seconds after both FINs or an end's reset, and resets both ends in each other's name as it does.",
        vantages: &[AtClient, AtClient, AtServer],
        clients: Stack::CLIENTS,
        servers: Stack::GENERAL,
        min_hops: 3,
        build: idle::nat_closed_purge,
    },
    Family {
        name: "firewall-idle",
        description: "A stateful firewall ends an idle session: a FortiGate resets both ends at expiry, a Linux firewall REJECTs the next packet of an expired conntrack entry.",
        vantages: ANYWHERE,
        clients: Stack::CLIENTS,
        servers: Stack::GENERAL,
        min_hops: 4,
        build: idle::firewall_idle,
    },
    Family {
        name: "endpoint-idle-timeout",
        description: "An endpoint's application times an idle connection out and aborts it, unprompted, with its own RST+ACK.",
        vantages: ANYWHERE,
        clients: Stack::GENERAL,
        servers: Stack::GENERAL,
        min_hops: 1,
        build: idle::endpoint,
    },
    Family {
        name: "conntrack-invalid",
        description: "A stateful firewall (on a host or a hop or two away) marks a late or out-of-window segment INVALID and REJECTs it with a RST by netfilter's rules.",
        vantages: ANYWHERE,
        clients: Stack::GENERAL,
        servers: Stack::GENERAL,
        min_hops: 4,
        build: reject::conntrack_invalid,
    },
    Family {
        name: "censor-injection",
        description: "A censor matches the SNI or Host and injects RSTs (toward the client, sometimes both ways); the real server's data still arrives and the client's kernel resets it.",
        vantages: ANYWHERE,
        clients: Stack::CLIENTS,
        servers: Stack::GENERAL,
        min_hops: 6,
        build: censor::keyword,
    },
    Family {
        name: "syn-race-injection",
        description: "An injector answers the SYN with a forged RST+ACK; the real SYN-ACK arrives later and the client's kernel resets it.",
        vantages: &[AtClient, AtClient, OnPath],
        clients: Stack::CLIENTS,
        servers: Stack::GENERAL,
        min_hops: 6,
        build: censor::syn_race,
    },
    Family {
        name: "careful-injection",
        description: "An injector copies the server's TTL, IP-ID series and timestamps; only its timing and the real server's later data give it away.",
        vantages: &[AtClient, AtClient, OnPath],
        clients: Stack::CLIENTS,
        servers: &[Stack::Linux, Stack::LinuxNoTimestamps, Stack::FreeBsd],
        min_hops: 6,
        build: censor::careful,
    },
    Family {
        name: "evasion-decoy",
        description: "An IDS evasion test's server, a user-space TCP that copies the client's IP-ID into its packets, answers the SYN with a decoy RST+ACK the client rejects, then with its real SYN-ACK; half the time it later aborts the connection.",
        vantages: &[AtClient, AtClient, AtServer, OnPath],
        clients: &[Stack::Linux, Stack::LinuxNoTimestamps, Stack::MacOs],
        servers: &[Stack::IpIdCopier],
        min_hops: 1,
        build: decoy::evasion_decoy,
    },
    Family {
        name: "syn-sent-rejects",
        description: "The IDS evasion test's responder sends a bare ACK before its SYN-ACK (an ACK of the SYN, or of something the client never sent); the client, in SYN-SENT, resets it at its ack and then takes the SYN-ACK.",
        vantages: &[AtClient, AtClient, AtServer, OnPath],
        clients: &[Stack::Linux, Stack::Linux, Stack::LinuxNoTimestamps, Stack::MacOs, Stack::Windows],
        servers: &[Stack::IpIdCopier],
        min_hops: 1,
        build: decoy::syn_sent_rejects,
    },
    Family {
        name: "syn-scan",
        description: "A half-open SYN scan: the scanner's kernel resets open ports' SYN-ACKs, closed ports refuse.",
        vantages: &[AtClient, AtServer],
        clients: &[Stack::Linux],
        servers: Stack::SERVERS,
        min_hops: 1,
        build: probe::syn_scan,
    },
    Family {
        name: "connect-scan",
        description: "nmap -sT: the scanner's kernel completes the handshake on open ports and aborts at once; closed ports refuse.",
        vantages: &[AtClient, AtServer],
        clients: &[Stack::Linux, Stack::LinuxNoTimestamps, Stack::Windows, Stack::MacOs],
        servers: Stack::SERVERS,
        min_hops: 1,
        build: probe::connect_scan,
    },
    Family {
        name: "stealth-scan",
        description: "FIN, NULL and Xmas probes without a handshake: closed ports answer RST+ACK, open ports stay silent.",
        vantages: &[AtClient, AtServer],
        clients: &[Stack::Linux],
        servers: &[Stack::Linux, Stack::LinuxNoTimestamps, Stack::FreeBsd, Stack::MacOs],
        min_hops: 1,
        build: probe::stealth_scan,
    },
    Family {
        name: "health-check",
        description: "A load balancer's TCP health checks seen at the backend: connect, then RST+ACK at once, no data.",
        vantages: &[AtServer, AtServer, OnPath],
        clients: &[Stack::Linux, Stack::LinuxNoTimestamps],
        servers: Stack::GENERAL,
        min_hops: 1,
        build: probe::health_check,
    },
    Family {
        name: "graceful-then-reset",
        description: "Both FINs exchanged, then one side (a browser, a Windows stack) sends a RST anyway: benign.",
        vantages: ANYWHERE,
        clients: Stack::GENERAL,
        servers: Stack::GENERAL,
        min_hops: 1,
        build: closed::graceful_then_reset,
    },
    Family {
        name: "retransmit-giveup",
        description: "The path drops everything one side sends; it retransmits with exponential backoff and resets when it gives up.",
        vantages: &[AtClient, AtServer, OnPath],
        clients: Stack::RST_ON_GIVE_UP,
        servers: Stack::RST_ON_GIVE_UP,
        min_hops: 3,
        build: retransmit::data,
    },
    Family {
        name: "fin-giveup",
        description: "A side's FIN is never acknowledged; it retransmits the FIN with exponential backoff and resets when it gives up.",
        vantages: &[AtClient, AtServer, OnPath],
        clients: Stack::RST_ON_GIVE_UP,
        servers: Stack::RST_ON_GIVE_UP,
        min_hops: 3,
        build: retransmit::fin,
    },
    Family {
        name: "rst-with-reason",
        description: "An F5 BIG-IP full proxy says why it resets in the RST's payload: it swept an idle flow, or it relays its backend's reset.",
        vantages: &[AtClient, OnPath],
        clients: Stack::CLIENTS,
        servers: &[Stack::BigIp],
        min_hops: 3,
        build: idle::big_ip,
    },
    Family {
        name: "cloud-lb-idle",
        description: "A pass-through cloud load balancer forgets an idle flow: AWS NLB (350 s) resets the next packet, Azure LB (4-30 min, TCP reset on idle) resets both ends unprompted.",
        vantages: ANYWHERE,
        clients: Stack::CLIENTS,
        servers: Stack::GENERAL,
        min_hops: 3,
        build: idle::cloud_lb,
    },
    Family {
        name: "keepalive-nat",
        description: "A keepalive probe after an idle spell longer than the NAT's timeout is reset by the NAT, or by the server through a new mapping.",
        vantages: &[AtClient, AtClient, AtServer],
        clients: Stack::GENERAL,
        servers: Stack::GENERAL,
        min_hops: 3,
        build: idle::keepalive_nat,
    },
    Family {
        name: "zero-window",
        description: "The receiver's window stays at 0; the sender's kernel probes with backoff and the sending application gives up with RST+ACK.",
        vantages: ANYWHERE,
        clients: Stack::GENERAL,
        servers: Stack::GENERAL,
        min_hops: 1,
        build: abort::zero_window,
    },
    Family {
        name: "request-timeout",
        description: "The client's request goes unanswered past its timeout and the client aborts; a late answer in flight meets the client's kernel.",
        vantages: ANYWHERE,
        clients: Stack::GENERAL,
        servers: Stack::GENERAL,
        min_hops: 1,
        build: abort::request_timeout,
    },
    Family {
        name: "speculative-connect",
        description: "A preconnect or happy-eyeballs loser the client no longer needs: its kernel resets the late SYN-ACK, or the application aborts the idle connection.",
        vantages: ANYWHERE,
        clients: Stack::GENERAL,
        servers: Stack::SERVERS,
        min_hops: 1,
        build: abort::speculative,
    },
    Family {
        name: "late-start",
        description: "The capture began after the connection did (a ring buffer, a slice of a busy link): a refusal whose SYN came before it, or an application's abort seen after the transfer's tail or alone (half the time from an address other machines share, whose other connections the capture sees with another stack's TTL); the server may listen on a high port, so the ports do not always tell the roles.",
        vantages: ANYWHERE,
        clients: Stack::GENERAL,
        servers: Stack::SERVERS,
        min_hops: 1,
        build: late::late_start,
    },
    Family {
        name: "fin-then-rst",
        description: "An application sends FIN and aborts right after (Windows closesocket, router telnet servers); the peer's ACK and FIN meet the host's kernel.",
        vantages: ANYWHERE,
        clients: Stack::GENERAL,
        servers: Stack::SERVERS,
        min_hops: 1,
        build: abort::fin_then_rst,
    },
    Family {
        name: "challenge-ack",
        description: "RFC 5961 challenge ACKs answered by RST: a rebooted client reconnecting from the same port, or an abort landing beyond RCV.NXT.",
        vantages: ANYWHERE,
        clients: &[Stack::Linux, Stack::LinuxNoTimestamps, Stack::Windows, Stack::MacOs],
        servers: &[Stack::Linux, Stack::LinuxNoTimestamps],
        min_hops: 1,
        build: closed::challenge_ack,
    },
    Family {
        name: "ips-block",
        description: "An inline IPS matches an attack in the request, drops it and resets both ends in each other's name.",
        vantages: ANYWHERE,
        clients: Stack::CLIENTS,
        servers: Stack::GENERAL,
        min_hops: 4,
        build: censor::ips_block,
    },
    Family {
        name: "busy-hosts",
        description: "Two to four of the other stories between the same client and server in one capture, overlapping in time.",
        vantages: ANYWHERE,
        clients: &[Stack::Linux, Stack::LinuxNoTimestamps, Stack::Windows, Stack::MacOs, Stack::FreeBsd],
        servers: &[Stack::Linux, Stack::LinuxNoTimestamps, Stack::Windows, Stack::FreeBsd, Stack::MacOs],
        min_hops: 6,
        build: busy,
    },
    Family {
        name: "wifi-reorder",
        description: "A Wi-Fi station's upload (monitor-mode capture, radiotap): a MAC frame overtaken by newer ones is retried and arrives late, after TCP repaired the hole and moved past the window; a firewall marks it conntrack INVALID and REJECTs it in the server's name.",
        vantages: &[AtClient],
        clients: Stack::CLIENTS,
        servers: Stack::GENERAL,
        min_hops: 4,
        build: wifi::reorder,
    },
    Family {
        name: "conntrack-invalid-nflog",
        description: "conntrack-invalid as tcpdump -i nflog records it on a Linux server: its rules log every packet, and the INVALID rule logs the late or out-of-window segment under its own prefix before REJECT answers it.",
        vantages: &[AtServer],
        clients: Stack::GENERAL,
        servers: &[Stack::Linux, Stack::LinuxNoTimestamps],
        min_hops: 1,
        build: nflog::conntrack_invalid,
    },
    Family {
        name: "mptcp-subflow-reset",
        description: "An MPTCP endpoint's MPTCP layer closes one subflow: an in-window RST+ACK with an MP_TCPRST option and its reason code; segments in flight get the kernel's RSTs.",
        vantages: ANYWHERE,
        clients: &[Stack::Linux, Stack::LinuxNoTimestamps, Stack::MacOs],
        servers: &[Stack::Linux, Stack::LinuxNoTimestamps],
        min_hops: 1,
        build: mptcp::subflow_reset,
    },
];
