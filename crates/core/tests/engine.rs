//! The attribution engine on hand-built packets, smoltcp style: each test
//! puts a connection in a state, feeds one event, and checks exact fields.

use core::net::{IpAddr, Ipv4Addr};

use rstscope_core::decode::flags::{ACK, FIN, PSH, RST, SYN};
use rstscope_core::decode::{Encapsulation, IpInfo, LinkMeta, TcpOptions, TcpPacket, TcpSegment};
use rstscope_core::report::{
    Cause, Evidence, Fact, IncidentKind, Origin, OriginCount, Report, Reset, Sender, Signal, Stage,
    SubCause, WarningKind,
};
use rstscope_core::{Analyzer, Config};

const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 168, 1, 10));
const SERVER: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 5));
const MS: i64 = 1_000_000;
const RTT: i64 = 40 * MS;

/// A scripted capture at the client: the client is Linux at 0 hops (TTL
/// 64), the server Linux 12 hops away (TTL 52), both with per-connection
/// IP-ID counters and DF.
struct Wire {
    analyzer: Analyzer,
    frame: u64,
    now: i64,
    client_id: u16,
    server_id: u16,
}

#[derive(Clone, Copy)]
struct Pkt {
    from_client: bool,
    port: u16,
    seq: u32,
    ack: u32,
    flags: u16,
    payload: &'static [u8],
    ttl: Option<u8>,
    ip_id: Option<u16>,
    df: bool,
    wscale: Option<u8>,
    /// Payload length on the wire when the capture cut the payload short.
    wire_len: Option<u32>,
    client_port: u16,
    /// The server's address as this packet carries it (a NAT rewrites it).
    server: IpAddr,
}

fn pkt(from_client: bool, port: u16, seq: u32, ack: u32, flags: u16) -> Pkt {
    Pkt {
        from_client,
        port,
        seq,
        ack,
        flags,
        payload: &[],
        ttl: None,
        ip_id: None,
        df: true,
        wscale: Some(7),
        wire_len: None,
        client_port: 40000,
        server: SERVER,
    }
}

impl Wire {
    fn new() -> Self {
        Self::with(Config::default())
    }

    fn with(config: Config) -> Self {
        Self {
            analyzer: Analyzer::new(config),
            frame: 0,
            now: 1_700_000_000 * 1_000_000_000,
            client_id: 1000,
            server_id: 30000,
        }
    }

    fn wait(&mut self, ns: i64) -> &mut Self {
        self.now += ns;
        self
    }

    /// Sends `p` now; returns its frame number.
    fn send(&mut self, p: Pkt) -> u64 {
        self.send_with(p, None, TcpOptions::default())
    }

    /// Sends `p` carrying SACK blocks.
    fn send_sack(&mut self, p: Pkt) -> u64 {
        let options = TcpOptions {
            sack: true,
            ..TcpOptions::default()
        };
        self.send_with(p, None, options)
    }

    /// Sends `p` advertising `window`.
    fn send_window(&mut self, p: Pkt, window: u16) -> u64 {
        self.send_with(p, Some(window), TcpOptions::default())
    }

    fn send_with(&mut self, p: Pkt, window: Option<u16>, options: TcpOptions) -> u64 {
        self.frame += 1;
        let (src, dst, sport, dport) = if p.from_client {
            (CLIENT, p.server, p.client_port, p.port)
        } else {
            (p.server, CLIENT, p.port, p.client_port)
        };
        let counter = if p.from_client {
            &mut self.client_id
        } else {
            &mut self.server_id
        };
        let id = p.ip_id.unwrap_or_else(|| {
            *counter = counter.wrapping_add(1);
            *counter
        });
        let packet = TcpPacket {
            ip: IpInfo {
                src,
                dst,
                ttl: p.ttl.unwrap_or(if p.from_client { 64 } else { 52 }),
                id: Some(id),
                dont_fragment: p.df,
                tos: 0,
            },
            tcp: TcpSegment {
                src_port: sport,
                dst_port: dport,
                seq: p.seq,
                ack: p.ack,
                flags: p.flags,
                window: window.unwrap_or(if p.flags & RST != 0 { 0 } else { 502 }),
                options: TcpOptions {
                    window_scale: if p.flags & SYN != 0 { p.wscale } else { None },
                    ..options
                },
                payload: p.payload,
                payload_len: p.wire_len.unwrap_or(p.payload.len() as u32),
            },
            encapsulation: Encapsulation::new(),
            link: LinkMeta::default(),
            fragmented: false,
            flow: None,
        };
        self.analyzer.push_packet(self.frame, self.now, &packet);
        self.frame
    }

    /// Client SYN, server SYN-ACK one RTT later, client ACK; returns the
    /// next (client, server) sequence numbers.
    fn handshake(&mut self, port: u16, client_isn: u32, server_isn: u32) -> (u32, u32) {
        self.send(pkt(true, port, client_isn, 0, SYN));
        self.wait(RTT);
        self.send(pkt(
            false,
            port,
            server_isn,
            client_isn.wrapping_add(1),
            SYN | ACK,
        ));
        self.wait(MS / 5);
        let (c, s) = (client_isn.wrapping_add(1), server_isn.wrapping_add(1));
        self.send(pkt(true, port, c, s, ACK));
        (c, s)
    }

    /// A request/response that leaves the connection open.
    fn exchange(&mut self, port: u16, c: u32, s: u32) -> (u32, u32) {
        const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";
        const RESPONSE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        self.send(Pkt {
            payload: REQUEST,
            ..pkt(true, port, c, s, ACK | PSH)
        });
        let c = c.wrapping_add(REQUEST.len() as u32);
        self.wait(RTT);
        self.send(Pkt {
            payload: RESPONSE,
            ..pkt(false, port, s, c, ACK | PSH)
        });
        let s = s.wrapping_add(RESPONSE.len() as u32);
        self.wait(MS / 5);
        self.send(pkt(true, port, c, s, ACK));
        (c, s)
    }

    /// A complete, cleanly closed connection on `port`: the background
    /// traffic that gives the server a baseline.
    fn background(&mut self, port: u16, isn: u32) {
        let (c, s) = self.handshake(port, isn, isn.wrapping_mul(7));
        let (c, s) = self.exchange(port, c, s);
        self.send(pkt(true, port, c, s, FIN | ACK));
        self.wait(RTT);
        self.send(pkt(false, port, s, c.wrapping_add(1), FIN | ACK));
        self.send(pkt(true, port, c.wrapping_add(1), s.wrapping_add(1), ACK));
        self.wait(1_000 * MS);
    }

    fn finish(self) -> Report {
        self.analyzer.finish().report
    }
}

fn reset(report: &Report, frame: u64) -> &Reset {
    report
        .resets
        .iter()
        .find(|r| r.frame == frame)
        .expect("the RST is reported")
}

fn verdict(r: &Reset) -> (Sender, Origin, Cause) {
    (r.sender, r.origin, r.cause)
}

fn conn_of<'a>(report: &'a Report, r: &Reset) -> &'a rstscope_core::report::Connection {
    let id = r.connection.expect("RST belongs to a connection");
    report
        .connections
        .iter()
        .find(|c| c.id == id)
        .expect("connection listed")
}

#[test]
fn test_syn_sent_rst_ack() {
    let mut w = Wire::new();
    w.background(443, 5000);
    w.send(pkt(true, 8443, 777, 0, SYN));
    w.wait(RTT);
    let rst = w.send(Pkt {
        ip_id: Some(0),
        ..pkt(false, 8443, 0, 778, RST | ACK)
    });
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(verdict(r), (Sender::Server, Origin::Server, Cause::Refused));
    assert_eq!(r.stage, Stage::PostSyn);
    assert_eq!(r.signature.as_deref(), Some("SYN → RST+ACK"));
    let conn = conn_of(&report, r);
    assert_eq!((&*conn.conn_state, &*conn.history), ("REJ", "Sr"));
    assert_eq!(conn.resets, vec![rst]);
    assert!(r
        .tips
        .iter()
        .any(|t| t.commands.iter().any(|c| c == "ss -ltnp 'sport = :8443'")));
}

#[test]
fn test_syn_sent_rst_from_nearer_hop() {
    let mut w = Wire::new();
    w.background(443, 5000);
    w.send(pkt(true, 3389, 777, 0, SYN));
    w.wait(3 * MS);
    let rst = w.send(Pkt {
        ttl: Some(61),
        ip_id: Some(48213),
        df: false,
        ..pkt(false, 3389, 0, 778, RST | ACK)
    });
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Server, Origin::Middlebox, Cause::Refused)
    );
    assert!(r
        .evidence
        .iter()
        .any(|e| e.signal == Signal::Timing && e.points_to == Origin::Middlebox));
    // Strong or weak is the calibrated confidence's to say (it follows
    // the fitted table); the story is the headline's.
    let headline = &report.summary.headline;
    assert!(
        headline.starts_with("1 of 1 reset")
            && headline.contains("forged on the path")
            && headline.contains("a firewall refused connections in the server's name"),
        "{headline}"
    );
}

#[test]
fn test_established_rst_in_window() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(8080, 100, 9000);
    let (c, s) = w.exchange(8080, c, s);
    w.wait(1_800 * MS);
    let rst = w.send(pkt(false, 8080, s, c, RST | ACK));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Server, Origin::Server, Cause::AppAbort)
    );
    assert_eq!(r.stage, Stage::LaterInFlow);
    assert!(r.evidence.iter().any(|e| e.signal == Signal::Seq
        && e.finding
            .contains("exactly the server's next sequence number")));
    assert!(r
        .evidence
        .iter()
        .any(|e| e.signal == Signal::IpId && e.points_to == Origin::Server));
    assert_eq!(conn_of(&report, r).conn_state, "RSTR");
}

#[test]
fn test_established_rst_ttl_mismatch() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, 100, 9000);
    let (c, s) = w.exchange(443, c, s);
    w.wait(400_000 * MS);
    w.send(Pkt {
        payload: b"ping",
        ..pkt(true, 443, c, s, ACK | PSH)
    });
    w.wait(MS / 2);
    let rst = w.send(Pkt {
        ttl: Some(63),
        ip_id: Some(4242),
        df: false,
        ..pkt(false, 443, s, 0, RST)
    });
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Server, Origin::Middlebox, Cause::IdleTimeout)
    );
    let ttl = r
        .evidence
        .iter()
        .find(|e| e.signal == Signal::Ttl)
        .expect("TTL evidence");
    assert!(
        ttl.finding
            .starts_with("TTL 63, the server's other 2 packets had TTL 52 (11 hops nearer"),
        "{}",
        ttl.finding
    );
    assert!(r
        .tips
        .iter()
        .any(|t| t.text.starts_with("Idle 400 s before the reset")));
    assert!(r.tips.iter().any(|t| t
        .commands
        .iter()
        .any(|c| c == "sysctl -w net.ipv4.tcp_keepalive_time=300")));
    assert!(
        report.summary.headline.contains("after ~400 s"),
        "{}",
        report.summary.headline
    );
}

