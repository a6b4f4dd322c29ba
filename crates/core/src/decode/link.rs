//! Link layers: from the capture's link type down to an IP header.

use super::bytes::{be16, be32, le32, u8_at};
use super::{erf, ip, mpls, nflog, pktap, radio, wan, wlan};
use super::{Cursor, DecodeError, DecodeErrorKind, Decoded, Layer, NotTcp};
use crate::frame::LinkType;

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86DD;
const ETHERTYPE_ARP: u16 = 0x0806;
const ETHERTYPE_VLAN: u16 = 0x8100;
const ETHERTYPE_QINQ: u16 = 0x88A8;
/// The outer tag of pre-802.1ad QinQ equipment.
const ETHERTYPE_QINQ_OLD: u16 = 0x9100;
const ETHERTYPE_PPPOE_SESSION: u16 = 0x8864;
/// Transparent Ethernet bridging (bridged Ethernet inside GRE, "gretap").
const ETHERTYPE_TEB: u16 = 0x6558;
const ETHERTYPE_MPLS_UNICAST: u16 = 0x8847;
const ETHERTYPE_MPLS_MULTICAST: u16 = 0x8848;
/// Below this an Ethernet type field is an 802.3 length: LLC follows.
const ETHERTYPE_MIN: u16 = 0x0600;

/// Decodes a frame from its link-layer header on.
pub fn frame<'a>(cur: &mut Cursor<'a>, link_type: LinkType) -> Result<Decoded<'a>, DecodeError> {
    match link_type {
        // Headers that only ever start a frame.
        LinkType::NFLOG => nflog::frame(cur),
        LinkType::PKTAP => pktap::frame(cur, false),
        LinkType::USER2 => pktap::frame(cur, true),
        LinkType::ERF => erf::record(cur),
        LinkType::NETLINK => Ok(Decoded::NotTcp(NotTcp::Netlink)),
        other => frame_at(cur, other, 0),
    }
}

/// A frame of `link_type` starting at `at`: the whole frame, or the inner
/// frame of a header that names its link type (PPI, PKTAP).
pub fn frame_at<'a>(
    cur: &mut Cursor<'a>,
    link_type: LinkType,
    at: usize,
) -> Result<Decoded<'a>, DecodeError> {
    match link_type {
        LinkType::ETHERNET => ethernet(cur, at),
        LinkType::NULL | LinkType::LOOP => null(cur, at),
        LinkType::RAW => ip::by_version(cur, at),
        LinkType::IPV4 => ip::ipv4(cur, at),
        LinkType::IPV6 => ip::ipv6(cur, at),
        LinkType::LINUX_SLL => sll(cur, at),
        LinkType::LINUX_SLL2 => sll2(cur, at),
        LinkType::FDDI => fddi(cur, at),
        LinkType::IPOIB => ipoib(cur, at),
        LinkType::IEEE802_11 => wlan::frame(cur, at),
        LinkType::RADIOTAP => radio::radiotap(cur, at),
        LinkType::PPI => radio::ppi(cur, at),
        LinkType::PRISM => radio::prism(cur, at),
        LinkType::AVS => radio::avs(cur, at),
        LinkType::PPP | LinkType::PPP_HDLC => wan::ppp(cur, at),
        LinkType::CISCO_HDLC => wan::cisco_hdlc(cur, at),
        LinkType::FRAME_RELAY => wan::frame_relay(cur, at),
        LinkType::JUNIPER_ETHER => juniper_ether(cur, at),
        LinkType::IPNET => ipnet(cur, at),
        other => Ok(Decoded::NotTcp(NotTcp::UnknownLinkType(other))),
    }
}

/// Ethernet II, or 802.3 with an LLC header when the type field is a length.
pub fn ethernet<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    cur.deeper(Layer::Ethernet, at)?;
    cur.enter(Layer::Ethernet);
    let ether_type = cur.need(be16(cur.data, at + 12), Layer::Ethernet, at)?;
    if ether_type < ETHERTYPE_MIN {
        llc(cur, at + 14)
    } else {
        ether_payload(cur, ether_type, at + 14)
    }
}

/// Whatever an EtherType announces: IP, VLAN tags, PPPoE, bridged Ethernet.
pub fn ether_payload<'a>(
    cur: &mut Cursor<'a>,
    ether_type: u16,
    at: usize,
) -> Result<Decoded<'a>, DecodeError> {
    match ether_type {
        ETHERTYPE_IPV4 => ip::ipv4(cur, at),
        ETHERTYPE_IPV6 => ip::ipv6(cur, at),
        ETHERTYPE_VLAN | ETHERTYPE_QINQ | ETHERTYPE_QINQ_OLD => vlan(cur, at),
        ETHERTYPE_PPPOE_SESSION => pppoe(cur, at),
        ETHERTYPE_TEB => ethernet(cur, at),
        ETHERTYPE_MPLS_UNICAST | ETHERTYPE_MPLS_MULTICAST => mpls::stack(cur, at),
        other => Ok(Decoded::NotTcp(NotTcp::EtherType(other))),
    }
}

