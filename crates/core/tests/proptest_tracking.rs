//! Structured fuzzing of connection tracking: arbitrary interleavings of one
//! connection's segments (reordered, duplicated, around the 2^32 sequence
//! wrap, resets from both sides, time going backwards) never panic and give a
//! verdict for every RST.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;
use rstscope_core::decode::flags::{ACK, FIN, PSH, RST, SYN};
use rstscope_core::decode::{Encapsulation, IpInfo, LinkMeta, TcpOptions, TcpPacket, TcpSegment};
use rstscope_core::report::Report;
use rstscope_core::{Analyzer, Closing, Config};

const PAYLOAD: [u8; 64] = [0x41; 64];

/// One segment of the connection, before any reordering.
#[derive(Clone, Debug)]
struct Seg {
    from_client: bool,
    seq: u32,
    ack: u32,
    flags: u16,
    len: u16,
    ttl: u8,
    ip_id: u16,
    /// Nanoseconds after the previous segment; may be negative.
    dt: i64,
}

/// A plausible conversation: handshake, data both ways, a close or a reset,
/// with sequence numbers starting near the wrap.
fn conversation() -> impl Strategy<Value = Vec<Seg>> {
    (
        any::<u32>(),
        any::<u32>(),
        0usize..12,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(client_isn, server_isn, exchanges, server_resets, fin_first)| {
                let (mut c, mut s) = (client_isn, server_isn);
                let mut segs = vec![
                    seg(true, c, 0, SYN, 0),
                    seg(false, s, c.wrapping_add(1), SYN | ACK, 0),
                    seg(true, c.wrapping_add(1), s.wrapping_add(1), ACK, 0),
                ];
                c = c.wrapping_add(1);
                s = s.wrapping_add(1);
                for i in 0..exchanges {
                    let len = 100 + (i as u16 * 137) % 1400;
                    segs.push(seg(true, c, s, PSH | ACK, len));
                    c = c.wrapping_add(u32::from(len));
                    segs.push(seg(false, s, c, PSH | ACK, len / 2));
                    s = s.wrapping_add(u32::from(len / 2));
                }
                if fin_first {
                    segs.push(seg(true, c, s, FIN | ACK, 0));
                    c = c.wrapping_add(1);
                }
                segs.push(if server_resets {
                    seg(false, s, c, RST | ACK, 0)
                } else {
                    seg(true, c, s, RST, 0)
                });
                segs
            },
        )
}

fn seg(from_client: bool, seq: u32, ack: u32, flags: u16, len: u16) -> Seg {
    Seg {
        from_client,
        seq,
        ack,
        flags,
        len,
        ttl: if from_client { 64 } else { 52 },
        ip_id: 0,
        dt: 20_000_000,
    }
}

/// Entirely arbitrary segments of the same 4-tuple.
fn arbitrary_segments() -> impl Strategy<Value = Vec<Seg>> {
    prop::collection::vec(
        (
            any::<bool>(),
            any::<u32>(),
            any::<u32>(),
            0u16..0x200,
            0u16..2000,
            any::<u8>(),
            any::<u16>(),
            -5_000_000_000i64..500_000_000_000,
        )
            .prop_map(|(from_client, seq, ack, flags, len, ttl, ip_id, dt)| Seg {
                from_client,
                seq,
                ack,
                flags,
                len,
                ttl,
                ip_id,
                dt,
            }),
        1..60,
    )
}

/// Reorders, duplicates and re-times a conversation.
fn mangled() -> impl Strategy<Value = Vec<Seg>> {
    conversation().prop_flat_map(|segs| {
        let n = segs.len();
        (
            Just(segs),
            prop::collection::vec((0..n, 0..n), 0..8),
            prop::collection::vec(0..n, 0..4),
            prop::collection::vec(-50_000_000i64..400_000_000_000, n..=n),
        )
            .prop_map(|(mut segs, swaps, dups, times)| {
                for (a, b) in swaps {
                    segs.swap(a, b);
                }
                for d in dups {
                    let copy = segs[d].clone();
                    segs.insert(d, copy);
                }
                for (s, dt) in segs.iter_mut().zip(times) {
                    s.dt = dt;
                }
                segs
            })
    })
}

