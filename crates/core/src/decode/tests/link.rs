//! Link layers: every supported link type reaches the TCP segment, and cut
//! headers are reported at the right layer and offset.

use alloc::vec::Vec;

use super::*;

#[test]
fn ethernet_ipv4_tcp_decodes_every_field() {
    let frame = ethernet(0x0800, &ipv4(TCP, &rst(b"bye")));
    let packet = decode_tcp(LinkType::ETHERNET, &frame);
    assert_is_built_ipv4_rst(&packet, b"bye");
    assert_eq!(
        packet.encapsulation.layers(),
        [Layer::Ethernet, Layer::Ipv4]
    );
    assert!(!packet.encapsulation.is_tunnelled());
    assert!(!packet.fragmented);
}

#[test]
fn ethernet_padding_is_not_payload() {
    let mut frame = ethernet(0x0800, &ipv4(TCP, &rst(&[])));
    frame.resize(60, 0xAA);
    let packet = decode_tcp(LinkType::ETHERNET, &frame);
    assert_eq!(packet.tcp.payload, b"");
    assert_eq!(packet.tcp.payload_len, 0);
}

#[test]
fn stacked_vlan_tags_are_passed_through() {
    let inner_tag = prefixed(&[0x00, 0x64, 0x08, 0x00], &ipv4(TCP, &rst(&[])));
    for outer in [0x8100, 0x88A8, 0x9100] {
        let outer_tag = prefixed(&[0x00, 0x0A, 0x81, 0x00], &inner_tag);
        let frame = ethernet(outer, &outer_tag);
        let packet = decode_tcp(LinkType::ETHERNET, &frame);
        assert_eq!(
            packet.encapsulation.layers(),
            [Layer::Ethernet, Layer::Vlan, Layer::Vlan, Layer::Ipv4]
        );
    }
}

#[test]
fn pppoe_session_carries_ipv4_and_ipv6() {
    for (ppp_protocol, ip) in [
        (0x0021u16, ipv4(TCP, &rst(&[]))),
        (0x0057, ipv6(TCP, &rst(&[]))),
    ] {
        let length = u16::try_from(ip.len() + 2).unwrap().to_be_bytes();
        let mut pppoe = Vec::from([0x11, 0x00, 0x12, 0x34, length[0], length[1]]);
        pppoe.extend(ppp_protocol.to_be_bytes());
        pppoe.extend(&ip);
        let frame = ethernet(0x8864, &pppoe);
        let packet = decode_tcp(LinkType::ETHERNET, &frame);
        assert_eq!(packet.encapsulation.layers().get(1), Some(&Layer::Pppoe));
        assert_eq!(packet.tcp.flags, flags::RST | flags::ACK);
    }
    // PPP control traffic (LCP) is not IP.
    let lcp = ethernet(0x8864, &[0x11, 0, 0x12, 0x34, 0, 6, 0xC0, 0x21, 1, 1, 0, 4]);
    assert_eq!(
        decode_other(LinkType::ETHERNET, &lcp),
        NotTcp::EtherType(0x8864)
    );
}

#[test]
fn llc_snap_after_an_802_3_length_field() {
    let snap = prefixed(
        &[0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00],
        &ipv4(TCP, &rst(&[])),
    );
    let frame = ethernet(u16::try_from(snap.len()).unwrap(), &snap);
    let packet = decode_tcp(LinkType::ETHERNET, &frame);
    assert_eq!(
        packet.encapsulation.layers(),
        [Layer::Ethernet, Layer::Llc, Layer::Ipv4]
    );
    // Spanning tree: LLC without SNAP.
    let stp = ethernet(38, &[0x42, 0x42, 0x03, 0, 0, 0]);
    assert_eq!(decode_other(LinkType::ETHERNET, &stp), NotTcp::OtherLink);
}

#[test]
fn non_ip_ethertypes_are_named() {
    let arp = ethernet(0x0806, &[0; 28]);
    assert_eq!(
        decode_other(LinkType::ETHERNET, &arp),
        NotTcp::EtherType(0x0806)
    );
    let lldp = ethernet(0x88CC, &[0; 20]);
    assert_eq!(
        decode_other(LinkType::ETHERNET, &lldp),
        NotTcp::EtherType(0x88CC)
    );
}