/// One 802.1Q / 802.1ad tag; stacked tags (QinQ) come back here.
fn vlan<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    cur.deeper(Layer::Vlan, at)?;
    cur.enter(Layer::Vlan);
    let inner = cur.need(be16(cur.data, at + 2), Layer::Vlan, at)?;
    ether_payload(cur, inner, at + 4)
}

/// PPPoE session header (RFC 2516), then the PPP protocol field.
fn pppoe<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    const VERSION_TYPE: u8 = 0x11;
    const PPP_IPV4: u16 = 0x0021;
    const PPP_IPV6: u16 = 0x0057;
    cur.enter(Layer::Pppoe);
    let version_type = cur.need(u8_at(cur.data, at), Layer::Pppoe, at)?;
    let protocol = cur.need(be16(cur.data, at + 6), Layer::Pppoe, at)?;
    if version_type != VERSION_TYPE {
        return Err(DecodeError {
            layer: Layer::Pppoe,
            offset: at,
            kind: DecodeErrorKind::Malformed,
        });
    }
    match protocol {
        PPP_IPV4 => ip::ipv4(cur, at + 8),
        PPP_IPV6 => ip::ipv6(cur, at + 8),
        _ => Ok(Decoded::NotTcp(NotTcp::EtherType(ETHERTYPE_PPPOE_SESSION))),
    }
}

/// 802.2 LLC; only SNAP with an EtherType leads on to IP.
pub fn llc<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    const SNAP: [u8; 3] = [0xAA, 0xAA, 0x03];
    cur.enter(Layer::Llc);
    let header = cur.need(cur.data.get(at..at + 3), Layer::Llc, at)?;
    if header != SNAP {
        return Ok(Decoded::NotTcp(NotTcp::OtherLink));
    }
    let oui = cur.need(cur.data.get(at + 3..at + 6), Layer::Llc, at)?;
    let ether_type = cur.need(be16(cur.data, at + 6), Layer::Llc, at)?;
    // OUI 00-00-00 (RFC 1042) and 00-00-F8 (802.1H) carry EtherTypes.
    if oui != [0, 0, 0] && oui != [0, 0, 0xF8] {
        return Ok(Decoded::NotTcp(NotTcp::OtherLink));
    }
    ether_payload(cur, ether_type, at + 8)
}

/// BSD loopback: a 4-byte address family in the writer's byte order (NULL)
/// or network order (LOOP); either order is accepted for both.
fn null<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    const AF_INET: u32 = 2;
    // AF_INET6 differs between BSDs: NetBSD/OpenBSD 24, FreeBSD 28, macOS 30.
    const AF_INET6: [u32; 3] = [24, 28, 30];
    cur.enter(Layer::Null);
    let family = cur.need(be32(cur.data, at).zip(le32(cur.data, at)), Layer::Null, at)?;
    let is = |f: u32| family.0 == f || family.1 == f;
    if is(AF_INET) {
        ip::ipv4(cur, at + 4)
    } else if AF_INET6.into_iter().any(is) {
        ip::ipv6(cur, at + 4)
    } else {
        Ok(Decoded::NotTcp(NotTcp::OtherLink))
    }
}

/// Linux "cooked" capture v1: 16 bytes, protocol last.
fn sll<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    cur.enter(Layer::LinuxSll);
    let hardware = cur.need(be16(cur.data, at + 2), Layer::LinuxSll, at)?;
    let protocol = cur.need(be16(cur.data, at + 14), Layer::LinuxSll, at)?;
    sll_payload(cur, hardware, protocol, at + 16)
}

/// Linux "cooked" capture v2: 20 bytes, protocol first.
fn sll2<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    cur.enter(Layer::LinuxSll2);
    let protocol = cur.need(be16(cur.data, at), Layer::LinuxSll2, at)?;
    let hardware = cur.need(be16(cur.data, at + 8), Layer::LinuxSll2, at)?;
    cur.need(u8_at(cur.data, at + 19), Layer::LinuxSll2, at)?;
    sll_payload(cur, hardware, protocol, at + 20)
}

