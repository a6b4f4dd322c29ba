//! Carrier and WAN links: MPLS label stacks (with and without a pseudowire
//! control word), PPP, Cisco HDLC (also under the PPP link type), Frame
//! Relay and Juniper's capture header.

use alloc::vec::Vec;

use super::*;

/// An MPLS label stack entry; `bottom` sets the S bit.
fn label(value: u32, bottom: bool) -> [u8; 4] {
    (value << 12 | u32::from(bottom) << 8 | 64).to_be_bytes()
}

pub(super) fn stack(labels: &[u32], payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, &value) in labels.iter().enumerate() {
        out.extend(label(value, i + 1 == labels.len()));
    }
    out.extend(payload);
    out
}

#[test]
fn mpls_label_stacks_carry_ipv4_and_ipv6() {
    let frame = ethernet(0x8847, &stack(&[29], &ipv4(TCP, &rst(b"m"))));
    let packet = decode_tcp(LinkType::ETHERNET, &frame);
    assert_is_built_ipv4_rst(&packet, b"m");
    assert_eq!(
        packet.encapsulation.layers(),
        [Layer::Ethernet, Layer::Mpls, Layer::Ipv4]
    );
    let frame = ethernet(0x8848, &stack(&[100, 200, 300], &ipv6(TCP, &rst(&[]))));
    assert_eq!(
        tcp_layers(LinkType::ETHERNET, &frame),
        [Layer::Ethernet, Layer::Mpls, Layer::Ipv6]
    );
    // In a VLAN, as carriers hand it over.
    let tagged = prefixed(
        &[0, 10, 0x88, 0x47],
        &stack(&[16, 17], &ipv4(TCP, &rst(&[]))),
    );
    assert_eq!(
        tcp_layers(LinkType::ETHERNET, &ethernet(0x8100, &tagged)),
        [Layer::Ethernet, Layer::Vlan, Layer::Mpls, Layer::Ipv4]
    );
}

#[test]
fn mpls_explicit_null_labels_say_the_ip_version() {
    // Label 2 is IPv6 explicit null: read as IPv6 even though nothing else says so.
    let frame = ethernet(0x8847, &stack(&[2], &ipv6(TCP, &rst(&[]))));
    assert_eq!(tcp_layers(LinkType::ETHERNET, &frame)[2], Layer::Ipv6);
    let frame = ethernet(0x8847, &stack(&[0], &ipv6(TCP, &rst(&[]))));
    assert_eq!(
        decode_error(LinkType::ETHERNET, &frame),
        error(Layer::Ipv4, 18, DecodeErrorKind::Malformed)
    );
}

#[test]
fn ethernet_over_mpls_with_and_without_a_control_word() {
    let inner = ethernet(0x0800, &ipv4(TCP, &rst(b"pw")));
    let with_cw = ethernet(0x8847, &stack(&[18, 19], &prefixed(&[0, 0, 0, 7], &inner)));
    let packet = decode_tcp(LinkType::ETHERNET, &with_cw);
    assert_is_built_ipv4_rst(&packet, b"pw");
    assert_eq!(
        packet.encapsulation.layers(),
        [
            Layer::Ethernet,
            Layer::Mpls,
            Layer::PwControlWord,
            Layer::Ethernet,
            Layer::Ipv4
        ]
    );
    // Without one, the inner destination MAC (0x02...) starts the payload:
    // its first nibble is 0 too, but an EtherType sits right after the MACs.
    let without = ethernet(0x8847, &stack(&[18], &inner));
    assert_eq!(
        tcp_layers(LinkType::ETHERNET, &without),
        [Layer::Ethernet, Layer::Mpls, Layer::Ethernet, Layer::Ipv4]
    );
    // Neither IP nor Ethernet (an MPLS-TP channel, say): counted, not guessed.
    let channel = ethernet(0x8847, &stack(&[13], &[0x10, 0, 0, 0x21, 0, 0, 0, 0]));
    assert_eq!(
        decode_other(LinkType::ETHERNET, &channel),
        NotTcp::OtherLink
    );
}

#[test]
fn a_label_stack_without_bottom_is_cut_or_malformed() {
    let frame = ethernet(0x8847, &[0, 1, 0x00, 64]);
    assert_eq!(
        decode_error(LinkType::ETHERNET, &frame),
        error(Layer::Mpls, 18, DecodeErrorKind::Truncated)
    );
    let endless: Vec<u8> = (0..20).flat_map(|_| label(5, false)).collect();
    assert_eq!(
        decode_error(LinkType::ETHERNET, &ethernet(0x8847, &endless)),
        error(Layer::Mpls, 14, DecodeErrorKind::Malformed)
    );
}

