//! One TCP connection: both directions' sequence space, timing, IP
//! fingerprint and handshake, in fixed-size fields (no allocation per
//! packet; only the list of its resets grows, one entry per RST).

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::net::IpAddr;

use super::baseline::{IpIdStats, TtlBaseline};
use super::host::HostSlot;
use super::link::{ConnLink, LinkNote, Names, SideLink, WifiNote};
use super::seq;
use super::stream::Stream;
use super::zeek::{self, Zeek};
use crate::decode::{flags, LinkMeta, TcpPacket};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Side {
    Client,
    Server,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::Client => Side::Server,
            Side::Server => Side::Client,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Side::Client => "client",
            Side::Server => "server",
        }
    }

    /// (client's, server's) of a packet's sender's and receiver's, this
    /// side being the sender's.
    pub fn client_server<T>(self, sender: T, receiver: T) -> (T, T) {
        match self {
            Side::Client => (sender, receiver),
            Side::Server => (receiver, sender),
        }
    }
}

/// How the client and server roles were decided (`Connection::roles_from`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RolesFrom {
    Handshake,
    Syn,
    SynAck,
    Ports,
    /// A first packet with a refusal's numbers (RST+ACK, seq 0, an ack):
    /// only the responder to a SYN sends that.
    Refusal,
    FirstPacket,
}

impl RolesFrom {
    pub fn name(self) -> &'static str {
        match self {
            RolesFrom::Handshake => "handshake",
            RolesFrom::Syn => "syn",
            RolesFrom::SynAck => "syn-ack",
            RolesFrom::Ports => "ports",
            RolesFrom::Refusal => "refusal",
            RolesFrom::FirstPacket => "first-packet",
        }
    }

    /// The roles once the server sent a SYN-ACK: a client's SYN answered
    /// makes them the handshake's.
    pub fn answered(self) -> Self {
        match self {
            RolesFrom::Syn => RolesFrom::Handshake,
            other => other,
        }
    }

    /// Roles seen from a SYN or SYN-ACK rather than guessed.
    pub fn is_certain(self) -> bool {
        matches!(
            self,
            RolesFrom::Handshake | RolesFrom::Syn | RolesFrom::SynAck
        )
    }

    /// Roles told by a rule (the handshake, the ports, a refusal's
    /// numbers), not only by which packet came first.
    pub fn is_told(self) -> bool {
        self != RolesFrom::FirstPacket
    }
}

/// A note about one packet, kept as "the last packet" of a direction: what
/// a reset may have answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PacketNote {
    pub frame: u64,
    pub ts_ns: i64,
    pub flags: u16,
    pub seq: u32,
    /// Acknowledgement number (meaningful with the ACK flag).
    pub ack: u32,
    pub payload_len: u32,
    pub ttl: u8,
    pub ip_id: Option<u16>,
    /// Its data had been sent before (end at or below the highest seq sent).
    pub retransmission: bool,
    /// Its data starts past the highest seq sent before: a gap, reordering.
    pub out_of_order: bool,
    /// A pure ACK repeating the previous acknowledgement (data is missing).
    pub dup_ack: bool,
    /// It carries SACK blocks.
    pub sack: bool,
    /// Its data lies outside what the receiver could accept: already
    /// acknowledged, or beyond the advertised window.
    pub out_of_window: bool,
    /// Silence on the connection right before it.
    pub gap_before_ns: i64,
}

/// Packets kept per connection for the ladder diagram of its resets.
pub const LADDER_LEN: usize = 16;

/// One packet of a connection as the ladder diagram shows it, in 32
/// bytes: the frame number keeps its low 32 bits (see [`PacketSummary::frame`]),
/// the side and the presence of an IP ID ride in spare bits of the flags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PacketSummary {
    pub ts_ns: i64,
    frame_lo: u32,
    /// Raw sequence and acknowledgement numbers.
    pub seq: u32,
    pub ack: u32,
    pub payload_len: u32,
    /// Window field as sent (unscaled).
    pub window: u16,
    ip_id: u16,
    /// TCP flags (9 bits) plus [`SERVER_BIT`] and [`IP_ID_BIT`].
    bits: u16,
    pub ttl: u8,
}