fn run(segs: &[Seg], ipv6: bool) -> Report {
    let (client, server) = if ipv6 {
        (
            IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
            IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2)),
        )
    } else {
        (
            IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
            IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)),
        )
    };
    let mut analyzer = Analyzer::new(Config::default());
    let mut now = 1_700_000_000_000_000_000i64;
    for (i, s) in segs.iter().enumerate() {
        now = now.saturating_add(s.dt);
        let (src, dst, sport, dport) = if s.from_client {
            (client, server, 40000, 443)
        } else {
            (server, client, 443, 40000)
        };
        let ip = ((!ipv6).then_some(s.ip_id), true);
        let packet = packet(s, (src, sport), (dst, dport), ip, TcpOptions::default());
        analyzer.push_packet(i as u64 + 1, now, &packet);
    }
    analyzer.finish().report
}

/// `s` sent from `src` to `dst`, with `ip`'s IP ID and DF bit, and TCP
/// `options`.
fn packet(
    s: &Seg,
    (src, src_port): (IpAddr, u16),
    (dst, dst_port): (IpAddr, u16),
    (id, dont_fragment): (Option<u16>, bool),
    options: TcpOptions,
) -> TcpPacket<'static> {
    let captured = usize::from(s.len).min(PAYLOAD.len());
    TcpPacket {
        ip: IpInfo {
            src,
            dst,
            ttl: s.ttl,
            id,
            dont_fragment,
            tos: 0,
        },
        tcp: TcpSegment {
            src_port,
            dst_port,
            seq: s.seq,
            ack: s.ack,
            flags: s.flags,
            window: 502,
            options,
            payload: &PAYLOAD[..captured],
            payload_len: u32::from(s.len),
        },
        encapsulation: Encapsulation::new(),
        link: LinkMeta::default(),
        fragmented: false,
        flow: None,
    }
}

/// Every RST fed in has exactly one verdict, in range, tied to a listed connection.
fn check(segs: &[Seg], report: &Report) -> Result<(), TestCaseError> {
    let rst_frames: Vec<u64> = segs
        .iter()
        .enumerate()
        .filter(|(_, s)| s.flags & RST != 0)
        .map(|(i, _)| i as u64 + 1)
        .collect();
    let reported: Vec<u64> = report.resets.iter().map(|r| r.frame).collect();
    prop_assert_eq!(&reported, &rst_frames);
    for reset in &report.resets {
        prop_assert!(
            (0.0..=1.0).contains(&reset.confidence),
            "confidence {}",
            reset.confidence
        );
        if let Some(id) = reset.connection {
            let conn = report.connections.iter().find(|c| c.id == id);
            prop_assert!(conn.is_some_and(|c| c.resets.contains(&reset.frame)));
        }
    }
    Ok(())
}

/// One packet among many connections: a flood's and a scan's SYNs among
/// ordinary segments, on few enough ports that pairs come back.
#[derive(Clone, Debug)]
struct PairSeg {
    pair: u8,
    seg: Seg,
    /// Window scale and timestamps offered (a SYN's options).
    options: bool,
}

fn pair_segments() -> impl Strategy<Value = Vec<PairSeg>> {
    let flags = prop::sample::select(vec![
        SYN,
        SYN,
        SYN,
        SYN | ACK,
        ACK,
        PSH | ACK,
        FIN | ACK,
        RST,
        RST | ACK,
        SYN | FIN,
        SYN | RST,
        0,
    ]);
    let fields = (
        any::<bool>(),
        0u32..4,
        flags,
        prop::sample::select(vec![0u16, 0, 0, 100]),
        prop::sample::select(vec![
            -1_000_000_000i64,
            0,
            1_000_000,
            1_000_000_000,
            6_000_000_000,
            40_000_000_000,
            70_000_000_000,
        ]),
    );
    prop::collection::vec(
        (0u8..40, fields, any::<bool>()).prop_map(
            |(pair, (from_client, seq, flags, len, dt), options)| PairSeg {
                pair,
                seg: Seg {
                    dt,
                    ..seg(from_client, seq.wrapping_mul(1000), seq, flags, len)
                },
                options,
            },
        ),
        1..300,
    )
}

/// The report of `segs` over their pairs, with a table of 16 connections
/// (evictions come soon) and 24 listed, the rest as in `base`.
fn run_pairs(segs: &[PairSeg], base: Config) -> Report {
    fed_pairs(segs, base).finish().report
}

