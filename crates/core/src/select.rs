//! Finding a conversation's packets again after the analysis: the packets
//! Wireshark's `tcp.stream eq N` shows for the stream that holds a given
//! frame (a reset, or a connection's first packet).
//!
//! Two passes over the capture with memory bounded by the number of
//! targets: [`SpanFinder`] learns, for each target, the frames its stream
//! spans on its pair of endpoints (a stream ends where Wireshark starts the
//! next one on the same pair: a SYN with a new ISN, see
//! `track::stream`); [`Selection`] then tells, packet by packet,
//! whether it belongs to one of them. Only the pairs of the targets are
//! followed, so nothing grows with the capture.

use alloc::vec::Vec;
use core::net::IpAddr;

use hashbrown::HashMap;

use crate::decode::{self, Decoded, TcpPacket};
use crate::frame::Frame;
use crate::report::Endpoint;
use crate::track::stream::Stream;
use crate::track::table::Key;

/// The TCP segment a frame carries, as both passes see it: a TCP header
/// quoted inside an ICMP error is not a segment of the connection.
pub fn tcp_of<'a>(frame: &Frame<'a>) -> Option<TcpPacket<'a>> {
    match decode::decode(frame.link_type, frame.data) {
        Ok(Decoded::Tcp(packet)) => Some(packet),
        _ => None,
    }
}

/// A stream to find: the one on these endpoints that holds `frame`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    pub a: (IpAddr, u16),
    pub b: (IpAddr, u16),
    pub frame: u64,
}

impl Target {
    /// From the report's endpoints (a reset's src and dst, a connection's
    /// client and server).
    pub fn of(a: Endpoint, b: Endpoint, frame: u64) -> Self {
        Self {
            a: (a.ip, a.port),
            b: (b.ip, b.port),
            frame,
        }
    }
}

/// The frames of one stream on a pair: from `first` up to, not including,
/// `end` (None: to the end of the capture).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub first: u64,
    pub end: Option<u64>,
}

impl Span {
    fn holds(&self, frame: u64) -> bool {
        frame >= self.first && self.end.is_none_or(|end| frame < end)
    }
}

/// One pair's progress through the first pass.
#[derive(Debug)]
struct Follow {
    stream: Stream,
    /// Where the current stream on the pair began.
    first: u64,
    /// The frames that pick the current stream, and those picked so far.
    frames: Vec<u64>,
    spans: Vec<Span>,
    /// The current stream is one of the targets' (its span is the last).
    picked: bool,
}

/// The first pass: where each target's stream begins and ends.
#[derive(Debug, Default)]
pub struct SpanFinder {
    pairs: HashMap<Key, Follow>,
}

impl SpanFinder {
    pub fn new(targets: &[Target]) -> Self {
        let mut pairs: HashMap<Key, Follow> = HashMap::new();
        for target in targets {
            let follow = pairs.entry(Key::new(target.a, target.b)).or_insert(Follow {
                stream: Stream::new(0),
                first: 0,
                frames: Vec::new(),
                spans: Vec::new(),
                picked: false,
            });
            follow.frames.push(target.frame);
        }
        Self { pairs }
    }

    /// Feeds one TCP packet, in capture order.
    pub fn observe(&mut self, frame: u64, packet: &TcpPacket<'_>) {
        let key = Key::of(packet);
        let Some(follow) = self.pairs.get_mut(&key) else {
            return;
        };
        let (from_lo, flags, seq) = (key.sent_from_lo(packet), packet.tcp.flags, packet.tcp.seq);
        if follow.first == 0 || follow.stream.restarted_by(from_lo, flags, seq) {
            if follow.picked {
                if let Some(last) = follow.spans.last_mut() {
                    last.end = Some(frame);
                }
            }
            follow.stream = Stream::new(0);
            follow.first = frame;
            follow.picked = false;
        }
        follow.stream.note(from_lo, flags, seq);
        if !follow.picked && follow.frames.contains(&frame) {
            follow.picked = true;
            follow.spans.push(Span {
                first: follow.first,
                end: None,
            });
        }
    }