const SERVER_BIT: u16 = 0x8000;
const IP_ID_BIT: u16 = 0x4000;
const FLAG_BITS: u16 = 0x01ff;

impl PacketSummary {
    pub fn of(frame: u64, ts_ns: i64, side: Side, packet: &TcpPacket<'_>) -> Self {
        let (ip, tcp) = (&packet.ip, &packet.tcp);
        let mut bits = tcp.flags & FLAG_BITS;
        if side == Side::Server {
            bits |= SERVER_BIT;
        }
        if ip.id.is_some() {
            bits |= IP_ID_BIT;
        }
        Self {
            ts_ns,
            // Truncation intended: `frame` restores the high bits.
            frame_lo: frame as u32,
            seq: tcp.seq,
            ack: tcp.ack,
            payload_len: tcp.payload_len,
            window: tcp.window,
            ip_id: ip.id.unwrap_or(0),
            bits,
            ttl: ip.ttl,
        }
    }

    pub fn side(&self) -> Side {
        if self.bits & SERVER_BIT != 0 {
            Side::Server
        } else {
            Side::Client
        }
    }

    pub fn flags(&self) -> u16 {
        self.bits & FLAG_BITS
    }

    pub fn ip_id(&self) -> Option<u16> {
        (self.bits & IP_ID_BIT != 0).then_some(self.ip_id)
    }

    /// The full frame number, given a frame number `anchor` of the same
    /// connection less than 2^31 frames away (the RST's).
    pub fn frame(&self, anchor: u64) -> u64 {
        let delta = self.frame_lo.wrapping_sub(anchor as u32) as i32;
        anchor.wrapping_add_signed(i64::from(delta))
    }
}

/// The last [`LADDER_LEN`] packets of a connection, oldest overwritten.
#[derive(Clone, Debug)]
pub struct Ring {
    slots: [PacketSummary; LADDER_LEN],
    len: u8,
    next: u8,
}

impl Ring {
    fn push(&mut self, packet: PacketSummary) {
        if let Some(slot) = self.slots.get_mut(usize::from(self.next)) {
            *slot = packet;
        }
        self.next = (self.next + 1) % LADDER_LEN as u8;
        self.len = (self.len + 1).min(LADDER_LEN as u8);
    }
}

/// A connection's recent packets. Connections of one or two packets (a
/// flood's SYN and its SYN-ACK, a probe and its refusal: the common case in
/// a table of 50 000) keep them inline; the ring (512 bytes) is allocated
/// once, at the third packet.
#[derive(Clone, Debug, Default)]
pub enum History {
    #[default]
    Empty,
    One(PacketSummary),
    Two([PacketSummary; 2]),
    Many(Box<Ring>),
}

impl History {
    pub fn push(&mut self, packet: PacketSummary) {
        match self {
            History::Empty => *self = History::One(packet),
            History::One(first) => *self = History::Two([*first, packet]),
            History::Two(pair) => {
                let mut ring = Box::new(Ring {
                    slots: [PacketSummary::default(); LADDER_LEN],
                    len: 0,
                    next: 0,
                });
                for earlier in *pair {
                    ring.push(earlier);
                }
                ring.push(packet);
                *self = History::Many(ring);
            }
            History::Many(ring) => ring.push(packet),
        }
    }

    /// The packets kept, oldest first.
    pub fn to_vec(&self) -> Vec<PacketSummary> {
        match self {
            History::Empty => Vec::new(),
            History::One(first) => alloc::vec![*first],
            History::Two(pair) => pair.to_vec(),
            History::Many(ring) => {
                let (len, next) = (usize::from(ring.len), usize::from(ring.next));
                if len < LADDER_LEN {
                    ring.slots.iter().take(len).copied().collect()
                } else {
                    let (newer, older) = ring.slots.split_at(next.min(LADDER_LEN));
                    older.iter().chain(newer).copied().collect()
                }
            }
        }
    }
}

