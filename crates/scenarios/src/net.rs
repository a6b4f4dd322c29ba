//! The scenario's network: hosts with addresses, and the packets all its
//! conversations put on the wire. `finish` orders them by capture time,
//! fills in what depends on that order (Windows' global IP-ID counter) and
//! turns the labels into frame numbers.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use rstscope_core::report::{Cause, Origin, Sender};

use crate::conversation::Conversation;
use crate::host::{Fingerprint, Host};
use crate::label::SubCause;
use crate::packet::Packet;
use crate::rng::Rng;
use crate::ExpectedReset;

/// 2024-11-05 14:03:27 UTC: a fixed start so the output is deterministic.
pub(crate) const EPOCH_US: i64 = 1_730_815_407_000_000;

/// The ground truth for one RST.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub sender: Sender,
    pub origin: Origin,
    pub cause: Cause,
    pub sub_cause: Option<SubCause>,
    /// The reset whose teardown this one answers (a consequence reset).
    pub consequence_of: Option<ResetId>,
    /// The event this reset belongs to with others (one scanner, one NAT
    /// expiring a batch of flows, one censor); consequences belong to their
    /// root's.
    pub incident: Option<Incident>,
}

/// One actor's event that resets several connections, as a family names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Incident(u32);

impl Verdict {
    pub const fn new(sender: Sender, origin: Origin, cause: Cause) -> Self {
        Self {
            sender,
            origin,
            cause,
            sub_cause: None,
            consequence_of: None,
            incident: None,
        }
    }

    /// Marks this reset as part of `incident`.
    pub const fn within(self, incident: Incident) -> Self {
        Self {
            incident: Some(incident),
            ..self
        }
    }

    pub const fn sub(self, sub_cause: SubCause) -> Self {
        Self {
            sub_cause: Some(sub_cause),
            ..self
        }
    }

    /// Marks this reset as a consequence of `root` (`None`: a root reset).
    pub const fn after(self, root: Option<ResetId>) -> Self {
        Self {
            consequence_of: root,
            ..self
        }
    }
}

/// A labelled reset before frame numbers exist: its conversation and its
/// place among that conversation's labelled resets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ResetId {
    pub(crate) conversation: u32,
    pub(crate) index: u32,
}

/// Where a packet's IP-ID comes from.
#[derive(Clone, Copy, Debug)]
pub(crate) enum IpId {
    Fixed(u16),
    /// The next value of this host's global counter, in capture order.
    HostCounter(usize),
}

/// A packet before `finish`: its IP-ID may still depend on capture order.
#[derive(Clone, Debug)]
pub(crate) struct Draft {
    pub packet: Packet,
    pub ip_id: IpId,
    pub label: Option<(ResetId, Verdict)>,
}

/// Per-host state that outlives a single conversation.
struct HostState {
    next_port: u16,
    ip_id: u16,
}

pub struct Net {
    rng: Rng,
    ipv6: bool,
    hosts: Vec<HostState>,
    local_hosts: u8,
    remote_hosts: u8,
    conversations: u32,
    incidents: u32,
    drafts: Vec<Draft>,
}

impl Net {
    pub fn new(ipv6: bool, seed: u64) -> Self {
        Self {
            rng: Rng::new(seed),
            ipv6,
            hosts: Vec::new(),
            local_hosts: 0,
            remote_hosts: 0,
            conversations: 0,
            incidents: 0,
            drafts: Vec::new(),
        }
    }

