//! Synthetic captures exercise the format corners the shared files lack.

mod common;

use std::time::Duration;

use common::{read_in_chunks, NgFile, PcapFile, Seen};
use pcap_file::pcap::{PcapHeader, PcapTsResolution};
use pcap_file::{DataLink, Endianness};
use rstscope_capture::Format;

/// (number, ts_ns, link type, orig_len, captured length) of each frame.
fn summary(frames: &[Seen]) -> Vec<(u64, i64, u32, u32, usize)> {
    frames
        .iter()
        .map(|f| (f.number, f.ts_ns, f.link_type, f.orig_len, f.captured))
        .collect()
}

#[test]
fn big_endian_nanosecond_pcap_with_fcs_bits() {
    // Link type 1 with "FCS length 4 present" in the upper bits; snaplen 64.
    let mut file = PcapFile::with_header(PcapHeader {
        snaplen: 64,
        datalink: DataLink::from(0x4400_0001),
        ts_resolution: PcapTsResolution::NanoSecond,
        endianness: Endianness::Big,
        ..PcapHeader::default()
    });
    file.record(1_700_000_000, 123_456_789, &[7; 60], 1514);
    // Longer than the snaplen, as some real writers produce: still read.
    file.record(1_700_000_001, 999_999_999, &[8; 100], 100);
    let file = file.bytes();
    let (result, sink) = read_in_chunks(&file, 9);
    let result = result.unwrap();
    assert_eq!(
        result.format,
        Format::Pcap {
            nanosecond: true,
            big_endian: true
        }
    );
    assert!(!result.compressed);
    assert_eq!(
        summary(&sink.frames),
        [
            (1, 1_700_000_000_123_456_789, 1, 1514, 60),
            (2, 1_700_000_001_999_999_999, 1, 100, 100)
        ]
    );
    assert!(sink.warnings.is_empty());
}

#[test]
fn pcapng_sections_interfaces_and_packet_block_kinds() {
    // Section 1, little-endian: nanosecond ethernet and binary-resolution raw IP with an offset.
    let mut ng = NgFile::new(false);
    ng.interface(1, 0, Some(9), None)
        .interface(101, 0, Some(0x80 | 20), Some(1000))
        .packet(0, Duration::from_nanos(1_700_000_000_123_456_789), &[1; 50])
        // 5.5 s after the interface's 1000 s offset, in 2^-20 s units.
        .packet(1, Duration::from_millis(1_005_500), &[2; 41])
        .unknown(0x0000_0BAD, &[0xee; 20]) // skipped, not numbered
        .simple_packet(30, &[3; 30])
        .old_packet(1, Duration::from_secs(1_001), &[4; 20], 60);
    // Section 2, big-endian: its interfaces replace section 1's.
    ng.section(true)
        .interface(113, 32, None, None)
        .packet(0, Duration::from_micros(1_700_000_000_000_001), &[5; 44])
        // A simple packet: wire length 50, cut to the interface's snaplen of 32.
        .simple_packet(50, &[6; 32]);
    let mut file = ng.bytes();

    let expected = [
        (1, 1_700_000_000_123_456_789, 1, 50, 50),
        (2, 1_005_500_000_000, 101, 41, 41),
        (3, 1_005_500_000_000, 1, 30, 30), // SPB: interface 0, previous frame's time
        (4, 1_001_000_000_000, 101, 60, 20),
        (5, 1_700_000_000_000_001_000, 113, 44, 44),
        (6, 1_700_000_000_000_001_000, 113, 50, 32),
    ];
    for chunk in [1, 5, file.len()] {
        let (result, sink) = read_in_chunks(&file, chunk);
        assert_eq!(result.unwrap().format, Format::PcapNg);
        assert_eq!(summary(&sink.frames), expected, "{chunk}-byte chunks");
        assert!(sink.warnings.is_empty(), "{:?}", sink.warnings);
    }

    // Interface 1 belonged to section 1 only (the block comes from a
    // section that has one).
    let mut other = NgFile::new(true);
    other
        .interface(1, 0, None, None)
        .interface(1, 0, None, None);
    let start = other.len();
    other.packet(1, Duration::ZERO, &[7; 40]);
    file.extend_from_slice(&other.bytes()[start..]);
    let (result, sink) = read_in_chunks(&file, file.len());
    result.unwrap();
    assert_eq!(sink.frames.len(), 6);
    let [warning] = sink.warnings.as_slice() else {
        panic!("{:?}", sink.warnings)
    };
    assert_eq!(
        (warning.kind.as_str(), warning.frame),
        ("corrupt-block", Some(7))
    );
    assert!(warning.message.contains("interface 1"), "{warning:?}");
}

#[test]
fn epb_claiming_more_bytes_than_its_block_is_corruption() {
    let mut ng = NgFile::new(false);
    ng.interface(1, 0, None, None)
        .packet(0, Duration::ZERO, &[1; 40]);
    let bad_at = ng.len();
    ng.packet(0, Duration::ZERO, &[2; 40]);
    let mut file = ng.bytes();
    // The captured length: after the block header, interface and timestamp.
    let captured_len = bad_at + 8 + 12;
    file[captured_len..captured_len + 4].copy_from_slice(&4000u32.to_le_bytes());
    let bad_at = bad_at as u64;
    let (result, sink) = read_in_chunks(&file, 3);
    result.unwrap();
    assert_eq!(sink.frames.len(), 1);
    let [warning] = sink.warnings.as_slice() else {
        panic!("{:?}", sink.warnings)
    };
    assert_eq!(
        (warning.kind.as_str(), warning.frame, warning.offset),
        ("corrupt-block", Some(2), Some(bad_at))
    );
}
