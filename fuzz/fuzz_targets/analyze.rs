//! A sequence of frames built from the input, pushed into the `Analyzer`,
//! then `finish()` and JSON serialisation of the report.
//!
//! The first byte picks the format: odd, frames as a capture holds them
//! (`FrameRecord`s: seeds are real captures' and the generator's
//! scenarios' frames), with small limits when bit 1 is set; even, a
//! `Plan` the fuzzer builds step by step, as below.
//!
//! Frames are mostly well-formed TCP over Ethernet between a small pool of
//! endpoints (so 4-tuples repeat, in both directions, with any flags, sequence
//! numbers and options), mixed with raw frames of any link type, reader
//! warnings, and clock steps that may go backwards or jump to the ends of the
//! i64 range. A small `Config` makes flow and warning limits kick in.
#![no_main]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use rstscope_core::report::{Warning, WarningKind};
use rstscope_core::{Analyzer, Config, Frame};
use rstscope_fuzz_common::{link_type, FrameRecord, TcpFrame};

#[derive(Arbitrary, Debug)]
struct Plan {
    max_connections: u8,
    max_warnings: u8,
    max_hosts: u8,
    max_listed_connections: u8,
    steps: Vec<Step>,
}

#[derive(Arbitrary, Debug)]
enum Step {
    Tcp(Segment),
    /// Any bytes, as a frame of any link type.
    Raw {
        link: u8,
        data: Vec<u8>,
    },
    /// A warning from the capture reader.
    Warning {
        kind: u8,
        frame: Option<u64>,
    },
    /// The clock moves by this many microseconds (negative: backwards).
    Clock(i32),
    /// The clock jumps to any value, including i64::MIN and i64::MAX.
    ClockJump(i64),
}

#[derive(Arbitrary, Debug)]
struct Segment {
    /// Which of 16 connections (8 IPv4, 8 IPv6); some share a server port.
    flow: u8,
    /// Sent by the server rather than the client.
    reply: bool,
    flags: u16,
    seq: u32,
    ack: u32,
    window: u16,
    ttl: u8,
    ip_id: u16,
    options: Vec<u8>,
    payload: Vec<u8>,
    /// Cut the frame to this many bytes (a snaplen), if shorter.
    snap: Option<u16>,
}

impl Segment {
    fn frame(&self) -> Vec<u8> {
        let index = self.flow % 8;
        let (client, server): (IpAddr, IpAddr) = if self.flow & 8 == 0 {
            (
                Ipv4Addr::new(10, 0, 0, index).into(),
                Ipv4Addr::new(192, 0, 2, index % 2).into(),
            )
        } else {
            (
                Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, index.into()).into(),
                Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, (index % 2).into()).into(),
            )
        };
        let (client_port, server_port) = (40_000 + u16::from(index / 2), 443);
        let (src, dst, src_port, dst_port) = if self.reply {
            (server, client, server_port, client_port)
        } else {
            (client, server, client_port, server_port)
        };
        let mut bytes = TcpFrame {
            src,
            dst,
            src_port,
            dst_port,
            seq: self.seq,
            ack: self.ack,
            flags: self.flags & 0x1ff,
            window: self.window,
            ttl: self.ttl,
            ip_id: self.ip_id,
            options: &self.options,
            payload: &self.payload,
        }
        .to_ethernet();
        if let Some(snap) = self.snap {
            bytes.truncate(usize::from(snap));
        }
        bytes
    }
}

const WARNING_KINDS: [WarningKind; 4] = [
    WarningKind::CorruptBlock,
    WarningKind::TruncatedRecord,
    WarningKind::TruncatedGzip,
    WarningKind::Decode,
];

fuzz_target!(|input: &[u8]| {
    let Some((&mode, rest)) = input.split_first() else {
        return;
    };
    if mode & 1 == 1 {
        run_frames(mode & 2 != 0, rest);
    } else if let Ok(plan) = Plan::arbitrary_take_rest(Unstructured::new(rest)) {
        run_plan(&plan);
    }
});

fn run_frames(small: bool, input: &[u8]) {
    let config = if small {
        Config {
            max_connections: 4,
            max_warnings: 4,
            max_hosts: 4,
            max_listed_connections: 4,
            ..Config::default()
        }
    } else {
        Config::default()
    };
    let mut analyzer = Analyzer::new(config);
    let mut ts_ns: i64 = 1_700_000_000_000_000_000;
    let records = FrameRecord::read_all(input);
    for (number, record) in (1..).zip(&records) {
        ts_ns = ts_ns.saturating_add(i64::from(record.gap_us) * 1000);
        analyzer.push(&Frame {
            number,
            ts_ns,
            link_type: link_type(record.selector),
            orig_len: record.data.len() as u32,
            data: record.data,
            process: None,
        });
    }
    check(analyzer, records.len() as u64);
}

fn run_plan(plan: &Plan) {
    // Limits added to `Config` later keep their defaults until listed here.
    #[allow(clippy::needless_update)]
    let mut analyzer = Analyzer::new(Config {
        max_connections: usize::from(plan.max_connections),
        max_warnings: usize::from(plan.max_warnings),
        max_hosts: usize::from(plan.max_hosts),
        max_listed_connections: usize::from(plan.max_listed_connections),
        ..Config::default()
    });
    let mut ts_ns: i64 = 1_700_000_000_000_000_000;
    let mut frames = 0u64;
    for step in &plan.steps {
        let (link_type, data, orig_len) = match step {
            Step::Tcp(segment) => {
                let data = segment.frame();
                let orig_len = data.len() + segment.payload.len();
                (rstscope_core::LinkType::ETHERNET, data, orig_len)
            }
            Step::Raw { link, data } => (link_type(*link), data.clone(), data.len()),
            Step::Warning { kind, frame } => {
                analyzer.warn(Warning {
                    kind: WARNING_KINDS[usize::from(*kind) % WARNING_KINDS.len()],
                    frame: *frame,
                    offset: None,
                    message: "from the fuzzer".into(),
                });
                continue;
            }
            Step::Clock(micros) => {
                ts_ns = ts_ns.saturating_add(i64::from(*micros) * 1000);
                continue;
            }
            Step::ClockJump(to) => {
                ts_ns = *to;
                continue;
            }
        };
        frames += 1;
        analyzer.push(&Frame {
            number: frames,
            ts_ns,
            link_type,
            orig_len: u32::try_from(orig_len).unwrap_or(u32::MAX),
            data: &data,
            process: None,
        });
    }
    check(analyzer, frames);
}

/// The report counts every frame and serialises.
fn check(analyzer: Analyzer, frames: u64) {
    let report = analyzer.finish().report;
    assert_eq!(
        report.capture.packets, frames,
        "the report counts every frame"
    );
    assert!(report.capture.tcp_packets <= frames);
    serde_json::to_string(&report).expect("a report always serialises");
}
