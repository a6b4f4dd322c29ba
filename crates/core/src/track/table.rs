//! The flow table: finds a packet's connection (direction-independent
//! 4-tuple), starts new ones (including port reuse), and keeps memory
//! bounded by evicting finished, then least recently active, connections.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::net::IpAddr;

use super::conn::{Conn, RolesFrom, Side};
use super::host::HostTable;
use crate::decode::{flags, TcpPacket};

/// Zeek forgets a finished connection this long after its last packet; a
/// later packet on the same 4-tuple starts a new one.
const CLOSE_DELAY_NS: i64 = 5_000_000_000;
/// A SYN with a new ISN after this much silence reuses the ports.
const REUSE_GAP_NS: i64 = 30_000_000_000;
/// Ports from here up are ephemeral (Linux's default range starts at 32768).
const EPHEMERAL: u16 = 32768;

/// Direction-independent connection key: the lower endpoint first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    lo: (IpAddr, u16),
    hi: (IpAddr, u16),
}

impl Key {
    pub fn of(packet: &TcpPacket<'_>) -> Self {
        let a = (packet.ip.src, packet.tcp.src_port);
        let b = (packet.ip.dst, packet.tcp.dst_port);
        if a <= b {
            Self { lo: a, hi: b }
        } else {
            Self { lo: b, hi: a }
        }
    }
}

pub struct ConnTable {
    conns: BTreeMap<Key, Conn>,
    max: usize,
    next_id: u32,
    /// Connections dropped to stay under `max`.
    pub evicted: u64,
    /// Connections that ended (replaced by a new one on the same ports, or
    /// evicted), waiting for the analyzer to report them.
    pub retired: Vec<Conn>,
}

impl ConnTable {
    pub fn new(max: usize) -> Self {
        Self {
            conns: BTreeMap::new(),
            max: max.max(16),
            next_id: 0,
            evicted: 0,
            retired: Vec::new(),
        }
    }

    /// The connection `packet` belongs to, created if needed, and the side
    /// that sent it.
    pub fn lookup(
        &mut self,
        ts_ns: i64,
        packet: &TcpPacket<'_>,
        hosts: &HostTable,
    ) -> (&mut Conn, Side) {
        let key = Key::of(packet);
        let starts_new = self
            .conns
            .get(&key)
            .is_some_and(|conn| starts_new_connection(conn, ts_ns, packet));
        if starts_new {
            if let Some(old) = self.conns.remove(&key) {
                self.retired.push(old);
            }
        }
        if !self.conns.contains_key(&key) && self.conns.len() >= self.max {
            self.evict();
        }
        let next_id = &mut self.next_id;
        let conn = self.conns.entry(key).or_insert_with(|| {
            let (side, roles_from) = roles(packet, hosts);
            let id = *next_id;
            *next_id = next_id.saturating_add(1);
            Conn::new(id, side, roles_from, ts_ns, packet)
        });
        let side = conn.side_of(packet.ip.src, packet.tcp.src_port);
        (conn, side)
    }

    /// Removes every connection (end of capture), in no particular order.
    pub fn drain(&mut self) -> impl Iterator<Item = Conn> + '_ {
        let conns = core::mem::take(&mut self.conns);
        self.retired.drain(..).chain(conns.into_values())
    }

    /// Drops a sixteenth of the table: finished connections first, then
    /// the least recently active. Batching keeps the cost O(log n) per new
    /// connection on average.
    fn evict(&mut self) {
        let mut order: Vec<(bool, i64, Key)> = self
            .conns
            .iter()
            .map(|(k, c)| (!c.finished(), c.last_ns, *k))
            .collect();
        order.sort_unstable();
        for (_, _, key) in order.iter().take((self.max / 16).max(1)) {
            if let Some(conn) = self.conns.remove(key) {
                self.retired.push(conn);
                self.evicted = self.evicted.saturating_add(1);
            }
        }
    }
}

/// A packet on a known 4-tuple that belongs to a new connection: a fresh
/// SYN after the old one ended or went quiet, or anything once Zeek would
/// have forgotten a finished connection.
fn starts_new_connection(conn: &Conn, ts_ns: i64, packet: &TcpPacket<'_>) -> bool {
    let tcp = &packet.tcp;
    let gap = ts_ns.saturating_sub(conn.last_ns);
    let fresh_syn = tcp.has(flags::SYN) && !tcp.has(flags::ACK) && !tcp.has(flags::RST);
    if fresh_syn {
        let same_isn = conn.client.isn == Some(tcp.seq)
            && conn.side_of(packet.ip.src, tcp.src_port) == Side::Client;
        if !same_isn && (conn.finished() || conn.zeek.finished() || gap >= REUSE_GAP_NS) {
            return true;
        }
        // Zeek's IsReuse: any new SYN once an endpoint closed or reset,
        // even a retransmission with the old ISN (a SYN retried after a
        // refusal is a new REJ connection in Zeek's conn.log).
        if conn.zeek.closed() {
            return true;
        }
    }
    conn.zeek.finished() && gap >= CLOSE_DELAY_NS
}

/// Who the sender of a connection's first packet is: from the SYN or
/// SYN-ACK, else from the ports, else the sender is taken as the client.
fn roles(packet: &TcpPacket<'_>, hosts: &HostTable) -> (Side, RolesFrom) {
    let tcp = &packet.tcp;
    if tcp.has(flags::SYN) {
        return if tcp.has(flags::ACK) {
            (Side::Server, RolesFrom::SynAck)
        } else {
            (Side::Client, RolesFrom::Syn)
        };
    }
    let (sport, dport) = (tcp.src_port, tcp.dst_port);
    let known = |addr: &IpAddr, port: u16| hosts.get(addr).is_some_and(|h| h.is_server_port(port));
    let (src_server, dst_server) = (known(&packet.ip.src, sport), known(&packet.ip.dst, dport));
    if src_server != dst_server {
        let side = if src_server {
            Side::Server
        } else {
            Side::Client
        };
        return (side, RolesFrom::Ports);
    }
    if (sport < 1024) != (dport < 1024) {
        let side = if sport < 1024 {
            Side::Server
        } else {
            Side::Client
        };
        return (side, RolesFrom::Ports);
    }
    if (sport >= EPHEMERAL) != (dport >= EPHEMERAL) {
        let side = if sport >= EPHEMERAL {
            Side::Client
        } else {
            Side::Server
        };
        return (side, RolesFrom::Ports);
    }
    (Side::Client, RolesFrom::FirstPacket)
}
