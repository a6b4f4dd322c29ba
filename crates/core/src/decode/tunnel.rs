//! Tunnels: GRE (with ERSPAN and Aruba's 802.11-in-GRE), and the UDP-borne
//! VXLAN, GTP-U and Teredo. Each hands the inner frame back to the link or IP
//! decoders, so a TCP segment is found at any depth.

use super::bytes::{be16, u8_at};
use super::link;
use super::{ip, Cursor, DecodeError, Decoded, Layer, NotTcp};

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
    match proto {
        // ERSPAN type I has no header of its own (and no GRE sequence number).
        GRE_ERSPAN_2 if flags & GRE_SEQUENCE == 0 => link::ethernet(cur, inner),
        GRE_ERSPAN_2 => {
            cur.enter(Layer::Erspan);
            link::ethernet(cur, inner + 8)
        }
        GRE_ERSPAN_3 => {
            cur.enter(Layer::Erspan);
            // The O flag (lowest bit of the last header byte) adds an 8-byte platform sub-header.
            let last = cur.need(u8_at(cur.data, inner + 11), Layer::Erspan, inner)?;
            link::ethernet(cur, inner + 12 + if last & 1 != 0 { 8 } else { 0 })
        }
        GRE_ARUBA_WLAN => wlan(cur, inner),
        other => link::ether_payload(cur, other, inner),
    }
}

/// An 802.11 data frame followed by LLC/SNAP (Aruba access points tunnel these in GRE).
fn wlan<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    cur.enter(Layer::Wlan);
    let fc0 = cur.need(u8_at(cur.data, at), Layer::Wlan, at)?;
    let fc1 = cur.need(u8_at(cur.data, at + 1), Layer::Wlan, at)?;
    let is_data = (fc0 >> 2) & 0b11 == 2;
    if !is_data {
        return Ok(Decoded::NotTcp(NotTcp::OtherLink));
    }
    let to_and_from_ds = fc1 & 0b11 == 0b11;
    let qos = fc0 & 0x80 != 0;
    let ht_control = qos && fc1 & 0x80 != 0;
    let len = 24
        + if to_and_from_ds { 6 } else { 0 }
        + if qos { 2 } else { 0 }
        + if ht_control { 4 } else { 0 };
    link::llc(cur, at + len)
}

/// UDP: only the tunnel ports are looked into; anything else is plain UDP.
pub fn udp<'a>(
    cur: &mut Cursor<'a>,
    at: usize,
    payload: &[u8],
) -> Result<Decoded<'a>, DecodeError> {
    let (Some(src), Some(dst)) = (be16(payload, 0), be16(payload, 2)) else {
        return Ok(Decoded::NotTcp(NotTcp::IpProtocol(17)));
    };
    let inner = at + 8;
    let plain = Decoded::NotTcp(NotTcp::IpProtocol(17));
    if dst == VXLAN_PORT && u8_at(payload, 8).is_some_and(|flags| flags & 0x08 != 0) {
        cur.enter(Layer::Udp);
        cur.enter(Layer::Vxlan);
        return link::ethernet(cur, inner + 8);
    }
    if src == GTP_U_PORT || dst == GTP_U_PORT {
        return gtp_u(cur, inner).or(Ok(plain));
    }
    if src == TEREDO_PORT || dst == TEREDO_PORT {
        return Ok(teredo(cur, inner).unwrap_or(plain));
    }
    Ok(plain)
}

/// GTP-U version 1 G-PDU: an 8-byte header, 4 more when any of E/S/PN is set,
/// then a chain of extension headers, then the user's IP packet.
fn gtp_u<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    let flags = cur.need(u8_at(cur.data, at), Layer::GtpU, at)?;
    let message = cur.need(u8_at(cur.data, at + 1), Layer::GtpU, at)?;
    if flags >> 5 != 1 || message != 0xFF {
        return Ok(Decoded::NotTcp(NotTcp::IpProtocol(17)));
    }
    cur.enter(Layer::Udp);
    cur.enter(Layer::GtpU);
    let mut next = at + 8;
    if flags & 0b111 != 0 {
        let mut ext_type = cur.need(u8_at(cur.data, at + 11), Layer::GtpU, at)?;
        next = at + 12;
        // Each extension header: length in 4-byte units, its last byte names the next type.
        let mut hops = 0;
        while ext_type != 0 && hops < 8 {
            let units = usize::from(cur.need(u8_at(cur.data, next), Layer::GtpU, next)?);
            if units == 0 {
                return Err(DecodeError {
                    layer: Layer::GtpU,
                    offset: next,
                    kind: super::DecodeErrorKind::Malformed,
                });
            }
            next += units * 4;
            ext_type = cur.need(u8_at(cur.data, next - 1), Layer::GtpU, next)?;
            hops += 1;
        }
    }
    ip::by_version(cur, next)
}

/// Teredo (RFC 4380): optional authentication and origin indications, then
/// IPv6. Only taken as Teredo when an IPv6 header really follows.
fn teredo<'a>(cur: &mut Cursor<'a>, at: usize) -> Option<Decoded<'a>> {
    let mut next = at;
    if be16(cur.data, next)? == 0x0001 {
        let id_len = usize::from(u8_at(cur.data, next + 2)?);
        let auth_len = usize::from(u8_at(cur.data, next + 3)?);
        next += 4 + id_len + auth_len + 8 + 1;
    }
    if be16(cur.data, next)? == 0x0000 {
        next += 8;
    }
    if u8_at(cur.data, next)? >> 4 != 6 {
        return None;
    }
    let mut attempt = *cur;
    attempt.enter(Layer::Udp);
    attempt.enter(Layer::Teredo);
    let decoded = ip::ipv6(&mut attempt, next).ok()?;
    *cur = attempt;
    Some(decoded)
}