fn sll_payload<'a>(
    cur: &mut Cursor<'a>,
    hardware: u16,
    protocol: u16,
    at: usize,
) -> Result<Decoded<'a>, DecodeError> {
    // On netlink captures the protocol is a netlink family, not an EtherType.
    const ARPHRD_NETLINK: u16 = 824;
    // Linux's pseudo-EtherType for frames that start with an 802.2 header.
    const ETH_P_802_2: u16 = 0x0004;
    match protocol {
        _ if hardware == ARPHRD_NETLINK => Ok(Decoded::NotTcp(NotTcp::OtherLink)),
        ETH_P_802_2 => llc(cur, at),
        p if p < ETHERTYPE_MIN => Ok(Decoded::NotTcp(NotTcp::OtherLink)),
        p => ether_payload(cur, p, at),
    }
}

/// FDDI: frame control, two 6-byte addresses, then LLC for LLC frames.
fn fddi<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    // Frame control 0101 0xxx: an asynchronous LLC frame (any priority).
    const FC_LLC_MASK: u8 = 0xF8;
    const FC_LLC: u8 = 0x50;
    cur.enter(Layer::Fddi);
    let frame_control = cur.need(u8_at(cur.data, at), Layer::Fddi, at)?;
    cur.need(u8_at(cur.data, at + 12), Layer::Fddi, at)?;
    if frame_control & FC_LLC_MASK != FC_LLC {
        return Ok(Decoded::NotTcp(NotTcp::OtherLink));
    }
    llc(cur, at + 13)
}

/// IP over InfiniBand. RFC 4391's header is 4 bytes (EtherType, reserved);
/// Linux captures (read by tcpdump's ipoib.c) put the 40-byte destination
/// hardware address first, so there the EtherType sits at byte 40.
fn ipoib<'a>(cur: &mut Cursor<'a>, start: usize) -> Result<Decoded<'a>, DecodeError> {
    const LINUX_PREFIX: usize = 40;
    cur.enter(Layer::IpOverIb);
    let known = |t: u16| matches!(t, ETHERTYPE_IPV4 | ETHERTYPE_IPV6 | ETHERTYPE_ARP);
    let linux = be16(cur.data, start + LINUX_PREFIX)
        .filter(|&t| known(t))
        .is_some_and(|_| be16(cur.data, start + LINUX_PREFIX + 2) == Some(0));
    let at = start + if linux { LINUX_PREFIX } else { 0 };
    let ether_type = cur.need(be16(cur.data, at), Layer::IpOverIb, start)?;
    cur.need(be16(cur.data, at + 2), Layer::IpOverIb, start)?;
    ether_payload(cur, ether_type, at + 4)
}

/// Juniper's capture header (LINKTYPE_JUNIPER_ETHER): the magic "MGC", a
/// flags byte and, with the extension flag, a 2-byte length of TLVs; then
/// the Ethernet frame.
fn juniper_ether<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    const MAGIC: &[u8] = b"MGC";
    const FLAG_EXTENSIONS: u8 = 0x80;
    /// The frame has no layer-2 header: IP follows, after a 4-byte family.
    const FLAG_NO_L2: u8 = 0x02;
    cur.enter(Layer::Juniper);
    let magic = cur.need(cur.data.get(at..at + 3), Layer::Juniper, at)?;
    let flags = cur.need(u8_at(cur.data, at + 3), Layer::Juniper, at)?;
    if magic != MAGIC {
        return cur.malformed(Layer::Juniper, at);
    }
    let mut next = at + 4;
    if flags & FLAG_EXTENSIONS != 0 {
        let len = cur.need(be16(cur.data, next), Layer::Juniper, at)?;
        next += 2 + usize::from(len);
    }
    cur.need_until(next, Layer::Juniper, at)?;
    if flags & FLAG_NO_L2 != 0 {
        return ip::by_version(cur, next + 4);
    }
    ethernet(cur, next)
}

/// Solaris IPNET (LINKTYPE 226): a 24-byte header (version, address family,
/// hook type, length, interface and zone ids), then IP.
fn ipnet<'a>(cur: &mut Cursor<'a>, at: usize) -> Result<Decoded<'a>, DecodeError> {
    const HEADER_LEN: usize = 24;
    const AF_INET: u8 = 2;
    /// Solaris's AF_INET6.
    const AF_INET6: u8 = 26;
    cur.enter(Layer::Ipnet);
    let family = cur.need(u8_at(cur.data, at + 1), Layer::Ipnet, at)?;
    cur.need_until(at + HEADER_LEN, Layer::Ipnet, at)?;
    match family {
        AF_INET => ip::ipv4(cur, at + HEADER_LEN),
        AF_INET6 => ip::ipv6(cur, at + HEADER_LEN),
        _ => Ok(Decoded::NotTcp(NotTcp::OtherLink)),
    }
}
