//! Shared by the capture tests: a sink that records what it is given, the
//! shared capture folder, and small synthetic captures written by pcap-file.
#![allow(dead_code)] // each test binary uses a different part

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::time::Duration;

use pcap_file::pcap::{PcapHeader, PcapWriter, RawPcapPacket};
use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption, InterfaceTsResolution,
};
use pcap_file::pcapng::blocks::packet::PacketBlock;
use pcap_file::pcapng::blocks::section_header::SectionHeaderBlock;
use pcap_file::pcapng::blocks::simple_packet::SimplePacketBlock;
use pcap_file::pcapng::{PcapNgBlock, PcapNgWriter, RawBlock};
use pcap_file::{DataLink, Endianness};

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

/// A pcap file written by pcap-file: little-endian, microsecond
/// timestamps unless built from another header.
pub struct PcapFile(PcapWriter<Vec<u8>>);

impl PcapFile {
    pub fn new(link_type: u32) -> Self {
        Self::with_header(PcapHeader {
            datalink: DataLink::from(link_type),
            endianness: Endianness::Little,
            ..PcapHeader::default()
        })
    }

    pub fn with_header(header: PcapHeader) -> Self {
        Self(PcapWriter::with_header(Vec::new(), header).unwrap())
    }

    /// A record as given: the raw path writes what the typed one refuses
    /// (captured length over the snaplen), as real files hold.
    pub fn record(&mut self, seconds: u32, fraction: u32, data: &[u8], orig_len: u32) -> &mut Self {
        let packet = RawPcapPacket {
            ts_sec: seconds,
            ts_frac: fraction,
            incl_len: data.len() as u32,
            orig_len,
            data: data.into(),
        };
        self.0.write_raw_packet(&packet).unwrap();
        self
    }

    /// A whole frame at `seconds` and `micros`.
    pub fn frame(&mut self, seconds: u32, micros: u32, data: &[u8]) -> &mut Self {
        self.record(seconds, micros, data, data.len() as u32)
    }

    pub fn bytes(self) -> Vec<u8> {
        self.0.into_inner()
    }
}

/// Length of a classic pcap file header.
pub const PCAP_HEADER_LEN: usize = 24;

/// One little-endian pcap record (header and data) as pcap-file writes it.
pub fn pcap_record(seconds: u32, micros: u32, data: &[u8]) -> Vec<u8> {
    let mut file = PcapFile::new(1);
    file.frame(seconds, micros, data);
    file.bytes().split_off(PCAP_HEADER_LEN)
}

/// A pcapng file written by pcap-file, block by block.
pub struct NgFile(PcapNgWriter<Vec<u8>>);

impl NgFile {
    /// Starts with a section header in the given byte order.
    pub fn new(big_endian: bool) -> Self {
        let section = SectionHeaderBlock {
            endianness: endianness(big_endian),
            ..SectionHeaderBlock::default()
        };
        Self(PcapNgWriter::with_section_header(Vec::new(), section).unwrap())
    }

    /// Another section: its interfaces replace the last one's.
    pub fn section(&mut self, big_endian: bool) -> &mut Self {
        self.block(SectionHeaderBlock {
            endianness: endianness(big_endian),
            ..SectionHeaderBlock::default()
        })
    }

    /// An interface, optionally with `if_tsresol` and `if_tsoffset` (seconds).
    pub fn interface(
        &mut self,
        link_type: u16,
        snaplen: u32,
        tsresol: Option<u8>,
        tsoffset: Option<i64>,
    ) -> &mut Self {
        let mut interface =
            InterfaceDescriptionBlock::new(DataLink::from(u32::from(link_type)), snaplen);
        if let Some(resolution) = tsresol {
            let resolution = InterfaceTsResolution::from_u8(resolution).unwrap();
            interface
                .options
                .push(InterfaceDescriptionOption::IfTsResol(resolution));
        }
        if let Some(offset) = tsoffset {
            interface
                .options
                .push(InterfaceDescriptionOption::IfTsOffset(offset));
        }
        self.block(interface)
    }

    /// An enhanced packet block with the whole frame, at `ts` since the epoch.
    pub fn packet(&mut self, interface: u32, ts: Duration, data: &[u8]) -> &mut Self {
        self.block(EnhancedPacketBlock {
            interface_id: interface,
            timestamp: ts,
            original_len: data.len() as u32,
            data: data.into(),
            options: Vec::new(),
        })
    }

    /// An obsolete packet block.
    pub fn old_packet(
        &mut self,
        interface: u16,
        ts: Duration,
        data: &[u8],
        orig_len: u32,
    ) -> &mut Self {
        self.block(PacketBlock {
            interface_id: interface,
            drop_count: 0,
            timestamp: ts,
            original_len: orig_len,
            data: data.into(),
            options: Vec::new(),
        })
    }

    pub fn simple_packet(&mut self, orig_len: u32, data: &[u8]) -> &mut Self {
        self.block(SimplePacketBlock {
            original_len: orig_len,
            data: data.into(),
        })
    }

    /// A block of a type pcap-file does not know, with `body` (a multiple of 4 bytes).
    pub fn unknown(&mut self, block_type: u32, body: &[u8]) -> &mut Self {
        let len = 12 + body.len() as u32;
        let raw = RawBlock {
            type_: block_type,
            initial_len: len,
            body: body.into(),
            trailer_len: len,
        };
        self.0.write_raw_block(&raw).unwrap();
        self
    }

    fn block<'a>(&mut self, block: impl PcapNgBlock<'a>) -> &mut Self {
        self.0.write_pcapng_block(block).unwrap();
        self
    }

    /// Bytes so far (where the next block starts).
    pub fn len(&self) -> usize {
        self.0.get_ref().len()
    }

    pub fn bytes(self) -> Vec<u8> {
        self.0.into_inner()
    }
}

fn endianness(big_endian: bool) -> Endianness {
    if big_endian {
        Endianness::Big
    } else {
        Endianness::Little
    }
}
