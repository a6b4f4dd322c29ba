//! Wireshark's `tcp.stream` numbers through the whole tracker: they follow
//! endpoint pairs in order of first packet and split only at a SYN with a
//! new ISN, while Zeek's connections also split after a close or a silence.

use core::net::{IpAddr, Ipv4Addr};

use rstscope_core::decode::flags::{ACK, FIN, RST, SYN};
use rstscope_core::decode::{Encapsulation, IpInfo, LinkMeta, TcpOptions, TcpPacket, TcpSegment};
use rstscope_core::report::Report;
use rstscope_core::{Analyzer, Config};

const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 168, 1, 10));
const SERVER: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 5));
const SECOND: i64 = 1_000_000_000;

struct Wire {
    analyzer: Analyzer,
    frame: u64,
    now: i64,
}

impl Wire {
    fn new() -> Self {
        Self {
            analyzer: Analyzer::new(Config::default()),
            frame: 0,
            now: 1_700_000_000 * SECOND,
        }
    }

    fn send(&mut self, from_client: bool, client_port: u16, seq: u32, ack: u32, flags: u16) {
        self.frame += 1;
        self.now += SECOND / 100;
        let (src, dst, src_port, dst_port) = if from_client {
            (CLIENT, SERVER, client_port, 443)
        } else {
            (SERVER, CLIENT, 443, client_port)
        };
        let packet = TcpPacket {
            ip: IpInfo {
                src,
                dst,
                ttl: 64,
                id: None,
                dont_fragment: true,
                tos: 0,
            },
            tcp: TcpSegment {
                src_port,
                dst_port,
                seq,
                ack,
                flags,
                window: 502,
                options: TcpOptions::default(),
                payload: &[],
                payload_len: 0,
            },
            encapsulation: Encapsulation::new(),
            link: LinkMeta::default(),
            fragmented: false,
            flow: None,
        };
        self.analyzer.push_packet(self.frame, self.now, &packet);
    }

    /// SYN, SYN-ACK, ACK, then both FINs and their ACKs.
    fn connection(&mut self, port: u16, isn: u32) {
        self.send(true, port, isn, 0, SYN);
        self.send(false, port, 9000, isn + 1, SYN | ACK);
        self.send(true, port, isn + 1, 9001, ACK);
        self.send(true, port, isn + 1, 9001, FIN | ACK);
        self.send(false, port, 9001, isn + 2, FIN | ACK);
        self.send(true, port, isn + 2, 9002, ACK);
    }

    fn finish(self) -> Report {
        self.analyzer.finish().report
    }
}

/// (Zeek connection id, stream, first frame) of every connection.
fn connections(report: &Report) -> Vec<(u32, Option<u32>, Option<u64>)> {
    let list = report.connections.iter();
    list.map(|c| (c.id, c.stream, c.first_frame)).collect()
}

#[test]
fn test_late_reset_after_close_stays_in_the_stream_zeek_splits() {
    let mut wire = Wire::new();
    wire.connection(50000, 100);
    // Two minutes later, long after the closed connection left the table.
    wire.now += 120 * SECOND;
    wire.send(false, 50000, 9002, 0, RST);
    let report = wire.finish();
    assert_eq!(
        connections(&report),
        [(0, Some(0), Some(1)), (1, Some(0), Some(7))]
    );
    assert_eq!(report.resets[0].stream, Some(0));
}

#[test]
fn test_reused_ports_with_new_isn_start_the_next_stream() {
    let mut wire = Wire::new();
    wire.connection(50000, 100);
    wire.connection(50001, 5000);
    wire.now += 120 * SECOND;
    wire.connection(50000, 777_000);
    wire.send(false, 50000, 1, 0, RST);
    let report = wire.finish();
    assert_eq!(
        connections(&report),
        [
            (0, Some(0), Some(1)),
            (1, Some(1), Some(7)),
            (2, Some(2), Some(13))
        ]
    );
    assert_eq!(report.resets[0].stream, Some(2));
}

#[test]
fn test_syn_retried_after_refusal_is_one_stream_two_connections() {
    let mut wire = Wire::new();
    wire.send(true, 50000, 100, 0, SYN);
    wire.send(false, 50000, 0, 101, RST | ACK);
    wire.send(true, 50000, 100, 0, SYN);
    wire.send(false, 50000, 0, 101, RST | ACK);
    let report = wire.finish();
    // Zeek: two REJ connections; Wireshark: a retransmission in stream 0.
    assert_eq!(
        connections(&report),
        [(0, Some(0), Some(1)), (1, Some(0), Some(3))]
    );
    let streams: Vec<_> = report.resets.iter().map(|r| r.stream).collect();
    assert_eq!(streams, [Some(0), Some(0)]);
}
