//! Apple PKTAP (LINKTYPE 258; macOS writes it as DLT 149, which elsewhere is
//! LINKTYPE_USER2): what `tcpdump -k` / `-i pktap` capture. A header in the
//! capturing host's byte order (little-endian on every Mac) names the inner
//! link type, the interface, and the process that owned the packet; the
//! frame follows.

use super::bytes::le32;
use super::meta::c_str;
use super::{link, Cursor, DecodeError, Decoded, Layer, NotTcp, ProcessMeta};
use crate::frame::LinkType;

/// The header as libpcap's `pktap.h` lays it out (108 bytes).
const MIN_LEN: usize = 108;
/// Longer headers than this are not PKTAP (newer versions add a few fields).
const MAX_LEN: usize = 512;
const RECORD_PACKET: u32 = 1;
const DLT_AT: usize = 8;
const PID_AT: usize = 52;
const COMMAND_AT: usize = 56;
const COMMAND_LEN: usize = 20;
const EFFECTIVE_PID_AT: usize = 84;
const EFFECTIVE_COMMAND_AT: usize = 88;

/// `user2` is the file's link type 149: decoded as PKTAP only when the
/// header looks like one, since other tools use 149 for their own data.
pub fn frame<'a>(cur: &mut Cursor<'a>, user2: bool) -> Result<Decoded<'a>, DecodeError> {
    let len = le32(cur.data, 0).and_then(|len| usize::try_from(len).ok());
    let record = le32(cur.data, 4);
    let looks_right =
        len.is_some_and(|len| (MIN_LEN..=MAX_LEN).contains(&len)) && record == Some(RECORD_PACKET);
    if user2 && !looks_right {
        return Ok(Decoded::NotTcp(NotTcp::UnknownLinkType(LinkType::USER2)));
    }
    cur.enter(Layer::Pktap);
    let len = cur.need(len, Layer::Pktap, 0)?;
    if !looks_right {
        return cur.malformed(Layer::Pktap, 0);
    }
    cur.need_until(len, Layer::Pktap, 0)?;
    let dlt = cur.need(le32(cur.data, DLT_AT), Layer::Pktap, 0)?;
    cur.meta.process = process(cur.data);
    link::frame_at(cur, darwin_dlt(dlt), len)
}

/// The process, preferring the "effective" one (the app a daemon acted for)
/// when the kernel recorded it.
fn process(header: &[u8]) -> Option<ProcessMeta<'_>> {
    let named = |pid_at: usize, name_at: usize| {
        let pid = le32(header, pid_at).filter(|&pid| pid != 0 && pid != u32::MAX);
        let name = c_str(
            header
                .get(name_at..name_at + COMMAND_LEN)
                .unwrap_or_default(),
        );
        (pid.is_some() || !name.is_empty()).then_some(ProcessMeta { pid, name })
    };
    named(EFFECTIVE_PID_AT, EFFECTIVE_COMMAND_AT)
        .filter(|p| !p.name.is_empty())
        .or_else(|| named(PID_AT, COMMAND_AT))
}

/// Darwin's DLT numbers to LINKTYPE numbers; they differ only for raw IP
/// and PKTAP itself.
fn darwin_dlt(dlt: u32) -> LinkType {
    const DLT_RAW: u32 = 12;
    const DLT_PKTAP: u32 = 149;
    match dlt {
        DLT_RAW => LinkType::RAW,
        DLT_PKTAP => LinkType::PKTAP,
        other => LinkType(other),
    }
}
