//! The comparison trace of one capture, recorded by the [`crate::Analyzer`]
//! when [`crate::Config::trace`] asks for it: every connection the tracker
//! follows, under the report's connection id, with its ends, roles and
//! ISNs, a head and a tail of its packets and every RST. Enough to find the
//! same connection, and the same packets, in another capture; bounded on
//! any input.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use crate::decode::{flags, TcpPacket};
use crate::report::Endpoint;
use crate::track::conn::{Conn, Side};
use crate::track::embryo::Embryo;

/// Limits that keep the trace's memory bounded on any input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// One packet, as the comparison needs it (48 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pkt {
    pub frame: u64,
    pub ts_ns: i64,
    /// Sent by the connection's client (the tracker's roles).
    pub from_client: bool,
    pub seq: u32,
    pub ack: u32,
    pub flags: u16,
    pub window: u16,
    pub ttl: u8,
    pub ip_id: Option<u16>,
    pub payload_len: u32,
    /// FNV-1a of the first `hashed` captured payload bytes (0: none).
    pub hash: u32,
    /// Payload bytes hashed: [`HASHED_BYTES`], or fewer when the capture
    /// cut the packet shorter.
    pub hashed: u8,
    pub mss: Option<u16>,
}

impl Pkt {
    pub fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }

    /// What identifies the same packet in another capture: what a NAT or
    /// a router leaves alone. The content is checked apart
    /// ([`Pkt::same_content`]): a copy cut shorter hashes fewer bytes.
    pub fn key(&self) -> PktKey {
        (self.seq, self.ack, self.flags, self.payload_len)
    }

    /// The payloads agree as far as both captures kept them.
    pub fn same_content(&self, other: &Pkt) -> bool {
        self.hashed != other.hashed || self.hash == other.hash
    }

    fn of(frame: u64, ts_ns: i64, side: Side, packet: &TcpPacket<'_>) -> Self {
        let tcp = &packet.tcp;
        let hashed = tcp.payload.get(..HASHED_BYTES).unwrap_or(tcp.payload);
        Self {
            frame,
            ts_ns,
            from_client: side == Side::Client,
            seq: tcp.seq,
            ack: tcp.ack,
            flags: tcp.flags,
            window: tcp.window,
            ttl: packet.ip.ttl,
            ip_id: packet.ip.id,
            payload_len: tcp.payload_len,
            hash: if hashed.is_empty() { 0 } else { fnv1a(hashed) },
            // At most HASHED_BYTES (64).
            hashed: u8::try_from(hashed.len()).unwrap_or(u8::MAX),
            mss: tcp.options.mss,
        }
    }
}

pub type PktKey = (u32, u32, u16, u32);

/// One connection of the trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceConn {
    pub client: Endpoint,
    pub server: Endpoint,
    /// The roles come from a SYN or SYN-ACK, not from a guess.
    pub roles_certain: bool,
    /// ISNs from the client's SYN and the server's SYN-ACK.
    pub isn_client: Option<u32>,
    pub isn_server: Option<u32>,
    pub first_ns: i64,
    pub last_ns: i64,
    head: Vec<Pkt>,
    /// RSTs past the head (kept as long as the total limit allows).
    extra: Vec<Pkt>,
    tail: VecDeque<Pkt>,
    /// Packets not kept, and the time span they fell in.
    pub dropped: u64,
    pub dropped_span: Option<(i64, i64)>,
}

impl TraceConn {
    fn new(ends: Ends, ts_ns: i64) -> Self {
        Self {
            client: ends.client,
            server: ends.server,
            roles_certain: ends.roles_certain,
            isn_client: None,
            isn_server: None,
            first_ns: ts_ns,
            last_ns: ts_ns,
            head: Vec::new(),
            extra: Vec::new(),
            tail: VecDeque::new(),
            dropped: 0,
            dropped_span: None,
        }
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
        crate::sort::sort_by_key(&mut out, |p| p.frame);
        out
    }

    /// True when every packet at (this capture's) time `ts_ns` was kept.
    pub fn complete_at(&self, ts_ns: i64) -> bool {
        match self.dropped_span {
            Some((from, to)) => ts_ns < from || ts_ns > to,
            None => true,
        }
    }

    fn note_isn(&mut self, pkt: &Pkt) {
        if !pkt.has(flags::SYN) {
            return;
        }
        // A SYN's sender is the client, a SYN-ACK's the server.
        let isn = match (pkt.from_client, pkt.has(flags::ACK)) {
            (true, false) => &mut self.isn_client,
            (false, true) => &mut self.isn_server,
            _ => return,
        };
        isn.get_or_insert(pkt.seq);
    }

