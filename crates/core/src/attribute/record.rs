//! A RST as recorded when it was seen: its own fields, a snapshot of its
//! connection at that moment, and what happened afterwards.

use alloc::string::String;
use alloc::vec::Vec;

use super::judge::Verdict;
use super::link::LinkSeen;
use crate::decode::flags;
use crate::report::{Endpoint, LadderPacket};
use crate::track::conn::{Conn, Direction, PacketNote, PacketSummary, Side};
use crate::track::HostProfile;

/// A RST's own fields, as its packet shows them (final as soon as it is
/// seen; the verdict comes when its connection ends).
#[derive(Clone, Debug, PartialEq)]
pub struct RstPacket {
    /// 1-based frame number.
    pub frame: u64,
    /// Seconds since the Unix epoch.
    pub time: f64,
    /// "ip:port" of the innermost IP/TCP headers.
    pub src: Endpoint,
    pub dst: Endpoint,
    pub seq: u32,
    pub ack: u32,
    /// Flags joined by '+'.
    pub flags: String,
    pub ttl: u8,
    pub ip_id: Option<u16>,
    pub payload_len: u32,
    pub encapsulation: String,
    /// Id of its connection, and Wireshark's `tcp.stream` number of it.
    pub connection: u32,
    pub stream: u32,
    /// Printable text of its payload, and a diagnostic reason code.
    pub payload_text: Option<String>,
    pub reason_code: Option<u32>,
    /// The reason code of an MPTCP MP_TCPRST option (RFC 8684 §3.6).
    pub mptcp_reason: Option<u8>,
}

/// Packets of the connection kept after a RST for its ladder.
pub const LADDER_AFTER: usize = 4;

/// The connection as it was just before the RST.
#[derive(Clone, Copy, Debug)]
pub struct Snapshot {
    pub sender: Direction,
    pub peer: Direction,
    pub syn_ns: Option<i64>,
    pub syn_ack_ns: Option<i64>,
    pub ack_ns: Option<i64>,
    /// Silence on the connection right before the RST.
    pub gap_before_ns: i64,
    /// The sender host's last IP-ID on any connection (global counters).
    pub sender_host_last_id: Option<u16>,
}

/// What followed the RST on its connection.
#[derive(Clone, Copy, Debug, Default)]
pub struct After {
    /// Non-RST packets of the claimed sender after its RST: the first one's
    /// delay and whether it carried data, and the count.
    pub sender_packets: u32,
    pub sender_first_ns: Option<i64>,
    pub sender_data_ns: Option<i64>,
    pub peer_packets: u32,
    pub peer_first_ns: Option<i64>,
    /// A SYN-ACK of the claimed sender after its RST: the real server
    /// answering a SYN that something else had reset.
    pub sender_syn_ack_ns: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct ResetRecord {
    pub packet: RstPacket,
    pub side: Side,
    pub ts_ns: i64,
    pub flags: u16,
    pub dont_fragment: bool,
    pub snapshot: Snapshot,
    pub after: After,
    /// Set when its connection ends.
    pub verdict: Option<Verdict>,
    /// The connection's last packets before the RST, the RST, and up to
    /// [`LADDER_AFTER`] packets after it (`after_kept` of them).
    pub ladder: Vec<PacketSummary>,
    pub after_kept: u8,
    /// What the link layer recorded about the RST and its peer's last packet.
    pub link: LinkSeen,
}

impl ResetRecord {
    /// Records a RST from `side` before it updates `conn`.
    pub fn new(
        packet: RstPacket,
        side: Side,
        ts_ns: i64,
        flags: u16,
        df: bool,
        conn: &Conn,
        host: Option<&HostProfile>,
    ) -> Self {
        let snapshot = Snapshot {
            sender: *conn.dir(side),
            peer: *conn.dir(side.other()),
            syn_ns: conn.syn_ns,
            syn_ack_ns: conn.syn_ack_ns,
            ack_ns: conn.ack_ns,
            gap_before_ns: ts_ns.saturating_sub(conn.last_ns).max(0),
            sender_host_last_id: host.and_then(|h| h.last_ip_id),
        };
        Self {
            packet,
            side,
            ts_ns,
            flags,
            dont_fragment: df,
            snapshot,
            after: After::default(),
            verdict: None,
            ladder: Vec::new(),
            after_kept: 0,
            link: LinkSeen::default(),
        }
    }

    /// Keeps a later packet of the same connection for the ladder.
    pub fn note_after(&mut self, packet: PacketSummary) {
        if usize::from(self.after_kept) < LADDER_AFTER {
            self.ladder.push(packet);
            self.after_kept += 1;
        }
    }

