//! Frames written out as a pcapng file that Wireshark opens: the original
//! timestamps (nanoseconds), captured bytes, wire lengths and link types
//! (one interface per link type met), and a comment on a frame when given
//! (the verdict on a RST). Written with the pcap-file crate.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use pcap_file::pcapng::blocks::enhanced_packet::{EnhancedPacketBlock, EnhancedPacketOption};
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption, InterfaceTsResolution,
};
use pcap_file::pcapng::blocks::opt_common::CommonOption;
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::DataLink;
use rstscope_core::report::Reset;
use rstscope_core::Frame;

/// A RST's verdict as its packet comment (Wireshark's `frame.comment`).
pub fn verdict_comment(reset: &Reset) -> String {
    format!(
        "rstscope: origin {}, cause {}, {:.0}% confident",
        reset.origin.as_str(),
        reset.cause.as_str(),
        f64::from(reset.confidence) * 100.0
    )
}

/// Writing the export failed (the destination refused the bytes).
#[derive(Debug)]
pub struct ExportError(String);

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "writing the pcapng failed: {}", self.0)
    }
}

impl std::error::Error for ExportError {}

fn failed(err: impl std::fmt::Display) -> ExportError {
    ExportError(err.to_string())
}

/// A pcapng file being written, frame by frame in capture order.
pub struct PcapngExport<W: Write> {
    writer: PcapNgWriter<W>,
    /// Interface number of each link type written so far.
    interfaces: HashMap<u32, u32>,
    frames: u64,
}

impl<W: Write> PcapngExport<W> {
    /// Starts the file (its section header) on `out`.
    pub fn new(out: W) -> Result<Self, ExportError> {
        Ok(Self {
            writer: PcapNgWriter::new(out).map_err(failed)?,
            interfaces: HashMap::new(),
            frames: 0,
        })
    }

    /// Writes one frame, with `comment` as its pcapng comment.
    pub fn push(&mut self, frame: &Frame<'_>, comment: Option<&str>) -> Result<(), ExportError> {
        let interface_id = self.interface(frame.link_type.0)?;
        let mut options = Vec::new();
        if let Some(text) = comment {
            options.push(EnhancedPacketOption::Common(CommonOption::Comment(
                Cow::Borrowed(text),
            )));
        }
        let block = EnhancedPacketBlock {
            interface_id,
            // pcapng has no time before 1970: such a frame is written at 0.
            timestamp: Duration::from_nanos(u64::try_from(frame.ts_ns).unwrap_or(0)),
            original_len: frame.orig_len.max(frame.data.len() as u32),
            data: Cow::Borrowed(frame.data),
            options,
        };
        self.writer.write_pcapng_block(block).map_err(failed)?;
        self.frames += 1;
        Ok(())
    }

    /// Frames written so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// The destination, everything written.
    pub fn finish(self) -> W {
        self.writer.into_inner()
    }

    /// The interface for a link type, described the first time it is met.
    fn interface(&mut self, link_type: u32) -> Result<u32, ExportError> {
        if let Some(id) = self.interfaces.get(&link_type) {
            return Ok(*id);
        }
        let id = self.interfaces.len() as u32;
        let block = InterfaceDescriptionBlock {
            linktype: DataLink::from(link_type),
            snaplen: 0,
            options: vec![InterfaceDescriptionOption::IfTsResol(
                InterfaceTsResolution::NANO,
            )],
        };
        self.writer.write_pcapng_block(block).map_err(failed)?;
        self.interfaces.insert(link_type, id);
        Ok(id)
    }
}
