//! Tunnels: the innermost TCP is found, every layer passed is recorded, and
//! look-alike UDP traffic on tunnel ports stays UDP.

use alloc::vec::Vec;

use super::*;

const GRE: u8 = 47;

fn gre(flag_bits: u16, protocol: u16, optional: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(flag_bits.to_be_bytes());
    out.extend(protocol.to_be_bytes());
    out.extend(optional);
    out.extend(payload);
    out
}

/// The inner frame every tunnel test carries: Ethernet, IPv4, RST.
fn inner_ethernet() -> Vec<u8> {
    ethernet(0x0800, &ipv4(TCP, &rst(b"in")))
}

fn outer(packet: &[u8]) -> Vec<u8> {
    ethernet(0x0800, packet)
}

#[test]
fn gre_with_checksum_key_and_sequence_carries_ip() {
    let optional = [0u8; 12];
    let frame = outer(&ipv4(
        GRE,
        &gre(0xB000, 0x0800, &optional, &ipv4(TCP, &rst(b"in"))),
    ));
    let packet = decode_tcp(LinkType::ETHERNET, &frame);
    assert_eq!(
        packet.encapsulation.layers(),
        [Layer::Ethernet, Layer::Ipv4, Layer::Gre, Layer::Ipv4]
    );
    assert!(packet.encapsulation.is_tunnelled());
    assert_is_built_ipv4_rst(&packet, b"in");
}

#[test]
fn gre_bridged_ethernet_and_erspan() {
    let inner = inner_ethernet();
    let via_ethernet = [
        Layer::Ethernet,
        Layer::Ipv4,
        Layer::Gre,
        Layer::Ethernet,
        Layer::Ipv4,
    ];
    let bridged = outer(&ipv4(GRE, &gre(0, 0x6558, &[], &inner)));
    assert_eq!(
        decode_tcp(LinkType::ETHERNET, &bridged)
            .encapsulation
            .layers(),
        via_ethernet
    );
    // ERSPAN type I: no sequence number, no ERSPAN header.
    let type1 = outer(&ipv4(GRE, &gre(0, 0x88BE, &[], &inner)));
    assert_eq!(
        decode_tcp(LinkType::ETHERNET, &type1)
            .encapsulation
            .layers(),
        via_ethernet
    );

    let via_erspan = [
        Layer::Ethernet,
        Layer::Ipv4,
        Layer::Gre,
        Layer::Erspan,
        Layer::Ethernet,
        Layer::Ipv4,
    ];
    // Type II: GRE sequence number, then the 8-byte ERSPAN header.
    let erspan2 = prefixed(&[0x10, 0x01, 0x00, 0x64, 0, 0, 0, 0], &inner);
    let type2 = outer(&ipv4(GRE, &gre(0x1000, 0x88BE, &[0, 0, 0, 1], &erspan2)));
    assert_eq!(
        decode_tcp(LinkType::ETHERNET, &type2)
            .encapsulation
            .layers(),
        via_erspan
    );
    // Type III with the optional 8-byte platform sub-header (O flag).
    let mut erspan3 = Vec::from([0x20, 0, 0, 0x64, 0, 0, 0, 0, 0, 0, 0, 0x01]);
    erspan3.extend([0u8; 8]);
    erspan3.extend(&inner);
    let type3 = outer(&ipv4(GRE, &gre(0x1000, 0x22EB, &[0, 0, 0, 1], &erspan3)));
    assert_eq!(
        decode_tcp(LinkType::ETHERNET, &type3)
            .encapsulation
            .layers(),
        via_erspan
    );
}

#[test]
fn aruba_gre_carries_802_11_qos_data() {
    // QoS data to the DS: frame control, duration, three addresses,
    // sequence control, QoS control; then LLC/SNAP and IPv4.
    let mut wlan = Vec::from([0x88, 0x01, 0, 0]);
    wlan.extend([0u8; 18]);
    wlan.extend([0, 0, 0, 0]);
    wlan.extend([0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00]);
    wlan.extend(ipv4(TCP, &rst(b"in")));
    let frame = outer(&ipv4(GRE, &gre(0, 0x8200, &[], &wlan)));
    let packet = decode_tcp(LinkType::ETHERNET, &frame);
    assert_eq!(
        packet.encapsulation.layers(),
        [
            Layer::Ethernet,
            Layer::Ipv4,
            Layer::Gre,
            Layer::Wlan,
            Layer::Llc,
            Layer::Ipv4
        ]
    );
    assert_is_built_ipv4_rst(&packet, b"in");
    // Encrypted data, and a beacon (management frame), show no IP.
    wlan[1] = 0x41;
    let protected = outer(&ipv4(GRE, &gre(0, 0x8200, &[], &wlan)));
    assert_eq!(
        decode_other(LinkType::ETHERNET, &protected),
        NotTcp::EncryptedWlan
    );
    wlan[0] = 0x80;
    let beacon = outer(&ipv4(GRE, &gre(0, 0x8200, &[], &wlan)));
    assert_eq!(
        decode_other(LinkType::ETHERNET, &beacon),
        NotTcp::WlanManagement
    );
}

