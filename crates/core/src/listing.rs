//! One conversation's packets listed as Wireshark's packet list shows them
//! for `tcp.stream eq N`: relative sequence and acknowledgement numbers,
//! the window as scaled by the handshake, and Wireshark's sequence
//! analysis notes (retransmissions, out-of-order segments, duplicate ACKs,
//! zero windows, keep-alives, segments not captured), computed by
//! [`analysis`] with Wireshark's own rules so that a note means what an
//! engineer reads in Wireshark (checked against tshark on every stream of
//! the shared captures: `crates/capture/tests/listing_oracle.rs`).
//!
//! Fed the packets [`crate::select::Selection`] picked, in capture order.
//! Memory is bounded: past [`MAX_LISTED`] packets are only counted.

mod analysis;

use alloc::string::String;
use alloc::vec::Vec;
use core::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::decode::flags::{self, ACK};
use crate::decode::TcpPacket;
use crate::report::Role;
use analysis::{Flow, Segment};

/// Most packets listed: a longer conversation lists its first ones and
/// counts the rest.
pub const MAX_LISTED: usize = 20_000;

/// One packet of the list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListedPacket {
    pub frame: u64,
    /// Seconds since the Unix epoch.
    pub time: f64,
    pub from: Role,
    /// Flags joined by '+', as in the report.
    pub flags: String,
    /// Relative to the sender's base (its ISN, or one below its first
    /// sequence number when its SYN was not seen), as Wireshark shows it.
    pub seq: u32,
    /// Relative to the other side's base; None without the ACK flag.
    pub ack: Option<u32>,
    /// TCP payload length.
    pub len: u32,
    /// The advertised window, scaled as the SYNs said.
    pub window: u32,
    /// IPv4 TTL or IPv6 hop limit.
    pub ttl: u8,
    /// IPv4 identification; None for IPv6.
    pub ip_id: Option<u16>,
    pub notes: Vec<Note>,
    /// The duplicate ACK's number in its run ("duplicate ACK #2"), when
    /// `notes` has `dup-ack`.
    pub dup_ack: Option<u32>,
}

/// Wireshark's sequence analysis findings (`tcp.analysis.*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Note {
    Retransmission,
    FastRetransmission,
    SpuriousRetransmission,
    OutOfOrder,
    /// "Previous segment not captured".
    LostSegment,
    /// "ACKed segment that wasn't captured".
    AckedUnseen,
    DupAck,
    ZeroWindow,
    ZeroWindowProbe,
    ZeroWindowProbeAck,
    KeepAlive,
    KeepAliveAck,
    WindowUpdate,
}

impl Note {
    pub const ALL: [Note; 13] = [
        Note::Retransmission,
        Note::FastRetransmission,
        Note::SpuriousRetransmission,
        Note::OutOfOrder,
        Note::LostSegment,
        Note::AckedUnseen,
        Note::DupAck,
        Note::ZeroWindow,
        Note::ZeroWindowProbe,
        Note::ZeroWindowProbeAck,
        Note::KeepAlive,
        Note::KeepAliveAck,
        Note::WindowUpdate,
    ];

