//! pcapng: a sequence of blocks (type, length, body, length again). Each
//! Section Header Block starts a section with its own byte order and its own
//! interfaces; each Interface Description Block adds an interface with its
//! link type, snaplen and timestamp resolution/offset. Enhanced, Simple and
//! obsolete Packet Blocks carry frames; all other blocks are skipped, except
//! the process blocks of macOS `tcpdump -k`, whose process names the
//! Enhanced Packet Blocks' Apple options point to.

use rstscope_core::decode::ProcessMeta;
use rstscope_core::LinkType;

use crate::bytes::{magic, Endian};
use crate::framer::{Need, Output, Problem, MAX_UNIT};
use crate::Sink;

const SECTION_HEADER: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];
const INTERFACE_DESCRIPTION: u32 = 1;
const PACKET: u32 = 2;
const SIMPLE_PACKET: u32 = 3;
const ENHANCED_PACKET: u32 = 6;
/// Apple's Darwin Process Event Block: a process id, then options (2: name).
const DARWIN_PROCESS: u32 = 0x8000_0001;
const OPT_PROCESS_NAME: u16 = 2;
/// Apple EPB options: the index (within the section) of the process block
/// of the packet's process, and of the effective process it acted for.
const OPT_EPB_PROCESS: u16 = 0x8001;
const OPT_EPB_EFFECTIVE_PROCESS: u16 = 0x8003;
/// Process names longer than this are cut (macOS keeps 32 bytes).
const MAX_PROCESS_NAME: usize = 64;
/// More process blocks than this in one section are not kept (memory bound).
const MAX_PROCESSES: usize = 1 << 16;

/// Type, length, and the trailing copy of the length.
const MIN_BLOCK_LEN: usize = 12;
/// Byte-order magic 0x1A2B3C4D, right after the SHB's type and length.
const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;

const OPT_END: u16 = 0;
const OPT_IF_TSRESOL: u16 = 9;
const OPT_IF_TSOFFSET: u16 = 14;

/// More interfaces than this in one section is corruption, not a capture;
/// the cap keeps memory bounded.
const MAX_INTERFACES: usize = 1 << 16;

pub(crate) struct PcapNg {
    endian: Endian,
    interfaces: Vec<Interface>,
    /// Darwin process blocks of this section: pid and name.
    processes: Vec<(u32, String)>,
    /// Simple Packet Blocks have no timestamp: they get the previous frame's.
    last_ts_ns: i64,
}

struct Interface {
    link_type: LinkType,
    snaplen: u32,
    resolution: Resolution,
    /// `if_tsoffset`: seconds added to every timestamp.
    offset_s: i64,
}

/// `if_tsresol`: timestamp units are 10^-n or 2^-n seconds.
#[derive(Clone, Copy)]
enum Resolution {
    Decimal(u8),
    Binary(u8),
}

impl Resolution {
    fn from_option(value: u8) -> Self {
        if value & 0x80 == 0 {
            Resolution::Decimal(value)
        } else {
            Resolution::Binary(value & 0x7f)
        }
    }

    /// Nanoseconds in `units` timestamp units (0 when the resolution is absurd).
    fn to_ns(self, units: u64) -> i128 {
        let units = i128::from(units);
        match self {
            Resolution::Decimal(exp) if exp <= 9 => 10i128
                .checked_pow(9 - u32::from(exp))
                .and_then(|scale| units.checked_mul(scale)),
            Resolution::Decimal(exp) => 10i128
                .checked_pow(u32::from(exp) - 9)
                .map(|scale| units / scale),
            // units < 2^64, so units * 1e9 < 2^94: no overflow.
            Resolution::Binary(exp) => (units * 1_000_000_000).checked_shr(u32::from(exp)),
        }
        .unwrap_or(0)
    }
}

impl PcapNg {
    pub(crate) fn detect(head: &[u8]) -> Option<Self> {
        (magic(head)? == SECTION_HEADER).then(|| Self {
            endian: Endian::Little,
            interfaces: Vec::new(),
            processes: Vec::new(),
            last_ts_ns: 0,
        })
    }