#[test]
fn null_and_loop_accept_both_byte_orders_and_all_inet6_values() {
    let v4 = ipv4(TCP, &rst(&[]));
    let v6 = ipv6(TCP, &rst(&[]));
    for link_type in [LinkType::NULL, LinkType::LOOP] {
        for family in [2u32.to_le_bytes(), 2u32.to_be_bytes()] {
            let layers = tcp_layers(link_type, &prefixed(&family, &v4));
            assert_eq!(layers, [Layer::Null, Layer::Ipv4]);
        }
        for af_inet6 in [24u32, 28, 30] {
            for family in [af_inet6.to_le_bytes(), af_inet6.to_be_bytes()] {
                let layers = tcp_layers(link_type, &prefixed(&family, &v6));
                assert_eq!(layers, [Layer::Null, Layer::Ipv6]);
            }
        }
    }
    let unknown_family = prefixed(&7u32.to_le_bytes(), &v4);
    assert_eq!(
        decode_other(LinkType::NULL, &unknown_family),
        NotTcp::OtherLink
    );
}

#[test]
fn raw_ip_link_types() {
    let v4 = ipv4(TCP, &rst(&[]));
    let v6 = ipv6(TCP, &rst(&[]));
    assert_eq!(
        decode_tcp(LinkType::RAW, &v4).encapsulation.layers(),
        [Layer::Ipv4]
    );
    assert_eq!(
        decode_tcp(LinkType::RAW, &v6).encapsulation.layers(),
        [Layer::Ipv6]
    );
    assert_eq!(
        decode_tcp(LinkType::IPV4, &v4).encapsulation.layers(),
        [Layer::Ipv4]
    );
    assert_eq!(
        decode_tcp(LinkType::IPV6, &v6).encapsulation.layers(),
        [Layer::Ipv6]
    );
    // The link type promised one version and the header says another.
    assert_eq!(
        decode_error(LinkType::IPV6, &v4),
        error(Layer::Ipv6, 0, DecodeErrorKind::Malformed)
    );
    assert_eq!(
        decode_error(LinkType::RAW, &[0x50; 40]),
        error(Layer::Ipv4, 0, DecodeErrorKind::Malformed)
    );
}

#[test]
fn linux_cooked_v1_and_v2() {
    let ip = ipv4(TCP, &rst(&[]));
    // v1: packet type, ARPHRD_ETHER, address length, 8 address bytes, protocol.
    let mut sll = Vec::from([0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0]);
    sll.extend(0x0800u16.to_be_bytes());
    let layers = tcp_layers(LinkType::LINUX_SLL, &prefixed(&sll, &ip));
    assert_eq!(layers, [Layer::LinuxSll, Layer::Ipv4]);

    // v2: protocol, reserved, interface index, ARPHRD_ETHER, type, address.
    let mut sll2 = Vec::from([0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6]);
    sll2.extend([2, 0, 0, 0, 0, 1, 0, 0]);
    let layers = tcp_layers(LinkType::LINUX_SLL2, &prefixed(&sll2, &ip));
    assert_eq!(layers, [Layer::LinuxSll2, Layer::Ipv4]);

    // Netlink monitoring: the protocol field is a netlink family.
    let netlink = [0, 4, 0x03, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00];
    assert_eq!(
        decode_other(LinkType::LINUX_SLL, &prefixed(&netlink, &ip)),
        NotTcp::OtherLink
    );
    assert_eq!(
        decode_error(LinkType::LINUX_SLL2, &sll2[..19]),
        error(Layer::LinuxSll2, 0, DecodeErrorKind::Truncated)
    );
}

#[test]
fn fddi_with_llc_snap() {
    let mut frame = Vec::from([0x50]);
    frame.extend([0u8; 12]);
    frame.extend([0xAA, 0xAA, 0x03, 0, 0, 0, 0x08, 0x00]);
    frame.extend(ipv4(TCP, &rst(&[])));
    let packet = decode_tcp(LinkType::FDDI, &frame);
    assert_eq!(
        packet.encapsulation.layers(),
        [Layer::Fddi, Layer::Llc, Layer::Ipv4]
    );
    // A station-management frame (frame control 0x41) carries no LLC.
    frame[0] = 0x41;
    assert_eq!(decode_other(LinkType::FDDI, &frame), NotTcp::OtherLink);
}