    /// The spans found; targets whose frame never showed on their pair have none.
    pub fn finish(self) -> Selection {
        let pairs = self
            .pairs
            .into_iter()
            .filter(|(_, follow)| !follow.spans.is_empty())
            .map(|(key, follow)| (key, follow.spans))
            .collect();
        Selection { pairs }
    }
}

/// The second pass: which packets belong to the targets' streams.
#[derive(Debug, Default)]
pub struct Selection {
    pairs: HashMap<Key, Vec<Span>>,
}

impl Selection {
    pub fn holds(&self, frame: u64, packet: &TcpPacket<'_>) -> bool {
        self.stream_of(frame, packet).is_some()
    }

    /// Which of the streams found the packet belongs to, named by the
    /// stream's first frame; None when it is in none of them.
    pub fn stream_of(&self, frame: u64, packet: &TcpPacket<'_>) -> Option<u64> {
        self.pairs
            .get(&Key::of(packet))?
            .iter()
            .find(|s| s.holds(frame))
            .map(|s| s.first)
    }

    /// No target was found.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The streams found, each as its pair's span.
    pub fn streams(&self) -> usize {
        self.pairs.values().map(Vec::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::flags::{ACK, RST, SYN};
    use crate::decode::test_segment;

    /// A segment from `src_port` to `dst_port`: 443 is the server's.
    fn packet(src_port: u16, dst_port: u16, flags: u16, seq: u32) -> TcpPacket<'static> {
        let from_client = src_port != 443;
        let client_port = if from_client { src_port } else { dst_port };
        test_segment(from_client, client_port, flags, seq, 0, 0, 100)
    }

    /// Frames 1-9: a refused connection, a second one on the same ports
    /// (new ISN: a new stream) reset at frame 6, and another pair's packets.
    fn capture() -> Vec<TcpPacket<'static>> {
        alloc::vec![
            packet(5000, 443, SYN, 100),
            packet(443, 5000, RST | ACK, 0),
            packet(6000, 443, SYN, 7),
            packet(5000, 443, SYN, 900),
            packet(443, 5000, SYN | ACK, 50),
            packet(5000, 443, RST, 901),
            packet(6000, 443, SYN, 7),
            packet(443, 5000, ACK, 51),
            packet(5000, 443, SYN, 100),
        ]
    }

    fn select(targets: &[Target]) -> Vec<u64> {
        let packets = capture();
        let mut finder = SpanFinder::new(targets);
        for (i, p) in packets.iter().enumerate() {
            finder.observe(i as u64 + 1, p);
        }
        let selection = finder.finish();
        (1..=packets.len() as u64)
            .filter(|&f| selection.holds(f, &packets[f as usize - 1]))
            .collect()
    }

    fn target_on(a: &str, b: &str, frame: u64) -> Target {
        Target::of(a.parse().unwrap(), b.parse().unwrap(), frame)
    }

    fn target(frame: u64) -> Target {
        target_on("10.0.0.1:5000", "10.0.0.2:443", frame)
    }

    #[test]
    fn test_reset_picks_its_stream_only() {
        assert_eq!(select(&[target(6)]), [4, 5, 6, 8]);
        assert_eq!(select(&[target(2)]), [1, 2]);
    }

    #[test]
    fn test_endpoints_in_either_order_name_the_same_pair() {
        let reversed = target_on("10.0.0.2:443", "10.0.0.1:5000", 6);
        assert_eq!(select(&[reversed]), [4, 5, 6, 8]);
    }

    #[test]
    fn test_several_targets_and_the_last_stream_runs_to_the_end() {
        assert_eq!(select(&[target(1), target(9)]), [1, 2, 9]);
        let other = target_on("10.0.0.1:6000", "10.0.0.2:443", 3);
        assert_eq!(select(&[other, target(5)]), [3, 4, 5, 6, 7, 8]);
    }

    #[test]
    fn test_a_frame_not_on_the_pair_selects_nothing() {
        assert_eq!(select(&[target(3)]), Vec::<u64>::new());
    }
}
