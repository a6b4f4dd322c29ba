//! Serial and WAN links: PPP (LINKTYPE 9 and 50), Cisco HDLC (104) and
//! Frame Relay (107), each carrying IP or MPLS (or whatever an EtherType
//! announces).

use super::bytes::{be16, u8_at};
use super::{ip, link, mpls, Cursor, DecodeError, Decoded, Layer, NotTcp};

const PPP_IPV4: u16 = 0x0021;
const PPP_IPV6: u16 = 0x0057;
const PPP_MPLS_UNICAST: u16 = 0x0281;
const PPP_MPLS_MULTICAST: u16 = 0x0283;
/// HDLC address and control bytes of PPP (RFC 1662).
const PPP_ADDRESS: u8 = 0xFF;
const PPP_CONTROL: u8 = 0x03;
/// Cisco HDLC address bytes (unicast, broadcast); control is 0.
const CHDLC_UNICAST: u8 = 0x0F;
const CHDLC_BROADCAST: u8 = 0x8F;

/// PPP, with or without the HDLC address/control bytes and with a 1- or
/// 2-byte protocol field. Routers also write Cisco HDLC frames under the PPP
/// link types (tshark reads them as "ppp:chdlc"): those are told apart by
/// their address byte.
pub fn ppp<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    let first = cur.need(u8_at(cur.data, at), Layer::Ppp, at)?;
    let second = cur.need(u8_at(cur.data, at + 1), Layer::Ppp, at)?;
    if matches!(first, CHDLC_UNICAST | CHDLC_BROADCAST) && second == 0 {
        return cisco_hdlc(cur, at);
    }
    cur.enter(Layer::Ppp);
    let mut next = at;
    if first == PPP_ADDRESS && second == PPP_CONTROL {
        next += 2;
    }
    // A protocol field whose first byte is odd was compressed to one byte (PFC).
    let high = cur.need(u8_at(cur.data, next), Layer::Ppp, at)?;
    let (protocol, body) = if high & 1 == 1 {
        (u16::from(high), next + 1)
    } else {
        (cur.need(be16(cur.data, next), Layer::Ppp, at)?, next + 2)
    };
    match protocol {
        PPP_IPV4 => ip::ipv4(cur, body),
        PPP_IPV6 => ip::ipv6(cur, body),
        PPP_MPLS_UNICAST | PPP_MPLS_MULTICAST => mpls::stack(cur, body),
        _ => Ok(Decoded::NotTcp(NotTcp::OtherLink)),
    }
}

/// Cisco HDLC: address, control, then an EtherType.
pub fn cisco_hdlc<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    cur.enter(Layer::CiscoHdlc);
    let ether_type = cur.need(be16(cur.data, at + 2), Layer::CiscoHdlc, at)?;
    link::ether_payload(cur, ether_type, at + 4)
}

/// Frame Relay: a Q.922 address of 2-4 bytes (the last has its EA bit set),
/// then either RFC 2427's UI control byte and an NLPID, or Cisco's
/// encapsulation, an EtherType right after the address.
pub fn frame_relay<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    const EA: u8 = 0x01;
    const MAX_ADDRESS_LEN: usize = 4;
    const UI: u8 = 0x03;
    cur.enter(Layer::FrameRelay);
    let mut next = at;
    loop {
        let byte = cur.need(u8_at(cur.data, next), Layer::FrameRelay, at)?;
        next += 1;
        if byte & EA != 0 {
            break;
        }
        if next - at >= MAX_ADDRESS_LEN {
            return cur.malformed(Layer::FrameRelay, at);
        }
    }
    if next - at < 2 {
        return cur.malformed(Layer::FrameRelay, at);
    }
    if cur.need(u8_at(cur.data, next), Layer::FrameRelay, at)? == UI {
        nlpid(cur, next + 1)
    } else {
        let ether_type = cur.need(be16(cur.data, next), Layer::FrameRelay, at)?;
        link::ether_payload(cur, ether_type, next + 2)
    }
}

/// RFC 2427's network layer protocol identifier, after an optional pad byte.
fn nlpid<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    const PAD: u8 = 0x00;
    const IPV4: u8 = 0xCC;
    const IPV6: u8 = 0x8E;
    const SNAP: u8 = 0x80;
    let mut next = at;
    let mut id = cur.need(u8_at(cur.data, next), Layer::FrameRelay, at)?;
    if id == PAD {
        next += 1;
        id = cur.need(u8_at(cur.data, next), Layer::FrameRelay, at)?;
    }
    match id {
        IPV4 => ip::ipv4(cur, next + 1),
        IPV6 => ip::ipv6(cur, next + 1),
        // SNAP: a 3-byte OUI and a 2-byte PID, an EtherType for OUI 0.
        SNAP => {
            let oui = cur.need(cur.data.get(next + 1..next + 4), Layer::FrameRelay, at)?;
            let pid = cur.need(be16(cur.data, next + 4), Layer::FrameRelay, at)?;
            if oui == [0, 0, 0] {
                link::ether_payload(cur, pid, next + 6)
            } else {
                Ok(Decoded::NotTcp(NotTcp::OtherLink))
            }
        }
        _ => Ok(Decoded::NotTcp(NotTcp::OtherLink)),
    }
}