#[test]
fn ip_over_infiniband_short_and_linux_headers() {
    let ip = ipv4(TCP, &rst(&[]));
    let short = prefixed(&[0x08, 0x00, 0, 0], &ip);
    let packet = decode_tcp(LinkType::IPOIB, &short);
    assert_eq!(
        packet.encapsulation.layers(),
        [Layer::IpOverIb, Layer::Ipv4]
    );

    let mut linux = Vec::from([0u8; 40]);
    linux.extend([0x08, 0x00, 0, 0]);
    linux.extend(&ip);
    let packet = decode_tcp(LinkType::IPOIB, &linux);
    assert_eq!(
        packet.encapsulation.layers(),
        [Layer::IpOverIb, Layer::Ipv4]
    );
    assert_eq!(packet.tcp.seq, SEQ);
}

#[test]
fn unknown_link_types_are_named() {
    assert_eq!(
        decode_other(LinkType(147), &[1, 2, 3]),
        NotTcp::UnknownLinkType(LinkType(147))
    );
}

#[test]
fn cut_link_headers_report_layer_and_offset() {
    let frame = ethernet(0x8100, &[0x00, 0x0A, 0x08, 0x00]);
    assert_eq!(
        decode_error(LinkType::ETHERNET, &frame[..10]),
        error(Layer::Ethernet, 0, DecodeErrorKind::Truncated)
    );
    assert_eq!(
        decode_error(LinkType::ETHERNET, &frame[..16]),
        error(Layer::Vlan, 14, DecodeErrorKind::Truncated)
    );
    // The VLAN tag is whole; the IPv4 header after it is missing.
    assert_eq!(
        decode_error(LinkType::ETHERNET, &frame),
        error(Layer::Ipv4, 18, DecodeErrorKind::Truncated)
    );
    assert_eq!(
        decode_error(LinkType::NULL, &[2, 0]),
        error(Layer::Null, 0, DecodeErrorKind::Truncated)
    );
    assert_eq!(
        decode_error(LinkType::LINUX_SLL, &[0; 15]),
        error(Layer::LinuxSll, 0, DecodeErrorKind::Truncated)
    );
    assert_eq!(
        decode_error(LinkType::FDDI, &[0x50; 12]),
        error(Layer::Fddi, 0, DecodeErrorKind::Truncated)
    );
    assert_eq!(
        decode_error(LinkType::IPOIB, &[0x08]),
        error(Layer::IpOverIb, 0, DecodeErrorKind::Truncated)
    );
}

#[test]
fn endless_vlan_tags_end_in_an_error() {
    let mut frame = ethernet(0x8100, &[]);
    for _ in 0..100 {
        frame.extend([0x00, 0x01, 0x81, 0x00]);
    }
    let err = decode_error(LinkType::ETHERNET, &frame);
    assert_eq!(
        (err.layer, err.kind),
        (Layer::Vlan, DecodeErrorKind::Malformed)
    );
}

/// Bridged Ethernet inside Ethernet, nested deeper and deeper, the frame
/// ending where the next header would start: at every depth the error is a
/// truncation or points inside the frame (found by fuzzing: past the depth
/// limit it pointed at the frame's end).
#[test]
fn nested_ethernet_cut_at_any_depth_errs_inside_the_frame() {
    const TEB: u16 = 0x6558;
    for depth in 1..40 {
        let mut frame = ethernet(TEB, &[]);
        for _ in 1..depth {
            frame.extend(ethernet(TEB, &[]));
        }
        let err = decode_error(LinkType::ETHERNET, &frame);
        assert!(
            err.kind == DecodeErrorKind::Truncated || err.offset < frame.len(),
            "depth {depth}: {err:?} past the end of {} bytes",
            frame.len()
        );
    }
}

/// The same for IPv4 in IPv4 (IP-in-IP), the frame ending where the next
/// header would start (found by fuzzing too, with UDP tunnels in between).
#[test]
fn nested_ipv4_cut_at_any_depth_errs_inside_the_frame() {
    const IPIP: u8 = 4;
    for depth in 1..40 {
        let mut frame = Vec::new();
        for level in 0..depth {
            let rest = 20 * (depth - level) as u16;
            let mut header = [0u8; 20];
            header[0] = 0x45;
            header[2..4].copy_from_slice(&rest.to_be_bytes());
            header[8] = 64;
            header[9] = IPIP;
            frame.extend(header);
        }
        let err = decode_error(LinkType::RAW, &frame);
        assert!(
            err.kind == DecodeErrorKind::Truncated || err.offset < frame.len(),
            "depth {depth}: {err:?} past the end of {} bytes",
            frame.len()
        );
    }
}
