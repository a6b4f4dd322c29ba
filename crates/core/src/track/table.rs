//! The flow table: finds a packet's connection (direction-independent
//! 4-tuple, one hash lookup), starts new ones (including port reuse), and
//! keeps memory bounded: finished connections leave some time after their
//! last packet, and past the size limit the finished, then least recently
//! active, connections are evicted.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::net::IpAddr;

use hashbrown::hash_map::{Entry, HashMap};

use super::conn::{Conn, RolesFrom, Side};
use super::host::HostTable;
use super::stream::{Numbering, Stream};
use crate::decode::{flags, TcpPacket};

/// Zeek forgets a finished connection this long after its last packet; a
/// later packet on the same 4-tuple starts a new one.
const CLOSE_DELAY_NS: i64 = 5_000_000_000;
/// A finished connection leaves the table this long after Zeek would have
/// forgotten it: the margin lets packets that arrive out of time order
/// still find it, exactly as if it had stayed.
const EXPIRY_SLACK_NS: i64 = 60_000_000_000;
/// A SYN with a new ISN after this much silence reuses the ports.
const REUSE_GAP_NS: i64 = 30_000_000_000;
/// Ports from here up are ephemeral (Linux's default range starts at 32768).
const EPHEMERAL: u16 = 32768;

/// Direction-independent connection key: the lower endpoint first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    lo: (IpAddr, u16),
    hi: (IpAddr, u16),
}

impl Key {
    /// Whether `packet` was sent from the pair's lower endpoint.
    pub fn sent_from_lo(&self, packet: &TcpPacket<'_>) -> bool {
        self.lo == (packet.ip.src, packet.tcp.src_port)
    }

    pub fn of(packet: &TcpPacket<'_>) -> Self {
        let a = (packet.ip.src, packet.tcp.src_port);
        let b = (packet.ip.dst, packet.tcp.dst_port);
        Self::new(a, b)
    }

    /// The pair of `a` and `b`, in either order.
    pub fn new(a: (IpAddr, u16), b: (IpAddr, u16)) -> Self {
        if endpoint_le(a, b) {
            Self { lo: a, hi: b }
        } else {
            Self { lo: b, hi: a }
        }
    }
}

/// `a <= b` in the derived order of `(IpAddr, u16)` (IPv4 first, then the
/// address bytes, then the port), comparing each address as one integer:
/// the derived comparison goes byte by byte through an out-of-line call,
/// once per packet.
fn endpoint_le(a: (IpAddr, u16), b: (IpAddr, u16)) -> bool {
    let addr = match (a.0, b.0) {
        (IpAddr::V4(x), IpAddr::V4(y)) => x.to_bits().cmp(&y.to_bits()),
        (IpAddr::V6(x), IpAddr::V6(y)) => x.to_bits().cmp(&y.to_bits()),
        (IpAddr::V4(_), IpAddr::V6(_)) => core::cmp::Ordering::Less,
        (IpAddr::V6(_), IpAddr::V4(_)) => core::cmp::Ordering::Greater,
    };
    addr.then(a.1.cmp(&b.1)).is_le()
}

pub struct ConnTable {
    /// Boxed: the table's spare slots then cost a pointer, not a `Conn`.
    conns: HashMap<Key, Box<Conn>>,
    max: usize,
    next_id: u32,
    /// Wireshark's stream numbers (`tcp.stream`).
    streams: Numbering,
    /// The latest stream of endpoint pairs whose connection left the table,
    /// oldest first, at most `max`: Wireshark never forgets a pair, so a
    /// late packet on it continues its stream.
    departed: HashMap<Key, Stream>,
    departed_order: VecDeque<Key>,
    /// Finished connections without resets, each with the time it may
    /// leave: roughly in time order (checked again when due).
    expiring: VecDeque<(i64, Key)>,
    /// Connections dropped to stay under `max`.
    pub evicted: u64,
    /// Connections that ended (replaced by a new one on the same ports,
    /// expired, or evicted), waiting for the analyzer to report them.
    pub retired: Vec<Conn>,
}

impl ConnTable {
    pub fn new(max: usize) -> Self {
        Self {
            conns: HashMap::new(),
            max: max.max(16),
            next_id: 0,
            streams: Numbering::default(),
            departed: HashMap::new(),
            departed_order: VecDeque::new(),
            expiring: VecDeque::new(),
            evicted: 0,
            retired: Vec::new(),
        }
    }

