//! Capture parsing throughput: pcap, pcapng and gzipped pcap, fed in 1 MiB
//! chunks (as the CLI and the web worker do) to a sink that only counts, so
//! the figure is the reader's own cost, without the analyzer.
//!
//! `cargo bench -p rstscope-capture --bench parse`. The input is a
//! `rstscope-scenarios bulk` capture of `RSTSCOPE_BENCH_MIB` MiB (default 32).
//! Throughput is in bytes of the file as read (compressed bytes for gzip)
//! and in frames.

use std::hint::black_box;
use std::io::Write;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flate2::write::GzEncoder;
use flate2::Compression;
use rstscope_scenarios::{bulk, Format};

mod common;

use common::Count;

/// The reader over a generated capture, which reads without warnings.
fn read(input: &[u8]) -> Count {
    let count = common::read(input).expect("a capture");
    assert_eq!(
        count.warnings, 0,
        "a generated capture reads without warnings"
    );
    count
}

fn parse(c: &mut Criterion) {
    let mib: u64 = std::env::var("RSTSCOPE_BENCH_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(32);
    let capture = |format| {
        let mut out = Vec::new();
        bulk::bulk(&mut out, mib << 20, format, 1).expect("writes to memory");
        out
    };
    let pcap = capture(Format::Pcap);
    let pcapng = capture(Format::PcapNg);
    let mut gzip = GzEncoder::new(Vec::new(), Compression::default());
    gzip.write_all(&pcap).expect("in memory");
    let gzip = gzip.finish().expect("in memory");

    let mut group = c.benchmark_group("capture");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for (name, input) in [("pcap", &pcap), ("pcapng", &pcapng), ("pcap.gz", &gzip)] {
        let frames = read(input).frames;
        group.throughput(Throughput::ElementsAndBytes {
            elements: frames,
            bytes: input.len() as u64,
        });
        group.bench_function(name, |b| b.iter(|| black_box(read(black_box(input)))));
    }
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