/// A connection's only packet, an abort-form RST+ACK whose TTL and DF
/// differ from its address's other connections: another machine behind the
/// same address (NAT, a server pool) is likelier than a forger, so the
/// claimed sender keeps it and the evidence says why.
#[test]
fn test_lone_rst_unlike_its_address_is_no_forgery() {
    let mut w = Wire::new();
    w.background(443, 5000);
    w.background(443, 7000);
    w.wait(MS);
    let rst = w.send(Pkt {
        ttl: Some(113),
        ip_id: Some(9),
        df: false,
        client_port: 40001,
        ..pkt(false, 443, 777_000, 555_000, RST | ACK)
    });
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Server, Origin::Server, Cause::AppAbort)
    );
    assert!(r
        .evidence
        .iter()
        .any(|e| e.signal == Signal::Ttl && e.points_to == Origin::Middlebox));
    assert!(
        r.evidence.iter().any(|e| e.points_to == Origin::Server
            && e.finding.contains("several machines behind one address")),
        "{:?}",
        r.evidence
    );
}

/// A host first seen sending mid-flow from one port to two peers listens
/// there (a peer-to-peer port above 32768): its later lone abort from
/// that port is the server's, whatever the ephemeral range suggests.
#[test]
fn test_port_picked_up_serving_two_peers_is_a_server_port() {
    let mut w = Wire::new();
    for (client_port, seq) in [(3123, 30_264_560), (52159, 2_915_996_056)] {
        w.send(Pkt {
            payload: b"peer-to-peer chunk",
            client_port,
            ..pkt(false, 47391, seq, 3_190_347_835, ACK | PSH)
        });
        w.wait(MS);
    }
    let rst = w.send(Pkt {
        client_port: 2764,
        ..pkt(false, 47391, 1_689_954_573, 3_899_577_541, RST | ACK)
    });
    let report = w.finish();
    assert_eq!(
        verdict(reset(&report, rst)),
        (Sender::Server, Origin::Server, Cause::AppAbort)
    );
}

/// A lone RST+ACK with seq 0 and an ack answers a SYN, so its sender is the
/// server even from a port in the ephemeral range, and even with FIN set
/// beside; with data, which no stack's refusal carries, who sent it is open.
#[test]
fn test_refusal_numbers_make_the_sender_the_server() {
    let mut w = Wire::new();
    let bare = w.send(Pkt {
        client_port: 2938,
        ..pkt(false, 32778, 0, 2_271_959_912, RST | ACK | FIN)
    });
    w.wait(MS);
    let with_data = w.send(Pkt {
        client_port: 4832,
        payload: b"Go away, nothing here",
        ..pkt(false, 41767, 0, 3_973_236_672, RST | ACK)
    });
    let report = w.finish();
    let bare = reset(&report, bare);
    assert_eq!((bare.origin, bare.cause), (Origin::Server, Cause::Refused));
    let with_data = reset(&report, with_data);
    assert_eq!(
        (with_data.origin, with_data.cause),
        (Origin::Unknown, Cause::Refused)
    );
    assert!(with_data
        .evidence
        .iter()
        .any(|e| matches!(e.fact, Fact::RefusalWithData { bytes: 21, .. })));
}

/// A router's telnet server closes with FIN while the client's short
/// command crosses it, then sends a bare RST at its FIN's seq (the
/// command's ack). With the next IP-ID of the connection's own series its
/// socket sent it: an abort after the FIN. With IP-ID 0 (Linux's
/// connection-less form) it is the stack answering data after close.
#[test]
fn test_bare_rst_after_fin_in_the_connections_id_series_is_an_abort() {
    for (ip_id, cause) in [(None, Cause::AppAbort), (Some(0), Cause::ClosedSocket)] {
        let mut w = Wire::new();
        let (c, s) = w.handshake(23, 100, 9000);
        let (c, s) = w.exchange(23, c, s);
        w.wait(2_000 * MS);
        w.send(pkt(false, 23, s, c, FIN | ACK));
        w.send(Pkt {
            payload: b"q\r",
            ..pkt(true, 23, c, s, ACK | PSH)
        });
        w.wait(RTT);
        let rst = w.send(Pkt {
            ip_id,
            ..pkt(false, 23, s, 0, RST)
        });
        let report = w.finish();
        let r = reset(&report, rst);
        assert_eq!(
            verdict(r),
            (Sender::Server, Origin::Server, cause),
            "IP-ID {ip_id:?}"
        );
    }
}

/// A slice of a link holds a host's FIN and, 1.7 ms later, its bare RST
/// at the FIN's seq, but not the peer's segment it answers (as in
/// libtrace's `fragtest`, frame 2099). IP-ID 0 while its socket numbered
/// the connection's packets (Linux), or the ack field filled without the
/// flag (Windows), is the stack's connection-less answer to a segment
/// after the close, not the socket aborting; the abort reading stays
/// beside it. Next in the series, with the ack field empty, the socket
/// aborted.
#[test]
fn test_connectionless_rst_after_fin_with_its_trigger_unseen_is_data_after_close() {
    let cases = [
        (Some(0), false, Cause::ClosedSocket),
        (Some(4242), true, Cause::ClosedSocket),
        (None, false, Cause::AppAbort),
    ];
    for (ip_id, ack_field, cause) in cases {
        let mut w = Wire::new();
        let (c, s) = w.handshake(23, 100, 9000);
        let (c, s) = w.exchange(23, c, s);
        w.wait(2_000 * MS);
        w.send(pkt(false, 23, s, c, FIN | ACK));
        w.wait(2 * MS);
        let ack = if ack_field { c } else { 0 };
        let rst = w.send(Pkt {
            ip_id,
            ..pkt(false, 23, s, ack, RST)
        });
        let report = w.finish();
        let r = reset(&report, rst);
        assert_eq!(
            verdict(r),
            (Sender::Server, Origin::Server, cause),
            "IP-ID {ip_id:?}, ack field {ack_field}: {:?}",
            r.evidence
        );
        if cause == Cause::ClosedSocket {
            assert_eq!(r.sub_cause, Some(SubCause::DataAfterClose));
            let rival = |e: &Evidence| {
                matches!(
                    e.fact,
                    Fact::AlsoFits {
                        cause: Cause::AppAbort,
                        ..
                    }
                )
            };
            assert!(r.evidence.iter().any(rival), "{:?}", r.evidence);
        }
    }
}

#[test]
fn test_established_rst_race() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, 100, 9000);
    w.send(Pkt {
        payload: b"\x16\x03\x01 client hello",
        ..pkt(true, 443, c, s, ACK | PSH)
    });
    let c = c.wrapping_add(17);
    w.wait(10 * MS);
    let first = w.send(Pkt {
        ttl: Some(248),
        ip_id: Some(999),
        df: false,
        ..pkt(false, 443, s, c, RST | ACK)
    });
    let second = w.send(Pkt {
        ttl: Some(248),
        ip_id: Some(31337),
        df: false,
        ..pkt(false, 443, s, c.wrapping_add(1460), RST | ACK)
    });
    w.wait(RTT);
    w.send(Pkt {
        payload: b"server hello",
        ..pkt(false, 443, s, c, ACK | PSH)
    });
    let report = w.finish();
    for frame in [first, second] {
        let r = reset(&report, frame);
        assert_eq!(
            verdict(r),
            (Sender::Server, Origin::Middlebox, Cause::Injected)
        );
        assert_eq!(r.signature.as_deref(), Some("PSH → RST+ACK;RST+ACK"));
        assert!(r.evidence.iter().any(|e| e.signal == Signal::Race));
        assert!(r.evidence.iter().any(|e| e.signal == Signal::Repeat));
    }
}

#[test]
fn test_fin_wait_rst() {
    let mut w = Wire::new();
    let (c, s) = w.handshake(443, 100, 9000);
    let (c, s) = w.exchange(443, c, s);
    w.send(pkt(true, 443, c, s, FIN | ACK));
    w.wait(RTT);
    w.send(pkt(false, 443, s, c.wrapping_add(1), FIN | ACK));
    w.send(pkt(true, 443, c.wrapping_add(1), s.wrapping_add(1), ACK));
    let rst = w.send(pkt(
        true,
        443,
        c.wrapping_add(1),
        s.wrapping_add(1),
        RST | ACK,
    ));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Client, Origin::Client, Cause::GracefulClose)
    );
    assert_eq!(r.sub_cause, Some(SubCause::RstAfterFin));
    let conn = conn_of(&report, r);
    assert_eq!((&*conn.conn_state, &*conn.history), ("SF", "ShADdFfR"));
}

/// The server closed first and the client acknowledged its FIN; the
/// client's own FIN, carrying no data, later reaches a server whose socket
/// is gone and its kernel answers with a bare RST at the FIN's ack. Every
/// byte and both FINs were exchanged: a reset after a graceful close, not
/// data after a close.
#[test]
fn test_fin_wait_peer_fin_answered_by_bare_rst() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, 100, 9000);
    let (c, s) = w.exchange(443, c, s);
    w.send(pkt(false, 443, s, c, FIN | ACK));
    let s = s.wrapping_add(1);
    w.send(pkt(true, 443, c, s, ACK));
    w.wait(2 * RTT);
    w.send(pkt(true, 443, c, s, FIN | ACK));
    w.wait(RTT);
    let rst = w.send(Pkt {
        ip_id: Some(0),
        ..pkt(false, 443, s, 0, RST)
    });
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Server, Origin::Server, Cause::GracefulClose)
    );
    assert_eq!(r.sub_cause, Some(SubCause::RstAfterFin));
}

/// A mirror records the server's abort twice, 0.2 ms apart, one hop
/// further the second time (same numbers, same IP-ID): one reset, so the
/// copy carries the abort's verdict and is no consequence of it.
#[test]
fn test_established_abort_recorded_twice_is_one_reset() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, 100, 9000);
    let (c, s) = w.exchange(443, c, s);
    w.wait(RTT);
    let abort = Pkt {
        ip_id: Some(4242),
        ..pkt(false, 443, s, c, RST | ACK)
    };
    let first = w.send(abort);
    w.wait(MS / 5);
    let copy = w.send(Pkt {
        ip_id: Some(4242),
        ttl: Some(51),
        ..pkt(false, 443, s, c, RST | ACK)
    });
    let report = w.finish();
    let (first, copy) = (reset(&report, first), reset(&report, copy));
    assert_eq!(
        verdict(first),
        (Sender::Server, Origin::Server, Cause::AppAbort)
    );
    assert_eq!(verdict(copy), verdict(first));
    assert_eq!(copy.consequence_of, None);
    assert_eq!(
        copy.evidence.first().map(|e| e.signal),
        Some(Signal::Repeat)
    );
}

