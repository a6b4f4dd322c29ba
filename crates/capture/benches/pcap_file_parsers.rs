//! pcap-file 3's slice parsers (`PcapParser`, `PcapNgParser`) in a streaming
//! loop of their own — 1 MiB chunks, a unit cut by a chunk boundary carried
//! over — against the whole reader (which reads pcap records with
//! `PcapParser` and pcapng blocks with its own parser), on the same bulk
//! captures and counting sink. Before timing, both read every plain shared
//! real capture and the frame counts are compared, to show where the
//! parsers part ways with what real files hold.
//!
//! `cargo bench -p rstscope-capture --bench pcap_file_parsers`; the input
//! size is `RSTSCOPE_BENCH_MIB` MiB (default 32). Behind the "pcap-file"
//! section of ARCHITECTURE.md.

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use pcap_file::pcap::{PcapParseError, PcapParser};
use pcap_file::pcapng::{Block, PcapNgParseError, PcapNgParser};
use rstscope_capture::Sink;
use rstscope_core::{Frame, LinkType};
use rstscope_scenarios::{bulk, Format};

mod common;

use common::{Count, CHUNK};

/// How much of the next chunk a carried-over unit may take (bulk frames are
/// far smaller; real ones up to 256 KiB).
const CARRY: usize = 1 << 18;

/// A frame as the reader would hand it to the sink.
fn push(count: &mut Count, ts_ns: i64, link_type: u32, orig_len: u32, data: &[u8]) {
    count.frame(&Frame {
        number: count.frames + 1,
        ts_ns,
        link_type: LinkType(link_type),
        orig_len,
        data,
        process: None,
    });
}

fn framer(input: &[u8]) -> Result<Count, String> {
    common::read(input)
}

/// What one call of a slice parser gave.
enum Step {
    /// A unit was read; this many bytes of the input remain.
    Unit(usize),
    Incomplete,
    Failed(String),
}

/// The parsers' streaming loop: units straight from each chunk, a unit
/// that straddles two chunks assembled in `carry`.
fn stream(input: &[u8], mut next: impl FnMut(&[u8], &mut Count) -> Step) -> Result<Count, String> {
    let mut count = Count::default();
    let mut carry: Vec<u8> = Vec::new();
    for chunk in input.chunks(CHUNK) {
        let mut data = chunk;
        while !carry.is_empty() {
            let take = data.len().min(CARRY);
            carry.extend_from_slice(&data[..take]);
            match next(&carry, &mut count) {
                Step::Unit(rest) => {
                    data = &data[take - rest.min(take)..];
                    carry.clear();
                }
                Step::Incomplete => {
                    data = &data[take..];
                    if data.is_empty() {
                        break;
                    }
                }
                Step::Failed(why) => return Err(why),
            }
        }
        while !data.is_empty() {
            match next(data, &mut count) {
                Step::Unit(rest) => data = &data[data.len() - rest..],
                Step::Incomplete => {
                    carry.extend_from_slice(data);
                    break;
                }
                Step::Failed(why) => return Err(why),
            }
        }
    }
    match carry.is_empty() {
        true => Ok(count),
        false => Err(format!("{} bytes left in a cut unit", carry.len())),
    }
}

/// Classic pcap through `PcapParser`'s raw path (the typed one refuses
/// records longer than the snaplen, which real files hold).
fn pcap_file_pcap(input: &[u8]) -> Result<Count, String> {
    let (records, parser) = PcapParser::new(input).map_err(|e| e.to_string())?;
    let header = parser.header();
    let nanos = header.ts_resolution == pcap_file::pcap::PcapTsResolution::NanoSecond;
    let link_type = u32::from(header.datalink);
    let header_len = input.len() - records.len();
    stream(&input[header_len..], |data, count| {
        match parser.next_raw_packet(data) {
            Ok((rest, packet)) => {
                let fraction = i64::from(packet.ts_frac) * if nanos { 1 } else { 1_000 };
                let ts_ns = i64::from(packet.ts_sec) * 1_000_000_000 + fraction;
                push(count, ts_ns, link_type, packet.orig_len, &packet.data);
                Step::Unit(rest.len())
            }
            Err(PcapParseError::IncompleteBuffer(..)) => Step::Incomplete,
            Err(e) => Step::Failed(e.to_string()),
        }
    })
}

/// pcapng through `PcapNgParser`'s typed blocks (the raw ones would leave
/// every packet block to be decoded here).
fn pcap_file_pcapng(input: &[u8]) -> Result<Count, String> {
    let (blocks, mut parser) = PcapNgParser::new(input).map_err(|e| e.to_string())?;
    let header_len = input.len() - blocks.len();
    stream(&input[header_len..], |data, count| {
        match parser.next_block(data) {
            Ok((rest, block)) => {
                let rest = rest.len();
                if let Block::EnhancedPacket(packet) = block {
                    let link_type = parser
                        .packet_interface(&packet)
                        .map_or(0, |i| u32::from(i.linktype));
                    let ts_ns = i64::try_from(packet.timestamp.as_nanos()).unwrap_or(i64::MAX);
                    push(count, ts_ns, link_type, packet.original_len, &packet.data);
                }
                Step::Unit(rest)
            }
            Err(PcapNgParseError::IncompleteBuffer(..)) => Step::Incomplete,
            Err(e) => Step::Failed(e.to_string()),
        }
    })
}

fn pcap_file(input: &[u8]) -> Result<Count, String> {
    match input.get(..4) {
        Some([0x0a, 0x0d, 0x0d, 0x0a]) => pcap_file_pcapng(input),
        _ => pcap_file_pcap(input),
    }
}

/// Every plain (not gzipped, not ERF) shared capture read both ways.
fn compare_on_real_captures() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/captures");
    let mut paths: Vec<_> = [dir.clone(), dir.join("linktypes")]
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| {
            ["pcap", "pcapng", "cap"]
                .iter()
                .any(|x| p.extension().is_some_and(|e| e == *x))
        })
        .collect();
    if paths.is_empty() {
        println!("SKIPPED: ../shared/captures not found");
        return;
    }
    paths.sort();
    let (mut same, mut differ) = (0, Vec::new());
    for path in &paths {
        let bytes = std::fs::read(path).expect("readable");
        let ours = framer(&bytes).map(|c| c.frames);
        let theirs = pcap_file(&bytes).map(|c| c.frames);
        if ours == theirs {
            same += 1;
        } else {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            differ.push(format!("{name}: framer {ours:?}, pcap-file {theirs:?}"));
        }
    }
    println!("real captures: {same} of {} read alike", paths.len());
    for line in differ {
        println!("  {line}");
    }
}

fn parsers(c: &mut Criterion) {
    compare_on_real_captures();
    let mib: u64 = std::env::var("RSTSCOPE_BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32);
    let mut group = c.benchmark_group("reader");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for (name, format) in [("pcap", Format::Pcap), ("pcapng", Format::PcapNg)] {
        let mut input = Vec::new();
        bulk::bulk(&mut input, mib << 20, format, 1).expect("writes to memory");
        let frames = framer(&input).expect("a capture").frames;
        assert_eq!(pcap_file(&input).expect("a capture").frames, frames);
        group.throughput(Throughput::ElementsAndBytes {
            elements: frames,
            bytes: input.len() as u64,
        });
        group.bench_function(format!("{name}/framer"), |b| {
            b.iter(|| black_box(framer(black_box(&input))))
        });
        group.bench_function(format!("{name}/pcap-file"), |b| {
            b.iter(|| black_box(pcap_file(black_box(&input))))
        });
    }
    group.finish();
}

criterion_group!(benches, parsers);
criterion_main!(benches);
