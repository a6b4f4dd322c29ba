//! Tunnels: GRE (with ERSPAN and Aruba's 802.11-in-GRE), and the UDP-borne
//! VXLAN, GTP-U and Teredo. Each hands the inner frame back to the link or IP
//! decoders, so a TCP segment is found at any depth.

use super::bytes::{be16, u8_at};
use super::{ip, Cursor, DecodeError, DecodeErrorKind, Decoded, Layer, NotTcp};
use super::{link, wlan};
use etherparse::UdpHeaderSlice;

const GRE_CHECKSUM: u16 = 0x8000;
const GRE_KEY: u16 = 0x2000;
const GRE_SEQUENCE: u16 = 0x1000;
const GRE_ACK: u16 = 0x0080;
const GRE_ROUTING: u16 = 0x4000;
const IP_PROTO_GRE: u8 = 47;
const GRE_ERSPAN_2: u16 = 0x88BE;
const GRE_ERSPAN_3: u16 = 0x22EB;
const GRE_ARUBA_WLAN: u16 = 0x8200;

const VXLAN_PORT: u16 = 4789;
const GTP_U_PORT: u16 = 2152;
const TEREDO_PORT: u16 = 3544;
const IP_PROTO_UDP: u8 = 17;

/// GRE (RFC 2784/2890, and the enhanced version 1 of PPTP).
pub fn gre<'a>(
    cur: &mut Cursor<'a>,
    at: usize,
    payload: &[u8],
) -> Result<Decoded<'a>, DecodeError> {
    cur.enter(Layer::Gre);
    let flags = cur.need(be16(payload, 0), Layer::Gre, at)?;
    let proto = cur.need(be16(payload, 2), Layer::Gre, at)?;
    if flags & GRE_ROUTING != 0 {
        // RFC 1701 source routing (long obsolete): not followed.
        return Ok(Decoded::NotTcp(NotTcp::IpProtocol(IP_PROTO_GRE)));
    }
    // Each optional field is 4 bytes (checksum with its reserved half).
    let optional = [GRE_CHECKSUM, GRE_KEY, GRE_SEQUENCE, GRE_ACK]
        .iter()
        .filter(|&&bit| flags & bit != 0)
        .count();
    let inner = at + 4 + 4 * optional;
    cur.need_until(inner, Layer::Gre, at)?;
    match proto {
        // ERSPAN type I has no header of its own (and no GRE sequence number).
        GRE_ERSPAN_2 if flags & GRE_SEQUENCE == 0 => link::ethernet(cur, inner),
        GRE_ERSPAN_2 => {
            cur.enter(Layer::Erspan);
            cur.need_until(inner + 8, Layer::Erspan, inner)?;
            link::ethernet(cur, inner + 8)
        }
        GRE_ERSPAN_3 => erspan3(cur, inner),
        GRE_ARUBA_WLAN => wlan::frame(cur, inner),
        other => link::ether_payload(cur, other, inner),
    }
}

/// ERSPAN type III: 12 bytes, 8 more with the platform sub-header (O flag),
/// then the mirrored frame, Ethernet or (frame type 2) bare IP.
fn erspan3<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    const FRAME_TYPE_IP: u8 = 2;
    cur.enter(Layer::Erspan);
    let frame_type_byte = cur.need(u8_at(cur.data, at + 10), Layer::Erspan, at)?;
    let last = cur.need(u8_at(cur.data, at + 11), Layer::Erspan, at)?;
    let inner = at + 12 + if last & 1 != 0 { 8 } else { 0 };
    cur.need_until(inner, Layer::Erspan, at)?;
    if (frame_type_byte >> 2) & 0x1F == FRAME_TYPE_IP {
        ip::by_version(cur, inner)
    } else {
        link::ethernet(cur, inner)
    }
}