/// A doubled capture: every packet twice, the server's socket-less RSTs
/// with IP-ID 0 too. The second RST is the first one again, a reset after
/// a graceful close, not a consequence of it.
#[test]
fn test_fin_wait_doubled_capture_rst_is_one_reset() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let mut ids = (1000u16, 30000u16);
    let mut twice = |w: &mut Wire, p: Pkt| {
        let id = if p.from_client {
            &mut ids.0
        } else {
            &mut ids.1
        };
        *id += 1;
        let p = Pkt {
            ip_id: p.ip_id.or(Some(*id)),
            ..p
        };
        let frame = w.send(p);
        w.wait(MS / 4);
        w.send(p);
        frame
    };
    let (c, s) = (101u32, 9001u32);
    twice(&mut w, pkt(true, 443, 100, 0, SYN));
    w.wait(RTT);
    twice(&mut w, pkt(false, 443, 9000, c, SYN | ACK));
    twice(&mut w, pkt(true, 443, c, s, ACK));
    twice(
        &mut w,
        Pkt {
            payload: b"GET / HTTP/1.1\r\n\r\n",
            ..pkt(true, 443, c, s, ACK | PSH)
        },
    );
    let c = c + 18;
    w.wait(RTT);
    twice(
        &mut w,
        Pkt {
            payload: b"HTTP/1.1 204 No Content\r\n\r\n",
            ..pkt(false, 443, s, c, ACK | PSH)
        },
    );
    let s = s + 27;
    twice(&mut w, pkt(false, 443, s, c, FIN | ACK));
    twice(&mut w, pkt(true, 443, c, s + 1, ACK));
    w.wait(2 * RTT);
    twice(&mut w, pkt(true, 443, c, s + 1, FIN | ACK));
    w.wait(RTT);
    let first = twice(
        &mut w,
        Pkt {
            ip_id: Some(0),
            ..pkt(false, 443, s + 1, 0, RST)
        },
    );
    let report = w.finish();
    let (first, copy) = (reset(&report, first), reset(&report, first + 1));
    assert_eq!(
        verdict(first),
        (Sender::Server, Origin::Server, Cause::GracefulClose)
    );
    assert_eq!(verdict(copy), verdict(first));
    assert_eq!(copy.consequence_of, None);
}

#[test]
fn test_close_wait_data_rst() {
    let mut w = Wire::new();
    w.background(80, 5000);
    let (c, s) = w.handshake(80, 100, 9000);
    let (c, s) = w.exchange(80, c, s);
    w.send(pkt(false, 80, s, c, FIN | ACK));
    let s = s.wrapping_add(1);
    w.send(pkt(true, 80, c, s, ACK));
    w.wait(20_000 * MS);
    w.send(Pkt {
        payload: b"GET /next",
        ..pkt(true, 80, c, s, ACK | PSH)
    });
    w.wait(RTT);
    let rst = w.send(Pkt {
        ip_id: Some(0),
        ..pkt(false, 80, s, 0, RST)
    });
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Server, Origin::Server, Cause::ClosedSocket)
    );
    assert_eq!(r.sub_cause, Some(SubCause::DataAfterClose));
    // A bare RST at the ack of the data it answers is the closed socket's
    // stack answering: the server's own FIN does not make it an abort too,
    // so the cause is not contested.
    assert!(
        !r.evidence
            .iter()
            .any(|e| matches!(e.fact, Fact::AlsoFits { .. } | Fact::AfterOwnFin { .. })),
        "{:?}",
        r.evidence
    );
}

/// A SYN refused by a closed port of a server seen elsewhere in the
/// capture, at the RST's TTL: no other rule reads those packets another
/// way, so the verdict is not contested.
#[test]
fn test_refusal_is_not_contested() {
    let mut w = Wire::new();
    w.background(443, 5000);
    w.send(pkt(true, 8080, 100, 0, SYN));
    w.wait(RTT);
    let rst = w.send(pkt(false, 8080, 0, 101, RST | ACK));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(r.cause, Cause::Refused);
    assert!(r
        .evidence
        .iter()
        .all(|e| !matches!(e.fact, Fact::AlsoFits { .. })));
}

/// A SYN refused by an address that sent nothing else: with no TTL to
/// compare, a firewall's reject in the server's name fits as well as the
/// host's closed port, and the verdict says so.
#[test]
fn test_refusal_from_an_unseen_server_is_contested_with_a_firewall() {
    let mut w = Wire::new();
    w.send(pkt(true, 8080, 100, 0, SYN));
    w.wait(RTT);
    let rst = w.send(pkt(false, 8080, 0, 101, RST | ACK));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!((r.origin, r.cause), (Origin::Server, Cause::Refused));
    assert!(
        r.evidence.iter().any(|e| matches!(
            e.fact,
            Fact::AlsoFits {
                cause: Cause::Refused,
                sub_cause: Some(SubCause::FirewallReject)
            }
        )),
        "{:#?}",
        r.evidence
    );
}

#[test]
fn test_seq_wraparound_rst() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, u32::MAX - 10, u32::MAX - 20);
    let (c, s) = w.exchange(443, c, s);
    assert!(c < 100 && s < 100, "both directions wrapped: {c} {s}");
    w.wait(2_000 * MS);
    let rst = w.send(pkt(false, 443, s, c, RST | ACK));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Server, Origin::Server, Cause::AppAbort)
    );
    assert!(r
        .evidence
        .iter()
        .any(|e| e.finding
            == format!("seq {s} is exactly the server's next sequence number (RFC 5961)")));
    assert!(
        !r.evidence.iter().any(|e| e.points_to == Origin::Middlebox),
        "{:?}",
        r.evidence
    );
}

#[test]
fn test_retransmitting_rst() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, 100, 9000);
    for n in 0..6 {
        w.send(Pkt {
            payload: b"request",
            ..pkt(true, 443, c, s, ACK | PSH)
        });
        w.wait((300 * MS) << n);
    }
    let rst = w.send(pkt(true, 443, c.wrapping_add(7), s, RST | ACK));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Client, Origin::Client, Cause::RetransmitTimeout)
    );
    assert!(
        r.evidence
            .iter()
            .any(|e| e.finding.contains("retransmitted the same data 5 times")),
        "{:?}",
        r.evidence
    );
}

#[test]
fn test_listen_syn_ack_rst() {
    // A half-open scan: SYN (nmap's: its TTL, no window scale), SYN-ACK,
    // and the scanner's kernel resets.
    let mut w = Wire::new();
    w.background(443, 5000);
    w.send(Pkt {
        ttl: Some(44),
        wscale: None,
        ..pkt(true, 22, 31337, 0, SYN)
    });
    w.wait(RTT);
    w.send(pkt(false, 22, 800, 31338, SYN | ACK));
    w.wait(MS / 10);
    let rst = w.send(Pkt {
        ip_id: Some(0),
        ..pkt(true, 22, 31338, 0, RST)
    });
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(verdict(r), (Sender::Client, Origin::Client, Cause::Scan));
    let conn = conn_of(&report, r);
    assert_eq!((&*conn.conn_state, &*conn.history), ("RSTO", "ShR"));
}

#[test]
fn test_closed_bare_rst() {
    let mut w = Wire::new();
    let rst = w.send(pkt(true, 80, 1234, 0, RST));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(r.origin, Origin::Unknown);
    assert_eq!(r.cause, Cause::Unknown);
    assert!(
        r.confidence < 0.3,
        "a bare RST is a guess: {}",
        r.confidence
    );
    assert!(r
        .evidence
        .iter()
        .any(|e| e.finding.contains("no other packet")));
    let conn = conn_of(&report, r);
    assert_eq!(
        (&*conn.conn_state, &*conn.history, &*conn.roles_from),
        ("OTH", "R", "ports")
    );
}

#[test]
fn test_syn_sent_own_rst() {
    let mut w = Wire::new();
    w.send(pkt(true, 80, 1234, 0, SYN));
    w.send(pkt(true, 80, 1235, 0, RST));
    let report = w.finish();
    let conn = report.connections.first().expect("one connection");
    assert_eq!((&*conn.conn_state, &*conn.history), ("RSTOS0", "SR"));
}

#[test]
fn test_rst_payload_text() {
    let mut w = Wire::new();
    let (c, s) = w.handshake(443, 100, 9000);
    let (c, s) = w.exchange(443, c, s);
    w.wait(300_000 * MS);
    let rst = w.send(Pkt {
        payload: b"BIG-IP: [0x2409b71:704] Flow expired (sweeper)",
        ..pkt(false, 443, s, c, RST | ACK)
    });
    let diag = {
        w.wait(MS);
        w.send(Pkt {
            payload: &[0x33, 0xAA, 0x00, 0x0E],
            ..pkt(false, 443, s, c, RST)
        })
    };
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        r.payload_text.as_deref(),
        Some("BIG-IP: [0x2409b71:704] Flow expired (sweeper)")
    );
    assert_eq!(
        verdict(r),
        (Sender::Server, Origin::Server, Cause::IdleTimeout)
    );
    let d = reset(&report, diag);
    assert_eq!(d.reason_code, Some(14));
    assert_eq!(d.cause, Cause::IdleTimeout);
}

#[test]
fn test_port_reuse_new_connection() {
    let mut w = Wire::new();
    w.send(pkt(true, 80, 1000, 0, SYN));
    w.wait(RTT);
    w.send(pkt(false, 80, 0, 1001, RST | ACK));
    w.wait(1_000 * MS);
    w.send(pkt(true, 80, 555_000, 0, SYN));
    let report = w.finish();
    let states: Vec<&str> = report.connections.iter().map(|c| &*c.conn_state).collect();
    assert_eq!(states, ["REJ", "S0"]);
}

#[test]
fn test_flow_table_bounded() {
    let config = Config {
        max_connections: 64,
        max_listed_connections: 100,
        ..Config::default()
    };
    let mut w = Wire::with(config);
    for port in 1..=5000u16 {
        w.send(pkt(true, port, u32::from(port), 0, SYN));
        w.wait(MS);
    }
    let report = w.finish();
    assert!(
        report.capture.evicted_connections >= 5000 - 64,
        "{}",
        report.capture.evicted_connections
    );
    assert_eq!(report.connections.len(), 100);
    assert_eq!(report.capture.unlisted_connections, 4900);
    assert!(report
        .capture
        .warnings
        .iter()
        .any(|w| w.kind == WarningKind::FlowLimit));
}

/// Zeek's IsReuse: a SYN retried after a refusal, even with the same ISN,
/// starts a new connection (zeek__pop3__pop3.pcap: three "REJ Sr" per port).
#[test]
fn test_rej_syn_retransmit() {
    let mut w = Wire::new();
    for _ in 0..3 {
        w.send(pkt(true, 110, 1000, 0, SYN));
        w.wait(RTT);
        w.send(pkt(false, 110, 0, 1001, RST | ACK));
        w.wait(500 * MS);
    }
    let report = w.finish();
    let conns: Vec<(&str, &str)> = report
        .connections
        .iter()
        .map(|c| (&*c.conn_state, &*c.history))
        .collect();
    assert_eq!(conns, [("REJ", "Sr"); 3]);
    assert_eq!(report.resets.len(), 3);
    for r in &report.resets {
        assert_eq!(verdict(r), (Sender::Server, Origin::Server, Cause::Refused));
        // Each retry is refused on its own, all in one incident.
        assert_eq!((r.consequence_of, r.incident), (None, Some(1)));
    }
    let incident = report.incidents.first().expect("one incident");
    assert_eq!(report.incidents.len(), 1);
    assert_eq!(
        (incident.kind, incident.roots, incident.connections.len()),
        (IncidentKind::Refusals, 3, 3)
    );
    assert_eq!(incident.summary, "the server refused 3 connections");
}

