//! The two-capture ladder of a RST: the matched connection's packets
//! around it in both captures, on the main capture's clock, each joined to
//! its twin in the other capture. A packet without a twin is the picture
//! of a loss or of a packet made on the path.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::clock::Clock;
use super::trace::{Pkt, TraceConn};
use super::verdict::View;
use super::Capture;
use crate::decode::flags;
use crate::report::{AlignedPacket, CaptureName, Reset, Role};

/// Packets kept before and after the RST, per capture.
const BEFORE: usize = 12;
const AFTER: usize = 4;

/// The ladder of RST `reset` of `view.this`; empty when its connection was
/// not found in the other capture (or the RST was past the recording limits).
pub(super) fn around(view: &View<'_>, reset: &Reset) -> Vec<AlignedPacket> {
    let Some((ci, k)) = view.this.rst(reset) else {
        return Vec::new();
    };
    let Some(m) = view.find(ci) else {
        return Vec::new();
    };
    let (_, oi, pairs) = view.oriented(m);
    let (Some(this_conn), Some(other_conn)) = (view.this.conn(ci), view.other.conn(oi)) else {
        return Vec::new();
    };
    let this = view.this.packets.get(ci).map(Vec::as_slice).unwrap_or(&[]);
    let other = view.other.packets.get(oi).map(Vec::as_slice).unwrap_or(&[]);
    let Some(rst) = this.get(k) else {
        return Vec::new();
    };
    let to_other: BTreeMap<usize, usize> = crate::sort::map_of(pairs.iter().copied());
    let to_this: BTreeMap<usize, usize> = crate::sort::map_of(pairs.iter().map(|&(a, b)| (b, a)));

    // The other capture around the RST's twin, or around the moment the
    // RST would have passed it.
    let other_range = match to_other.get(&k) {
        Some(&j) => window(other.len(), j, true),
        None => {
            let t = view.other_time(rst.ts_ns, rst.from_client);
            let at = other.partition_point(|p| (p.ts_ns as f64) < t);
            window(other.len(), at, false)
        }
    };

    // `from` in main's roles: the peer's client is main's client unless flipped.
    let (this_flip, other_flip) = if view.is_main {
        (false, m.flipped)
    } else {
        (m.flipped, false)
    };
    let this_side = Column {
        capture: view.this,
        conn: this_conn,
        flip: this_flip,
        clock: view.clock,
    };
    let other_side = Column {
        capture: view.other,
        conn: other_conn,
        flip: other_flip,
        clock: view.clock,
    };

    let mut out: Vec<AlignedPacket> = Vec::new();
    for (capture, packets, range, partners, twins) in [
        (
            &this_side,
            this,
            window(this.len(), k, true),
            &to_other,
            other,
        ),
        (&other_side, other, other_range, &to_this, this),
    ] {
        for i in range {
            let Some(p) = packets.get(i) else { continue };
            let twin = partners.get(&i).and_then(|&j| twins.get(j));
            out.push(capture.aligned(p, twin.map(|t| t.frame)));
        }
    }
    crate::sort::sort_by(&mut out, |a, b| {
        a.time
            .total_cmp(&b.time)
            .then(a.capture.cmp(&b.capture))
            .then(a.frame.cmp(&b.frame))
    });
    out
}

/// Indices `BEFORE` before `at` to `AFTER` after it (`at` itself included
/// when it is a packet of the moment, else it counts as the first after).
fn window(len: usize, at: usize, at_is_packet: bool) -> core::ops::Range<usize> {
    let end = at
        .saturating_add(AFTER)
        .saturating_add(usize::from(at_is_packet));
    at.saturating_sub(BEFORE).min(len)..end.min(len)
}

/// One capture's connection, and how to put its packets on the ladder.
struct Column<'a> {
    capture: &'a Capture<'a>,
    conn: &'a TraceConn,
    /// This capture's client is main's server.
    flip: bool,
    clock: Option<&'a Clock>,
}