/// What one side sent.
#[derive(Clone, Copy, Debug)]
pub struct Direction {
    pub addr: IpAddr,
    pub port: u16,
    pub packets: u64,
    pub bytes: u64,
    pub data_packets: u32,
    pub isn: Option<u32>,
    /// Highest sequence number sent plus its length (SND.NXT as seen).
    pub snd_nxt: Option<u32>,
    /// Last acknowledgement number sent (what it had received).
    pub last_ack: Option<u32>,
    /// Window advertised in the last non-SYN segment, scaled when both
    /// SYNs offered window scaling.
    pub window: Option<u32>,
    pub wscale: Option<u8>,
    /// TSval of its last segment with timestamps.
    pub ts_val: Option<u32>,
    pub syn_ns: Option<i64>,
    /// Sequence number of its FIN (data end) and when it was sent.
    pub fin_seq: Option<u32>,
    pub fin_ns: Option<i64>,
    pub retransmissions: u32,
    pub out_of_order: u32,
    /// FIN segments sent, retransmissions included.
    pub fins: u32,
    /// Segments sent while the other side's window stayed 0 (window
    /// probes), since it last opened.
    pub zero_window_probes: u32,
    /// Retransmissions of the data at `rexmit_seq` in a row, with the time
    /// of the original and of the last copy (to show the backoff).
    pub rexmit_run: u32,
    pub rexmit_seq: u32,
    pub rexmit_first_ns: i64,
    pub rexmit_last_ns: i64,
    pub rsts: u32,
    /// Non-RST packets only: the sender's own fingerprint.
    pub ttl: TtlBaseline,
    pub df_set: u32,
    pub df_clear: u32,
    pub ip_id: IpIdStats,
    pub last_ip_id: Option<u16>,
    /// Non-RST packets whose non-zero IP-ID is the other side's last one:
    /// a stack that fills its IP-ID from the segment it answers.
    pub ip_id_copies: u32,
    /// Last non-RST packet.
    pub last: Option<PacketNote>,
    /// Where its address's profile was in the host table.
    pub host: HostSlot,
}

impl Direction {
    fn new(addr: IpAddr, port: u16) -> Self {
        Self {
            addr,
            port,
            packets: 0,
            bytes: 0,
            data_packets: 0,
            isn: None,
            snd_nxt: None,
            last_ack: None,
            window: None,
            wscale: None,
            ts_val: None,
            syn_ns: None,
            fin_seq: None,
            fin_ns: None,
            retransmissions: 0,
            out_of_order: 0,
            fins: 0,
            zero_window_probes: 0,
            rexmit_run: 0,
            rexmit_seq: 0,
            rexmit_first_ns: 0,
            rexmit_last_ns: 0,
            rsts: 0,
            ttl: TtlBaseline::default(),
            df_set: 0,
            df_clear: 0,
            ip_id: IpIdStats::default(),
            last_ip_id: None,
            ip_id_copies: 0,
            last: None,
            host: HostSlot::NONE,
        }
    }

    /// Non-RST packets sent.
    pub fn clean_packets(&self) -> u64 {
        self.packets.saturating_sub(u64::from(self.rsts))
    }

    /// Its stack fills the IP-ID from the other side's last packet: most of
    /// its non-zero IP-IDs, three at least, copied one.
    pub fn copies_peer_ip_id(&self) -> bool {
        let copies = self.ip_id_copies;
        copies >= 3 && copies.saturating_mul(4) >= self.ip_id.nonzero.saturating_mul(3)
    }
}