/// Data the snaplen cut off is never delivered to Zeek's reassembler, so
/// the peer's ack of it is a content gap ('G'; zeek__tcp__retransmit-fast009.pcap).
#[test]
fn test_established_cut_data_ack() {
    let mut w = Wire::new();
    let (c, s) = w.handshake(80, 100, 9000);
    w.send(Pkt {
        payload: &[],
        wire_len: Some(474),
        ..pkt(true, 80, c, s, ACK | PSH)
    });
    w.wait(RTT);
    w.send(pkt(false, 80, s, c + 474, ACK));
    let report = w.finish();
    let conn = report.connections.first().expect("one connection");
    assert_eq!(conn.history, "ShADaG");
}

/// A closed port answering a port sweep refuses, as it would anyone; the
/// sweep is the context (chrissanders__synscan.pcapng: nmap SYN scan).
#[test]
fn test_syn_sent_scan_rst_ack() {
    let mut w = Wire::new();
    let mut rst = 0;
    for port in 1..=30u16 {
        w.send(pkt(true, port, 7777, 0, SYN));
        w.wait(MS / 10);
        if port == 25 {
            rst = w.send(pkt(false, 25, 0, 7778, RST | ACK));
        }
    }
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(verdict(r), (Sender::Server, Origin::Server, Cause::Refused));
    assert_eq!(r.sub_cause, Some(SubCause::ScanProbe));
    assert!(r.evidence.iter().any(|e| e.signal == Signal::Scan));
    assert!(r
        .tips
        .iter()
        .any(|t| t.text.contains("port scan found port 25 closed")));
}

/// One client connecting twice to the same service is no scan: its refusal
/// stays "refused".
#[test]
fn test_syn_sent_rst_ack_not_scan() {
    let mut w = Wire::new();
    w.send(pkt(true, 80, 1, 0, SYN));
    let rst = w.send(pkt(false, 80, 0, 2, RST | ACK));
    let report = w.finish();
    assert_eq!(reset(&report, rst).cause, Cause::Refused);
}

/// A lone BIG-IP RST saying it passes on the backend's reset
/// (tcpdump__tcp_rst_data.pcap): the proxy between the client and the
/// backend emitted it (a middlebox, as the real labels have it) and the
/// cause is the backend's abort, not "unknown".
#[test]
fn test_closed_big_ip_relayed_rst() {
    let mut w = Wire::new();
    let rst = w.send(Pkt {
        payload: b"BIG-IP: [0x11c5672:3045] {peer} TCP RST from remote system",
        ..pkt(false, 80, 5000, 6000, RST | ACK)
    });
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Server, Origin::Middlebox, Cause::AppAbort)
    );
    assert_eq!(r.sub_cause, Some(SubCause::BackendReset));
}

/// An MPTCP endpoint closes one subflow mid-connection: its RST+ACK carries
/// an MP_TCPRST option (RFC 8684 §3.6). The option names the layer that
/// decided and its reason; without it the same packet reads as an
/// application abort (checked on the same wire without the option).
#[test]
fn test_established_mptcp_reset_names_the_subflow() {
    let subflow_reset = |option: Option<u8>| {
        let mut w = Wire::new();
        let (c, s) = w.handshake(443, 100, 9000);
        let (c, s) = w.exchange(443, c, s);
        w.wait(2_000 * MS);
        let options = TcpOptions {
            mptcp_rst_reason: option,
            ..TcpOptions::default()
        };
        let rst = w.send_with(pkt(false, 443, s, c, RST | ACK), None, options);
        let report = w.finish();
        reset(&report, rst).clone()
    };
    let r = subflow_reset(Some(5));
    assert_eq!(
        verdict(&r),
        (Sender::Server, Origin::Server, Cause::Unknown)
    );
    assert_eq!(r.sub_cause, Some(SubCause::MptcpSubflow));
    let payload = r
        .evidence
        .iter()
        .find(|e| e.signal == Signal::Payload)
        .expect("the option is evidence");
    assert!(
        payload
            .finding
            .contains("reason 5 (unacceptable performance)"),
        "{}",
        payload.finding
    );
    assert!(r.tips[0].commands.iter().any(|c| c.starts_with("ip mptcp")));
    let plain = subflow_reset(None);
    assert_eq!(plain.cause, Cause::AppAbort);
    assert_eq!(plain.sub_cause, None);
}

/// A diagnostic-payload RST (0x33AA) with an unspecified reason code still
/// tells us the sender's own stack wrote it (tcpdump__tcp_rst_diag_payload.pcap).
#[test]
fn test_closed_diag_payload_rst() {
    let mut w = Wire::new();
    let rst = w.send(Pkt {
        payload: &[0x33, 0xAA, 0x00, 0x01, 0, 0, 0, 0],
        ..pkt(true, 8080, 5000, 6000, RST | ACK)
    });
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(r.reason_code, Some(1));
    assert_eq!(verdict(r), (Sender::Client, Origin::Client, Cause::Unknown));
    let payload = r
        .evidence
        .iter()
        .find(|e| e.signal == Signal::Payload)
        .expect("payload evidence");
    assert!(
        payload.finding.contains("reason code 1"),
        "{}",
        payload.finding
    );
}

/// Timestamps that go backwards are counted into one warning naming the
/// first such frame.
#[test]
fn test_capture_time_backwards() {
    use rstscope_core::{Frame, LinkType};
    let mut analyzer = Analyzer::new(Config::default());
    for (number, ts_ns) in [(1, 5_000), (2, 9_000), (3, 7_000), (4, 9_500), (5, 1_000)] {
        analyzer.push(&Frame {
            number,
            ts_ns,
            link_type: LinkType(1),
            orig_len: 0,
            data: &[],
            process: None,
        });
    }
    let report = analyzer.finish().report;
    let warnings: Vec<_> = report
        .capture
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::TimeBackwards)
        .collect();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].frame, Some(3));
    assert!(
        warnings[0].message.starts_with("2 frame(s)"),
        "{}",
        warnings[0].message
    );
}

/// A FIN probe with no handshake (nmap -sF) draws a RST+ACK from a closed
/// port: a scan, named by the probe, with the scan tips. (Ports differ, so
/// the probe is a connection of its own.)
#[test]
fn test_closed_fin_probe_rst_ack() {
    let mut w = Wire::new();
    // An earlier connection gives the server's TTL and timing baseline.
    w.handshake(443, 100, 900);
    w.wait(MS);
    w.send(pkt(true, 23, 5000, 0, FIN));
    w.wait(RTT);
    let rst = w.send(pkt(false, 23, 0, 5001, RST | ACK));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(verdict(r), (Sender::Server, Origin::Server, Cause::Scan));
    assert_eq!(r.sub_cause, Some(SubCause::FinProbe));
    assert!(r.tips.iter().any(|t| t.text.contains("stealth port scan")));
}

/// A connection opened and reset by the client 0.2 ms after its handshake,
/// with no data: a port check (health check), not a crash.
#[test]
fn test_established_connect_probe_rst() {
    let mut w = Wire::new();
    let (c, s) = w.handshake(8080, 100, 900);
    w.wait(MS / 5);
    let rst = w.send(pkt(true, 8080, c, s, RST | ACK));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Client, Origin::Client, Cause::AppAbort)
    );
    assert_eq!(r.sub_cause, Some(SubCause::ConnectProbe));
    assert!(r.tips.iter().any(|t| t.text.contains("health check")));
}

/// The same connect probe from a host that also sent a NULL probe (only
/// scanners do) is a connect() scan.
#[test]
fn test_established_connect_probe_rst_from_scanner() {
    let mut w = Wire::new();
    w.send(pkt(true, 111, 7000, 0, 0));
    w.wait(MS);
    let (c, s) = w.handshake(8080, 100, 900);
    w.wait(MS / 5);
    let rst = w.send(pkt(true, 8080, c, s, RST | ACK));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(verdict(r), (Sender::Client, Origin::Client, Cause::Scan));
    assert_eq!(r.sub_cause, Some(SubCause::ConnectScan));
}

/// A RST that also carries SYN is crafted: no stack sends it.
#[test]
fn test_closed_syn_rst_crafted() {
    let mut w = Wire::new();
    let rst = w.send(pkt(true, 80, 1, 0, SYN | RST));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        (r.cause, r.sub_cause),
        (Cause::Scan, Some(SubCause::CraftedFlags))
    );
}

// --- issue 11's error classes, one situation each (rules in attribute/rules/) ---

fn has_sub(r: &Reset, sub: SubCause) -> bool {
    r.sub_cause == Some(sub)
}

/// An injector near the client answers the SYN with a forged RST+ACK; the
/// server's real SYN-ACK arrives later. Nothing refused the port: injected.
#[test]
fn test_syn_answered_by_injector_then_real_synack() {
    let mut w = Wire::new();
    w.background(443, 5000);
    w.send(pkt(true, 443, 777, 0, SYN));
    w.wait(3 * MS);
    let rst = w.send(Pkt {
        ttl: Some(61),
        ip_id: Some(48213),
        df: false,
        ..pkt(false, 443, 0, 778, RST | ACK)
    });
    w.wait(RTT);
    w.send(pkt(false, 443, 9000, 778, SYN | ACK));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Server, Origin::Middlebox, Cause::Injected)
    );
    assert!(
        r.evidence
            .iter()
            .any(|e| e.signal == Signal::Race && e.finding.contains("own SYN-ACK arrived")),
        "{:?}",
        r.evidence
    );
}

/// `p` with IP-ID `id`: the scripts below give a server that copies the
/// client's last IP-ID into each of its packets (a user-space responder).
fn copier(p: Pkt, id: u16) -> Pkt {
    Pkt {
        ip_id: Some(id),
        ..p
    }
}

/// The client's ACK of the SYN-ACK (ISNs 100 and 900; IP-ID 7002) and its
/// 18-byte GET (7003), then a round trip.
fn acked_get(w: &mut Wire) {
    w.send(copier(pkt(true, 80, 101, 901, ACK), 7002));
    w.send(Pkt {
        payload: b"GET / HTTP/1.1\r\n\r\n",
        ..copier(pkt(true, 80, 101, 901, ACK | PSH), 7003)
    });
    w.wait(RTT);
}

/// `p` carrying the server's 19-byte answer to that GET.
fn answer(p: Pkt) -> Pkt {
    Pkt {
        payload: b"HTTP/1.1 200 OK\r\n\r\n",
        ..p
    }
}