    /// As Wireshark's packet list says it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Retransmission => "retransmission",
            Self::FastRetransmission => "fast retransmission",
            Self::SpuriousRetransmission => "spurious retransmission",
            Self::OutOfOrder => "out-of-order",
            Self::LostSegment => "previous segment not captured",
            Self::AckedUnseen => "ACKed segment that wasn't captured",
            Self::DupAck => "duplicate ACK",
            Self::ZeroWindow => "zero window",
            Self::ZeroWindowProbe => "zero window probe",
            Self::ZeroWindowProbeAck => "zero window probe ACK",
            Self::KeepAlive => "keep-alive",
            Self::KeepAliveAck => "keep-alive ACK",
            Self::WindowUpdate => "window update",
        }
    }

    /// The `tcp.analysis.*` field Wireshark sets for it.
    pub fn field(self) -> &'static str {
        match self {
            Self::Retransmission => "retransmission",
            Self::FastRetransmission => "fast_retransmission",
            Self::SpuriousRetransmission => "spurious_retransmission",
            Self::OutOfOrder => "out_of_order",
            Self::LostSegment => "lost_segment",
            Self::AckedUnseen => "ack_lost_segment",
            Self::DupAck => "duplicate_ack",
            Self::ZeroWindow => "zero_window",
            Self::ZeroWindowProbe => "zero_window_probe",
            Self::ZeroWindowProbeAck => "zero_window_probe_ack",
            Self::KeepAlive => "keep_alive",
            Self::KeepAliveAck => "keep_alive_ack",
            Self::WindowUpdate => "window_update",
        }
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A set of notes (one segment's).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Notes(u16);

impl Notes {
    fn add(&mut self, note: Note) {
        self.0 |= note.bit();
    }

    fn has(self, note: Note) -> bool {
        self.0 & note.bit() != 0
    }

    fn to_vec(self) -> Vec<Note> {
        Note::ALL.into_iter().filter(|n| self.has(*n)).collect()
    }
}

/// Lists one conversation's packets; `client` is the endpoint shown as
/// the client.
#[derive(Debug)]
pub struct Lister {
    client: (IpAddr, u16),
    /// The client's direction, then the server's.
    flows: (Flow, Flow),
    /// The latest pure SYN, and the handshake RTT Wireshark takes as its
    /// out-of-order threshold (from that SYN to the first ACK without SYN).
    syn_ns: Option<i64>,
    rtt_ns: Option<i64>,
    packets: Vec<ListedPacket>,
    /// Packets past [`MAX_LISTED`], counted only.
    more: u64,
}

impl Lister {
    pub fn new(client: (IpAddr, u16)) -> Self {
        Self {
            client,
            flows: (Flow::default(), Flow::default()),
            syn_ns: None,
            rtt_ns: None,
            packets: Vec::new(),
            more: 0,
        }
    }

    /// The list, and how many packets came after it.
    pub fn finish(self) -> (Vec<ListedPacket>, u64) {
        (self.packets, self.more)
    }

    /// Adds the next packet of the conversation.
    pub fn push(&mut self, frame: u64, ts_ns: i64, packet: &TcpPacket<'_>) {
        let (ip, tcp) = (&packet.ip, &packet.tcp);
        let from = if (ip.src, tcp.src_port) == self.client {
            Role::Client
        } else {
            Role::Server
        };
        self.handshake_rtt(ts_ns, tcp.flags);
        let (f, r) = match from {
            Role::Client => (&mut self.flows.0, &mut self.flows.1),
            Role::Server => (&mut self.flows.1, &mut self.flows.0),
        };
        analysis::set_bases(f, r, tcp.seq, tcp.ack, tcp.flags);
        analysis::learn_scale(f, r, tcp.flags, tcp.options.window_scale);
        let segment = Segment {
            seq: tcp.seq,
            ack: tcp.ack,
            len: tcp.payload_len,
            flags: tcp.flags,
            window: analysis::scaled(f, tcp.flags, tcp.window),
            ts_ns,
        };
        let (notes, dup_ack) = analysis::analyse(f, r, &segment, self.rtt_ns);
        if self.packets.len() >= MAX_LISTED {
            self.more = self.more.saturating_add(1);
            return;
        }
        let relative = |raw: u32, base: Option<u32>| raw.wrapping_sub(base.unwrap_or(0));
        self.packets.push(ListedPacket {
            frame,
            time: ts_ns as f64 / 1e9,
            from,
            flags: flags::names(tcp.flags),
            seq: relative(tcp.seq, f.base),
            ack: tcp.has(ACK).then(|| relative(tcp.ack, r.base)),
            len: tcp.payload_len,
            window: segment.window,
            ttl: ip.ttl,
            ip_id: ip.id,
            notes: notes.to_vec(),
            dup_ack,
        });
    }

    fn handshake_rtt(&mut self, ts_ns: i64, flags: u16) {
        use crate::decode::flags::SYN;
        match flags & (SYN | ACK) {
            SYN => self.syn_ns = Some(ts_ns),
            ACK if self.rtt_ns.is_none() => {
                self.rtt_ns = self.syn_ns.map(|syn| ts_ns.saturating_sub(syn));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::flags::{PSH, RST, SYN};
    use crate::decode::test_segment;

    const CLIENT: u16 = 5000;

    /// A segment of 10.0.0.1:5000 <-> 10.0.0.2:443.
    fn segment(
        from_client: bool,
        flags: u16,
        seq: u32,
        ack: u32,
        len: u32,
        window: u16,
    ) -> TcpPacket<'static> {
        test_segment(from_client, CLIENT, flags, seq, ack, len, window)
    }

    /// Lists the segments one millisecond apart (frames from 1).
    fn list(segments: &[TcpPacket<'static>]) -> Vec<ListedPacket> {
        let mut lister = Lister::new((IpAddr::from([10, 0, 0, 1]), CLIENT));
        for (i, s) in segments.iter().enumerate() {
            lister.push(i as u64 + 1, i as i64 * 1_000_000, s);
        }
        lister.finish().0
    }

    fn handshake() -> Vec<TcpPacket<'static>> {
        alloc::vec![
            segment(true, SYN, 1000, 0, 0, 500),
            segment(false, SYN | ACK, 9000, 1001, 0, 800),
            segment(true, ACK, 1001, 9001, 0, 500),
        ]
    }

    #[test]
    fn test_handshake_numbers_are_relative_to_each_isn() {
        let listed = list(&handshake());
        let numbers: Vec<_> = listed.iter().map(|p| (p.from, p.seq, p.ack)).collect();
        assert_eq!(
            numbers,
            [
                (Role::Client, 0, None),
                (Role::Server, 0, Some(1)),
                (Role::Client, 1, Some(1))
            ]
        );
        assert!(listed.iter().all(|p| p.notes.is_empty()));
    }

    #[test]
    fn test_data_sent_again_much_later_is_a_retransmission() {
        let mut segments = handshake();
        segments.push(segment(true, PSH | ACK, 1001, 9001, 100, 500));
        // The same bytes again, ending where the highest did: not
        // out-of-order (which ends elsewhere), a retransmission.
        segments.push(segment(true, PSH | ACK, 1001, 9001, 100, 500));
        let listed = list(&segments);
        assert_eq!(listed[4].notes, [Note::Retransmission]);
    }

    #[test]
    fn test_repeated_ack_is_a_numbered_duplicate() {
        let mut segments = handshake();
        segments.push(segment(true, PSH | ACK, 1001, 9001, 100, 500));
        segments.push(segment(false, ACK, 9001, 1101, 0, 800));
        segments.push(segment(false, ACK, 9001, 1101, 0, 800));
        segments.push(segment(false, ACK, 9001, 1101, 0, 800));
        let listed = list(&segments);
        assert_eq!(listed[5].notes, [Note::DupAck]);
        assert_eq!((listed[5].dup_ack, listed[6].dup_ack), (Some(1), Some(2)));
        assert!(listed[4].notes.is_empty());
    }

    #[test]
    fn test_zero_window_and_gap_are_noted_but_not_on_a_reset() {
        let mut segments = handshake();
        segments.push(segment(false, ACK, 9001, 1001, 0, 0));
        segments.push(segment(true, PSH | ACK, 5001, 9001, 10, 500));
        segments.push(segment(true, RST, 9001, 0, 0, 0));
        let listed = list(&segments);
        assert_eq!(listed[3].notes, [Note::ZeroWindow]);
        assert_eq!(listed[4].notes, [Note::LostSegment]);
        assert!(!listed[5].notes.contains(&Note::LostSegment));
        assert_eq!(listed[5].ack, None);
    }
}
