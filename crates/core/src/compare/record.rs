//! The per-capture recorder: a compact, bounded record of every connection
//! (endpoints, ISNs, a head and a tail of its packets, every RST), enough to
//! find the same connection and the same packets in another capture.

use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::vec::Vec;
use core::net::IpAddr;

use crate::decode::{self, flags, Decoded, TcpPacket};
use crate::frame::Frame;

/// Limits that keep the record's memory bounded on any input.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Most connections recorded; later ones are only counted.
    pub max_connections: usize,
    /// Packets kept from the start of each connection.
    pub head: usize,
    /// Packets kept from the end of each connection (a ring).
    pub tail: usize,
    /// Most packets kept over all connections.
    pub max_packets: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 50_000,
            head: 96,
            tail: 96,
            max_packets: 500_000,
        }
    }
}

/// Bytes of payload hashed per packet.
pub const HASHED_BYTES: usize = 64;

/// A fresh SYN with a new ISN this long after a 4-tuple's last packet
/// starts a new connection (as in the flow table).
const REUSE_GAP_NS: i64 = 30_000_000_000;
/// 4-tuples remembered past the connection limit, to count them once.
const REFUSED_KEYS: usize = 4096;

/// One packet, as the comparison needs it (about 48 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pkt {
    pub frame: u64,
    pub ts_ns: i64,
    /// Sent by the connection's endpoint `a` (the sender of its first packet).
    pub from_a: bool,
    pub seq: u32,
    pub ack: u32,
    pub flags: u16,
    pub window: u16,
    pub ttl: u8,
    pub ip_id: Option<u16>,
    pub payload_len: u32,
    /// FNV-1a of the first [`HASHED_BYTES`] captured payload bytes (0: none).
    pub hash: u32,
    pub mss: Option<u16>,
}

impl Pkt {
    pub fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }

    /// What identifies the same packet in another capture: everything a
    /// NAT or a router leaves alone.
    pub fn key(&self) -> PktKey {
        (self.seq, self.ack, self.flags, self.payload_len, self.hash)
    }
}

pub type PktKey = (u32, u32, u16, u32, u32);

/// One connection's record.
#[derive(Clone, Debug)]
pub struct Conn {
    /// Sender of the first packet seen, and the other end.
    pub a: (IpAddr, u16),
    pub b: (IpAddr, u16),
    /// Whether `a` is the client: from a SYN or SYN-ACK when seen (`roles_certain`),
    /// else guessed from the ports.
    pub a_is_client: bool,
    pub roles_certain: bool,
    /// ISNs from the SYN (client) and SYN-ACK (server), by endpoint.
    pub isn_a: Option<u32>,
    pub isn_b: Option<u32>,
    pub first_ns: i64,
    pub last_ns: i64,
    pub packets_seen: u64,
    head: Vec<Pkt>,
    /// RSTs past the head (kept as long as the total limit allows).
    extra: Vec<Pkt>,
    tail: VecDeque<Pkt>,
    /// Packets not kept, and the time span they fell in.
    pub dropped: u64,
    pub dropped_span: Option<(i64, i64)>,
    ended: bool,
}

impl Conn {
    fn new(packet: &TcpPacket<'_>, ts_ns: i64) -> Self {
        let a = (packet.ip.src, packet.tcp.src_port);
        let b = (packet.ip.dst, packet.tcp.dst_port);
        Self {
            a,
            b,
            a_is_client: port_guess(a.1, b.1),
            roles_certain: false,
            isn_a: None,
            isn_b: None,
            first_ns: ts_ns,
            last_ns: ts_ns,
            packets_seen: 0,
            head: Vec::new(),
            extra: Vec::new(),
            tail: VecDeque::new(),
            dropped: 0,
            dropped_span: None,
            ended: false,
        }
    }

    /// Client and server endpoints.
    pub fn client(&self) -> (IpAddr, u16) {
        if self.a_is_client {
            self.a
        } else {
            self.b
        }
    }