    pub(crate) fn unit_len(&mut self, head: &[u8]) -> Result<Need, Problem> {
        if head.len() < MIN_BLOCK_LEN {
            return Ok(Need::Bytes(MIN_BLOCK_LEN));
        }
        if magic(head) == Some(SECTION_HEADER) {
            // The new section's byte order applies from its own length field on.
            self.endian = if Endian::Little.u32(head, 8) == Some(BYTE_ORDER_MAGIC) {
                Endian::Little
            } else if Endian::Big.u32(head, 8) == Some(BYTE_ORDER_MAGIC) {
                Endian::Big
            } else {
                return Err(Problem::Corrupt(
                    "section header with an unknown byte-order magic".into(),
                ));
            };
        }
        let declared = self.endian.u32(head, 4).unwrap_or(0);
        match usize::try_from(declared) {
            Ok(len) if (MIN_BLOCK_LEN..=MAX_UNIT).contains(&len) && len % 4 == 0 => {
                Ok(Need::Unit(len))
            }
            _ => Err(Problem::Corrupt(format!(
                "block declares an impossible length of {declared} bytes"
            ))),
        }
    }

    pub(crate) fn unit<S: Sink>(
        &mut self,
        block: &[u8],
        out: &mut Output<'_, S>,
    ) -> Result<(), Problem> {
        let e = self.endian;
        let len = block.len();
        if e.u32(block, len.saturating_sub(4)) != e.u32(block, 4) {
            return Err(Problem::Corrupt(
                "block length and its trailing copy differ".into(),
            ));
        }
        // Between the 8-byte block header and the trailing length.
        let body = block.get(8..len.saturating_sub(4)).unwrap_or_default();
        if magic(block) == Some(SECTION_HEADER) {
            self.interfaces.clear();
            self.processes.clear();
            return Ok(());
        }
        match e.u32(block, 0).unwrap_or(0) {
            INTERFACE_DESCRIPTION => self.interface(body),
            ENHANCED_PACKET => {
                let interface = e.u32(body, 0).ok_or_else(short)?;
                let ts = timestamp(e, body, 4)?;
                self.packet(interface, ts, body, 12, out)
            }
            PACKET => {
                let interface = e.u16(body, 0).ok_or_else(short)?;
                let ts = timestamp(e, body, 4)?;
                self.packet(u32::from(interface), ts, body, 12, out)
            }
            SIMPLE_PACKET => self.simple_packet(body, out),
            DARWIN_PROCESS => {
                self.process(body);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn interface(&mut self, body: &[u8]) -> Result<(), Problem> {
        if self.interfaces.len() >= MAX_INTERFACES {
            return Err(Problem::Corrupt(format!(
                "more than {MAX_INTERFACES} interfaces in one section"
            )));
        }
        let e = self.endian;
        let link_type = LinkType(u32::from(e.u16(body, 0).ok_or_else(short)?));
        let snaplen = e.u32(body, 4).ok_or_else(short)?;
        let mut interface = Interface {
            link_type,
            snaplen,
            resolution: Resolution::Decimal(6),
            offset_s: 0,
        };
        for (code, value) in options(e, body.get(8..).unwrap_or_default()) {
            match (code, value) {
                (OPT_IF_TSRESOL, [resolution, ..]) => {
                    interface.resolution = Resolution::from_option(*resolution)
                }
                (OPT_IF_TSOFFSET, _) => {
                    if let Some(seconds) = e.u64(value, 0) {
                        interface.offset_s = seconds as i64;
                    }
                }
                _ => {}
            }
        }
        self.interfaces.push(interface);
        Ok(())
    }

    /// Keeps a Darwin process block's pid and name (cut to a bounded length).
    fn process(&mut self, body: &[u8]) {
        if self.processes.len() >= MAX_PROCESSES {
            return;
        }
        let pid = self.endian.u32(body, 0).unwrap_or(0);
        let name = options(self.endian, body.get(4..).unwrap_or_default())
            .find(|(code, _)| *code == OPT_PROCESS_NAME)
            .map(|(_, value)| text(value.get(..MAX_PROCESS_NAME).unwrap_or(value)))
            .unwrap_or_default();
        self.processes.push((pid, name));
    }

    /// The process an EPB's options point to, the effective one first.
    fn packet_process(&self, options_area: &[u8]) -> Option<ProcessMeta<'_>> {
        let (mut own, mut effective) = (None, None);
        for (code, value) in options(self.endian, options_area) {
            let index = self.endian.u32(value, 0);
            match code {
                OPT_EPB_PROCESS => own = index,
                OPT_EPB_EFFECTIVE_PROCESS => effective = index,
                _ => {}
            }
        }
        let (pid, name) = effective
            .or(own)
            .and_then(|i| self.processes.get(usize::try_from(i).ok()?))?;
        Some(ProcessMeta {
            pid: Some(*pid),
            name,
        })
    }

    /// EPB and obsolete PB share a layout from the captured length on.
    fn packet<S: Sink>(
        &mut self,
        interface: u32,
        ts_units: u64,
        body: &[u8],
        at: usize,
        out: &mut Output<'_, S>,
    ) -> Result<(), Problem> {
        let e = self.endian;
        let captured = e.u32(body, at).ok_or_else(short)?;
        let orig_len = e.u32(body, at + 4).ok_or_else(short)?;
        let data = usize::try_from(captured)
            .ok()
            .and_then(|captured| body.get(at + 8..)?.get(..captured))
            .ok_or_else(|| {
                Problem::Corrupt(format!(
                    "packet declares {captured} captured bytes, more than its block holds"
                ))
            })?;
        let Some(iface) = usize::try_from(interface)
            .ok()
            .and_then(|i| self.interfaces.get(i))
        else {
            return Err(Problem::Corrupt(format!(
                "packet refers to interface {interface}, which was never described"
            )));
        };
        let ts_ns = iface.resolution.to_ns(ts_units) + i128::from(iface.offset_s) * 1_000_000_000;
        let ts_ns = i64::try_from(ts_ns).unwrap_or(if ts_ns < 0 { i64::MIN } else { i64::MAX });
        self.last_ts_ns = ts_ns;
        let link_type = iface.link_type;
        // Options follow the packet data, padded to 4 bytes.
        let options_at = (at + 8).saturating_add(data.len().next_multiple_of(4));
        let process = if self.processes.is_empty() {
            None
        } else {
            self.packet_process(body.get(options_at..).unwrap_or_default())
        };
        out.frame_of(ts_ns, link_type, orig_len, data, process);
        Ok(())
    }

    fn simple_packet<S: Sink>(
        &mut self,
        body: &[u8],
        out: &mut Output<'_, S>,
    ) -> Result<(), Problem> {
        let Some(iface) = self.interfaces.first() else {
            return Err(Problem::Corrupt(
                "simple packet block before any interface description".into(),
            ));
        };
        let orig_len = self.endian.u32(body, 0).ok_or_else(short)?;
        let room = body.get(4..).unwrap_or_default();
        // The block holds the packet padded to 4 bytes; the true captured
        // length is the wire length cut at the snaplen (0 = no limit).
        let mut captured = usize::try_from(orig_len)
            .unwrap_or(usize::MAX)
            .min(room.len());
        if iface.snaplen != 0 {
            captured = captured.min(usize::try_from(iface.snaplen).unwrap_or(usize::MAX));
        }
        out.frame(
            self.last_ts_ns,
            iface.link_type,
            orig_len,
            room.get(..captured).unwrap_or_default(),
        );
        Ok(())
    }
}

/// A name from a capture file: lossy UTF-8 up to the first NUL.
fn text(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(bytes.get(..end).unwrap_or_default()).into_owned()
}

fn short() -> Problem {
    Problem::Corrupt("block too short for its type".into())
}

/// The 64-bit timestamp stored as high and low 32-bit halves.
fn timestamp(e: Endian, body: &[u8], at: usize) -> Result<u64, Problem> {
    let high = e.u32(body, at).ok_or_else(short)?;
    let low = e.u32(body, at + 4).ok_or_else(short)?;
    Ok(u64::from(high) << 32 | u64::from(low))
}

/// Iterates (code, value) over an options area; stops at `opt_endofopt` or
/// at the first option that does not fit.
fn options(e: Endian, mut area: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let code = e.u16(area, 0)?;
        let len = usize::from(e.u16(area, 2)?);
        if code == OPT_END {
            return None;
        }
        let value = area.get(4..4 + len)?;
        let padded = (4 + len).next_multiple_of(4);
        area = area.get(padded..).unwrap_or_default();
        Some((code, value))
    })
}

#[cfg(test)]
mod tests {
    use super::Resolution;

    #[test]
    fn timestamp_units_to_nanoseconds() {
        assert_eq!(Resolution::Decimal(6).to_ns(1_500_000), 1_500_000_000);
        assert_eq!(Resolution::Decimal(9).to_ns(7), 7);
        assert_eq!(Resolution::Decimal(12).to_ns(7_000_999), 7_000);
        assert_eq!(Resolution::Decimal(0).to_ns(3), 3_000_000_000);
        assert_eq!(Resolution::Binary(20).to_ns(3 << 19), 1_500_000_000);
        assert_eq!(Resolution::Binary(0).to_ns(2), 2_000_000_000);
        // Absurd resolutions give 0 rather than overflowing.
        assert_eq!(Resolution::Decimal(127).to_ns(u64::MAX), 0);
        assert_eq!(Resolution::Binary(127).to_ns(u64::MAX), 0);
        assert_eq!(
            Resolution::from_option(0x80 | 10).to_ns(1024),
            1_000_000_000
        );
    }
}