/// An analyzer fed `segs` as [`run_pairs`] feeds them, not finished.
fn fed_pairs(segs: &[PairSeg], base: Config) -> Analyzer {
    let config = Config {
        max_connections: 16,
        max_hosts: 16,
        max_listed_connections: 24,
        ..base
    };
    let mut analyzer = Analyzer::new(config);
    let mut now = 1_700_000_000_000_000_000i64;
    for (
        i,
        PairSeg {
            pair,
            seg: s,
            options,
        },
    ) in segs.iter().enumerate()
    {
        now = now.saturating_add(s.dt);
        // Clients share addresses and the server's port: they open
        // connections in parallel.
        let (client, server) = match pair % 5 {
            0 => (
                IpAddr::V6(Ipv6Addr::new(
                    0x2001,
                    0xdb8,
                    0,
                    0,
                    0,
                    0,
                    0,
                    u16::from(*pair),
                )),
                IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 2)),
            ),
            _ => (
                IpAddr::V4(Ipv4Addr::new(10, 0, 0, pair % 3)),
                IpAddr::V4(Ipv4Addr::new(10, 0, 1, 1)),
            ),
        };
        let (cport, sport) = (40000 + u16::from(pair / 3), 80);
        let (src, dst, sport, dport) = if s.from_client {
            (client, server, cport, sport)
        } else {
            (server, client, sport, cport)
        };
        let options = TcpOptions {
            window_scale: options.then_some(7),
            timestamps: options.then_some((s.seq, s.ack)),
            mss: options.then_some(1460),
            ..TcpOptions::default()
        };
        let ip = (src.is_ipv4().then_some(s.seq as u16), s.seq % 2 == 0);
        let packet = packet(s, (src, sport), (dst, dport), ip, options);
        analyzer.push_packet(i as u64 + 1, now, &packet);
    }
    analyzer
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// A connection's first SYN may wait as an embryo: the report is the
    /// same as with every connection tracked in full from its first
    /// packet, evictions, port reuse and pairs coming back included.
    #[test]
    fn connections_that_wait_as_embryos_report_as_tracked_in_full(segs in pair_segments()) {
        let full = Config { embryos: false, ..Config::default() };
        prop_assert_eq!(run_pairs(&segs, Config::default()), run_pairs(&segs, full));
    }

    /// The comparison's trace records an embryo's packets as it would
    /// record the full connection's: the same trace and report.
    #[test]
    fn traced_connections_that_wait_as_embryos_trace_as_tracked_in_full(segs in pair_segments()) {
        let full = Config { embryos: false, ..Config::traced() };
        let embryos = fed_pairs(&segs, Config::traced()).finish();
        let full = fed_pairs(&segs, full).finish();
        prop_assert_eq!(&embryos.report, &full.report);
        prop_assert!(embryos.trace == full.trace, "traces differ");
    }

    /// The connections still open at the end, judged and listed in
    /// parts run in reverse, and the resets judged before, their report
    /// entries made in parts run in reverse, give the report of one run:
    /// the parts depend on nothing another part writes (24 listed: often
    /// reached).
    #[test]
    fn open_connections_closed_in_parts_report_as_in_one(segs in pair_segments(), parts in 2usize..6) {
        let whole = run_pairs(&segs, Config::default());
        let in_parts = fed_pairs(&segs, Config::default()).finish_in_parts(parts, |closings| {
            closings.iter_mut().rev().for_each(Closing::run)
        });
        prop_assert_eq!(whole, in_parts.report);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn reordered_duplicated_conversations_give_a_verdict_per_rst(segs in mangled(), ipv6 in any::<bool>()) {
        check(&segs, &run(&segs, ipv6))?;
    }

    #[test]
    fn arbitrary_segments_of_one_connection_give_a_verdict_per_rst(segs in arbitrary_segments(), ipv6 in any::<bool>()) {
        check(&segs, &run(&segs, ipv6))?;
    }

    #[test]
    fn in_order_conversations_give_a_verdict_per_rst(segs in conversation()) {
        let report = run(&segs, false);
        check(&segs, &report)?;
        // An orderly conversation with a handshake has its roles from the handshake.
        prop_assert_eq!(report.connections.len(), 1);
        prop_assert_eq!(&*report.connections[0].roles_from, "handshake");
    }
}