/// The server aborts with a RST+ACK whose IP-ID copies the client's last
/// packet: a forger's shortcut elsewhere, but this server copies the
/// client's IP-ID on every packet, so the copy points to it, not a device.
#[test]
fn test_rst_copying_the_ip_id_as_its_sender_always_does_is_the_senders() {
    for habit in [true, false] {
        let mut w = Wire::new();
        w.background(80, 5000);
        let own = |id: u16, other: u16| if habit { id } else { other };
        w.send(copier(pkt(true, 80, 100, 0, SYN), 7001));
        w.wait(RTT);
        w.send(copier(
            pkt(false, 80, 900, 101, SYN | ACK),
            own(7001, 30001),
        ));
        w.wait(MS / 5);
        acked_get(&mut w);
        w.send(answer(copier(
            pkt(false, 80, 901, 120, ACK | PSH),
            own(7003, 30002),
        )));
        w.send(copier(pkt(false, 80, 920, 120, ACK), own(7003, 30003)));
        w.wait(MS / 5);
        w.send(copier(pkt(true, 80, 120, 920, ACK), 7004));
        w.wait(2 * RTT);
        let rst = w.send(copier(pkt(false, 80, 920, 120, RST | ACK), 7004));
        let report = w.finish();
        let r = reset(&report, rst);
        let ip_id = r
            .evidence
            .iter()
            .find(|e| e.signal == Signal::IpId)
            .expect("an IP-ID finding");
        if habit {
            assert!(
                matches!(
                    ip_id.fact,
                    Fact::IpIdCopiesAsSender {
                        copies: 3,
                        packets: 3,
                        ..
                    }
                ),
                "{ip_id:?}"
            );
            assert_eq!(ip_id.points_to, Origin::Server);
            assert_eq!(r.origin, Origin::Server);
        } else {
            assert!(
                matches!(ip_id.fact, Fact::IpIdCopiesTrigger { id: 7004, .. }),
                "{ip_id:?}"
            );
            assert_eq!(ip_id.points_to, Origin::Middlebox);
        }
    }
}

/// suricata's bug-3286 evasion pcap: the server's host answers the SYN with
/// a RST+ACK (its TTL, its habit of copying the client's IP-ID), then
/// accepts the same SYN with its SYN-ACK, and the connection goes on. No
/// stack refuses a SYN it then accepts: a reset crafted on the server's
/// host. The client's socket lived on, so the client's later RST is its
/// own (not a consequence of the decoy). (Captured on the server's host,
/// the RST's initial TTL is the host's; seen from afar, the server's data
/// after the RST outweighs the fingerprint and names a device.)
#[test]
fn test_syn_reset_by_the_servers_host_then_accepted_is_crafted_there() {
    let mut w = Wire::new();
    // Captured on the server's host, as the pcap was: its packets TTL 64.
    let server_host = |p: Pkt, id: u16| Pkt {
        ttl: Some(64),
        ..copier(p, id)
    };
    w.send(copier(pkt(true, 80, 100, 0, SYN), 7001));
    w.wait(RTT);
    let decoy = w.send(server_host(pkt(false, 80, 0, 101, RST | ACK), 7001));
    w.wait(MS);
    w.send(server_host(pkt(false, 80, 900, 101, SYN | ACK), 7001));
    w.wait(MS / 5);
    acked_get(&mut w);
    w.send(server_host(pkt(false, 80, 901, 120, ACK), 7003));
    w.send(answer(server_host(
        pkt(false, 80, 901, 120, ACK | PSH),
        7003,
    )));
    w.wait(5 * RTT);
    let abort = w.send(copier(pkt(true, 80, 120, 920, RST | ACK), 7004));
    let report = w.finish();
    let r = reset(&report, decoy);
    assert_eq!(
        verdict(r),
        (Sender::Server, Origin::Server, Cause::Injected),
        "{:#?}",
        r.evidence
    );
    assert!(
        r.evidence
            .iter()
            .any(|e| matches!(e.fact, Fact::AcceptedAfterOwnReset { .. })),
        "{:?}",
        r.evidence
    );
    assert_eq!(reset(&report, abort).consequence_of, None);
}

/// bug-3286's second decoy: before its SYN-ACK, the server's host sends a
/// FIN+ACK acknowledging the SYN (seq 0, no SYN); the client, in SYN-SENT,
/// finds it unacceptable and resets it at its ack, keeping its socket:
/// out-of-window, the client's own, not a socket-less answer.
#[test]
fn test_segment_acking_the_syn_reset_in_syn_sent_is_out_of_window() {
    let mut w = Wire::new();
    w.send(pkt(true, 80, 100, 0, SYN));
    w.wait(RTT);
    w.send(pkt(false, 80, 0, 101, FIN | ACK));
    w.wait(MS / 10);
    let rst = w.send(pkt(true, 80, 101, 0, RST));
    w.wait(MS);
    w.send(pkt(false, 80, 900, 101, SYN | ACK));
    w.wait(MS / 5);
    acked_get(&mut w);
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Client, Origin::Client, Cause::OutOfWindow),
        "{:#?}",
        r.evidence
    );
    assert!(r
        .evidence
        .iter()
        .any(|e| matches!(e.fact, Fact::SynSentRejects { frame: 2, .. })));
}

/// The same forged answer with no SYN-ACK after it stays a firewall's
/// refusal (the race rule needs the real server to answer).
#[test]
fn test_syn_answered_by_nearer_hop_without_synack_stays_refused() {
    let mut w = Wire::new();
    w.background(443, 5000);
    w.send(pkt(true, 443, 777, 0, SYN));
    w.wait(3 * MS);
    let rst = w.send(Pkt {
        ttl: Some(61),
        ip_id: Some(48213),
        df: false,
        ..pkt(false, 443, 0, 778, RST | ACK)
    });
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Server, Origin::Middlebox, Cause::Refused)
    );
    assert!(has_sub(r, SubCause::FirewallReject));
}

/// The client's FIN is never acknowledged; it retransmits it with backoff
/// and gives up with a RST: retransmit-timeout, not a graceful close.
#[test]
fn test_fin_retransmitted_with_backoff_then_rst() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, 100, 9000);
    let (c, s) = w.exchange(443, c, s);
    for n in 0..4 {
        w.send(pkt(true, 443, c, s, FIN | ACK));
        w.wait((200 * MS) << n);
    }
    let rst = w.send(pkt(true, 443, c.wrapping_add(1), s, RST | ACK));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Client, Origin::Client, Cause::RetransmitTimeout)
    );
    assert!(
        r.evidence
            .iter()
            .any(|e| e.finding.contains("sent its FIN 4 times")),
        "{:?}",
        r.evidence
    );
    assert!(r.tips[0]
        .text
        .contains("after 3 unanswered retransmissions"));
}

/// The server sends FIN and aborts at once, before the client closed
/// (Windows closesocket with linger 0): an application abort.
#[test]
fn test_fin_then_rst_before_peer_closes() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, 100, 9000);
    let (c, s) = w.exchange(443, c, s);
    w.wait(2 * 1_000 * MS);
    w.send(pkt(false, 443, s, c, FIN | ACK));
    w.wait(MS);
    let rst = w.send(pkt(false, 443, s.wrapping_add(1), c, RST | ACK));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Server, Origin::Server, Cause::AppAbort)
    );
}

/// Seen in the middle: the client's FIN and the server's data cross, so
/// the data is not the last packet before the client's RST; still the
/// client's kernel resets data it never acknowledged after its close.
#[test]
fn test_data_crossing_fin_then_rst() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, 100, 9000);
    let (c, s) = w.exchange(443, c, s);
    w.wait(500 * MS);
    w.send(Pkt {
        payload: b"late server data",
        ..pkt(false, 443, s, c, ACK | PSH)
    });
    w.send(pkt(true, 443, c, s, FIN | ACK));
    w.wait(RTT);
    let rst = w.send(pkt(true, 443, c.wrapping_add(1), 0, RST));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Client, Origin::Client, Cause::ClosedSocket)
    );
    assert!(has_sub(r, SubCause::DataAfterClose));
}

/// The server's own netfilter marks the client's late retransmission of
/// old data INVALID and REJECTs it: no ACK flag, seq = the segment's ACK,
/// from the server's own stack. Out-of-window (conntrack-invalid), origin
/// the server, with the conntrack tips.
#[test]
fn test_late_retransmission_rejected_by_host_firewall() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, 100, 9000);
    let (c, s) = w.exchange(443, c, s);
    w.wait(300 * MS);
    let old = c.wrapping_sub(30);
    w.send(Pkt {
        payload: b"GET / HTTP/1.1\r\nHost: exam",
        ..pkt(true, 443, old, s, ACK | PSH)
    });
    w.wait(RTT);
    let rst = w.send(Pkt {
        ip_id: Some(0),
        ..pkt(false, 443, s, 0, RST)
    });
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Server, Origin::Server, Cause::OutOfWindow)
    );
    assert!(has_sub(r, SubCause::ConntrackInvalid));
    assert!(r
        .tips
        .iter()
        .any(|t| t.commands.iter().any(|c| c.contains("ctstate INVALID"))));
}

/// A firewall two hops in front of the server REJECTs a client ACK with
/// SACK blocks (a sequence-rewriting device left them pointing past
/// anything sent): REJECT's numbers from a nearer TTL. A stateful
/// firewall, not a censor.
#[test]
fn test_sack_beyond_data_rejected_by_firewall_near_server() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, 100, 9000);
    let (c, s) = w.exchange(443, c, s);
    w.wait(200 * MS);
    let mut sack = pkt(true, 443, c, s, ACK);
    sack.ip_id = None;
    let frame = w.send_sack(sack);
    w.wait(RTT - 4 * MS);
    let rst = w.send(Pkt {
        ttl: Some(54),
        ip_id: Some(0),
        ..pkt(false, 443, s, 0, RST)
    });
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Server, Origin::Middlebox, Cause::OutOfWindow)
    );
    assert!(
        r.evidence
            .iter()
            .any(|e| e.finding.contains(&format!("frame {frame}")) && e.finding.contains("SACK")),
        "{:?}",
        r.evidence
    );
}

/// The client's request is acknowledged but never answered; 45 s later the
/// client gives up: an application abort (request timeout), not idle.
#[test]
fn test_request_acknowledged_unanswered_then_client_rst() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, 100, 9000);
    w.send(Pkt {
        payload: b"POST /report HTTP/1.1\r\n\r\n",
        ..pkt(true, 443, c, s, ACK | PSH)
    });
    let c = c.wrapping_add(25);
    w.wait(RTT);
    w.send(pkt(false, 443, s, c, ACK));
    w.wait(45_000 * MS);
    let rst = w.send(pkt(true, 443, c, s, RST | ACK));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Client, Origin::Client, Cause::AppAbort)
    );
    assert!(has_sub(r, SubCause::RequestTimeout));
}

