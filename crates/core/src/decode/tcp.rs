//! The TCP header and the options the analysis uses.

use etherparse::err::tcp::HeaderSliceError;
use etherparse::TcpHeaderSlice;

use super::bytes::{be16, be32};
use super::{
    Cursor, DecodeError, DecodeErrorKind, Decoded, Flow, IpInfo, Layer, NotTcp, TcpOptions,
    TcpPacket, TcpSegment,
};

/// `payload` is the IP payload as captured; `declared` its length per the IP header.
pub fn segment<'a>(
    cur: &mut Cursor<'a>,
    ip: IpInfo,
    payload: &'a [u8],
    declared: usize,
    at: usize,
    fragmented: bool,
) -> Result<Decoded<'a>, DecodeError> {
    let header = match TcpHeaderSlice::from_slice(payload) {
        Ok(header) => header,
        // The rest of the TCP header is in the next fragment.
        Err(HeaderSliceError::Len(_)) if fragmented => {
            return Ok(Decoded::NotTcp(NotTcp::IpFragment))
        }
        Err(e) => {
            // A data offset pointing past the segment the IP header announces
            // is impossible; otherwise the bytes (capture or IP packet) just
            // end before the header does.
            let kind = match e {
                HeaderSliceError::Len(len)
                    if len.required_len > MIN_HEADER_LEN && len.required_len > declared =>
                {
                    DecodeErrorKind::Malformed
                }
                // The capture cut the options, not the fixed header: what
                // the analysis needs is there (tshark reads these too).
                HeaderSliceError::Len(len) if payload.len() >= MIN_HEADER_LEN => {
                    let tcp = cut_header(payload, len.required_len, declared);
                    return Ok(packet(cur, ip, tcp, fragmented));
                }
                HeaderSliceError::Len(_) => DecodeErrorKind::Truncated,
                HeaderSliceError::Content(_) => DecodeErrorKind::Malformed,
            };
            return Err(DecodeError {
                layer: Layer::Tcp,
                offset: at,
                kind,
            });
        }
    };
    let header_len = header.slice().len();
    // Empty payloads are still slices of the frame (callers take offsets).
    let data = payload
        .get(header_len.min(payload.len())..)
        .unwrap_or_default();
    let flags = u16::from_be_bytes([
        payload.get(12).copied().unwrap_or(0) & 0x01,
        payload.get(13).copied().unwrap_or(0),
    ]);
    let tcp = TcpSegment {
        src_port: header.source_port(),
        dst_port: header.destination_port(),
        seq: header.sequence_number(),
        ack: header.acknowledgment_number(),
        flags,
        window: header.window_size(),
        options: options(header.options()),
        payload: data,
        payload_len: u32::try_from(declared.saturating_sub(header_len)).unwrap_or(u32::MAX),
    };
    Ok(packet(cur, ip, tcp, fragmented))
}

fn packet<'a>(cur: &Cursor<'a>, ip: IpInfo, tcp: TcpSegment<'a>, fragmented: bool) -> Decoded<'a> {
    Decoded::Tcp(TcpPacket {
        flow: Some(Flow::of(&ip, tcp.src_port, tcp.dst_port)),
        ip,
        tcp,
        encapsulation: cur.encapsulation,
        link: cur.meta,
        fragmented,
    })
}

/// A header whose options the snaplen cut (header-snapped traces): the
/// fixed fields, the options as far as they were captured, no payload.
fn cut_header(header: &[u8], header_len: usize, declared: usize) -> TcpSegment<'_> {
    let u16_at = |at| be16(header, at).unwrap_or(0);
    let u32_at = |at| be32(header, at).unwrap_or(0);
    TcpSegment {
        src_port: u16_at(0),
        dst_port: u16_at(2),
        seq: u32_at(4),
        ack: u32_at(8),
        flags: u16_at(12) & 0x1FF,
        window: u16_at(14),
        options: options(header.get(MIN_HEADER_LEN..).unwrap_or_default()),
        // Empty, but inside the frame, as callers rely on.
        payload: header.get(header.len()..).unwrap_or_default(),
        payload_len: u32::try_from(declared.saturating_sub(header_len)).unwrap_or(u32::MAX),
    }
}

/// The fixed part of the header, before any options.
const MIN_HEADER_LEN: usize = 20;

