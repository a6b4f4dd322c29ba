//! Per-packet cost of the core on realistic traffic: decoding alone, and the
//! whole analyzer (decode, track, attribute, report) on an in-memory stream
//! of frames, so no I/O or capture parsing is measured.
//!
//! `cargo bench -p rstscope-core --bench per_packet`. The stream is a
//! `rstscope-scenarios bulk` capture of `RSTSCOPE_BENCH_MIB` MiB (default 32:
//! about 40 000 frames, ~2 000 flows in progress). Criterion prints both
//! packets/s and bytes/s.

use std::hint::black_box;
use std::ops::Range;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rstscope_core::{decode, Analyzer, Config, Frame, LinkType};
use rstscope_scenarios::{bulk, Format};

/// A capture's frames: (time in ns, byte range in `bytes`).
struct Stream {
    bytes: Vec<u8>,
    frames: Vec<(i64, Range<usize>)>,
}

impl Stream {
    fn generate() -> Self {
        let mib: u64 = std::env::var("RSTSCOPE_BENCH_MIB")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(32);
        let mut bytes = Vec::new();
        bulk::bulk(&mut bytes, mib << 20, Format::Pcap, 1).expect("writes to memory");
        // Classic little-endian microsecond pcap: 24-byte file header, then
        // 16-byte record headers (seconds, microseconds, caplen, len).
        let mut frames = Vec::new();
        let mut at = 24;
        while at + 16 <= bytes.len() {
            let field = |i: usize| {
                let b = &bytes[at + 4 * i..at + 4 * i + 4];
                u32::from_le_bytes([b[0], b[1], b[2], b[3]])
            };
            let ts_ns = (i64::from(field(0)) * 1_000_000 + i64::from(field(1))) * 1_000;
            let len = field(2) as usize;
            frames.push((ts_ns, at + 16..at + 16 + len));
            at += 16 + len;
        }
        Self { bytes, frames }
    }

    fn throughput(&self) -> Throughput {
        Throughput::ElementsAndBytes {
            elements: self.frames.len() as u64,
            bytes: self.frames.iter().map(|(_, r)| r.len() as u64).sum(),
        }
    }
}

fn per_packet(c: &mut Criterion) {
    let stream = Stream::generate();
    let mut group = c.benchmark_group("core");
    group
        .throughput(stream.throughput())
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));

    group.bench_function("decode", |b| {
        b.iter(|| {
            for (_, range) in &stream.frames {
                let data = black_box(&stream.bytes[range.clone()]);
                let _ = black_box(decode::decode(LinkType::ETHERNET, data));
            }
        })
    });

    group.bench_function("analyzer", |b| {
        b.iter(|| {
            let mut analyzer = Analyzer::new(Config::default());
            for (number, (ts_ns, range)) in stream.frames.iter().enumerate() {
                let data = &stream.bytes[range.clone()];
                analyzer.push(&Frame {
                    number: number as u64 + 1,
                    ts_ns: *ts_ns,
                    link_type: LinkType::ETHERNET,
                    orig_len: data.len() as u32,
                    data,
                    process: None,
                });
            }
            black_box(analyzer.finish().report)
        })
    });
    group.finish();
}

criterion_group!(benches, per_packet);
criterion_main!(benches);