/// The client's window stays 0; the server probes it with backoff, then
/// its application gives up: an application abort (zero window), not a
/// retransmission timeout.
#[test]
fn test_zero_window_probed_then_sender_gives_up() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, 100, 9000);
    w.send(Pkt {
        payload: b"0123456789",
        ..pkt(false, 443, s, c, ACK | PSH)
    });
    let s = s.wrapping_add(10);
    let mut shut = pkt(true, 443, c, s, ACK);
    shut.ip_id = None;
    w.send_window(shut, 0);
    for n in 0..4 {
        w.wait((200 * MS) << n);
        w.send(pkt(false, 443, s.wrapping_sub(1), c, ACK));
        w.send_window(pkt(true, 443, c, s, ACK), 0);
    }
    w.wait(5_000 * MS);
    let rst = w.send(pkt(false, 443, s, c, RST | ACK));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Server, Origin::Server, Cause::AppAbort)
    );
    assert!(has_sub(r, SubCause::ZeroWindow));
}

/// The server retransmits its closing data with backoff, and the client,
/// which had sent its own close, resets a second after the last copy: no
/// stack answers that late, so the client aborted (gave up waiting for the
/// close, as in Suricata's `tcp-empty-sack`), no lost connection.
#[test]
fn test_late_rst_after_peer_retransmissions_is_an_abort() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, 100, 9000);
    let (c, s) = w.exchange(443, c, s);
    for n in 0..4 {
        w.send(Pkt {
            payload: b"alert",
            ..pkt(false, 443, s, c, ACK | PSH | FIN)
        });
        w.wait((400 * MS) << n);
    }
    w.wait(1_000 * MS);
    let rst = w.send(Pkt {
        ip_id: Some(0),
        ..pkt(true, 443, c, 0, RST)
    });
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Client, Origin::Client, Cause::AppAbort)
    );
    assert!(!has_sub(r, SubCause::HalfOpen), "{r:?}");
}

/// The capture missed the server's answer and FIN (the client acknowledges
/// 84 bytes the server was never seen to send, the last one after a long
/// silence); the client's request and FIN then cross, reordered, and the
/// server's bare RST answers the request at its ack (Arkime's
/// `aerospike.pcap`). With the server's side of the story missing, its
/// firewall rejecting a late segment of a live connection cannot be told:
/// its stack answered for a socket no longer there.
#[test]
fn test_rst_after_the_peer_acked_unseen_server_packets_is_no_host_reject() {
    const REQUEST: &[u8] = b"0123456789012345678901234567890123456789012";
    let mut w = Wire::new();
    w.background(3000, 5000);
    let (c, s) = w.handshake(3000, 100, 9000);
    w.send(Pkt {
        payload: REQUEST,
        ..pkt(true, 3000, c, s, ACK | PSH)
    });
    w.wait(5 * MS);
    let c = c + 43;
    w.send(pkt(true, 3000, c, s + 83, ACK));
    w.wait(61_000 * MS);
    w.send(pkt(true, 3000, c, s + 84, ACK));
    w.wait(5_800 * MS);
    w.send(pkt(true, 3000, c + 43, s + 84, ACK | FIN));
    w.send(Pkt {
        payload: REQUEST,
        ..pkt(true, 3000, c, s + 84, ACK | PSH)
    });
    w.wait(RTT);
    let rst = w.send(pkt(false, 3000, s + 84, 0, RST));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Server, Origin::Server, Cause::ClosedSocket),
        "{:#?}",
        r.evidence
    );
}

/// The server rebooted: the client retransmits its data with backoff into
/// the void, and the server's new kernel resets the next copy. The server
/// lost the connection (closed-socket, half-open); no idle timer expired.
#[test]
fn test_rebooted_server_resets_retransmission() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, 100, 9000);
    let (c, s) = w.exchange(443, c, s);
    w.wait(60_000 * MS);
    for n in 0..5 {
        w.send(Pkt {
            payload: b"application data",
            ..pkt(true, 443, c, s, ACK | PSH)
        });
        w.wait((400 * MS) << n);
    }
    w.send(Pkt {
        payload: b"application data",
        ..pkt(true, 443, c, s, ACK | PSH)
    });
    w.wait(RTT);
    let rst = w.send(Pkt {
        ip_id: Some(0),
        ..pkt(false, 443, s, 0, RST)
    });
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Server, Origin::Server, Cause::ClosedSocket)
    );
    assert!(has_sub(r, SubCause::HalfOpen));
}

/// The client reconnects from the port of a connection the server still
/// holds: the server answers its SYN with a challenge ACK (RFC 5961), and
/// the client, in SYN-SENT, resets it at that ACK's number.
#[test]
fn test_challenge_ack_answered_from_syn_sent() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, 100, 9000);
    let (c, s) = w.exchange(443, c, s);
    w.wait(120_000 * MS);
    w.send(pkt(true, 443, 5_000_000, 0, SYN));
    w.wait(RTT);
    w.send(pkt(false, 443, s, c, ACK));
    w.wait(MS / 5);
    let rst = w.send(pkt(true, 443, c, 0, RST));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Client, Origin::Client, Cause::ClosedSocket)
    );
    assert!(has_sub(r, SubCause::ChallengeAck), "{r:?}");
}

/// A SYN answered by a bare ACK of something else, reset from SYN-SENT at
/// that ACK's number, with nothing of an older connection on the ports in
/// the capture (zeek's syn-then-ack-then-rst): a challenge ACK or any ACK
/// the stack finds unacceptable. The verdict says the packets fit both.
#[test]
fn test_syn_sent_reset_of_an_ack_not_acking_the_syn_is_contested() {
    let mut w = Wire::new();
    w.send(pkt(true, 80, 100, 0, SYN));
    w.wait(RTT);
    w.send(pkt(false, 80, 0, 100, ACK));
    w.wait(MS / 10);
    let rst = w.send(pkt(true, 80, 100, 0, RST));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(r.origin, Origin::Client, "{:#?}", r.evidence);
    let also = r.evidence.iter().find_map(|e| match e.fact {
        Fact::AlsoFits { cause, .. } => Some(cause),
        _ => None,
    });
    let readings = [r.cause, also.unwrap_or(Cause::Unknown)];
    assert!(
        readings.contains(&Cause::ClosedSocket) && readings.contains(&Cause::OutOfWindow),
        "{readings:?}"
    );
}

/// A browser opened two connections to the same port at once and used
/// one; the other's SYN-ACK is reset by its kernel: a speculative
/// connect, no scan.
#[test]
fn test_preconnect_synack_reset_by_browser() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, 100, 9000);
    w.wait(50 * MS);
    let spare = |p: Pkt| Pkt {
        client_port: 40001,
        ..p
    };
    w.send(spare(pkt(true, 443, 777, 0, SYN)));
    w.exchange(443, c, s);
    w.send(spare(pkt(false, 443, 9000, 778, SYN | ACK)));
    w.wait(MS / 5);
    let rst = w.send(spare(pkt(true, 443, 778, 0, RST)));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Client, Origin::Client, Cause::AppAbort)
    );
    assert!(has_sub(r, SubCause::SpeculativeConnect));
}

/// A mirror of both sides of a NAT records the client's one half-open
/// probe twice, the server's address rewritten in the second copy (as in
/// Suricata's ERSPAN `bug-5437-02`): the same SYN (same port and ISN)
/// seen again opens no connection beside the first, so both resets of
/// the SYN-ACK stay a half-open scan, neither a speculative connect.
#[test]
fn test_half_open_probe_seen_on_both_sides_of_a_nat_is_one_scan() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let private = |p: Pkt| Pkt {
        server: IpAddr::V4(Ipv4Addr::new(10, 9, 8, 7)),
        ..p
    };
    let probe = Pkt {
        wscale: None,
        ..pkt(true, 443, 777, 0, SYN)
    };
    w.send(probe);
    w.send(private(probe));
    w.wait(RTT);
    w.send(private(pkt(false, 443, 9000, 778, SYN | ACK)));
    w.send(pkt(false, 443, 9000, 778, SYN | ACK));
    w.wait(MS / 5);
    let rsts = [
        w.send(pkt(true, 443, 778, 0, RST)),
        w.send(private(pkt(true, 443, 778, 0, RST))),
    ];
    let report = w.finish();
    for rst in rsts {
        let r = reset(&report, rst);
        assert_eq!(verdict(r), (Sender::Client, Origin::Client, Cause::Scan));
        assert!(!has_sub(r, SubCause::SpeculativeConnect), "{r:?}");
    }
}

/// A lone SYN without a window scale option whose SYN-ACK the client
/// resets, with no connection opened beside it: a half-open probe, as
/// raw-packet tools send.
#[test]
fn test_lone_synack_reset_is_half_open_scan() {
    let mut w = Wire::new();
    w.background(443, 5000);
    w.send(Pkt {
        wscale: None,
        ..pkt(true, 443, 777, 0, SYN)
    });
    w.wait(RTT);
    w.send(pkt(false, 443, 9000, 778, SYN | ACK));
    w.wait(MS / 5);
    let rst = w.send(pkt(true, 443, 778, 0, RST));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(verdict(r), (Sender::Client, Origin::Client, Cause::Scan));
}

/// The same lone SYN-ACK reset, but the SYN carried a window scale option
/// as a kernel's connect() does: an application opened the connection and
/// closed it before the answer came (happy eyeballs' loser, whose winner
/// went to another address), no scan.
#[test]
fn test_lone_synack_reset_after_a_kernel_syn_is_an_unwanted_connection() {
    let mut w = Wire::new();
    w.background(443, 5000);
    w.send(pkt(true, 443, 777, 0, SYN));
    w.wait(RTT);
    w.send(pkt(false, 443, 9000, 778, SYN | ACK));
    w.wait(MS / 5);
    let rst = w.send(pkt(true, 443, 778, 0, RST));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Client, Origin::Client, Cause::AppAbort)
    );
    assert!(has_sub(r, SubCause::SpeculativeConnect), "{r:?}");
    assert!(r
        .evidence
        .iter()
        .any(|e| matches!(e.fact, Fact::KernelSyn { shift: 7, .. })));
}

/// The same unused connection to SSH, whose server speaks first: the
/// silence is the server's (no greeting), so no benign preconnect is
/// claimed; the client's abort stays an abort.
#[test]
fn test_unused_connection_to_server_first_port_is_no_preconnect() {
    let mut w = Wire::new();
    w.background(22, 5000);
    let (c, s) = w.handshake(22, 100, 900);
    w.wait(5_000 * MS);
    let rst = w.send(pkt(true, 22, c, s, RST | ACK));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Client, Origin::Client, Cause::AppAbort)
    );
    assert!(!has_sub(r, SubCause::SpeculativeConnect), "{r:?}");
}

/// The client completed a handshake, sent nothing and received nothing,
/// and aborted the connection seconds later: a connection it never used
/// (a preconnect's spare), not a mid-connection abort.
#[test]
fn test_never_used_connection_aborted_by_client() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, 100, 900);
    w.wait(5_000 * MS);
    let rst = w.send(pkt(true, 443, c, s, RST | ACK));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Client, Origin::Client, Cause::AppAbort)
    );
    assert!(has_sub(r, SubCause::SpeculativeConnect), "{r:?}");
    assert!(r
        .evidence
        .iter()
        .any(|e| matches!(e.fact, Fact::NeverUsed { .. })));
}