const END: u8 = 0;
const NOP: u8 = 1;
const MSS: u8 = 2;
const WINDOW_SCALE: u8 = 3;
const SACK_PERMITTED: u8 = 4;
const SACK: u8 = 5;
const TIMESTAMPS: u8 = 8;
const MPTCP: u8 = 30;
const MPTCP_TCPRST: u8 = 0x8;

/// The options of a segment: the layout of nearly every segment after a
/// handshake with timestamps, `NOP, NOP, TS` (Linux, the BSDs, macOS),
/// read in place; any other list is walked.
fn options(bytes: &[u8]) -> TcpOptions {
    match bytes {
        [NOP, NOP, TIMESTAMPS, 10, a, b, c, d, e, f, g, h] => TcpOptions {
            timestamps: Some((
                u32::from_be_bytes([*a, *b, *c, *d]),
                u32::from_be_bytes([*e, *f, *g, *h]),
            )),
            ..TcpOptions::default()
        },
        _ => walk(bytes),
    }
}

/// Walks the option list; a malformed option ends the walk, keeping what was read.
fn walk(mut bytes: &[u8]) -> TcpOptions {
    let mut out = TcpOptions::default();
    while let Some((&kind, rest)) = bytes.split_first() {
        match kind {
            END => break,
            NOP => {
                bytes = rest;
                continue;
            }
            _ => {}
        }
        let Some(len) = rest.first().map(|&l| usize::from(l)) else {
            break;
        };
        let Some(body) = bytes.get(2..len) else { break };
        match (kind, body) {
            (MSS, [a, b]) => out.mss = Some(u16::from_be_bytes([*a, *b])),
            (WINDOW_SCALE, [s]) => out.window_scale = Some(*s),
            (SACK_PERMITTED, []) => out.sack_permitted = true,
            (SACK, [_, ..]) => out.sack = true,
            (TIMESTAMPS, [a, b, c, d, e, f, g, h]) => {
                out.timestamps = Some((
                    u32::from_be_bytes([*a, *b, *c, *d]),
                    u32::from_be_bytes([*e, *f, *g, *h]),
                ))
            }
            // MP_TCPRST (RFC 8684 §3.6): subtype in the high nibble of the
            // first byte (flags U/V/W/T in the low one), then the reason.
            (MPTCP, [subtype_flags, reason, ..]) if subtype_flags >> 4 == MPTCP_TCPRST => {
                out.mptcp_rst_reason = Some(*reason)
            }
            _ => {}
        }
        bytes = bytes.get(len..).unwrap_or(&[]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_read_past_nops_and_unknown_kinds() {
        let bytes = [
            2, 4, 0x05, 0xb4, 1, 3, 3, 7, 4, 2, 99, 3, 0, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2,
        ];
        let o = options(&bytes);
        assert_eq!(o.mss, Some(1460));
        assert_eq!(o.window_scale, Some(7));
        assert!(o.sack_permitted);
        assert!(!o.sack);
        assert_eq!(o.timestamps, Some((1, 2)));
        // One SACK block (left and right edges) after two NOPs.
        let sack = [1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 9];
        assert!(options(&sack).sack);
    }

    /// `NOP, NOP, TS`, read in place, reads as the walk reads it; one byte
    /// off the layout (a bad length, a SACK after it) is walked.
    #[test]
    fn the_usual_timestamps_layout_reads_as_the_walk_does() {
        let usual = [1, 1, 8, 10, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 7];
        assert_eq!(options(&usual).timestamps, Some((0xdead_beef, 7)));
        assert_eq!(options(&usual), walk(&usual));
        let mut bad_len = usual;
        bad_len[3] = 9;
        assert_eq!(options(&bad_len), walk(&bad_len));
        assert_eq!(options(&bad_len).timestamps, None);
        let with_sack = [
            1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 9,
        ];
        assert!(options(&with_sack).sack);
        assert_eq!(options(&with_sack).timestamps, Some((1, 2)));
    }

    #[test]
    fn a_bad_option_length_stops_the_walk_without_panic() {
        for bytes in [&[2u8][..], &[2, 0], &[2, 1], &[2, 200, 1], &[8, 10, 1]] {
            let _ = options(bytes);
        }
        assert_eq!(options(&[2, 4, 5, 180, 3, 0]).mss, Some(1460));
    }
}