    /// Randomness for payloads, from the scenario's seed.
    pub fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    /// A host on the capture's own LAN (no router in between).
    pub fn local_host(&mut self, fingerprint: Fingerprint) -> Host {
        self.local_hosts += 1;
        let n = 22 + self.local_hosts;
        let addr = if self.ipv6 {
            IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0x1, 0, 0, 0, 0, u16::from(n)))
        } else {
            IpAddr::V4(Ipv4Addr::new(192, 168, 1, n))
        };
        self.add_host(addr, fingerprint, 0)
    }

    /// A host `hops` routers away from the capture point.
    pub fn remote_host(&mut self, fingerprint: Fingerprint, hops: u8) -> Host {
        self.remote_hosts += 1;
        let n = self.remote_hosts;
        let addr = if self.ipv6 {
            IpAddr::V6(Ipv6Addr::new(
                0x2001,
                0xdb8,
                0xcafe,
                u16::from(n),
                0,
                0,
                0,
                0x80,
            ))
        } else if n < 100 {
            IpAddr::V4(Ipv4Addr::new(203, 0, 113, 10 + n))
        } else {
            IpAddr::V4(Ipv4Addr::new(198, 51, 100, n))
        };
        self.add_host(addr, fingerprint, hops)
    }

    /// The same machine's address in the other IP version (a dual-stack
    /// host), on the capture's LAN or as far away as `host`.
    pub fn twin(&mut self, host: &Host, local: bool) -> Host {
        self.ipv6 = !self.ipv6;
        let twin = if local {
            self.local_host(host.fingerprint)
        } else {
            self.remote_host(host.fingerprint, host.hops)
        };
        self.ipv6 = !self.ipv6;
        twin
    }

    /// Another machine behind `host`'s very address (a NAT's other
    /// clients, a server pool behind one public address), of another kind
    /// and as far away.
    pub fn behind(&mut self, host: &Host, fingerprint: Fingerprint) -> Host {
        self.add_host(host.addr, fingerprint, host.hops)
    }

    /// Another machine in `host`'s network (its /24 or /64), host number
    /// `n` there, as far away and of the same kind: a scanner's next
    /// target, a balancer's next backend.
    pub fn neighbour(&mut self, host: &Host, n: u8) -> Host {
        let addr = match host.addr {
            IpAddr::V4(a) => {
                let [a, b, c, _] = a.octets();
                IpAddr::V4(Ipv4Addr::new(a, b, c, n))
            }
            IpAddr::V6(a) => {
                let mut segments = a.segments();
                segments[7] = u16::from(n);
                IpAddr::V6(Ipv6Addr::from(segments))
            }
        };
        self.add_host(addr, host.fingerprint, host.hops)
    }

    fn add_host(&mut self, addr: IpAddr, fingerprint: Fingerprint, hops: u8) -> Host {
        let (low, high) = fingerprint.ephemeral_ports;
        let next_port = self.rng.range(u64::from(low), u64::from(high) - 1000) as u16;
        self.hosts.push(HostState {
            next_port,
            ip_id: self.rng.u16(),
        });
        Host {
            id: self.hosts.len() - 1,
            addr,
            fingerprint,
            hops,
        }
    }

    /// The next ephemeral port of `host`, stepping like Linux' randomised
    /// port selection does.
    fn ephemeral_port(&mut self, host: &Host) -> u16 {
        let step = self.rng.range(1, 9) as u16;
        let state = &mut self.hosts[host.id];
        let (low, high) = host.fingerprint.ephemeral_ports;
        state.next_port = state
            .next_port
            .checked_add(step)
            .filter(|&p| p <= high)
            .unwrap_or(low);
        state.next_port
    }

    /// Starts a connection from `client` to `server:port`, `at_s` seconds
    /// into the capture, over a path with the given round-trip time.
    pub fn connect(
        &mut self,
        client: &Host,
        server: &Host,
        port: u16,
        at_s: f64,
        rtt_ms: f64,
    ) -> Conversation {
        let client_port = self.ephemeral_port(client);
        self.connect_from(client, client_port, server, port, at_s, rtt_ms)
    }

    /// Like [`Net::connect`] with a fixed client port (scanners reuse one).
    pub fn connect_from(
        &mut self,
        client: &Host,
        client_port: u16,
        server: &Host,
        port: u16,
        at_s: f64,
        rtt_ms: f64,
    ) -> Conversation {
        let start_us = EPOCH_US + (at_s * 1e6).round() as i64;
        let rng = Rng::new(self.rng.next_u64());
        self.conversations += 1;
        Conversation::new(
            self.conversations,
            rng,
            (*client, client_port),
            (*server, port),
            start_us,
            (rtt_ms * 1e3).round() as i64,
        )
    }

    /// A new incident for resets that belong together.
    pub fn incident(&mut self) -> Incident {
        self.incidents += 1;
        Incident(self.incidents)
    }

    /// Puts a finished conversation's packets on the wire.
    pub fn add(&mut self, conversation: Conversation) {
        self.drafts.extend(conversation.into_drafts());
    }

    /// The capture, in time order, and the labels of its RSTs.
    pub fn finish(mut self) -> (Vec<Packet>, Vec<ExpectedReset>) {
        // Stable: packets with equal times keep the order they were made in.
        self.drafts.sort_by_key(|d| d.packet.ts_us);
        let mut packets = Vec::with_capacity(self.drafts.len());
        let mut expected = Vec::new();
        let mut frames = std::collections::BTreeMap::new();
        let mut incidents = Incidents::default();
        for (index, draft) in self.drafts.into_iter().enumerate() {
            let mut packet = draft.packet;
            packet.ip_id = match draft.ip_id {
                IpId::Fixed(id) => id,
                IpId::HostCounter(host) => {
                    let state = &mut self.hosts[host];
                    state.ip_id = state.ip_id.wrapping_add(1);
                    state.ip_id
                }
            };
            if let Some((id, v)) = draft.label {
                let frame = index as u64 + 1;
                frames.insert(id, frame);
                // A root is always captured before its consequences.
                let consequence_of = v.consequence_of.and_then(|root| frames.get(&root).copied());
                expected.push(ExpectedReset {
                    frame,
                    sender: v.sender,
                    origin: v.origin,
                    cause: v.cause,
                    sub_cause: v.sub_cause,
                    consequence_of,
                    incident: incidents.of(frame, consequence_of, v.incident),
                });
            }
            packets.push(packet);
        }
        (packets, expected)
    }
}

/// Numbers incidents by their first frame: a consequence joins its root's
/// incident, a reset of a named incident joins that incident's first
/// reset, any other reset starts its own.
#[derive(Default)]
struct Incidents {
    by_frame: std::collections::BTreeMap<u64, u64>,
    named: std::collections::BTreeMap<Incident, u64>,
}

impl Incidents {
    fn of(&mut self, frame: u64, root: Option<u64>, named: Option<Incident>) -> u64 {
        let incident = match (root.and_then(|r| self.by_frame.get(&r)), named) {
            (Some(&root_incident), _) => root_incident,
            (None, Some(key)) => *self.named.entry(key).or_insert(frame),
            (None, None) => frame,
        };
        self.by_frame.insert(frame, incident);
        incident
    }
}
