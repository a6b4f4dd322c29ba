//! Frames do not depend on how the input is cut into chunks, or on whether
//! it is gzipped.

mod common;

use std::io::Write;

use common::{captures_dir, read_in_chunks};
use flate2::write::GzEncoder;
use flate2::Compression;

/// Small captures covering pcap (both byte orders, ns) and pcapng (several
/// interfaces and link types).
const FILES: &[&str] = &[
    "pcpp__nanosecs_big_endian.pcap",
    "tcpdump__tcp-handshake-nano.pcap",
    "zeek__pcapng-multi-interface.pcapng",
    "zeek__ldap__modify-request.pcapng",
    "pcpp__pcapng-example.pcapng",
];

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn shared(file: &str) -> Option<Vec<u8>> {
    Some(std::fs::read(captures_dir()?.join(file)).unwrap())
}

#[test]
fn chunk_size_does_not_change_frames() {
    for file in FILES {
        let Some(bytes) = shared(file) else { return };
        let (whole, expected) = read_in_chunks(&bytes, bytes.len());
        let whole = whole.unwrap();
        assert!(!expected.frames.is_empty(), "{file}");
        assert_eq!(whole.frames, expected.frames.len() as u64);
        for chunk in [1, 7, 4096] {
            let (summary, got) = read_in_chunks(&bytes, chunk);
            assert_eq!(summary.unwrap(), whole, "{file} in {chunk}-byte chunks");
            assert_eq!(got.frames, expected.frames, "{file} in {chunk}-byte chunks");
            assert!(got.warnings.is_empty(), "{file}: {:?}", got.warnings);
        }
    }
}

#[test]
fn gzipped_capture_gives_identical_frames() {
    for file in FILES {
        let Some(bytes) = shared(file) else { return };
        let (plain, expected) = read_in_chunks(&bytes, bytes.len());
        let compressed = gzip(&bytes);
        for chunk in [1, 7, 4096, compressed.len()] {
            let (summary, got) = read_in_chunks(&compressed, chunk);
            let summary = summary.unwrap();
            assert!(summary.compressed, "{file}");
            assert_eq!(summary.format, plain.as_ref().unwrap().format);
            assert_eq!(summary.bytes, compressed.len() as u64);
            assert_eq!(
                got.frames, expected.frames,
                "{file} gzipped, {chunk}-byte chunks"
            );
            assert!(got.warnings.is_empty(), "{file}: {:?}", got.warnings);
        }
    }
}

#[test]
fn concatenated_gzip_members_are_one_capture() {
    let Some(bytes) = shared("pcpp__pcapng-example.pcapng") else {
        return;
    };
    let (_, expected) = read_in_chunks(&bytes, bytes.len());
    // Cut mid-block on purpose: members need not align with records.
    let (first, second) = bytes.split_at(bytes.len() / 3);
    let mut compressed = gzip(first);
    compressed.extend(gzip(second));
    let (summary, got) = read_in_chunks(&compressed, 1000);
    summary.unwrap();
    assert_eq!(got.frames, expected.frames);
    assert!(got.warnings.is_empty(), "{:?}", got.warnings);
}

#[test]
fn read_all_reports_progress_up_to_the_input_size() {
    let Some(bytes) = shared("pcpp__pcapng-example.pcapng") else {
        return;
    };
    let mut sink = common::Recorder::default();
    let mut last = 0;
    let summary =
        rstscope_capture::read_all(bytes.as_slice(), &mut sink, |done| last = done).unwrap();
    assert_eq!(last, bytes.len() as u64);
    assert_eq!(summary.bytes, bytes.len() as u64);
    assert_eq!(summary.frames, sink.frames.len() as u64);
}
