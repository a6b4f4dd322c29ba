//! IPv4 and IPv6: options, extension headers, fragments, snaplen cuts,
//! offload-zeroed lengths, and IP-in-IP.

use alloc::vec::Vec;

use etherparse::IpFragOffset;

use super::*;

const HOP_BY_HOP: u8 = 0;
const ROUTING: u8 = 43;
const FRAGMENT: u8 = 44;
const DEST_OPTIONS: u8 = 60;

#[test]
fn ipv4_options_are_skipped() {
    let segment = rst(b"x");
    let mut packet = ipv4(TCP, &segment);
    // Four NOP options: IHL 6, total length + 4.
    packet.splice(20..20, [1, 1, 1, 1]);
    packet[0] = 0x46;
    packet[3] += 4;
    let decoded = decode_tcp(LinkType::IPV4, &packet);
    assert_is_built_ipv4_rst(&decoded, b"x");
}

#[test]
fn a_snaplen_cut_keeps_the_wire_payload_length() {
    let payload = [7u8; 100];
    let packet = ipv4(TCP, &rst(&payload));
    let cut = &packet[..20 + 20 + 10];
    let decoded = decode_tcp(LinkType::IPV4, cut);
    assert_eq!(decoded.tcp.payload, &payload[..10]);
    assert_eq!(decoded.tcp.payload_len, 100);
}

#[test]
fn zero_total_length_from_segmentation_offload_means_as_captured() {
    let mut packet = ipv4(TCP, &rst(&[9; 30]));
    packet[2..4].copy_from_slice(&[0, 0]);
    let decoded = decode_tcp(LinkType::IPV4, &packet);
    assert_eq!(decoded.tcp.payload, [9; 30]);
    assert_eq!(decoded.tcp.payload_len, 30);
}

#[test]
fn ipv4_fragments() {
    let segment = rst(&[1; 16]);
    let mut header = ipv4_header(TCP, segment.len());
    header.dont_fragment = false;
    header.more_fragments = true;
    let first = with_ipv4_header(&header, &segment);
    let decoded = decode_tcp(LinkType::IPV4, &first);
    assert!(decoded.fragmented);
    assert_eq!(decoded.tcp.seq, SEQ);

    // A first fragment too short for the TCP header: the rest is elsewhere.
    header.set_payload_len(12).unwrap();
    let short = with_ipv4_header(&header, &segment[..12]);
    assert_eq!(decode_other(LinkType::IPV4, &short), NotTcp::IpFragment);

    header.more_fragments = false;
    header.fragment_offset = IpFragOffset::try_new(3).unwrap();
    header.set_payload_len(segment.len()).unwrap();
    let later = with_ipv4_header(&header, &segment);
    assert_eq!(decode_other(LinkType::IPV4, &later), NotTcp::IpFragment);
}

/// An 8-byte extension header (options padded with PadN).
fn extension(next: u8) -> [u8; 8] {
    [next, 0, 1, 4, 0, 0, 0, 0]
}

fn fragment_header(next: u8, offset_units: u16, more: bool) -> [u8; 8] {
    let [high, low] = (offset_units << 3 | u16::from(more)).to_be_bytes();
    [next, 0, high, low, 0, 0, 0, 42]
}

#[test]
fn ipv6_extension_headers_lead_to_tcp() {
    let mut chain = Vec::new();
    chain.extend(extension(DEST_OPTIONS)); // hop-by-hop
    chain.extend(extension(ROUTING)); // destination options
    chain.extend([FRAGMENT, 0, 0, 0, 0, 0, 0, 0]); // routing, type 0, nothing left
    chain.extend(fragment_header(TCP, 0, false));
    chain.extend(rst(b"abc"));
    let packet = ipv6(HOP_BY_HOP, &chain);
    let decoded = decode_tcp(LinkType::IPV6, &packet);
    assert_eq!(decoded.ip.src, core::net::IpAddr::from(SRC6));
    assert_eq!(decoded.ip.dst, core::net::IpAddr::from(DST6));
    assert_eq!((decoded.ip.ttl, decoded.ip.id), (TTL, None));
    assert_eq!(decoded.tcp.payload, b"abc");
    assert_eq!(decoded.tcp.payload_len, 3);
    assert!(!decoded.fragmented);
}