impl Column<'_> {
    fn aligned(&self, p: &Pkt, peer_frame: Option<u64>) -> AlignedPacket {
        let time_ns = match (self.capture.name, self.clock) {
            (CaptureName::Peer, Some(c)) => c.main_time(p.ts_ns as f64),
            _ => p.ts_ns as f64,
        };
        let from = if p.from_client != self.flip {
            Role::Client
        } else {
            Role::Server
        };
        // Relative to this capture's own ISNs, as in the single-capture ladder.
        let (own, theirs) = if p.from_client {
            (self.conn.isn_client, self.conn.isn_server)
        } else {
            (self.conn.isn_server, self.conn.isn_client)
        };
        let (seq, ack, relative) = match (own, theirs) {
            (Some(own), Some(theirs)) => (
                p.seq.wrapping_sub(own),
                if p.has(flags::ACK) {
                    p.ack.wrapping_sub(theirs)
                } else {
                    0
                },
                true,
            ),
            _ => (p.seq, p.ack, false),
        };
        AlignedPacket {
            capture: self.capture.name,
            frame: p.frame,
            time: time_ns / 1e9,
            from,
            flags: flags::names(p.flags),
            seq,
            ack,
            relative,
            payload_len: p.payload_len,
            ttl: p.ttl,
            ip_id: p.ip_id,
            peer_frame,
        }
    }
}

#[cfg(test)]
mod tests {
    //! Two captures of hand-built traffic: one at the client, one at the
    //! server 10 ms further along the path, whose clock is 5 s ahead.

    use alloc::vec::Vec;
    use core::net::{IpAddr, Ipv4Addr};

    use crate::compare::compare;
    use crate::decode::flags::{ACK, PSH, RST, SYN};
    use crate::decode::{Encapsulation, IpInfo, LinkMeta, TcpOptions, TcpPacket, TcpSegment};
    use crate::report::{AlignedPacket, CaptureName, ComparedReset, Comparison, Role};
    use crate::{Analyzer, Config};