#[derive(Clone, Debug)]
pub struct Conn {
    pub id: u32,
    /// Wireshark's `tcp.stream` of its latest packet, and of its first
    /// (they differ only when Wireshark split the stream and Zeek did not).
    pub stream: Stream,
    pub first_stream: u32,
    /// Frame number of its first packet.
    pub first_frame: u64,
    pub client: Direction,
    pub server: Direction,
    pub roles_from: RolesFrom,
    pub first_ns: i64,
    pub last_ns: i64,
    pub largest_gap_ns: i64,
    /// Packets timestamped earlier than one before them (merged or
    /// multi-interface captures): its timings are unreliable.
    pub backwards: u32,
    /// The client had opened another connection to the same port just
    /// before this one (a connection pool or preconnect opening in parallel).
    pub parallel_open: bool,
    /// Segments the capture recorded twice (see `attribute::copy`), not
    /// tracked again.
    pub copies: u32,
    /// Handshake times: client SYN, server SYN-ACK, client's first ACK after it.
    pub syn_ns: Option<i64>,
    pub syn_ack_ns: Option<i64>,
    pub ack_ns: Option<i64>,
    /// Data segments per side before the first RST, for the stage.
    pub zeek: Zeek,
    /// Indices of this connection's resets in the analyzer's list.
    pub resets: Vec<usize>,
    /// Its last packets, for the ladder diagram of its resets.
    pub history: History,
    /// What the link layer recorded about its packets; allocated at the
    /// first packet that carries any such metadata.
    pub link: Option<Box<ConnLink>>,
    /// How the connection these ports carried before ended, when this one
    /// replaced it in the table.
    pub predecessor: Option<Predecessor>,
}

/// The end of the connection a new one replaced on the same ports (and
/// of those it had replaced in turn: a capture that starts late, or a
/// long pause, splits one conversation): a RST that continues their numbers
/// after the ends had closed answers nothing of the new connection (a
/// device clearing its state does that).
#[derive(Clone, Copy, Debug)]
pub struct Predecessor {
    pub last_ns: i64,
    /// A RST ended it, or both sides had sent a FIN.
    pub reset: bool,
    pub client_fin: bool,
    pub server_fin: bool,
    /// The last SND.NXT of the sides that play the new connection's
    /// client and server.
    pub client_nxt: Option<u32>,
    pub server_nxt: Option<u32>,
}

impl Predecessor {
    /// `old`'s end, its sides mapped onto `new`'s roles.
    pub fn of(old: &Conn, new: &Conn) -> Self {
        let before = old.predecessor;
        let client = (
            old.client.fin_seq.is_some() || before.is_some_and(|p| p.client_fin),
            old.client.snd_nxt.or(before.and_then(|p| p.client_nxt)),
        );
        let server = (
            old.server.fin_seq.is_some() || before.is_some_and(|p| p.server_fin),
            old.server.snd_nxt.or(before.and_then(|p| p.server_nxt)),
        );
        let same = new.side_of(old.client.addr, old.client.port) == Side::Client;
        let (client, server) = if same {
            (client, server)
        } else {
            (server, client)
        };
        Self {
            last_ns: old.last_ns,
            reset: !old.resets.is_empty(),
            client_fin: client.0,
            server_fin: server.0,
            client_nxt: client.1,
            server_nxt: server.1,
        }
    }

    /// The ends had finished: both FINs, or a RST.
    pub fn closed(&self) -> bool {
        self.reset || (self.client_fin && self.server_fin)
    }
}

/// One packet as the tracker needs it.
pub struct Seen<'p, 'a> {
    pub frame: u64,
    pub ts_ns: i64,
    pub side: Side,
    pub packet: &'p TcpPacket<'a>,
    /// The packet as the ladder keeps it (the analyzer has built it already).
    pub summary: PacketSummary,
    /// The capture heard this 802.11 MAC frame before: the link retrying
    /// one TCP transmission on the air, not TCP retransmitting.
    pub air_retry: bool,
}

impl Conn {
    /// A connection starting with `packet`, whose sender plays `side`.
    pub fn new(
        id: u32,
        side: Side,
        roles_from: RolesFrom,
        frame: u64,
        ts_ns: i64,
        packet: &TcpPacket<'_>,
        stream: Stream,
    ) -> Self {
        let (ip, tcp) = (&packet.ip, &packet.tcp);
        let sender = Direction::new(ip.src, tcp.src_port);
        let receiver = Direction::new(ip.dst, tcp.dst_port);
        let (client, server) = side.client_server(sender, receiver);
        let first = zeek::Segment::of(side, tcp);
        Self {
            id,
            stream,
            first_stream: stream.number,
            first_frame: frame,
            client,
            server,
            roles_from,
            first_ns: ts_ns,
            last_ns: ts_ns,
            largest_gap_ns: 0,
            backwards: 0,
            parallel_open: false,
            copies: 0,
            syn_ns: None,
            syn_ack_ns: None,
            ack_ns: None,
            zeek: Zeek::new(&first, tcp.src_port, tcp.dst_port),
            resets: Vec::new(),
            history: History::Empty,
            link: None,
            predecessor: None,
        }
    }

