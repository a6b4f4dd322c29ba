//! IPv4 and IPv6 (with extension headers), and the protocols they carry.
//!
//! etherparse's lax slices do the header work: they accept frames cut by the
//! snaplen and length fields left at 0 by segmentation offload, which real
//! captures are full of.

use core::net::IpAddr;

use etherparse::err::ip::LaxHeaderSliceError;
use etherparse::err::ipv6_exts::HeaderSliceError as ExtsError;
use etherparse::{IpNumber, Ipv6ExtensionSlice, LaxIpSlice, LenSource};

use super::{
    icmp, tcp, tunnel, Cursor, DecodeError, DecodeErrorKind, Decoded, IpInfo, Layer, NotTcp,
};

/// Raw IP where the version nibble tells IPv4 from IPv6 (LINKTYPE_RAW).
pub fn by_version<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    match cur.data.get(at).map(|b| b >> 4) {
        Some(6) => ipv6(cur, at),
        _ => ipv4(cur, at),
    }
}

pub fn ipv4<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    ip(cur, at, Layer::Ipv4, 4)
}

pub fn ipv6<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    ip(cur, at, Layer::Ipv6, 6)
}

fn ip<'a>(
    cur: &mut Cursor<'a>,
    at: usize,
    layer: Layer,
    version: u8,
) -> Result<Decoded<'a>, DecodeError> {
    let error = |kind| DecodeError {
        layer,
        offset: at,
        kind,
    };
    cur.deeper(layer, at)?;
    // The link layer announced this version: a different nibble is bogus.
    match cur.data.get(at).map(|b| b >> 4) {
        None => return Err(error(DecodeErrorKind::Truncated)),
        Some(found) if found != version => return Err(error(DecodeErrorKind::Malformed)),
        Some(_) => cur.enter(layer),
    }
    let bytes = cur.data.get(at..).unwrap_or(&[]);
    let (slice, ext_error) = LaxIpSlice::from_slice(bytes).map_err(|e| {
        error(match e {
            LaxHeaderSliceError::Len(_) => DecodeErrorKind::Truncated,
            LaxHeaderSliceError::Content(_) => DecodeErrorKind::Malformed,
        })
    })?;
    // The lax slice stops at a bad extension header; TCP lies beyond it.
    if let Some((err, _)) = ext_error {
        return Err(match err {
            ExtsError::Len(len) => DecodeError {
                layer,
                offset: at + len.layer_start_offset,
                kind: DecodeErrorKind::Truncated,
            },
            ExtsError::Content(_) => error(DecodeErrorKind::Malformed),
        });
    }
    let info = info(&slice);
    let payload = slice.payload();
    let fragmented = payload.fragmented;
    if fragmented && !is_first_fragment(&slice) {
        return Ok(Decoded::NotTcp(NotTcp::IpFragment));
    }
    let payload_at = offset_in(cur.data, payload.payload);
    let declared = declared_payload_len(&slice);
    match payload.ip_number {
        IpNumber::TCP => tcp::segment(cur, info, payload.payload, declared, payload_at, fragmented),
        IpNumber::IPV4 => ipv4(cur, payload_at),
        IpNumber::IPV6 => ipv6(cur, payload_at),
        IpNumber::GRE => tunnel::gre(cur, payload_at, payload.payload),
        IpNumber::UDP => tunnel::udp(cur, payload_at, payload.payload),
        IpNumber::ICMP | IpNumber::IPV6_ICMP if cur.follow_icmp_quotes => {
            icmp::quote(cur, payload.ip_number, payload_at)
        }
        other => Ok(Decoded::NotTcp(NotTcp::IpProtocol(other.0))),
    }
}

fn info(slice: &LaxIpSlice<'_>) -> IpInfo {
    match slice {
        LaxIpSlice::Ipv4(v4) => {
            let h = v4.header();
            IpInfo {
                src: IpAddr::V4(h.source_addr()),
                dst: IpAddr::V4(h.destination_addr()),
                ttl: h.ttl(),
                id: Some(h.identification()),
                dont_fragment: h.dont_fragment(),
                tos: h.slice().get(1).copied().unwrap_or(0),
            }
        }
        LaxIpSlice::Ipv6(v6) => {
            let h = v6.header();
            IpInfo {
                src: IpAddr::V6(h.source_addr()),
                dst: IpAddr::V6(h.destination_addr()),
                ttl: h.hop_limit(),
                id: None,
                dont_fragment: false,
                tos: h.traffic_class(),
            }
        }
    }
}

fn is_first_fragment(slice: &LaxIpSlice<'_>) -> bool {
    match slice {
        LaxIpSlice::Ipv4(v4) => v4.header().fragments_offset().value() == 0,
        LaxIpSlice::Ipv6(v6) => v6.extensions().clone().into_iter().all(|ext| match ext {
            Ipv6ExtensionSlice::Fragment(frag) => frag.fragment_offset().value() == 0,
            _ => true,
        }),
    }
}

/// The IP payload length the header declares, which is more than was
/// captured when the snaplen cut the frame.
fn declared_payload_len(slice: &LaxIpSlice<'_>) -> usize {
    let payload = slice.payload();
    let captured = payload.payload.len();
    if payload.len_source != LenSource::Slice {
        return captured;
    }
    let declared = match slice {
        LaxIpSlice::Ipv4(v4) => {
            let h = v4.header();
            usize::from(h.total_len()).saturating_sub(usize::from(h.ihl()) * 4)
        }
        LaxIpSlice::Ipv6(v6) => {
            usize::from(v6.header().payload_length()).saturating_sub(v6.extensions().slice().len())
        }
    };
    // A zero or too-small length (segmentation offload) means "as captured".
    declared.max(captured)
}

/// Where `inner` (a sub-slice of `outer`) starts within `outer`.
pub fn offset_in(outer: &[u8], inner: &[u8]) -> usize {
    (inner.as_ptr() as usize).saturating_sub(outer.as_ptr() as usize)
}