    const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10));
    const SERVER: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 5));
    const MS: i64 = 1_000_000;
    const DELAY: i64 = 10 * MS;
    const OFFSET: i64 = 5_000 * MS;
    const PAYLOAD: &[u8] = b"0123456789abcdef0123456789abcdef";

    /// One capture point.
    struct Capture {
        analyzer: Analyzer,
        frame: u64,
    }

    impl Capture {
        fn new() -> Self {
            Self {
                analyzer: Analyzer::new(Config::traced()),
                frame: 0,
            }
        }

        fn see(&mut self, ts_ns: i64, packet: &TcpPacket<'_>) -> u64 {
            self.frame += 1;
            self.analyzer.push_packet(self.frame, ts_ns, packet);
            self.frame
        }
    }

    /// Where a packet is seen.
    #[derive(Clone, Copy, PartialEq)]
    enum Seen {
        Both,
        ClientSideOnly,
    }

    struct Path {
        client_side: Capture,
        server_side: Capture,
        /// True time (the client side's clock), ns.
        now: i64,
        ip_id: u16,
    }

    impl Path {
        fn new() -> Self {
            Self {
                client_side: Capture::new(),
                server_side: Capture::new(),
                now: 1_700_000_000_000 * MS,
                ip_id: 100,
            }
        }

        /// Sends a segment on `port`; returns its frame at (client side, server side).
        #[allow(clippy::too_many_arguments)]
        fn send(
            &mut self,
            from_client: bool,
            port: u16,
            seq: u32,
            ack: u32,
            flags: u16,
            payload: &[u8],
            seen: Seen,
        ) -> (Option<u64>, Option<u64>) {
            // Each packet leaves once the previous one has crossed the path.
            self.now += DELAY + MS;
            self.ip_id = self.ip_id.wrapping_add(1);
            let (src, dst, sport, dport) = if from_client {
                (CLIENT, SERVER, 40000, port)
            } else {
                (SERVER, CLIENT, port, 40000)
            };
            let packet = TcpPacket {
                ip: IpInfo {
                    src,
                    dst,
                    ttl: 60,
                    id: Some(self.ip_id),
                    dont_fragment: true,
                    tos: 0,
                },
                tcp: TcpSegment {
                    src_port: sport,
                    dst_port: dport,
                    seq,
                    ack,
                    flags,
                    window: 1000,
                    options: TcpOptions::default(),
                    payload,
                    payload_len: payload.len() as u32,
                },
                encapsulation: Encapsulation::new(),
                link: LinkMeta::default(),
                fragmented: false,
                flow: None,
            };
            // A client packet reaches the server side DELAY later, a
            // server packet the client side.
            let (at_client, at_server) = if from_client {
                (self.now, self.now + DELAY)
            } else {
                (self.now + DELAY, self.now)
            };
            let c = Some(self.client_side.see(at_client, &packet));
            let s = (seen == Seen::Both).then(|| self.server_side.see(at_server + OFFSET, &packet));
            (c, s)
        }

        /// A handshake and `rounds` request/response exchanges on `port`;
        /// returns the next (client, server) sequence numbers.
        fn talk(&mut self, port: u16, rounds: u32, seen: Seen) -> (u32, u32) {
            let (ci, si) = (u32::from(port) * 1000, u32::from(port) * 7000);
            self.send(true, port, ci, 0, SYN, &[], seen);
            self.send(false, port, si, ci + 1, SYN | ACK, &[], seen);
            let (mut c, mut s) = (ci + 1, si + 1);
            self.send(true, port, c, s, ACK, &[], seen);
            let len = PAYLOAD.len() as u32;
            for round in 0..rounds {
                // Distinct payloads, so each segment is its own twin.
                let data = &PAYLOAD[(round as usize % 8)..];
                self.send(true, port, c, s, ACK | PSH, data, seen);
                c += data.len() as u32;
                self.send(false, port, s, c, ACK | PSH, PAYLOAD, seen);
                s += len;
            }
            (c, s)
        }

        fn compare(self) -> Comparison {
            let main = self.client_side.analyzer.finish();
            let peer = self.server_side.analyzer.finish();
            compare(&main, &peer)
        }
    }

    fn reset(cmp: &Comparison, capture: CaptureName, frame: u64) -> &ComparedReset {
        cmp.resets
            .iter()
            .find(|r| r.capture == capture && r.frame == frame)
            .expect("the RST is compared")
    }

    fn of(ladder: &[AlignedPacket], capture: CaptureName) -> Vec<&AlignedPacket> {
        ladder.iter().filter(|p| p.capture == capture).collect()
    }

    /// The packet of the other capture `p` names as its twin.
    fn twin<'a>(ladder: &'a [AlignedPacket], p: &AlignedPacket) -> Option<&'a AlignedPacket> {
        let frame = p.peer_frame?;
        ladder
            .iter()
            .find(|q| q.capture != p.capture && q.frame == frame)
    }

    fn sorted_by_time(ladder: &[AlignedPacket]) -> bool {
        ladder.windows(2).all(|w| match w {
            [a, b] => a.time <= b.time,
            _ => true,
        })
    }

    #[test]
    fn rst_seen_at_both_ends_pairs_every_packet() {
        let mut path = Path::new();
        let (c, s) = path.talk(443, 10, Seen::Both);
        let (rst_main, rst_peer) = path.send(false, 443, s, c, RST | ACK, &[], Seen::Both);
        let (rst_main, rst_peer) = (rst_main.unwrap(), rst_peer.unwrap());
        let cmp = path.compare();

        let r = reset(&cmp, CaptureName::Main, rst_main);
        let ladder = &r.ladder;
        let (main, peer) = (of(ladder, CaptureName::Main), of(ladder, CaptureName::Peer));
        // 12 before the RST, the RST, nothing after: in each capture.
        assert_eq!((main.len(), peer.len()), (13, 13));
        assert!(sorted_by_time(ladder));
        for p in ladder {
            let t = twin(ladder, p).unwrap_or_else(|| panic!("no twin for {p:?}"));
            assert_eq!(t.peer_frame, Some(p.frame), "twins name each other");
            assert_eq!(
                (t.from, &t.flags, t.seq, t.ack, t.payload_len),
                (p.from, &p.flags, p.seq, p.ack, p.payload_len)
            );
            assert!(p.relative && p.seq < 1000, "{p:?}");
            // Peer times are on the main clock: the offset is gone, the
            // path delay remains, in the direction the packet travelled.
            let (m, q) = match p.capture {
                CaptureName::Main => (p, t),
                CaptureName::Peer => (t, p),
            };
            let delay = (q.time - m.time) * 1e3;
            let expected = if m.from == Role::Client { 10.0 } else { -10.0 };
            assert!((delay - expected).abs() < 0.01, "{delay} ms for {m:?}");
        }
        let last = main.last().unwrap();
        assert_eq!(
            (last.frame, last.peer_frame, last.flags.as_str()),
            (rst_main, Some(rst_peer), "RST+ACK")
        );

        // The peer's entry for the same RST carries the same packets.
        let mirrored = &reset(&cmp, CaptureName::Peer, rst_peer).ladder;
        let frames = |l: &[AlignedPacket]| -> Vec<(CaptureName, u64)> {
            let mut v: Vec<_> = l.iter().map(|p| (p.capture, p.frame)).collect();
            v.sort();
            v
        };
        assert_eq!(frames(mirrored), frames(ladder));
    }

    #[test]
    fn rst_made_on_the_path_has_no_twin_but_the_other_side_is_there() {
        let mut path = Path::new();
        let (c, s) = path.talk(443, 3, Seen::Both);
        // Injected in the server's name between the captures...
        let (rst, _) = path.send(false, 443, s, c, RST | ACK, &[], Seen::ClientSideOnly);
        let rst = rst.unwrap();
        // ...while the server goes on answering, unaware.
        path.send(false, 443, s, c, ACK | PSH, PAYLOAD, Seen::Both);
        path.send(true, 443, c, s, ACK | PSH, &PAYLOAD[3..], Seen::Both);
        let cmp = path.compare();

        let r = reset(&cmp, CaptureName::Main, rst);
        let ladder = &r.ladder;
        let injected = ladder
            .iter()
            .find(|p| p.capture == CaptureName::Main && p.frame == rst)
            .expect("the RST is on its ladder");
        assert_eq!(injected.peer_frame, None);
        let peer = of(ladder, CaptureName::Peer);
        // The server side's whole connection: handshake, 3 rounds, 2 after.
        assert_eq!(peer.len(), 11);
        assert!(peer.iter().all(|p| twin(ladder, p).is_some()));
        let unpaired: Vec<u64> = ladder
            .iter()
            .filter(|p| p.peer_frame.is_none())
            .map(|p| p.frame)
            .collect();
        assert_eq!(unpaired, [rst]);
        // Aligned on the main clock (not 5 s away): each of the server
        // side's packets 10 ms from its twin, and the RST's moment between
        // the server's last segment before it and the one it sent next.
        for p in &peer {
            let t = twin(ladder, p).map_or(f64::NAN, |t| t.time);
            assert!(((p.time - t).abs() - 0.010).abs() < 1e-5, "{p:?}");
        }
        let before: Vec<u64> = peer
            .iter()
            .filter(|p| p.time < injected.time)
            .map(|p| p.frame)
            .collect();
        assert_eq!(before, (1..=9).collect::<Vec<u64>>());
        assert!(sorted_by_time(ladder));
    }

    #[test]
    fn unmatched_connection_has_an_empty_ladder() {
        let mut path = Path::new();
        path.talk(443, 2, Seen::Both);
        // Another connection the server side never sees.
        let (c, s) = path.talk(8080, 2, Seen::ClientSideOnly);
        let (rst, _) = path.send(false, 8080, s, c, RST, &[], Seen::ClientSideOnly);
        let cmp = path.compare();
        assert_eq!(cmp.matched.len(), 1);
        assert!(reset(&cmp, CaptureName::Main, rst.unwrap())
            .ladder
            .is_empty());
    }

    #[test]
    fn window_is_bounded_at_both_ends() {
        assert_eq!(super::window(100, 50, true), 38..55);
        assert_eq!(super::window(100, 50, false), 38..54);
        assert_eq!(super::window(3, 1, true), 0..3);
        assert_eq!(super::window(0, 0, false), 0..0);
        assert_eq!(super::window(5, usize::MAX, true), 5..5);
    }
}
