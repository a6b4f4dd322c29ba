//! IPv4 and IPv6 (with extension headers), and the protocols they carry.
//!
//! etherparse's lax slices do the header work: they accept frames cut by the
//! snaplen and length fields left at 0 by segmentation offload, which real
//! captures are full of.

use core::net::{IpAddr, Ipv4Addr};

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
    cur.deeper(layer, at)?;
    // The link layer announced this version: a different nibble is bogus.
    match cur.data.get(at).map(|b| b >> 4) {
        None => return Err(error(layer, at, DecodeErrorKind::Truncated)),
        Some(found) if found != version => {
            return Err(error(layer, at, DecodeErrorKind::Malformed))
        }
        Some(_) => cur.enter(layer),
    }
    let bytes = cur.data.get(at..).unwrap_or(&[]);
    let header = match plain_ipv4(bytes) {
        Some(header) => header,
        None => lax(bytes, layer, at)?,
    };
    if header.fragmented && !header.first_fragment {
        return Ok(Decoded::NotTcp(NotTcp::IpFragment));
    }
    let payload = header.payload;
    let payload_at = offset_in(cur.data, payload);
    match header.protocol {
        IpNumber::TCP => tcp::segment(
            cur,
            header.info,
            payload,
            header.declared,
            payload_at,
            header.fragmented,
        ),
        IpNumber::IPV4 => ipv4(cur, payload_at),
        IpNumber::IPV6 => ipv6(cur, payload_at),
        IpNumber::GRE => tunnel::gre(cur, payload_at, payload),
        IpNumber::UDP => tunnel::udp(cur, payload_at, payload),
        IpNumber::ICMP | IpNumber::IPV6_ICMP if cur.follow_icmp_quotes => {
            icmp::quote(cur, header.protocol, payload_at)
        }
        other => Ok(Decoded::NotTcp(NotTcp::IpProtocol(other.0))),
    }
}

fn error(layer: Layer, offset: usize, kind: DecodeErrorKind) -> DecodeError {
    DecodeError {
        layer,
        offset,
        kind,
    }
}

/// What the layers above need from an IP header, whichever way it was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Header<'a> {
    info: IpInfo,
    /// The protocol after the last (extension) header.
    protocol: IpNumber,
    /// The payload as captured.
    payload: &'a [u8],
    fragmented: bool,
    /// Offset 0: the fragment that holds the upper layer's header.
    first_fragment: bool,
    /// The payload length the header declares ([`declared_payload_len`]).
    declared: usize,
}

/// An IPv4 header without an authentication header (nearly every one), read
/// straight from its fixed fields: the same facts as etherparse's lax slice
/// (a test compares them on arbitrary bytes) for about a third of the
/// instructions (BENCHMARKS.md, session 7). `None` sends the header to
/// etherparse, which also names what is wrong with a bad one.
fn plain_ipv4(bytes: &[u8]) -> Option<Header<'_>> {
    let fixed: [u8; 20] = bytes.get(..20)?.try_into().ok()?;
    let [first, tos, len_hi, len_lo, id_hi, id_lo, frag_hi, frag_lo, ttl, protocol, _, _, s0, s1, s2, s3, d0, d1, d2, d3] =
        fixed;
    let header_len = usize::from(first & 0x0f) * 4;
    let protocol = IpNumber(protocol);
    if first >> 4 != 4 || header_len < 20 || protocol == IpNumber::AUTHENTICATION_HEADER {
        return None;
    }
    let rest = bytes.get(header_len..)?;
    let total_len = usize::from(u16::from_be_bytes([len_hi, len_lo]));
    // A total length below the header (segmentation offload writes 0) or
    // past the capture: the payload is what was captured.
    let declared_len = total_len.checked_sub(header_len);
    let (payload, declared) = match declared_len.and_then(|len| rest.get(..len)) {
        Some(payload) => (payload, payload.len()),
        None => (rest, declared_len.unwrap_or(0).max(rest.len())),
    };
    let offset = u16::from_be_bytes([frag_hi & 0x1f, frag_lo]);
    let more_fragments = frag_hi & 0x20 != 0;
    Some(Header {
        info: IpInfo {
            src: IpAddr::V4(Ipv4Addr::new(s0, s1, s2, s3)),
            dst: IpAddr::V4(Ipv4Addr::new(d0, d1, d2, d3)),
            ttl,
            id: Some(u16::from_be_bytes([id_hi, id_lo])),
            dont_fragment: frag_hi & 0x40 != 0,
            tos,
        },
        protocol,
        payload,
        fragmented: more_fragments || offset != 0,
        first_fragment: offset == 0,
        declared,
    })
}

