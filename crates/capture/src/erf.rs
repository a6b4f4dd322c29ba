//! Native Endace ERF files: no file header, only records. Each record is a
//! 16-byte header (a little-endian 64-bit fixed-point timestamp, record
//! type, flags, then big-endian record length, loss counter and wire
//! length) and the packet. Records go to the core whole, as LINKTYPE_ERF
//! frames, so ERF inside pcap and native ERF decode the same way.
//!
//! With no magic number, a file is taken for ERF by its shape: plausible
//! record types and lengths, and a second record whose time follows the
//! first (see [`shape`]).

use rstscope_core::LinkType;

use crate::bytes::Endian;
use crate::framer::{Need, Output, Problem};
use crate::Sink;

const HEADER_LEN: usize = 16;
const TYPE_AT: usize = 8;
const RLEN_AT: usize = 10;
const WLEN_AT: usize = 14;
const TYPE_MASK: u8 = 0x7F;
const MORE_EXTENSIONS: u8 = 0x80;
const EXTENSION_LEN: usize = 8;
/// Padding records fill a DAG card's buffer; they are not packets.
const TYPE_PAD: u8 = 48;
/// Highest record type in use (ERF_TYPE_OPA_9B).
const TYPE_MAX: u8 = 29;
/// Record types whose packet starts with a 2-byte pad (Ethernet variants).
const ETHERNET_TYPES: [u8; 3] = [2, 11, 16];
/// Two consecutive records further apart in time than this (about 194
/// days) are not one capture.
const MAX_STEP_S: u64 = 1 << 24;

pub(crate) struct Erf;

/// What the start of an input says about it being ERF.
pub(crate) enum Shape {
    Erf,
    /// Undecided until this many bytes are in.
    More(usize),
    Not,
}

/// Judges `head` (the first bytes of the input; `at_end` when nothing
/// follows them): the first record header must be plausible, and so must
/// the second when the input goes on past the first record.
pub(crate) fn shape(head: &[u8], at_end: bool) -> Shape {
    let Some(first) = record_len(head) else {
        return Shape::Not;
    };
    let second = head.get(first..).unwrap_or_default();
    if second.len() < HEADER_LEN {
        return match (at_end, head.len() >= first) {
            (false, _) => Shape::More(first + HEADER_LEN),
            // The input is one whole record (and perhaps a cut one).
            (true, true) => Shape::Erf,
            (true, false) => Shape::Not,
        };
    }
    let seconds = |h: &[u8]| Endian::Little.u64(h, 0).map(|ts| ts >> 32);
    let close = match (seconds(head), seconds(second)) {
        (Some(a), Some(b)) => a.abs_diff(b) < MAX_STEP_S,
        _ => false,
    };
    if close && record_len(second).is_some() {
        Shape::Erf
    } else {
        Shape::Not
    }
}

/// The record length of a plausible record header.
fn record_len(header: &[u8]) -> Option<usize> {
    let record_type = *header.get(TYPE_AT)? & TYPE_MASK;
    let rlen = usize::from(Endian::Big.u16(header, RLEN_AT)?);
    let seconds = Endian::Little.u32(header, 4)?;
    let known = (1..=TYPE_MAX).contains(&record_type) || record_type == TYPE_PAD;
    (known && rlen >= HEADER_LEN && seconds != 0).then_some(rlen)
}

impl Erf {
    pub(crate) fn unit_len(&self, head: &[u8]) -> Result<Need, Problem> {
        let Some(rlen) = Endian::Big.u16(head, RLEN_AT) else {
            return Ok(Need::Bytes(HEADER_LEN));
        };
        match usize::from(rlen) {
            len if len >= HEADER_LEN => Ok(Need::Unit(len)),
            len => Err(Problem::Corrupt(format!(
                "ERF record declares a length of {len} bytes, less than its header"
            ))),
        }
    }

    pub(crate) fn unit<S: Sink>(
        &mut self,
        record: &[u8],
        out: &mut Output<'_, S>,
    ) -> Result<(), Problem> {
        let short = || Problem::Corrupt("ERF record too short for its header".into());
        let type_byte = *record.get(TYPE_AT).ok_or_else(short)?;
        if type_byte & TYPE_MASK == TYPE_PAD {
            return Ok(());
        }
        let ts = Endian::Little.u64(record, 0).ok_or_else(short)?;
        let wlen = usize::from(Endian::Big.u16(record, WLEN_AT).ok_or_else(short)?);
        let header = header_len(record, type_byte);
        // The record may hold padding past the packet: keep the packet only.
        // The wire length counts the packet, not the ERF header, so the
        // header is added for a frame that starts at it.
        let captured = record.len().min(header.saturating_add(wlen));
        let orig_len = u32::try_from(header.saturating_add(wlen)).unwrap_or(u32::MAX);
        let data = record.get(..captured).unwrap_or_default();
        out.frame(timestamp_ns(ts), LinkType::ERF, orig_len, data);
        Ok(())
    }
}

/// Bytes before the packet: the header, the extension headers, and the
/// 2-byte pad of Ethernet records.
fn header_len(record: &[u8], type_byte: u8) -> usize {
    let mut len = HEADER_LEN;
    let mut more = type_byte & MORE_EXTENSIONS != 0;
    while more {
        more = record.get(len).is_some_and(|b| b & MORE_EXTENSIONS != 0);
        len += EXTENSION_LEN;
    }
    if ETHERNET_TYPES.contains(&(type_byte & TYPE_MASK)) {
        len += 2;
    }
    len
}

/// Seconds in the upper 32 bits, a binary fraction in the lower 32, rounded
/// to the nearest nanosecond as Wireshark does.
fn timestamp_ns(ts: u64) -> i64 {
    let seconds = i64::from((ts >> 32) as u32);
    let fraction = u128::from(ts & 0xFFFF_FFFF) * 1_000_000_000;
    let nanos = ((fraction + (1 << 31)) >> 32) as i64;
    seconds * 1_000_000_000 + nanos
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_fractions_round_to_the_nearest_nanosecond() {
        assert_eq!(timestamp_ns(5 << 32), 5_000_000_000);
        assert_eq!(timestamp_ns(5 << 32 | 0x8000_0000), 5_500_000_000);
        // 1/2^32 s is 0.23 ns: rounds down to 0; 3/2^32 s is 0.70 ns: up to 1.
        assert_eq!(timestamp_ns(1), 0);
        assert_eq!(timestamp_ns(3), 1);
        // The largest fraction rounds up to the next whole second.
        assert_eq!(timestamp_ns(0xFFFF_FFFF), 1_000_000_000);
    }
}