/// UDP: only the tunnel ports are looked into; anything else is plain UDP.
pub fn udp<'a>(
    cur: &mut Cursor<'a>,
    at: usize,
    payload: &[u8],
) -> Result<Decoded<'a>, DecodeError> {
    let plain = Ok(Decoded::NotTcp(NotTcp::IpProtocol(IP_PROTO_UDP)));
    // A cut UDP header is still UDP, just not one to look into.
    let Ok(header) = UdpHeaderSlice::from_slice(payload) else {
        return plain;
    };
    let (src, dst) = (header.source_port(), header.destination_port());
    let inner = at + 8;
    let port = |p: u16| src == p || dst == p;
    if dst == VXLAN_PORT && u8_at(payload, 8).is_some_and(|flags| flags & 0x08 != 0) {
        cur.enter(Layer::Udp);
        cur.enter(Layer::Vxlan);
        cur.need_until(inner + 8, Layer::Vxlan, inner)?;
        return link::ethernet(cur, inner + 8);
    }
    if port(GTP_U_PORT) {
        return gtp_u(cur, inner);
    }
    if port(TEREDO_PORT) {
        let udp_end = at + usize::from(header.length());
        if let Some(ipv6_at) = teredo_ipv6(cur.data, inner, udp_end) {
            cur.enter(Layer::Udp);
            cur.enter(Layer::Teredo);
            return ip::ipv6(cur, ipv6_at);
        }
    }
    plain
}

/// GTP-U version 1 G-PDU: an 8-byte header, 4 more when any of E/S/PN is set,
/// then a chain of extension headers, then the user's IP packet. Signalling
/// on the same port (echo, error indication) is plain UDP.
fn gtp_u<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    const G_PDU: u8 = 0xFF;
    // More extension headers than any real packet has.
    const MAX_EXTENSIONS: usize = 8;
    let flags = cur.need(u8_at(cur.data, at), Layer::GtpU, at)?;
    let message = cur.need(u8_at(cur.data, at + 1), Layer::GtpU, at)?;
    if flags >> 5 != 1 || message != G_PDU {
        return Ok(Decoded::NotTcp(NotTcp::IpProtocol(IP_PROTO_UDP)));
    }
    cur.enter(Layer::Udp);
    cur.enter(Layer::GtpU);
    let malformed = |offset| DecodeError {
        layer: Layer::GtpU,
        offset,
        kind: DecodeErrorKind::Malformed,
    };
    if flags & 0b111 == 0 {
        cur.need_until(at + 8, Layer::GtpU, at)?;
        return ip::by_version(cur, at + 8);
    }
    let mut next_type = cur.need(u8_at(cur.data, at + 11), Layer::GtpU, at)?;
    let mut next = at + 12;
    // Each extension header: length in 4-byte units; its last byte names the next type.
    for _ in 0..MAX_EXTENSIONS {
        if next_type == 0 {
            return ip::by_version(cur, next);
        }
        let units = usize::from(cur.need(u8_at(cur.data, next), Layer::GtpU, next)?);
        if units == 0 {
            return Err(malformed(next));
        }
        let end = next + units * 4;
        next_type = cur.need(u8_at(cur.data, end - 1), Layer::GtpU, next)?;
        next = end;
    }
    Err(malformed(at))
}

/// Teredo (RFC 4380): optional authentication and origin indications, then
/// IPv6. Returns where the IPv6 header starts, only when one really does:
/// version 6, and a payload length that fills the UDP datagram exactly.
fn teredo_ipv6(data: &[u8], at: usize, udp_end: usize) -> Option<usize> {
    const AUTHENTICATION: u16 = 0x0001;
    const ORIGIN_INDICATION: u16 = 0x0000;
    const ORIGIN_INDICATION_LEN: usize = 8;
    let mut next = at;
    if be16(data, next)? == AUTHENTICATION {
        let id_len = usize::from(u8_at(data, next + 2)?);
        let auth_len = usize::from(u8_at(data, next + 3)?);
        // Then an 8-byte nonce and a confirmation byte.
        next += 4 + id_len + auth_len + 8 + 1;
    }
    if be16(data, next)? == ORIGIN_INDICATION {
        next += ORIGIN_INDICATION_LEN;
    }
    let version = u8_at(data, next)? >> 4;
    let payload_length = usize::from(be16(data, next + 4)?);
    (version == 6 && next + 40 + payload_length == udp_end).then_some(next)
}
