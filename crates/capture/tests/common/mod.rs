//! Shared by the capture tests: a sink that records what it is given, the
//! shared capture folder, and writers for small synthetic captures.
#![allow(dead_code)] // each test binary uses a different part

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;

use rstscope_capture::Sink;
use rstscope_core::report::Warning;
use rstscope_core::Frame;

/// One frame as the sink saw it, with its bytes hashed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    pub number: u64,
    pub ts_ns: i64,
    pub link_type: u32,
    pub orig_len: u32,
    pub captured: usize,
    pub data_hash: u64,
    /// The process the file tied the frame to: pid and name.
    pub process: Option<(Option<u32>, String)>,
}

#[derive(Default)]
pub struct Recorder {
    pub frames: Vec<Seen>,
    pub warnings: Vec<Warning>,
}

impl Sink for Recorder {
    fn frame(&mut self, frame: &Frame<'_>) {
        let mut hasher = DefaultHasher::new();
        frame.data.hash(&mut hasher);
        self.frames.push(Seen {
            number: frame.number,
            ts_ns: frame.ts_ns,
            link_type: frame.link_type.0,
            orig_len: frame.orig_len,
            captured: frame.data.len(),
            data_hash: hasher.finish(),
            process: frame.process.map(|p| (p.pid, p.name.to_string())),
        });
    }
    fn warning(&mut self, warning: Warning) {
        self.warnings.push(warning);
    }
}

/// `../shared/captures` seen from the workspace root, or `None` after
/// printing the SKIPPED line.
pub fn captures_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/captures");
    if dir.join("facts.tsv").is_file() {
        Some(dir)
    } else {
        println!("SKIPPED: ../shared/captures not found");
        None
    }
}

/// Every folder of real captures with tshark facts: the main one and its
/// `linktypes/` addition (captures of link types beyond Ethernet and
/// friends). Empty, after the SKIPPED line, when the folder is absent.
pub fn capture_folders() -> Vec<PathBuf> {
    let Some(dir) = captures_dir() else {
        return Vec::new();
    };
    let linktypes = dir.join("linktypes");
    let mut folders = vec![dir];
    if linktypes.join("facts.tsv").is_file() {
        folders.push(linktypes);
    }
    folders
}

/// Rows of a TSV file as maps from column name to value.
pub fn read_tsv(path: &std::path::Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    lines
        .filter(|line| !line.is_empty())
        .map(|line| {
            header
                .iter()
                .map(|h| h.to_string())
                .zip(line.split('\t').map(str::to_string))
                .collect()
        })
        .collect()
}

/// Feeds `bytes` to a fresh reader in chunks of `chunk` bytes.
pub fn read_in_chunks(
    bytes: &[u8],
    chunk: usize,
) -> (
    Result<rstscope_capture::Summary, rstscope_capture::CaptureError>,
    Recorder,
) {
    let mut sink = Recorder::default();
    let mut reader = rstscope_capture::CaptureReader::new();
    for piece in bytes.chunks(chunk.max(1)) {
        if let Err(err) = reader.push(piece, &mut sink) {
            return (Err(err), sink);
        }
    }
    (reader.finish(&mut sink), sink)
}

/// A little-endian microsecond pcap file header.
pub fn pcap_header(link_type: u32) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&65535u32.to_le_bytes());
    out.extend_from_slice(&link_type.to_le_bytes());
    out
}

/// A little-endian pcap record.
pub fn pcap_record(out: &mut Vec<u8>, seconds: u32, micros: u32, data: &[u8]) {
    for field in [seconds, micros, data.len() as u32, data.len() as u32] {
        out.extend_from_slice(&field.to_le_bytes());
    }
    out.extend_from_slice(data);
}

/// A pcapng block of `block_type` with `body` (padded to 4 bytes), in the given byte order.
pub fn ng_block(out: &mut Vec<u8>, big_endian: bool, block_type: u32, body: &[u8]) {
    let u32b = |v: u32| {
        if big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        }
    };
    let padded = body.len().next_multiple_of(4);
    let total = (12 + padded) as u32;
    out.extend_from_slice(&u32b(block_type));
    out.extend_from_slice(&u32b(total));
    out.extend_from_slice(body);
    out.resize(out.len() + padded - body.len(), 0);
    out.extend_from_slice(&u32b(total));
}

/// Writes u16/u32/u64 fields in one byte order.
pub struct Fields {
    pub big_endian: bool,
    pub bytes: Vec<u8>,
}

impl Fields {
    pub fn new(big_endian: bool) -> Self {
        Self {
            big_endian,
            bytes: Vec::new(),
        }
    }
    pub fn u16(mut self, v: u16) -> Self {
        self.bytes.extend_from_slice(&if self.big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        });
        self
    }
    pub fn u32(mut self, v: u32) -> Self {
        self.bytes.extend_from_slice(&if self.big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        });
        self
    }
    pub fn raw(mut self, v: &[u8]) -> Self {
        self.bytes.extend_from_slice(v);
        self
    }
    /// An option: code, length, value padded to 4 bytes.
    pub fn option(self, code: u16, value: &[u8]) -> Self {
        let pad = value.len().next_multiple_of(4) - value.len();
        self.u16(code)
            .u16(value.len() as u16)
            .raw(value)
            .raw(&vec![0; pad])
    }
}

/// Section header block body: byte-order magic, version 1.0, unknown section length.
pub fn shb_body(big_endian: bool) -> Vec<u8> {
    Fields::new(big_endian)
        .u32(0x1A2B_3C4D)
        .u16(1)
        .u16(0)
        .raw(&[0xff; 8])
        .bytes
}

/// Interface description block body, optionally with `if_tsresol` and `if_tsoffset`.
pub fn idb_body(
    big_endian: bool,
    link_type: u16,
    tsresol: Option<u8>,
    tsoffset: Option<i64>,
) -> Vec<u8> {
    idb_with_snaplen(big_endian, link_type, 0, tsresol, tsoffset)
}

pub fn idb_with_snaplen(
    big_endian: bool,
    link_type: u16,
    snaplen: u32,
    tsresol: Option<u8>,
    tsoffset: Option<i64>,
) -> Vec<u8> {
    let mut fields = Fields::new(big_endian).u16(link_type).u16(0).u32(snaplen);
    if let Some(resol) = tsresol {
        fields = fields.option(9, &[resol]);
    }
    if let Some(offset) = tsoffset {
        let raw = if big_endian {
            offset.to_be_bytes()
        } else {
            offset.to_le_bytes()
        };
        fields = fields.option(14, &raw);
    }
    fields.u16(0).u16(0).bytes
}

/// Enhanced packet block body.
pub fn epb_body(big_endian: bool, interface: u32, ts: u64, data: &[u8]) -> Vec<u8> {
    Fields::new(big_endian)
        .u32(interface)
        .u32((ts >> 32) as u32)
        .u32(ts as u32)
        .u32(data.len() as u32)
        .u32(data.len() as u32)
        .raw(data)
        .bytes
}