    pub fn server(&self) -> (IpAddr, u16) {
        if self.a_is_client {
            self.b
        } else {
            self.a
        }
    }

    /// Whether a packet `from_a` was sent by the client.
    pub fn sent_by_client(&self, from_a: bool) -> bool {
        from_a == self.a_is_client
    }

    /// Every kept packet, in frame order.
    pub fn packets(&self) -> Vec<Pkt> {
        let mut out: Vec<Pkt> = self
            .head
            .iter()
            .chain(self.extra.iter())
            .chain(self.tail.iter())
            .copied()
            .collect();
        out.sort_by_key(|p| p.frame);
        out
    }

    /// True when every packet at (this capture's) time `ts_ns` was kept.
    pub fn complete_at(&self, ts_ns: i64) -> bool {
        match self.dropped_span {
            Some((from, to)) => ts_ns < from || ts_ns > to,
            None => true,
        }
    }

    fn note_drop(&mut self, ts_ns: i64) {
        self.dropped += 1;
        self.dropped_span = Some(match self.dropped_span {
            Some((from, to)) => (from.min(ts_ns), to.max(ts_ns)),
            None => (ts_ns, ts_ns),
        });
    }
}

/// The ports say who is the server: a well-known port, or the lower one.
fn port_guess(a_port: u16, b_port: u16) -> bool {
    // `a` is the client unless its port looks like the service.
    !(a_port < b_port && (a_port < 1024 || b_port >= 32768))
}

/// Direction-independent 4-tuple.
type Key = ((IpAddr, u16), (IpAddr, u16));

fn key_of(packet: &TcpPacket<'_>) -> Key {
    let x = (packet.ip.src, packet.tcp.src_port);
    let y = (packet.ip.dst, packet.tcp.dst_port);
    if x <= y {
        (x, y)
    } else {
        (y, x)
    }
}

/// Records one capture for [`crate::compare::compare`]. Feed it the same
/// frames as the [`crate::Analyzer`].
#[derive(Clone, Debug)]
pub struct Vantage {
    limits: Limits,
    /// Every connection, in order of first packet.
    pub(crate) conns: Vec<Conn>,
    open: BTreeMap<Key, usize>,
    /// RST frame number -> connection index.
    pub(crate) rst_frames: BTreeMap<u64, usize>,
    /// 4-tuples seen past the connection limit (bounded).
    refused: BTreeSet<Key>,
    kept: usize,
    pub(crate) dropped_packets: u64,
    pub(crate) dropped_connections: u64,
}

impl Default for Vantage {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}