/// The same unused connection aborted after 45 s of silence: an idle
/// timer may have closed it, so the idle timeout is named beside it.
#[test]
fn test_never_used_connection_aborted_after_silence_is_contested() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, 100, 900);
    w.wait(45_000 * MS);
    let rst = w.send(pkt(true, 443, c, s, RST | ACK));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(r.cause, Cause::AppAbort);
    assert!(r.evidence.iter().any(|e| matches!(
        e.fact,
        Fact::AlsoFits {
            cause: Cause::IdleTimeout,
            ..
        }
    )));
}

/// A health checker alternating between its service port and 443 changes
/// port on every SYN but sweeps no ports: its checks are no scan.
#[test]
fn test_health_checker_on_two_ports_is_no_scanner() {
    let mut w = Wire::new();
    let mut probes = Vec::new();
    for n in 0..4u32 {
        w.background(443, 5000 + n);
        let (c, s) = w.handshake(8080, 100 + n * 1000, 9000 + n);
        w.wait(MS);
        probes.push(w.send(pkt(true, 8080, c, s, RST | ACK)));
        w.wait(2_000 * MS);
    }
    let report = w.finish();
    for frame in probes {
        let r = reset(&report, frame);
        assert_eq!(
            verdict(r),
            (Sender::Client, Origin::Client, Cause::AppAbort)
        );
        assert!(has_sub(r, SubCause::ConnectProbe));
    }
}

/// A load balancer sweeps an idle flow: 10 minutes of silence, then a RST
/// in the server's name that the server did not send (another TTL and
/// IP-ID). Its state expired: an idle timeout, not an injection.
#[test]
fn test_idle_flow_reset_unprompted_by_load_balancer() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, 100, 9000);
    let (c, s) = w.exchange(443, c, s);
    w.wait(600_000 * MS);
    let rst = w.send(Pkt {
        ttl: Some(250),
        ip_id: Some(4242),
        df: false,
        ..pkt(false, 443, s, c, RST | ACK)
    });
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Server, Origin::Middlebox, Cause::IdleTimeout)
    );
    assert!(has_sub(r, SubCause::StateExpired));
}

/// A merged capture stamps the server's RST before the client packet it
/// answers: the capture's clock cannot time it, so no "too early" timing
/// evidence turns the server's own abort into a forgery.
#[test]
fn test_rst_stamped_before_its_trigger_is_not_timed() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, 100, 9000);
    w.send(Pkt {
        payload: b"request",
        ..pkt(true, 443, c, s, ACK | PSH)
    });
    let c = c.wrapping_add(7);
    w.wait(-20 * MS);
    let rst = w.send(pkt(false, 443, s, c, RST | ACK));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Server, Origin::Server, Cause::AppAbort)
    );
    assert!(r.evidence.iter().all(|e| e.signal != Signal::Timing));
}

/// A SYN scanner's kernel resets the SYN-ACK its hand-made probe drew:
/// nmap's probes carry their own TTL, the kernel's RST the host's (64),
/// so the mismatch is the scanner's doing, not a forgery.
#[test]
fn test_syn_scanner_kernel_resets_synack() {
    let mut w = Wire::new();
    let mut rst = 0;
    for (n, port) in [21u16, 22, 23, 25, 80, 110].into_iter().enumerate() {
        let isn = 1000 * n as u32;
        let probe = Pkt {
            ttl: Some(41),
            ip_id: Some(54321),
            ..pkt(true, port, isn, 0, SYN)
        };
        w.send(probe);
        w.wait(RTT);
        if port == 80 {
            w.send(pkt(false, port, 9000, isn + 1, SYN | ACK));
            w.wait(MS / 5);
            rst = w.send(pkt(true, port, isn + 1, 0, RST));
        } else {
            w.send(pkt(false, port, 0, isn + 1, RST | ACK));
        }
        w.wait(MS);
    }
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(verdict(r), (Sender::Client, Origin::Client, Cause::Scan));
    assert!(r
        .evidence
        .iter()
        .any(|e| e.finding.contains("hand-made SYNs")));
}

/// The server's data in flight reaches a client whose socket is gone; its
/// kernel answers with bare RSTs at the data's ack, IP-ID 0 with DF.
fn late_data_answered(w: &mut Wire, port: u16, (c, s): (u32, u32), segments: u32) -> Vec<u64> {
    let mut answers = Vec::new();
    for i in 0..segments {
        w.send(Pkt {
            payload: b"server data in flight",
            ..pkt(false, port, s.wrapping_add(21 * i), c, ACK | PSH)
        });
        w.wait(MS / 10);
        answers.push(w.send(Pkt {
            ip_id: Some(0),
            ..pkt(true, port, c, 0, RST)
        }));
        w.wait(MS);
    }
    answers
}

#[test]
fn test_closed_after_injected_rst_answers_late_data() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, 100, 9000);
    w.send(Pkt {
        payload: b"\x16\x03\x01 client hello",
        ..pkt(true, 443, c, s, ACK | PSH)
    });
    let c = c.wrapping_add(17);
    w.wait(5 * MS);
    let forged = [0, 1460].map(|step| {
        w.send(Pkt {
            ttl: Some(248),
            ip_id: Some(999),
            df: false,
            ..pkt(false, 443, s, c.wrapping_add(step), RST | ACK)
        })
    });
    w.wait(RTT);
    let answers = late_data_answered(&mut w, 443, (c, s), 3);
    let report = w.finish();
    for frame in forged {
        let r = reset(&report, frame);
        assert_eq!(
            verdict(r),
            (Sender::Server, Origin::Middlebox, Cause::Injected)
        );
        assert_eq!(
            r.consequence_of, None,
            "a second forged RST is no consequence"
        );
    }
    for &frame in &answers {
        let r = reset(&report, frame);
        assert_eq!(
            verdict(r),
            (Sender::Client, Origin::Client, Cause::ClosedSocket)
        );
        assert_eq!(r.consequence_of, Some(forged[0]));
        assert_eq!(r.incident, Some(1));
    }
    let [incident] = report.incidents.as_slice() else {
        panic!("one incident: {:?}", report.incidents);
    };
    assert_eq!(incident.kind, IncidentKind::Injection);
    assert_eq!(incident.root_frame, forged[0]);
    assert_eq!(incident.frames.len(), 5);
    assert_eq!(
        incident.followers,
        [OriginCount {
            origin: Origin::Client,
            resets: 3
        }]
    );
    assert_eq!(
        report.summary.headline,
        "5 resets: a censor or DPI device injected 2 resets into 1 connection; the client's 3 later resets followed from them."
    );
}

#[test]
fn test_closed_after_app_abort_answers_in_flight_data() {
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, 100, 9000);
    let (c, s) = w.exchange(443, c, s);
    w.wait(2 * MS);
    let abort = w.send(pkt(true, 443, c, s, RST | ACK));
    let answers = late_data_answered(&mut w, 443, (c, s), 2);
    let report = w.finish();
    let root = reset(&report, abort);
    assert_eq!(
        verdict(root),
        (Sender::Client, Origin::Client, Cause::AppAbort)
    );
    assert_eq!(root.consequence_of, None);
    for frame in answers {
        let r = reset(&report, frame);
        assert_eq!(
            verdict(r),
            (Sender::Client, Origin::Client, Cause::ClosedSocket)
        );
        assert_eq!(r.consequence_of, Some(abort));
        assert!(r
            .evidence
            .iter()
            .any(|e| e.finding.contains(&format!("frame {abort}"))));
    }
    assert_eq!(report.incidents.len(), 1);
    assert_eq!(
        report.incidents.first().map(|i| i.summary.as_str()),
        Some("the client aborted a connection; the client's 2 later resets followed from it")
    );
}

#[test]
fn test_closed_socket_without_teardown_answers_stand_alone() {
    // The server lost the connection (a reboot): each of the client's
    // segments gets the kernel's bare RST, none caused by another.
    let mut w = Wire::new();
    w.background(443, 5000);
    let (c, s) = w.handshake(443, 100, 9000);
    let (c, s) = w.exchange(443, c, s);
    w.wait(5_000 * MS);
    let mut answers = Vec::new();
    for i in 0..2 {
        w.send(Pkt {
            payload: b"more request",
            ..pkt(true, 443, c.wrapping_add(12 * i), s, ACK | PSH)
        });
        w.wait(RTT);
        answers.push(w.send(Pkt {
            ip_id: Some(0),
            ..pkt(false, 443, s, 0, RST)
        }));
        w.wait(400 * MS);
    }
    let report = w.finish();
    for frame in answers {
        let r = reset(&report, frame);
        assert_eq!(
            verdict(r),
            (Sender::Server, Origin::Server, Cause::ClosedSocket)
        );
        assert_eq!(r.consequence_of, None);
    }
}

#[test]
fn test_closed_lost_connection_repeats_same_rst() {
    // A host that lost a connection answers its peer's keepalives, which
    // the capture filtered out, with the same bare RST every minute.
    let mut w = Wire::new();
    let mut frames = Vec::new();
    for i in 0..3 {
        frames.push(w.send(Pkt {
            ttl: Some(8),
            ip_id: Some(0x1252 + i),
            ..pkt(true, 80, 1_388_789_261, 1_388_789_261, RST)
        }));
        w.wait(60_000 * MS);
    }
    let report = w.finish();
    for frame in frames {
        let r = reset(&report, frame);
        assert_eq!((r.origin, r.cause), (Origin::Client, Cause::ClosedSocket));
        assert_eq!(r.sub_cause, Some(SubCause::HalfOpen));
        assert_eq!(r.consequence_of, None);
    }
    assert_eq!(report.connections.len(), 3);
    assert_eq!(
        report.incidents.len(),
        1,
        "one host answering for one lost connection"
    );
}

#[test]
fn test_closed_bare_rst_alone_stays_unknown() {
    // Once is no pattern: a lone bare RST says nothing about its cause.
    let mut w = Wire::new();
    let first = w.send(pkt(true, 80, 1234, 0, RST));
    w.wait(60_000 * MS);
    let other = w.send(pkt(true, 80, 9999, 0, RST));
    let report = w.finish();
    for frame in [first, other] {
        assert_eq!(reset(&report, frame).cause, Cause::Unknown);
    }
}

#[test]
fn test_closed_lost_connection_repeats_through_route_change() {
    // Hours of the same answer: once the route gains two hops, the TTL
    // drifts but the sender, port and seq stay; every answer is the same
    // host's. A TTL from another initial value is another sender's.
    let mut w = Wire::new();
    let mut frames = Vec::new();
    for (i, ttl) in [8u8, 8, 10, 8, 8].into_iter().enumerate() {
        frames.push(w.send(Pkt {
            ttl: Some(ttl),
            ip_id: Some(0x1252 + i as u16),
            ..pkt(true, 80, 1_388_789_261, 1_388_789_261, RST)
        }));
        w.wait(60_000 * MS);
    }
    let report = w.finish();
    for frame in frames {
        let r = reset(&report, frame);
        assert_eq!((r.origin, r.cause), (Origin::Client, Cause::ClosedSocket));
        assert_eq!(r.sub_cause, Some(SubCause::HalfOpen));
    }
    assert_eq!(report.incidents.len(), 1);

    let mut w = Wire::new();
    let mut frames = Vec::new();
    for ttl in [60u8, 60, 120, 60] {
        frames.push(w.send(Pkt {
            ttl: Some(ttl),
            ..pkt(true, 80, 1_388_789_261, 1_388_789_261, RST)
        }));
        w.wait(60_000 * MS);
    }
    let report = w.finish();
    let last = frames.last().copied().unwrap_or_default();
    assert_ne!(reset(&report, last).cause, Cause::ClosedSocket);
}