/// Any IP header, through etherparse's lax slice: IPv6 and its extension
/// headers, IPv4 with an authentication header, and the errors.
fn lax(bytes: &[u8], layer: Layer, at: usize) -> Result<Header<'_>, DecodeError> {
    let (slice, ext_error) = LaxIpSlice::from_slice(bytes).map_err(|e| {
        error(
            layer,
            at,
            match e {
                LaxHeaderSliceError::Len(_) => DecodeErrorKind::Truncated,
                LaxHeaderSliceError::Content(_) => DecodeErrorKind::Malformed,
            },
        )
    })?;
    // The lax slice stops at a bad extension header; TCP lies beyond it.
    if let Some((err, _)) = ext_error {
        return Err(match err {
            ExtsError::Len(len) => error(
                layer,
                at + len.layer_start_offset,
                DecodeErrorKind::Truncated,
            ),
            ExtsError::Content(_) => error(layer, at, DecodeErrorKind::Malformed),
        });
    }
    let payload = slice.payload();
    Ok(Header {
        info: info(&slice),
        protocol: payload.ip_number,
        payload: payload.payload,
        fragmented: payload.fragmented,
        first_fragment: !payload.fragmented || is_first_fragment(&slice),
        declared: declared_payload_len(&slice),
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    /// An IPv4 header start: the IHL nibble, total length, flags and
    /// fragment offset, protocol, then whatever bytes follow.
    fn ipv4_bytes(ihl: u8, total_len: u16, frag: u16, protocol: u8, rest: &[u8]) -> Vec<u8> {
        let mut bytes = vec![0x40 | ihl, 0x28];
        bytes.extend(total_len.to_be_bytes());
        bytes.extend([0x12, 0x34]);
        bytes.extend(frag.to_be_bytes());
        bytes.extend([57, protocol, 0, 0, 192, 0, 2, 1, 198, 51, 100, 7]);
        bytes.extend(rest);
        bytes
    }

    proptest! {
        /// Whenever the direct reading answers, it is what etherparse reads:
        /// lengths below, at and past the header and the capture, any
        /// fragment bits, options (IHL > 5) and impossible IHLs.
        #[test]
        fn plain_ipv4_reads_what_etherparse_reads(
            ihl in 0u8..16,
            total_len in prop_oneof![0u16..90, any::<u16>()],
            frag in any::<u16>(),
            protocol in prop_oneof![Just(6u8), Just(51), Just(17), any::<u8>()],
            rest in proptest::collection::vec(any::<u8>(), 0..70),
        ) {
            let bytes = ipv4_bytes(ihl, total_len, frag, protocol, &rest);
            if let Some(plain) = plain_ipv4(&bytes) {
                prop_assert_eq!(Some(plain), lax(&bytes, Layer::Ipv4, 0).ok());
            }
        }
    }

    #[test]
    fn plain_ipv4_reads_ordinary_headers_and_leaves_the_rest_to_etherparse() {
        // Captured whole: the payload ends where the total length says.
        let bytes = ipv4_bytes(5, 24, 0x4000, 6, &[1, 2, 3, 4, 5, 6]);
        let header = plain_ipv4(&bytes).expect("a plain header");
        assert_eq!(header.payload, &[1, 2, 3, 4]);
        assert_eq!((header.declared, header.info.ttl), (4, 57));
        assert!(header.info.dont_fragment && !header.fragmented);
        // Cut by the snaplen: the declared length is the header's.
        let cut = ipv4_bytes(5, 1500, 0, 6, &[1, 2]);
        assert_eq!(plain_ipv4(&cut).map(|h| h.declared), Some(1480));
        // An authentication header, a bad IHL and a short header go to etherparse.
        assert_eq!(plain_ipv4(&ipv4_bytes(5, 40, 0, 51, &[0; 20])), None);
        assert_eq!(plain_ipv4(&ipv4_bytes(4, 40, 0, 6, &[0; 20])), None);
        assert_eq!(plain_ipv4(&ipv4_bytes(8, 40, 0, 6, &[0; 4])), None);
    }
}
