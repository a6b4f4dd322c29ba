//! Synthetic captures exercise the format corners the shared files lack.

mod common;

use common::{
    epb_body, idb_body, idb_with_snaplen, ng_block, read_in_chunks, shb_body, Fields, Seen,
};
use rstscope_capture::Format;

const SHB: u32 = 0x0A0D_0D0A;
const IDB: u32 = 1;
const PB: u32 = 2;
const SPB: u32 = 3;
const EPB: u32 = 6;

/// (number, ts_ns, link type, orig_len, captured length) of each frame.
fn summary(frames: &[Seen]) -> Vec<(u64, i64, u32, u32, usize)> {
    frames
        .iter()
        .map(|f| (f.number, f.ts_ns, f.link_type, f.orig_len, f.captured))
        .collect()
}

#[test]
fn big_endian_nanosecond_pcap_with_fcs_bits() {
    let record = |seconds: u32, nanos: u32, data: &[u8], orig: u32| {
        let mut out = Fields::new(true)
            .u32(seconds)
            .u32(nanos)
            .u32(data.len() as u32)
            .u32(orig)
            .bytes;
        out.extend_from_slice(data);
        out
    };
    // Link type 1 with "FCS length 4 present" in the upper bits; snaplen 64.
    let mut file = Fields::new(true)
        .u32(0xa1b2_3c4d)
        .u16(2)
        .u16(4)
        .u32(0)
        .u32(0)
        .u32(64)
        .u32(0x4400_0001)
        .bytes;
    file.extend(record(1_700_000_000, 123_456_789, &[7; 60], 1514));
    // Longer than the snaplen, as some real writers produce: still read.
    file.extend(record(1_700_000_001, 999_999_999, &[8; 100], 100));
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
    let mut file = Vec::new();
    // Section 1, little-endian: nanosecond ethernet and binary-resolution raw IP with an offset.
    ng_block(&mut file, false, SHB, &shb_body(false));
    ng_block(&mut file, false, IDB, &idb_body(false, 1, Some(9), None));
    ng_block(
        &mut file,
        false,
        IDB,
        &idb_body(false, 101, Some(0x80 | 20), Some(1000)),
    );
    ng_block(
        &mut file,
        false,
        EPB,
        &epb_body(false, 0, 1_700_000_000_123_456_789, &[1; 50]),
    );
    ng_block(
        &mut file,
        false,
        EPB,
        &epb_body(false, 1, (5 << 20) + (1 << 19), &[2; 41]),
    );
    ng_block(&mut file, false, 0x0000_0BAD, &[0xee; 20]); // unknown: skipped, not numbered
    ng_block(
        &mut file,
        false,
        SPB,
        &Fields::new(false).u32(30).raw(&[3; 30]).bytes,
    );
    let pb = Fields::new(false)
        .u16(1)
        .u16(0)
        .u32(0)
        .u32(1 << 20)
        .u32(20)
        .u32(60)
        .raw(&[4; 20])
        .bytes;
    ng_block(&mut file, false, PB, &pb);
    // Section 2, big-endian: its interfaces replace section 1's.
    ng_block(&mut file, true, SHB, &shb_body(true));
    ng_block(
        &mut file,
        true,
        IDB,
        &idb_with_snaplen(true, 113, 32, None, None),
    );
    ng_block(
        &mut file,
        true,
        EPB,
        &epb_body(true, 0, 1_700_000_000_000_001, &[5; 44]),
    );
    // A simple packet: wire length 50, cut to the interface's snaplen of 32.
    ng_block(
        &mut file,
        true,
        SPB,
        &Fields::new(true).u32(50).raw(&[6; 32]).bytes,
    );

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

    // Interface 1 belonged to section 1 only.
    ng_block(&mut file, true, EPB, &epb_body(true, 1, 0, &[7; 40]));
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
    let mut file = Vec::new();
    ng_block(&mut file, false, SHB, &shb_body(false));
    ng_block(&mut file, false, IDB, &idb_body(false, 1, None, None));
    ng_block(&mut file, false, EPB, &epb_body(false, 0, 0, &[1; 40]));
    let mut lying = epb_body(false, 0, 0, &[2; 40]);
    lying[12..16].copy_from_slice(&4000u32.to_le_bytes());
    let bad_at = file.len() as u64;
    ng_block(&mut file, false, EPB, &lying);
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