#[test]
fn test_closed_fin_then_resets_crossing_data() {
    // The server sends its last message and closes (FIN) while the
    // client's messages are in flight; they crossed both (their ack stops
    // before the server's message), and the server's stack, its socket
    // gone, resets each at its SEG.ACK with IP-IDs of another series: its
    // own answers, not a forger copying the client's ack.
    let mut w = Wire::new();
    w.background(30303, 5000);
    let (c, s) = w.handshake(30303, 100, 9000);
    let (c, s) = w.exchange(30303, c, s);
    w.wait(2 * MS);
    const LAST: &[u8] = b"devp2p disconnect: too many peers, going away now....";
    for (i, part) in [&LAST[..40], &LAST[40..]].into_iter().enumerate() {
        w.send(Pkt {
            payload: part,
            ip_id: Some(0x6577 + i as u16),
            ..pkt(false, 30303, s.wrapping_add(40 * i as u32), c, ACK | PSH)
        });
    }
    let fin = s.wrapping_add(LAST.len() as u32);
    w.send(Pkt {
        ip_id: Some(0x6579),
        ..pkt(false, 30303, fin, c, FIN | ACK)
    });
    // What each client segment acks: the server's message had arrived in
    // part, then whole, never the FIN.
    let acked = [s, s.wrapping_add(40), fin];
    let mut sent = c;
    for (len, ack) in [32u32, 1, 4].into_iter().zip(acked) {
        w.send(Pkt {
            payload: &b"devp2p message in flight........"[..len as usize],
            ..pkt(true, 30303, sent, ack, ACK | PSH)
        });
        sent = sent.wrapping_add(len);
        w.wait(MS / 10);
    }
    w.wait(RTT);
    let answers: Vec<u64> = acked
        .into_iter()
        .zip(0xb1ceu16..)
        .map(|(ack, id)| {
            w.send(Pkt {
                ip_id: Some(id),
                ..pkt(false, 30303, ack, 0, RST)
            })
        })
        .collect();
    let report = w.finish();
    let root = answers.first().copied().unwrap_or_default();
    for &frame in &answers {
        let r = reset(&report, frame);
        assert_eq!(
            verdict(r),
            (Sender::Server, Origin::Server, Cause::ClosedSocket),
            "{:?}",
            r.evidence
        );
        let linked = (frame != root).then_some(root);
        assert_eq!(r.consequence_of, linked);
    }
}

#[test]
fn test_closed_crossing_closes_each_side_answers_on_its_own() {
    // Both ends send a last message and close at once; the messages and
    // FINs cross. Each stack, its socket closed, answers the other's
    // message with a bare RST at its SEG.ACK. The server's answer follows
    // the client's reset in the capture, but answers a message the client
    // sent before it (one direction keeps its order): it is a root of its
    // own, not a consequence of the client's reset.
    let mut w = Wire::new();
    w.background(30303, 5000);
    let (c, s) = w.handshake(30303, 100, 9000);
    let (c, s) = w.exchange(30303, c, s);
    w.wait(2 * MS);
    const LAST: &[u8] = b"devp2p disconnect: going away now";
    let len = LAST.len() as u32;
    w.send(Pkt {
        payload: LAST,
        ..pkt(true, 30303, c, s, ACK | PSH)
    });
    w.send(pkt(true, 30303, c.wrapping_add(len), s, FIN | ACK));
    w.wait(MS);
    w.send(Pkt {
        payload: LAST,
        ..pkt(false, 30303, s, c, ACK | PSH)
    });
    w.send(pkt(false, 30303, s.wrapping_add(len), c, FIN | ACK));
    w.wait(MS / 10);
    let client_root = w.send(Pkt {
        ip_id: Some(0),
        ..pkt(true, 30303, c, 0, RST)
    });
    w.wait(RTT);
    let server_root = w.send(Pkt {
        ip_id: Some(0),
        ..pkt(false, 30303, s, 0, RST)
    });
    let report = w.finish();
    for (frame, sender, origin) in [
        (client_root, Sender::Client, Origin::Client),
        (server_root, Sender::Server, Origin::Server),
    ] {
        let r = reset(&report, frame);
        assert_eq!(
            verdict(r),
            (sender, origin, Cause::ClosedSocket),
            "{:?}",
            r.evidence
        );
        assert_eq!(r.consequence_of, None, "frame {frame}");
        assert_eq!(r.sub_cause, Some(SubCause::DataAfterClose));
    }
}

#[test]
fn test_refusal_form_lone_rst_ack_with_seq_zero() {
    // A slice of a busy link holds nothing of the connection but one
    // RST+ACK seq 0 ack N from port 49914 to port 3137: a stack refusing a
    // SYN sent before the capture began. Its sender is the responder,
    // though the ports alone would make port 3137 the server, and the
    // report says the refusal's numbers told the roles.
    let mut w = Wire::new();
    let refusal = w.send(Pkt {
        client_port: 3137,
        ..pkt(false, 49914, 0, 4_247_842_619, RST | ACK)
    });
    let report = w.finish();
    let r = reset(&report, refusal);
    assert_eq!(
        verdict(r),
        (Sender::Server, Origin::Server, Cause::Refused),
        "{:?} {:?}",
        r.evidence,
        report.connections
    );
    assert!(r
        .evidence
        .iter()
        .any(|e| e.finding.contains("refusing a SYN")));
    let [conn] = report.connections.as_slice() else {
        panic!("one connection: {:?}", report.connections);
    };
    assert_eq!(conn.server.to_string(), format!("{SERVER}:49914"));
    assert_eq!(conn.roles_from, "refusal");
}

/// A capture begun mid-flow holds only the client's ACK of a connection
/// and then its RST+ACK at the same sequence number (libtrace's
/// `fragtest` frame 1414): its socket aborting, as a lone RST+ACK with
/// live numbers is. One that misses the client's own next number is no
/// such continuation and stays unexplained.
#[test]
fn test_rst_ack_continuing_the_senders_own_packets_is_an_abort() {
    let mut w = Wire::new();
    let ack = |port: u16, seq: u32| Pkt {
        client_port: port,
        ..pkt(true, 80, seq, 2_946_754_748, ACK)
    };
    w.send(ack(54603, 2_425_233_109));
    let abort = w.send(Pkt {
        client_port: 54603,
        ..pkt(true, 80, 2_425_233_109, 2_946_754_748, RST | ACK)
    });
    w.wait(100 * MS);
    w.send(ack(54604, 1_000));
    let elsewhere = w.send(Pkt {
        client_port: 54604,
        ..pkt(true, 80, 9_000, 2_946_754_748, RST | ACK)
    });
    let report = w.finish();
    let r = reset(&report, abort);
    assert_eq!(
        verdict(r),
        (Sender::Client, Origin::Client, Cause::AppAbort)
    );
    assert!(r
        .evidence
        .iter()
        .any(|e| matches!(e.fact, Fact::AbortAfterOwn { .. })));
    assert_ne!(reset(&report, elsewhere).cause, Cause::AppAbort);
}

#[test]
fn test_abort_form_lone_rst_ack_with_live_numbers() {
    // A capture begun mid-flow holds nothing of the connection but one
    // RST+ACK with live numbers, client port 52615 to port 80: a socket
    // closing by abort. A seq-0 RST+ACK is the no-socket answer to a SYN,
    // and two ephemeral ports leave the roles, hence the cause, unknown.
    let mut w = Wire::new();
    let abort = w.send(Pkt {
        client_port: 52615,
        ..pkt(true, 80, 3_552_319_757, 174_485_452, RST | ACK)
    });
    w.wait(100 * MS);
    let refusal_form = w.send(Pkt {
        client_port: 52616,
        ..pkt(true, 80, 0, 174_485_452, RST | ACK)
    });
    w.wait(100 * MS);
    let ephemeral = w.send(Pkt {
        client_port: 53504,
        ..pkt(true, 54023, 3_903_104_816, 1_114_106_775, RST | ACK)
    });
    let report = w.finish();
    let r = reset(&report, abort);
    assert_eq!(
        verdict(r),
        (Sender::Client, Origin::Client, Cause::AppAbort)
    );
    assert_ne!(reset(&report, refusal_form).cause, Cause::AppAbort);
    assert_eq!(reset(&report, ephemeral).cause, Cause::Unknown);
}

/// Both FINs closed the connection; 16 s later a RST+ACK "from" the
/// server continues its final numbers with nothing prompting it (a NAT
/// gateway purging the closed flow, as in Zeek's `Teredo.pcap`). The
/// table has split it onto a new connection by then; the RST still reads
/// as a device's state expiring, even with the server's own TTL.
#[test]
fn test_time_wait_unprompted_rst_is_a_purge() {
    let mut w = Wire::new();
    w.background(80, 5000);
    let (c, s) = w.handshake(80, 100, 9000);
    let (c, s) = w.exchange(80, c, s);
    w.send(pkt(false, 80, s, c, FIN | ACK));
    w.send(pkt(true, 80, c, s.wrapping_add(1), FIN | ACK));
    w.send(pkt(false, 80, s.wrapping_add(1), c.wrapping_add(1), ACK));
    w.wait(16_000 * MS);
    let rst = w.send(pkt(
        false,
        80,
        s.wrapping_add(1),
        c.wrapping_add(1),
        RST | ACK,
    ));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_eq!(
        verdict(r),
        (Sender::Server, Origin::Middlebox, Cause::IdleTimeout)
    );
    assert_eq!(r.sub_cause, Some(SubCause::StateExpired));
}

/// The same silence after both FINs, but the RST's numbers are not the
/// closed connection's: nothing ties it to the flow that ended, so it is
/// no purge of it.
#[test]
fn test_time_wait_unrelated_rst_is_no_purge() {
    let mut w = Wire::new();
    w.background(80, 5000);
    let (c, s) = w.handshake(80, 100, 9000);
    let (c, s) = w.exchange(80, c, s);
    w.send(pkt(false, 80, s, c, FIN | ACK));
    w.send(pkt(true, 80, c, s.wrapping_add(1), FIN | ACK));
    w.send(pkt(false, 80, s.wrapping_add(1), c.wrapping_add(1), ACK));
    w.wait(16_000 * MS);
    let rst = w.send(pkt(false, 80, s.wrapping_add(70_000), c, RST | ACK));
    let report = w.finish();
    let r = reset(&report, rst);
    assert_ne!(r.sub_cause, Some(SubCause::StateExpired));
}