    /// The connection `packet` (whose key is `key`) belongs to, created if
    /// needed, and the side that sent it.
    pub fn lookup(
        &mut self,
        key: Key,
        frame: u64,
        ts_ns: i64,
        packet: &TcpPacket<'_>,
        hosts: &HostTable,
    ) -> (&mut Conn, Side) {
        // Only at the limit does a new connection cost a second lookup.
        if self.conns.len() >= self.max && !self.conns.contains_key(&key) {
            self.evict();
        }
        let (from_lo, flags, seq) = (key.sent_from_lo(packet), packet.tcp.flags, packet.tcp.seq);
        let mut fresh = |stream: Stream| {
            let (side, roles_from) = roles(packet, hosts);
            let id = self.next_id;
            self.next_id = self.next_id.saturating_add(1);
            Conn::new(id, side, roles_from, frame, ts_ns, packet, stream)
        };
        let conn = match self.conns.entry(key) {
            Entry::Occupied(entry) => {
                let conn = entry.into_mut();
                let mut stream = conn.stream;
                self.streams.advance(&mut stream, from_lo, flags, seq);
                if starts_new_connection(conn, ts_ns, packet) {
                    let old = core::mem::replace(&mut **conn, fresh(stream));
                    self.retired.push(old);
                }
                conn.stream = stream;
                conn
            }
            Entry::Vacant(entry) => {
                let mut stream = match self.departed.remove(&key) {
                    Some(stream) => stream,
                    None => self.streams.fresh(),
                };
                self.streams.advance(&mut stream, from_lo, flags, seq);
                entry.insert(Box::new(fresh(stream)))
            }
        };
        let side = conn.side_of(packet.ip.src, packet.tcp.src_port);
        (conn, side)
    }

    /// Queues the connection under `key` to leave the table at `due` (see
    /// [`leaves_at`]). The queue is bounded: past it, eviction at the size
    /// limit takes over.
    pub fn expire_at(&mut self, key: Key, due: i64) {
        if self.expiring.len() < self.max {
            self.expiring.push_back((due, key));
        }
    }

    /// Retires the queued connections that are due at time `now_ns`.
    pub fn expire(&mut self, now_ns: i64) {
        while let Some(&(due, key)) = self.expiring.front() {
            if due > now_ns {
                break;
            }
            self.expiring.pop_front();
            // The connection may have had packets (or been replaced) since.
            let Entry::Occupied(entry) = self.conns.entry(key) else {
                continue;
            };
            let conn = entry.get();
            if !ends_quietly(conn) {
                continue;
            }
            let due = expiry(conn);
            if due > now_ns {
                self.expiring.push_back((due, key));
            } else {
                let conn = entry.remove();
                self.depart(key, conn.stream);
                self.retired.push(*conn);
            }
        }
    }

    /// Keeps the stream of a pair whose connection leaves the table.
    fn depart(&mut self, key: Key, stream: Stream) {
        if self.departed_order.len() >= self.max {
            if let Some(oldest) = self.departed_order.pop_front() {
                self.departed.remove(&oldest);
            }
        }
        if self.departed.insert(key, stream).is_none() {
            self.departed_order.push_back(key);
        }
    }

    /// Removes every connection (end of capture), the retired ones first,
    /// then the rest by id.
    pub fn drain(&mut self) -> impl Iterator<Item = Conn> + '_ {
        let mut conns: Vec<Box<Conn>> = self.conns.drain().map(|(_, conn)| conn).collect();
        conns.sort_unstable_by_key(|conn| conn.id);
        self.expiring.clear();
        self.retired
            .drain(..)
            .chain(conns.into_iter().map(|conn| *conn))
    }

    /// Drops a sixteenth of the table: finished connections first, then
    /// the least recently active. Batching keeps the cost O(1) per new
    /// connection on average.
    fn evict(&mut self) {
        let mut order: Vec<(bool, i64, Key)> = self
            .conns
            .iter()
            .map(|(k, c)| (!c.finished(), c.last_ns, *k))
            .collect();
        let count = (self.max / 16).max(1);
        if count < order.len() {
            order.select_nth_unstable(count);
        }
        for (_, _, key) in order.iter().take(count) {
            if let Some(conn) = self.conns.remove(key) {
                self.depart(*key, conn.stream);
                self.retired.push(*conn);
                self.evicted = self.evicted.saturating_add(1);
            }
        }
    }
}

/// When `conn` may leave the table, if its last packet made it finish
/// without a reset (it had not `ended_before`): it can no longer get
/// packets of its own, and a connection with resets stays so its resets
/// see everything after them.
pub fn leaves_at(conn: &Conn, ended_before: bool) -> Option<i64> {
    (!ended_before && ends_quietly(conn)).then(|| expiry(conn))
}

fn ends_quietly(conn: &Conn) -> bool {
    conn.zeek.finished() && conn.resets.is_empty()
}

fn expiry(conn: &Conn) -> i64 {
    conn.last_ns
        .saturating_add(CLOSE_DELAY_NS)
        .saturating_add(EXPIRY_SLACK_NS)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_order_matches_the_derived_one() {
        let addrs: [IpAddr; 5] = [
            "10.0.0.1".parse().unwrap(),
            "10.0.1.0".parse().unwrap(),
            "192.168.0.1".parse().unwrap(),
            "::1".parse().unwrap(),
            "2001:db8::1".parse().unwrap(),
        ];
        for &x in &addrs {
            for &y in &addrs {
                for (p, q) in [(80, 80), (80, 443), (443, 80)] {
                    assert_eq!(endpoint_le((x, p), (y, q)), (x, p) <= (y, q));
                }
            }
        }
    }
}
