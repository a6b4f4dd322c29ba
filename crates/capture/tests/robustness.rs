//! Mangled input never panics, and frames stay numbered 1..n, however the
//! damage falls and however the input is chunked.

mod common;

use std::io::Write;

use common::{captures_dir, Recorder};
use flate2::write::GzEncoder;
use flate2::Compression;
use rstscope_capture::CaptureReader;

/// xorshift64: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mangle(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut bytes = input.to_vec();
    match rng.below(4) {
        0 => {
            for _ in 0..=rng.below(8) {
                let at = rng.below(bytes.len());
                bytes[at] = rng.next() as u8;
            }
        }
        1 => bytes.truncate(rng.below(bytes.len())),
        2 => {
            let at = rng.below(bytes.len());
            let noise: Vec<u8> = (0..rng.below(64)).map(|_| rng.next() as u8).collect();
            bytes.splice(at..at, noise);
        }
        _ => {
            // A length field somewhere turned huge.
            let at = rng.below(bytes.len().saturating_sub(4));
            bytes[at..at + 4].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
        }
    }
    bytes
}

fn read_chunked(rng: &mut Rng, bytes: &[u8]) {
    let mut sink = Recorder::default();
    let mut reader = CaptureReader::new();
    let mut rest = bytes;
    let mut failed = false;
    while !rest.is_empty() && !failed {
        let (chunk, tail) = rest.split_at(1 + rng.below(rest.len().min(3000)));
        failed = reader.push(chunk, &mut sink).is_err();
        rest = tail;
    }
    if !failed {
        let _ = reader.finish(&mut sink);
    }
    assert!(sink
        .frames
        .iter()
        .enumerate()
        .all(|(i, f)| f.number == i as u64 + 1));
}

#[test]
fn mangled_captures_never_panic() {
    let Some(dir) = captures_dir() else { return };
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for file in [
        "zeek__pcapng-multi-interface.pcapng",
        "pcpp__pcapng-example.pcapng",
        "pcpp__nanosecs_big_endian.pcap",
    ] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder.write_all(&bytes).unwrap();
        let compressed = encoder.finish().unwrap();
        for _ in 0..300 {
            for input in [&bytes, &compressed] {
                let mangled = mangle(&mut rng, input);
                read_chunked(&mut rng, &mangled);
            }
        }
    }
}

#[test]
fn random_bytes_behind_each_magic_never_panic() {
    let magics: [&[u8]; 6] = [
        b"\xd4\xc3\xb2\xa1",
        b"\xa1\xb2\x3c\x4d",
        b"\x0a\x0d\x0d\x0a\x1c\x00\x00\x00\x4d\x3c\x2b\x1a",
        b"\x0a\x0d\x0d\x0a\x00\x00\x00\x1c\x1a\x2b\x3c\x4d",
        b"\x1f\x8b\x08\x00",
        b"",
    ];
    let mut rng = Rng(42);
    for magic in magics {
        for _ in 0..500 {
            let mut bytes = magic.to_vec();
            bytes.extend((0..rng.below(400)).map(|_| rng.next() as u8));
            read_chunked(&mut rng, &bytes);
        }
    }
}