#[test]
fn vxlan_carries_ethernet() {
    let vxlan = prefixed(&[0x08, 0, 0, 0, 0, 0, 0x2A, 0], &inner_ethernet());
    let frame = outer(&ipv4(UDP, &udp(51000, 4789, &vxlan)));
    let packet = decode_tcp(LinkType::ETHERNET, &frame);
    assert_eq!(
        packet.encapsulation.layers(),
        [
            Layer::Ethernet,
            Layer::Ipv4,
            Layer::Udp,
            Layer::Vxlan,
            Layer::Ethernet,
            Layer::Ipv4
        ]
    );
    assert_is_built_ipv4_rst(&packet, b"in");
}

#[test]
fn gtp_u_with_an_extension_header_carries_ip() {
    let inner = ipv4(TCP, &rst(b"in"));
    // Version 1, PT, E flag; G-PDU; then sequence, N-PDU, next type 0x85
    // (PDU session container, 4 bytes, ends the chain).
    let length = u16::try_from(inner.len() + 8).unwrap().to_be_bytes();
    let mut gtp = Vec::from([0x34, 0xFF, length[0], length[1], 0, 0, 0, 1]);
    gtp.extend([0, 0, 0, 0x85]);
    gtp.extend([1, 0x10, 0x09, 0]);
    gtp.extend(&inner);
    let frame = outer(&ipv4(UDP, &udp(2152, 2152, &gtp)));
    let packet = decode_tcp(LinkType::ETHERNET, &frame);
    assert_eq!(
        packet.encapsulation.layers(),
        [
            Layer::Ethernet,
            Layer::Ipv4,
            Layer::Udp,
            Layer::GtpU,
            Layer::Ipv4
        ]
    );
    assert_is_built_ipv4_rst(&packet, b"in");
    // An echo request on the same port is not user traffic.
    let echo = outer(&ipv4(
        UDP,
        &udp(2152, 2152, &[0x32, 0x01, 0, 4, 0, 0, 0, 0, 0, 1, 0, 0]),
    ));
    assert_eq!(
        decode_other(LinkType::ETHERNET, &echo),
        NotTcp::IpProtocol(UDP)
    );
}

#[test]
fn teredo_with_an_origin_indication_carries_ipv6() {
    let origin = [0x00, 0x00, 0x0D, 0x96, 1, 2, 3, 4];
    let teredo = prefixed(&origin, &ipv6(TCP, &rst(b"in")));
    let frame = outer(&ipv4(UDP, &udp(3544, 51000, &teredo)));
    let packet = decode_tcp(LinkType::ETHERNET, &frame);
    assert_eq!(
        packet.encapsulation.layers(),
        [
            Layer::Ethernet,
            Layer::Ipv4,
            Layer::Udp,
            Layer::Teredo,
            Layer::Ipv6
        ]
    );
    assert_eq!(packet.ip.src, core::net::IpAddr::from(SRC6));
    assert_eq!(packet.tcp.payload, b"in");

    // Authentication indication (no client id or value, nonce, confirmation) first.
    let mut authenticated = Vec::from([0x00, 0x01, 0, 0]);
    authenticated.extend([0u8; 9]);
    authenticated.extend(&teredo);
    let frame = outer(&ipv4(UDP, &udp(3544, 51000, &authenticated)));
    assert_eq!(decode_tcp(LinkType::ETHERNET, &frame).tcp.payload, b"in");
}

#[test]
fn teredo_port_traffic_that_is_not_ipv6_stays_udp() {
    // A Teredo bubble-less qualification packet would be IPv6; this is not.
    let frame = outer(&ipv4(UDP, &udp(3544, 51000, &[0x45; 48])));
    assert_eq!(
        decode_other(LinkType::ETHERNET, &frame),
        NotTcp::IpProtocol(UDP)
    );
    let empty = outer(&ipv4(UDP, &udp(51000, 3544, &[])));
    assert_eq!(
        decode_other(LinkType::ETHERNET, &empty),
        NotTcp::IpProtocol(UDP)
    );
}

#[test]
fn cut_tunnel_headers_are_reported_where_they_start() {
    let frame = outer(&ipv4(GRE, &[0x20, 0x00]));
    assert_eq!(
        decode_error(LinkType::ETHERNET, &frame),
        error(Layer::Gre, 34, DecodeErrorKind::Truncated)
    );
    // The key flag promises 4 more bytes than there are.
    let frame = outer(&ipv4(GRE, &[0x20, 0x00, 0x08, 0x00, 0, 0]));
    assert_eq!(
        decode_error(LinkType::ETHERNET, &frame),
        error(Layer::Gre, 34, DecodeErrorKind::Truncated)
    );
    let frame = outer(&ipv4(
        GRE,
        &gre(0x1000, 0x88BE, &[0, 0, 0, 1], &[0x10, 0x01]),
    ));
    assert_eq!(
        decode_error(LinkType::ETHERNET, &frame),
        error(Layer::Erspan, 42, DecodeErrorKind::Truncated)
    );
    let frame = outer(&ipv4(UDP, &udp(51000, 4789, &[0x08, 0, 0, 0])));
    assert_eq!(
        decode_error(LinkType::ETHERNET, &frame),
        error(Layer::Vxlan, 42, DecodeErrorKind::Truncated)
    );
    // GTP-U extension header of length 0 would never end.
    let gtp = [0x34, 0xFF, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0x85, 0, 0, 0, 0];
    let frame = outer(&ipv4(UDP, &udp(2152, 2152, &gtp)));
    assert_eq!(
        decode_error(LinkType::ETHERNET, &frame),
        error(Layer::GtpU, 54, DecodeErrorKind::Malformed)
    );
}