    /// Frees what the connection allocated (its resets' list, ladder ring
    /// and link notes) while it stays in place: a table that closes its
    /// connections where they lie releases their memory one by one.
    pub fn free_heap(&mut self) {
        self.resets = Vec::new();
        self.history = History::Empty;
        self.link = None;
    }

    /// Notes what the link layer recorded about a packet of `side` (frame
    /// `frame`; `wifi`: its 802.11 transmission); `None` when it recorded
    /// nothing.
    pub fn note_link(
        &mut self,
        side: Side,
        frame: u64,
        meta: &LinkMeta<'_>,
        wifi: Option<WifiNote>,
        rst: bool,
        names: &mut Names,
    ) -> Option<LinkNote> {
        if !super::link::carries_any(meta) {
            return None;
        }
        let link = self.link.get_or_insert_with(Box::default);
        let side_link: &mut SideLink = match side {
            Side::Client => &mut link.client,
            Side::Server => &mut link.server,
        };
        Some(side_link.note(frame, meta, wifi, rst, names))
    }

    /// What `side`'s packets showed of the link layer, if anything.
    pub fn side_link(&self, side: Side) -> Option<&SideLink> {
        let link = self.link.as_deref()?;
        Some(match side {
            Side::Client => &link.client,
            Side::Server => &link.server,
        })
    }

    pub fn dir(&self, side: Side) -> &Direction {
        match side {
            Side::Client => &self.client,
            Side::Server => &self.server,
        }
    }

    pub fn dir_mut(&mut self, side: Side) -> &mut Direction {
        match side {
            Side::Client => &mut self.client,
            Side::Server => &mut self.server,
        }
    }

    /// Which side sent a packet from `addr`:`port`.
    pub fn side_of(&self, addr: IpAddr, port: u16) -> Side {
        if self.client.addr == addr && self.client.port == port {
            Side::Client
        } else {
            Side::Server
        }
    }

    /// Both SYNs carried window scale: windows are scaled (RFC 7323).
    fn scaling(&self) -> bool {
        self.client.wscale.is_some() && self.server.wscale.is_some()
    }

    /// A reset, a FIN exchange or a SYN-less end happened.
    pub fn finished(&self) -> bool {
        self.client.rsts > 0
            || self.server.rsts > 0
            || (self.client.fin_seq.is_some() && self.server.fin_seq.is_some())
    }

    /// Time the server took to answer the client's SYN, seen from here.
    pub fn server_delay_ns(&self) -> Option<i64> {
        Some(self.syn_ack_ns?.saturating_sub(self.syn_ns?))
    }

    /// Time the client took to answer the server's SYN-ACK, seen from here.
    pub fn client_delay_ns(&self) -> Option<i64> {
        Some(self.ack_ns?.saturating_sub(self.syn_ack_ns?))
    }