#[test]
fn ppp_with_and_without_address_control_and_with_a_compressed_protocol() {
    let ip = ipv4(TCP, &rst(b"p"));
    for header in [&[0xFF, 0x03, 0x00, 0x21][..], &[0x00, 0x21], &[0x21]] {
        for link_type in [LinkType::PPP, LinkType::PPP_HDLC] {
            let frame = prefixed(header, &ip);
            let packet = decode_tcp(link_type, &frame);
            assert_is_built_ipv4_rst(&packet, b"p");
            assert_eq!(packet.encapsulation.layers(), [Layer::Ppp, Layer::Ipv4]);
        }
    }
    let v6 = prefixed(&[0xFF, 0x03, 0x00, 0x57], &ipv6(TCP, &rst(&[])));
    assert_eq!(tcp_layers(LinkType::PPP, &v6), [Layer::Ppp, Layer::Ipv6]);
    let mpls = prefixed(&[0xFF, 0x03, 0x02, 0x81], &stack(&[16], &ip));
    assert_eq!(
        tcp_layers(LinkType::PPP, &mpls),
        [Layer::Ppp, Layer::Mpls, Layer::Ipv4]
    );
    // LCP is PPP's own traffic.
    let lcp = [0xFF, 0x03, 0xC0, 0x21, 1, 1, 0, 4];
    assert_eq!(decode_other(LinkType::PPP, &lcp), NotTcp::OtherLink);
}

#[test]
fn cisco_hdlc_also_under_the_ppp_link_type() {
    let frame = prefixed(&[0x0F, 0x00, 0x08, 0x00], &ipv4(TCP, &rst(&[])));
    for link_type in [LinkType::CISCO_HDLC, LinkType::PPP] {
        assert_eq!(
            tcp_layers(link_type, &frame),
            [Layer::CiscoHdlc, Layer::Ipv4]
        );
    }
    let mpls = prefixed(
        &[0x8F, 0x00, 0x88, 0x47],
        &stack(&[16], &ipv4(TCP, &rst(&[]))),
    );
    assert_eq!(
        tcp_layers(LinkType::CISCO_HDLC, &mpls),
        [Layer::CiscoHdlc, Layer::Mpls, Layer::Ipv4]
    );
    // SLARP keepalives.
    let slarp = [0x8F, 0x00, 0x80, 0x35, 0, 0, 0, 2];
    assert_eq!(
        decode_other(LinkType::CISCO_HDLC, &slarp),
        NotTcp::EtherType(0x8035)
    );
}

#[test]
fn frame_relay_nlpid_snap_and_cisco_encapsulations() {
    let ip = ipv4(TCP, &rst(&[]));
    // Q.922 address (DLCI 100), UI, NLPID IPv4; with the optional pad byte.
    for header in [
        &[0x18, 0x41, 0x03, 0xCC][..],
        &[0x18, 0x41, 0x03, 0x00, 0xCC],
    ] {
        assert_eq!(
            tcp_layers(LinkType::FRAME_RELAY, &prefixed(header, &ip)),
            [Layer::FrameRelay, Layer::Ipv4]
        );
    }
    let snap = prefixed(&[0x18, 0x41, 0x03, 0x00, 0x80, 0, 0, 0, 0x08, 0x00], &ip);
    assert_eq!(
        tcp_layers(LinkType::FRAME_RELAY, &snap),
        [Layer::FrameRelay, Layer::Ipv4]
    );
    let cisco = prefixed(&[0x18, 0x61, 0x08, 0x00], &ip);
    assert_eq!(
        tcp_layers(LinkType::FRAME_RELAY, &cisco),
        [Layer::FrameRelay, Layer::Ipv4]
    );
    // An address that never ends (no EA bit) is malformed.
    assert_eq!(
        decode_error(LinkType::FRAME_RELAY, &[0x18, 0x40, 0x40, 0x40, 0x03, 0xCC]),
        error(Layer::FrameRelay, 0, DecodeErrorKind::Malformed)
    );
}

#[test]
fn juniper_header_with_extensions_then_ethernet() {
    let mut header = Vec::from(*b"MGC");
    header.push(0x80 | 0x01);
    header.extend(6u16.to_be_bytes());
    header.extend([3, 1, 1, 6, 1, 14]);
    let frame = prefixed(&header, &ethernet(0x0800, &ipv4(TCP, &rst(b"j"))));
    let packet = decode_tcp(LinkType::JUNIPER_ETHER, &frame);
    assert_is_built_ipv4_rst(&packet, b"j");
    assert_eq!(
        packet.encapsulation.layers(),
        [Layer::Juniper, Layer::Ethernet, Layer::Ipv4]
    );
    let bad_magic = prefixed(b"XYZ\x00", &ethernet(0x0800, &ipv4(TCP, &rst(&[]))));
    assert_eq!(
        decode_error(LinkType::JUNIPER_ETHER, &bad_magic),
        error(Layer::Juniper, 0, DecodeErrorKind::Malformed)
    );
}