    fn note_drop(&mut self, ts_ns: i64) {
        self.dropped += 1;
        self.dropped_span = Some(match self.dropped_span {
            Some((from, to)) => (from.min(ts_ns), to.max(ts_ns)),
            None => (ts_ns, ts_ns),
        });
    }
}

/// What the trace keeps of a connection at its first packet: whether the
/// tracker holds it as a full connection or, still, as an embryo.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ends {
    pub client: Endpoint,
    pub server: Endpoint,
    pub roles_certain: bool,
}

impl Ends {
    pub fn of_conn(conn: &Conn) -> Self {
        Self {
            client: Endpoint::new(conn.client.addr, conn.client.port),
            server: Endpoint::new(conn.server.addr, conn.server.port),
            roles_certain: conn.roles_from.is_certain(),
        }
    }

    /// The connection `embryo` grows into has these ends ([`Embryo::conn`]).
    pub fn of_embryo(embryo: &Embryo) -> Self {
        let ((client, client_port), (server, server_port)) = embryo.ends();
        Self {
            client: Endpoint::new(client, client_port),
            server: Endpoint::new(server, server_port),
            roles_certain: embryo.roles_certain(),
        }
    }
}

/// The trace of one capture (see the module's doc). Empty unless the
/// analysis was asked to record it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    limits: Limits,
    /// Recorded connections: index = the report's connection id.
    conns: Vec<TraceConn>,
    /// The newest connection id that was not recorded (past the limit).
    newest_unrecorded: Option<u32>,
    kept: usize,
    /// First and last frame time (ns), of any frame.
    span: Option<(i64, i64)>,
    pub(crate) dropped_packets: u64,
    pub(crate) dropped_connections: u64,
}

impl Trace {
    pub(crate) fn new(limits: Limits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// A frame of any kind was read at `ts_ns`: the capture was running.
    pub(crate) fn note_time(&mut self, ts_ns: i64) {
        self.span = Some(match self.span {
            Some((first, last)) => (first.min(ts_ns), last.max(ts_ns)),
            None => (ts_ns, ts_ns),
        });
    }

    /// A TCP packet of the connection with `ends`, sent by its `side`, as
    /// the tracker saw it.
    pub(crate) fn record(
        &mut self,
        ends: impl FnOnce() -> Ends,
        id: u32,
        side: Side,
        frame: u64,
        ts_ns: i64,
        packet: &TcpPacket<'_>,
    ) {
        let Some(index) = self.index(id, ends, ts_ns) else {
            self.dropped_packets += 1;
            return;
        };
        let pkt = Pkt::of(frame, ts_ns, side, packet);
        let (limits, full) = (self.limits, self.kept >= self.limits.max_packets);
        let Some(trace) = self.conns.get_mut(index) else {
            return;
        };
        trace.last_ns = ts_ns;
        trace.note_isn(&pkt);
        let kept = if full {
            trace.note_drop(ts_ns);
            false
        } else if trace.head.len() < limits.head {
            trace.head.push(pkt);
            true
        } else if pkt.has(flags::RST) {
            trace.extra.push(pkt);
            true
        } else if limits.tail > 0 {
            if trace.tail.len() >= limits.tail {
                if let Some(old) = trace.tail.pop_front() {
                    trace.note_drop(old.ts_ns);
                    self.dropped_packets += 1;
                    self.kept = self.kept.saturating_sub(1);
                }
            }
            trace.tail.push_back(pkt);
            true
        } else {
            trace.note_drop(ts_ns);
            false
        };
        if kept {
            self.kept += 1;
        } else {
            self.dropped_packets += 1;
        }
    }

    /// The index of connection `id`'s record, made at its first packet
    /// (with its `ends`); `None` past the connection limit. Connection ids
    /// count up from 0 in order of first packet, so a record's index is
    /// its id.
    fn index(&mut self, id: u32, ends: impl FnOnce() -> Ends, ts_ns: i64) -> Option<usize> {
        let index = usize::try_from(id).ok()?;
        if index < self.conns.len() {
            return Some(index);
        }
        if index == self.conns.len() && index < self.limits.max_connections {
            self.conns.push(TraceConn::new(ends(), ts_ns));
            return Some(index);
        }
        if self.newest_unrecorded.is_none_or(|newest| id > newest) {
            self.newest_unrecorded = Some(id);
            self.dropped_connections += 1;
        }
        None
    }

    /// The record of the report's connection `id`.
    pub fn conn(&self, id: u32) -> Option<&TraceConn> {
        self.conns.get(usize::try_from(id).ok()?)
    }

    /// Recorded connections, by id.
    pub fn conns(&self) -> &[TraceConn] {
        &self.conns
    }

    /// First and last frame time (ns) of the capture.
    pub fn span(&self) -> Option<(i64, i64)> {
        self.span
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