#[test]
fn ipv6_fragments() {
    let first = ipv6(
        FRAGMENT,
        &prefixed(&fragment_header(TCP, 0, true), &rst(&[])),
    );
    assert!(decode_tcp(LinkType::IPV6, &first).fragmented);
    let later = ipv6(
        FRAGMENT,
        &prefixed(&fragment_header(TCP, 8, false), &[0; 24]),
    );
    assert_eq!(decode_other(LinkType::IPV6, &later), NotTcp::IpFragment);
}

#[test]
fn a_cut_extension_header_is_reported_where_it_starts() {
    let packet = ipv6(DEST_OPTIONS, &[TCP, 1, 0, 0]);
    assert_eq!(
        decode_error(LinkType::IPV6, &packet),
        error(Layer::Ipv6, 40, DecodeErrorKind::Truncated)
    );
}

#[test]
fn other_ip_protocols_are_named() {
    let udp_packet = ipv4(UDP, &udp(5353, 5353, b"mdns"));
    assert_eq!(
        decode_other(LinkType::IPV4, &udp_packet),
        NotTcp::IpProtocol(UDP)
    );
    let icmp = ipv4(1, &[8, 0, 0, 0, 0, 1, 0, 1]);
    assert_eq!(decode_other(LinkType::IPV4, &icmp), NotTcp::IpProtocol(1));
    let icmpv6 = ipv6(58, &[128, 0, 0, 0, 0, 1, 0, 1]);
    assert_eq!(
        decode_other(LinkType::IPV6, &icmpv6),
        NotTcp::IpProtocol(58)
    );
}

#[test]
fn ip_in_ip_reports_the_inner_header() {
    let inner4 = ipv4(TCP, &rst(&[]));
    let inner6 = ipv6(TCP, &rst(&[]));
    let cases = [
        (ipv4(4, &inner4), [Layer::Ipv4, Layer::Ipv4]),
        (ipv4(41, &inner6), [Layer::Ipv4, Layer::Ipv6]),
        (ipv6(41, &inner6), [Layer::Ipv6, Layer::Ipv6]),
        (ipv6(4, &inner4), [Layer::Ipv6, Layer::Ipv4]),
    ];
    for (packet, layers) in cases {
        let decoded = decode_tcp(LinkType::RAW, &packet);
        assert_eq!(decoded.encapsulation.layers(), layers);
        assert!(decoded.encapsulation.is_tunnelled());
        let inner_src = match layers[1] {
            Layer::Ipv4 => core::net::IpAddr::from(SRC4),
            _ => core::net::IpAddr::from(SRC6),
        };
        assert_eq!(decoded.ip.src, inner_src);
    }
}

#[test]
fn deep_ip_in_ip_nesting_is_refused_without_recursing_forever() {
    let mut packet = ipv4(TCP, &rst(&[]));
    for _ in 0..50 {
        packet = ipv4(4, &packet);
    }
    let err = decode_error(LinkType::IPV4, &packet);
    assert_eq!(
        (err.layer, err.kind),
        (Layer::Ipv4, DecodeErrorKind::Malformed)
    );
}

#[test]
fn cut_and_bogus_ip_headers() {
    let packet = ipv4(TCP, &rst(&[]));
    assert_eq!(
        decode_error(LinkType::IPV4, &packet[..19]),
        error(Layer::Ipv4, 0, DecodeErrorKind::Truncated)
    );
    let mut short_ihl = packet.clone();
    short_ihl[0] = 0x44;
    assert_eq!(
        decode_error(LinkType::IPV4, &short_ihl),
        error(Layer::Ipv4, 0, DecodeErrorKind::Malformed)
    );
    let v6 = ipv6(TCP, &rst(&[]));
    assert_eq!(
        decode_error(LinkType::ETHERNET, &ethernet(0x86DD, &v6[..39])),
        error(Layer::Ipv6, 14, DecodeErrorKind::Truncated)
    );
}