impl Vantage {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            conns: Vec::new(),
            open: BTreeMap::new(),
            rst_frames: BTreeMap::new(),
            refused: BTreeSet::new(),
            kept: 0,
            dropped_packets: 0,
            dropped_connections: 0,
        }
    }

    /// Feeds one frame; frames that are not TCP are ignored.
    pub fn push(&mut self, frame: &Frame<'_>) {
        if let Ok(Decoded::Tcp(packet)) = decode::decode(frame.link_type, frame.data) {
            self.push_packet(frame.number, frame.ts_ns, &packet);
        }
    }

    /// Feeds one decoded TCP packet.
    pub fn push_packet(&mut self, frame: u64, ts_ns: i64, packet: &TcpPacket<'_>) {
        let key = key_of(packet);
        let tcp = &packet.tcp;
        let fresh_syn = tcp.has(flags::SYN) && !tcp.has(flags::ACK) && !tcp.has(flags::RST);
        let index = match self.open.get(&key).copied() {
            Some(i) => {
                let restart = fresh_syn
                    && self.conns.get(i).is_some_and(|c| {
                        let same = c.a == (packet.ip.src, tcp.src_port) && c.isn_a == Some(tcp.seq)
                            || c.b == (packet.ip.src, tcp.src_port) && c.isn_b == Some(tcp.seq);
                        !same
                            && (c.ended
                                || ts_ns.saturating_sub(c.last_ns) >= REUSE_GAP_NS
                                || c.isn_a.is_some() && c.isn_b.is_some())
                    });
                if restart {
                    self.start(key, packet, ts_ns)
                } else {
                    Some(i)
                }
            }
            None => self.start(key, packet, ts_ns),
        };
        let Some(index) = index else {
            self.dropped_packets += 1;
            return;
        };
        let kept_total = self.kept;
        let limits = self.limits;
        let Some(conn) = self.conns.get_mut(index) else {
            return;
        };
        let from_a = conn.a == (packet.ip.src, tcp.src_port);
        if tcp.has(flags::SYN) {
            if tcp.has(flags::ACK) {
                set_isn(conn, from_a, tcp.seq, false);
            } else {
                set_isn(conn, from_a, tcp.seq, true);
            }
        }
        if tcp.has(flags::RST) || tcp.has(flags::FIN) {
            conn.ended = true;
        }
        conn.last_ns = ts_ns;
        conn.packets_seen += 1;
        let captured = tcp.payload.get(..HASHED_BYTES).unwrap_or(tcp.payload);
        let pkt = Pkt {
            frame,
            ts_ns,
            from_a,
            seq: tcp.seq,
            ack: tcp.ack,
            flags: tcp.flags,
            window: tcp.window,
            ttl: packet.ip.ttl,
            ip_id: packet.ip.id,
            payload_len: tcp.payload_len,
            hash: if captured.is_empty() {
                0
            } else {
                fnv1a(captured)
            },
            mss: tcp.options.mss,
        };
        let is_rst = tcp.has(flags::RST);
        let mut added = false;
        if kept_total >= limits.max_packets {
            conn.note_drop(ts_ns);
        } else if conn.head.len() < limits.head {
            conn.head.push(pkt);
            added = true;
        } else if is_rst {
            conn.extra.push(pkt);
            added = true;
        } else if limits.tail > 0 {
            if conn.tail.len() >= limits.tail {
                if let Some(old) = conn.tail.pop_front() {
                    conn.note_drop(old.ts_ns);
                    self.dropped_packets += 1;
                    self.kept = self.kept.saturating_sub(1);
                }
            }
            conn.tail.push_back(pkt);
            added = true;
        } else {
            conn.note_drop(ts_ns);
        }
        if added {
            self.kept += 1;
            if is_rst {
                self.rst_frames.insert(frame, index);
            }
        } else {
            self.dropped_packets += 1;
        }
    }

    /// A new connection record, or `None` past the connection limit.
    fn start(&mut self, key: Key, packet: &TcpPacket<'_>, ts_ns: i64) -> Option<usize> {
        if self.conns.len() >= self.limits.max_connections {
            self.open.remove(&key);
            // Counted once per 4-tuple while the set of them stays small,
            // else once per SYN.
            let syn = packet.tcp.has(flags::SYN) && !packet.tcp.has(flags::ACK);
            let new_key = self.refused.len() < REFUSED_KEYS && self.refused.insert(key);
            if new_key || (self.refused.len() >= REFUSED_KEYS && syn) {
                self.dropped_connections += 1;
            }
            return None;
        }
        self.conns.push(Conn::new(packet, ts_ns));
        let index = self.conns.len() - 1;
        self.open.insert(key, index);
        Some(index)
    }

    /// Connections recorded.
    pub fn connections(&self) -> usize {
        self.conns.len()
    }

    /// Packets kept.
    pub fn packets(&self) -> usize {
        self.kept
    }
}

fn set_isn(conn: &mut Conn, from_a: bool, seq: u32, is_syn: bool) {
    // A SYN's sender is the client, a SYN-ACK's the server.
    conn.a_is_client = from_a == is_syn;
    conn.roles_certain = true;
    if from_a {
        conn.isn_a.get_or_insert(seq);
    } else {
        conn.isn_b.get_or_insert(seq);
    }
}

/// 32-bit FNV-1a.
pub fn fnv1a(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for &b in bytes {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    // 0 means "no payload".
    hash.max(1)
}