    /// Updates the connection with one of its packets.
    pub fn update(&mut self, seen: &Seen<'_, '_>) {
        let Seen {
            frame,
            ts_ns,
            side,
            packet,
            summary,
            air_retry,
        } = *seen;
        let (ip, tcp) = (&packet.ip, &packet.tcp);
        self.history.push(summary);
        let gap = ts_ns.saturating_sub(self.last_ns).max(0);
        if ts_ns < self.last_ns {
            self.backwards = self.backwards.saturating_add(1);
        }
        self.largest_gap_ns = self.largest_gap_ns.max(gap);
        self.last_ns = self.last_ns.max(ts_ns);
        self.zeek.on_packet(&zeek::Segment::of(side, tcp));

        self.handshake_times(side, tcp.flags, ts_ns);

        let scaling = self.scaling();
        // Both sides borrowed once: each `dir(side)` is a branch.
        let (dir, other) = self.pair_mut(side);
        let data_end = tcp.seq.wrapping_add(tcp.payload_len);
        let out_of_window = tcp.payload_len > 0 && outside_window(tcp.seq, data_end, other);
        let peer_window_shut = other.window == Some(0);
        dir.packets = dir.packets.saturating_add(1);
        if tcp.has(flags::RST) {
            // A RST's fields are what is being judged: keep them out of the
            // sender's baselines and sequence state.
            dir.rsts = dir.rsts.saturating_add(1);
            return;
        }
        dir.fingerprint(packet, other.last_ip_id);
        dir.options_and_window(packet, ts_ns, scaling);
        let dup_ack = tcp.has(flags::ACK)
            && !tcp.has(flags::SYN | flags::FIN)
            && tcp.payload_len == 0
            && dir.last_ack == Some(tcp.ack);
        if tcp.has(flags::ACK) {
            dir.last_ack = Some(tcp.ack);
        }
        if peer_window_shut {
            dir.zero_window_probes = dir.zero_window_probes.saturating_add(1);
        }
        let (retransmission, out_of_order) = dir.advance(packet, ts_ns, air_retry);
        let window_open = dir.window.is_some_and(|w| w > 0);
        dir.last = Some(PacketNote {
            frame,
            ts_ns,
            flags: tcp.flags,
            seq: tcp.seq,
            ack: tcp.ack,
            payload_len: tcp.payload_len,
            ttl: ip.ttl,
            ip_id: ip.id,
            retransmission,
            out_of_order,
            dup_ack,
            sack: tcp.options.sack,
            out_of_window,
            gap_before_ns: gap,
        });
        if window_open {
            other.zero_window_probes = 0;
        }
        // The peer's data is now acknowledged: its retransmission run ends.
        if tcp.has(flags::ACK)
            && other.rexmit_run > 0
            && other
                .snd_nxt
                .is_some_and(|nxt| seq::diff(tcp.ack, nxt) >= 0)
        {
            other.rexmit_run = 0;
        }
    }

    /// `side`'s direction and the other one.
    fn pair_mut(&mut self, side: Side) -> (&mut Direction, &mut Direction) {
        match side {
            Side::Client => (&mut self.client, &mut self.server),
            Side::Server => (&mut self.server, &mut self.client),
        }
    }

    /// Notes the handshake's times: client SYN, server SYN-ACK, client ACK.
    fn handshake_times(&mut self, side: Side, tcp_flags: u16, ts_ns: i64) {
        let (syn, ack) = (tcp_flags & flags::SYN != 0, tcp_flags & flags::ACK != 0);
        // Past the handshake, only a SYN can still note a time.
        if !syn && self.ack_ns.is_some() {
            return;
        }
        if syn && !ack && side == Side::Client {
            self.syn_ns.get_or_insert(ts_ns);
        }
        if syn && ack && side == Side::Server {
            self.syn_ack_ns.get_or_insert(ts_ns);
            self.roles_from = self.roles_from.answered();
        }
        if !syn && ack && side == Side::Client && self.syn_ack_ns.is_some() {
            self.ack_ns.get_or_insert(ts_ns);
        }
    }
}

impl Direction {
    /// Counts a non-RST packet into this side's IP fingerprint, given the
    /// other side's last IP-ID.
    fn fingerprint(&mut self, packet: &TcpPacket<'_>, peer_ip_id: Option<u16>) {
        let (ip, tcp) = (&packet.ip, &packet.tcp);
        self.bytes = self.bytes.saturating_add(u64::from(tcp.payload_len));
        if tcp.payload_len > 0 {
            self.data_packets = self.data_packets.saturating_add(1);
        }
        self.ttl.add(ip.ttl);
        if ip.dont_fragment {
            self.df_set = self.df_set.saturating_add(1);
        } else {
            self.df_clear = self.df_clear.saturating_add(1);
        }
        if let Some(id) = ip.id {
            if id != 0 && peer_ip_id == Some(id) {
                self.ip_id_copies = self.ip_id_copies.saturating_add(1);
            }
            self.ip_id.add(self.last_ip_id, id);
            self.last_ip_id = Some(id);
        }
    }

