//! Classic libpcap files: a 24-byte file header, then records of a 16-byte
//! header plus the captured bytes. Either byte order; micro- or nanosecond
//! timestamps, told apart by the magic number.
//!
//! The framer sizes each record (and refuses absurd lengths); pcap-file's
//! `PcapParser` reads the header and the records, through its raw path,
//! which keeps records longer than the snaplen as real files hold them.

use pcap_file::pcap::{PcapParser, RawPcapPacket};
use rstscope_core::LinkType;

use crate::bytes::{magic, Endian};
use crate::framer::{Need, Output, Problem, MAX_UNIT};
use crate::{Format, Sink};

const FILE_HEADER_LEN: usize = 24;
const RECORD_HEADER_LEN: usize = 16;

/// The link-type field carries FCS information in its upper bits (libpcap's
/// `LT_LINKTYPE`).
const LINK_TYPE_MASK: u32 = 0x03FF_FFFF;

pub(crate) struct Pcap {
    endian: Endian,
    nanosecond: bool,
    /// Known once the file header is read.
    header: Option<(PcapParser, LinkType)>,
}

impl Pcap {
    pub(crate) fn detect(head: &[u8]) -> Option<Self> {
        let (endian, nanosecond) = match magic(head)? {
            [0xd4, 0xc3, 0xb2, 0xa1] => (Endian::Little, false),
            [0xa1, 0xb2, 0xc3, 0xd4] => (Endian::Big, false),
            [0x4d, 0x3c, 0xb2, 0xa1] => (Endian::Little, true),
            [0xa1, 0xb2, 0x3c, 0x4d] => (Endian::Big, true),
            _ => return None,
        };
        Some(Self {
            endian,
            nanosecond,
            header: None,
        })
    }

    pub(crate) fn format(&self) -> Format {
        Format::Pcap {
            nanosecond: self.nanosecond,
            big_endian: self.endian == Endian::Big,
        }
    }

    pub(crate) fn unit_len(&self, head: &[u8]) -> Result<Need, Problem> {
        if self.header.is_none() {
            return Ok(Need::Unit(FILE_HEADER_LEN));
        }
        let Some(captured) = self.endian.u32(head, 8) else {
            return Ok(Need::Bytes(RECORD_HEADER_LEN));
        };
        // Records longer than the header's snaplen occur in real files and
        // are read; only a length no capture could hold means corruption.
        match usize::try_from(captured) {
            Ok(len) if len <= MAX_UNIT => Ok(Need::Unit(RECORD_HEADER_LEN + len)),
            _ => Err(Problem::Corrupt(format!(
                "record declares {captured} captured bytes, more than any real frame"
            ))),
        }
    }

    pub(crate) fn unit<S: Sink>(
        &mut self,
        unit: &[u8],
        out: &mut Output<'_, S>,
    ) -> Result<(), Problem> {
        let Some((parser, link_type)) = &self.header else {
            let (_, parser) = PcapParser::new(unit).map_err(corrupt)?;
            let link_type = LinkType(u32::from(parser.header().datalink) & LINK_TYPE_MASK);
            self.header = Some((parser, link_type));
            return Ok(());
        };
        let (_, record) = parser.next_raw_packet(unit).map_err(corrupt)?;
        let RawPcapPacket {
            ts_sec,
            ts_frac,
            orig_len,
            data,
            ..
        } = record;
        let sub_second_ns = if self.nanosecond {
            i64::from(ts_frac)
        } else {
            i64::from(ts_frac) * 1_000
        };
        // u32 seconds * 1e9 plus a u32 fraction * 1e3 stays far below i64::MAX.
        let ts_ns = i64::from(ts_sec) * 1_000_000_000 + sub_second_ns;
        out.frame(ts_ns, *link_type, orig_len, &data);
        Ok(())
    }
}

/// The framer hands over whole units, so pcap-file only fails on a unit
/// shorter than its header says.
fn corrupt(err: impl std::fmt::Display) -> Problem {
    Problem::Corrupt(format!("short record: {err}"))
}