    /// The ladder for the report, numbers made relative with `conn`'s ISNs.
    pub fn ladder_packets(&self, conn: &Conn) -> Vec<LadderPacket> {
        let scaling = conn.client.wscale.is_some() && conn.server.wscale.is_some();
        let mut previous_ns = None;
        self.ladder
            .iter()
            .map(|p| {
                let side = p.side();
                let (sender, receiver) = (conn.dir(side), conn.dir(side.other()));
                let packet_flags = p.flags();
                let (seq, ack, relative) = match (sender.isn, receiver.isn) {
                    (Some(own), Some(peer)) => (
                        p.seq.wrapping_sub(own),
                        if packet_flags & flags::ACK != 0 {
                            p.ack.wrapping_sub(peer)
                        } else {
                            0
                        },
                        true,
                    ),
                    _ => (p.seq, p.ack, false),
                };
                let window = if scaling && packet_flags & flags::SYN == 0 {
                    u32::from(p.window) << sender.wscale.unwrap_or(0).min(14)
                } else {
                    u32::from(p.window)
                };
                let gap_ns = previous_ns.map_or(0, |prev| p.ts_ns.saturating_sub(prev).max(0));
                previous_ns = Some(p.ts_ns);
                LadderPacket {
                    frame: p.frame(self.packet.frame),
                    time: p.ts_ns as f64 / 1e9,
                    from: super::role(side),
                    flags: flags::names(packet_flags),
                    seq,
                    ack,
                    relative,
                    payload_len: p.payload_len,
                    window,
                    ttl: p.ttl,
                    ip_id: p.ip_id(),
                    gap_ms: gap_ns as f64 / 1e6,
                }
            })
            .collect()
    }

    /// Notes a later packet of the same connection.
    pub fn observe(&mut self, side: Side, ts_ns: i64, tcp_flags: u16, payload_len: u32) {
        let delay = ts_ns.saturating_sub(self.ts_ns);
        // Later in the file but stamped earlier (a merged capture whose
        // time runs backwards): no evidence of what followed the RST.
        if delay < 0 {
            return;
        }
        if side == self.side {
            if tcp_flags & flags::RST != 0 {
                return;
            }
            if tcp_flags & flags::SYN != 0 && tcp_flags & flags::ACK != 0 {
                self.after.sender_syn_ack_ns.get_or_insert(delay);
            }
            self.after.sender_packets = self.after.sender_packets.saturating_add(1);
            self.after.sender_first_ns.get_or_insert(delay);
            if payload_len > 0 {
                self.after.sender_data_ns.get_or_insert(delay);
            }
        } else {
            self.after.peer_packets = self.after.peer_packets.saturating_add(1);
            self.after.peer_first_ns.get_or_insert(delay);
        }
    }

    /// The RST answers the peer's SYN: the sender had sent nothing, the
    /// peer nothing but its SYN.
    pub fn answers_syn(&self) -> bool {
        let s = &self.snapshot;
        s.peer.isn.is_some()
            && s.sender.isn.is_none()
            && s.sender.snd_nxt.is_none()
            && s.peer.data_packets == 0
            && s.peer.last.is_some_and(|l| l.flags & flags::SYN != 0)
    }

    /// The segment a sender in SYN-SENT (its SYN the last thing it sent)
    /// reset at its ack, a segment with ACK and without SYN, and the SYN's
    /// sequence number. Such a RST leaves the sender's connection in
    /// SYN-SENT (RFC 9293 §3.10.7.3): its later packets and its seq at the
    /// segment's ack, not at its own next number, are its stack's form.
    pub fn syn_sent_answer(&self) -> Option<(PacketNote, u32)> {
        let t = self.trigger()?;
        let syn = self
            .snapshot
            .sender
            .last
            .filter(|l| l.flags & flags::SYN != 0 && l.flags & flags::ACK == 0)?;
        let plain_ack = t.flags & flags::ACK != 0 && t.flags & flags::SYN == 0;
        (plain_ack && self.packet.seq == t.ack).then_some((t, syn.seq))
    }

    /// The peer packet this RST answers: the peer's last packet, when it
    /// came after the sender's own last packet (in capture order, which
    /// holds when timestamps do not) and not long before the RST.
    pub fn trigger(&self) -> Option<PacketNote> {
        let trigger = self.snapshot.peer.last?;
        let sender_after = self
            .snapshot
            .sender
            .last
            .is_some_and(|own| own.frame > trigger.frame);
        let delay = self.ts_ns.saturating_sub(trigger.ts_ns);
        (!sender_after && delay <= TRIGGER_WINDOW_NS).then_some(trigger)
    }
}

/// A RST later than this after the peer's packet is not an answer to it.
pub const TRIGGER_WINDOW_NS: i64 = 3_000_000_000;