    /// Timestamps, the ISN and window scale of a SYN, or the advertised window.
    fn options_and_window(&mut self, packet: &TcpPacket<'_>, ts_ns: i64, scaling: bool) {
        let tcp = &packet.tcp;
        if let Some((ts_val, _)) = tcp.options.timestamps {
            self.ts_val = Some(ts_val);
        }
        if tcp.has(flags::SYN) {
            self.isn = Some(tcp.seq);
            self.wscale = tcp.options.window_scale;
            self.syn_ns.get_or_insert(ts_ns);
        } else {
            let shift = if scaling {
                self.wscale.unwrap_or(0).min(14)
            } else {
                0
            };
            self.window = Some(u32::from(tcp.window) << shift);
        }
    }

    /// Counts a retransmission of `seq` in the current run (a new run for
    /// another sequence number), for TCP's backoff.
    fn extend_rexmit_run(&mut self, seq: u32, ts_ns: i64) {
        if self.rexmit_run > 0 && self.rexmit_seq == seq {
            self.rexmit_run = self.rexmit_run.saturating_add(1);
        } else {
            self.rexmit_run = 1;
            self.rexmit_seq = seq;
            self.rexmit_first_ns =
                self.last
                    .map_or(ts_ns, |l| if l.seq == seq { l.ts_ns } else { ts_ns });
        }
        self.rexmit_last_ns = ts_ns;
    }

    /// Moves SND.NXT on and follows retransmissions and FINs; returns
    /// whether the segment was a retransmission, and whether it left a gap.
    /// An `air_retry` is old data again but not TCP's backoff: it does not
    /// extend the retransmission run.
    fn advance(&mut self, packet: &TcpPacket<'_>, ts_ns: i64, air_retry: bool) -> (bool, bool) {
        let tcp = &packet.tcp;
        let (syn, fin) = (tcp.has(flags::SYN), tcp.has(flags::FIN));
        let end = tcp
            .seq
            .wrapping_add(seq::segment_len(tcp.payload_len, syn, fin));
        let mut retransmission = false;
        let mut out_of_order = false;
        match self.snd_nxt {
            Some(nxt) if tcp.payload_len > 0 && seq::diff(end, nxt) <= 0 => {
                retransmission = true;
                self.retransmissions = self.retransmissions.saturating_add(1);
                if !air_retry {
                    self.extend_rexmit_run(tcp.seq, ts_ns);
                }
            }
            Some(nxt) => {
                if tcp.payload_len > 0 && seq::after(tcp.seq, nxt) {
                    self.out_of_order = self.out_of_order.saturating_add(1);
                    out_of_order = true;
                }
                if seq::after(end, nxt) {
                    self.snd_nxt = Some(end);
                    if tcp.payload_len > 0 {
                        self.rexmit_run = 0;
                    }
                }
            }
            None => self.snd_nxt = Some(end),
        }
        if fin {
            self.fin_seq = Some(tcp.seq.wrapping_add(tcp.payload_len));
            self.fin_ns.get_or_insert(ts_ns);
            self.fins = self.fins.saturating_add(1);
        }
        (retransmission, out_of_order)
    }
}

/// True when data `[start, end)` lies outside what `receiver` could accept:
/// entirely at or below its last ACK (already received), or starting past
/// its last ACK plus its window.
fn outside_window(start: u32, end: u32, receiver: &Direction) -> bool {
    let Some(acked) = receiver.last_ack else {
        return false;
    };
    if seq::diff(end, acked) <= 0 {
        return true;
    }
    match receiver.window {
        Some(window) => seq::diff(start, acked) > i64::from(window),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_keeps_the_last_packets_oldest_first_through_every_form() {
        for count in 0..=40u32 {
            let mut history = History::default();
            for n in 0..count {
                history.push(PacketSummary {
                    seq: n,
                    ..PacketSummary::default()
                });
            }
            let kept: Vec<u32> = history.to_vec().iter().map(|p| p.seq).collect();
            let first = count.saturating_sub(LADDER_LEN as u32);
            assert_eq!(kept, (first..count).collect::<Vec<_>>(), "{count} packets");
        }
    }
}
