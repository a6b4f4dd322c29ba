//! Every cut and every damaged byte of a set of deep frames still gives an
//! answer, and the answer stays inside the frame.

use alloc::vec::Vec;

use super::*;
use super::{carrier, monitors, wifi};

/// Frames that exercise most layers, with the link type to read them as.
fn samples() -> Vec<(LinkType, Vec<u8>)> {
    let options = [2, 4, 0x05, 0xB4, 1, 3, 3, 7, 30, 4, 0x80, 2];
    let segment = tcp(flags::RST | flags::ACK, &options, b"payload");
    let inner = ethernet(0x0800, &ipv4(TCP, &segment));
    let vxlan = prefixed(&[0x08, 0, 0, 0, 0, 0, 1, 0], &inner);
    let gtp = prefixed(
        &[0x34, 0xFF, 0, 60, 0, 0, 0, 1, 0, 0, 0, 0x85, 1, 0, 0, 0],
        &ipv4(TCP, &segment),
    );
    let teredo = prefixed(&[0, 0, 0x0D, 0x96, 1, 2, 3, 4], &ipv6(TCP, &segment));
    let erspan3 = prefixed(&[0x20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], &inner);
    let gre = prefixed(&[0x10, 0, 0x22, 0xEB, 0, 0, 0, 1], &erspan3);
    let mpls_pw = ethernet(
        0x8847,
        &carrier::stack(&[17, 18], &prefixed(&[0, 0, 0, 1], &inner)),
    );
    let wifi_data = |segment: &[u8]| {
        let llc = prefixed(&[0xAA, 0xAA, 3, 0, 0, 0, 8, 0], &ipv4(TCP, segment));
        wifi::wlan_frame(0x88, 0x01, 7, Some([0, 0]), &llc)
    };
    let ext_chain = prefixed(
        &[44, 0, 1, 4, 0, 0, 0, 0, TCP, 0, 0, 0, 0, 0, 0, 1],
        &segment,
    );
    Vec::from([
        (
            LinkType::ETHERNET,
            ethernet(0x0800, &ipv4(UDP, &udp(1, 4789, &vxlan))),
        ),
        (
            LinkType::ETHERNET,
            ethernet(0x0800, &ipv4(UDP, &udp(2152, 2152, &gtp))),
        ),
        (
            LinkType::ETHERNET,
            ethernet(0x0800, &ipv4(UDP, &udp(3544, 9, &teredo))),
        ),
        (LinkType::ETHERNET, ethernet(0x0800, &ipv4(47, &gre))),
        (LinkType::RAW, ipv6(0, &ext_chain)),
        (
            LinkType::NULL,
            prefixed(&[2, 0, 0, 0], &ipv4(4, &ipv4(TCP, &segment))),
        ),
        (LinkType::RADIOTAP, wifi::radiotap(&wifi_data(&segment))),
        (
            LinkType::PRISM,
            prefixed(&wifi::prism(-60, 22, 6), &wifi_data(&segment)),
        ),
        (
            LinkType::AVS,
            prefixed(&wifi::avs(540, -55), &wifi_data(&segment)),
        ),
        (
            LinkType::NFLOG,
            monitors::nflog(2, 1, b"DROP\0", &ipv4(TCP, &segment), false),
        ),
        (
            LinkType::PKTAP,
            prefixed(&monitors::pktap(1, b"curl", b""), &inner),
        ),
        (
            LinkType::ERF,
            monitors::erf(2, 1, &prefixed(&[0, 0], &mpls_pw)),
        ),
        (
            LinkType::FRAME_RELAY,
            prefixed(&[0x18, 0x41, 0x03, 0x00, 0xCC], &ipv4(TCP, &segment)),
        ),
        (
            LinkType::PPP,
            prefixed(
                &[0xFF, 0x03, 0x02, 0x81],
                &carrier::stack(&[16], &ipv4(TCP, &segment)),
            ),
        ),
    ])
}

fn assert_answer_stays_in_frame(link_type: LinkType, frame: &[u8]) {
    match decode(link_type, frame) {
        Ok(Decoded::Tcp(packet)) => {
            assert!(packet.tcp.payload.len() <= packet.tcp.payload_len as usize);
        }
        Ok(Decoded::NotTcp(_)) => {}
        Err(err) => assert!(err.offset <= frame.len(), "{err:?} in {frame:?}"),
    }
}

#[test]
fn samples_decode_whole() {
    for (link_type, frame) in samples() {
        assert_eq!(decode_tcp(link_type, &frame).tcp.payload, b"payload");
    }
}

#[test]
fn every_cut_gives_an_answer_inside_the_frame() {
    for (link_type, frame) in samples() {
        for len in 0..frame.len() {
            assert_answer_stays_in_frame(link_type, &frame[..len]);
        }
    }
}

#[test]
fn every_damaged_byte_gives_an_answer_inside_the_frame() {
    for (link_type, frame) in samples() {
        for at in 0..frame.len() {
            for value in [0x00, 0xFF, frame[at] ^ 0x0F, frame[at] ^ 0xF0] {
                let mut damaged = frame.clone();
                damaged[at] = value;
                assert_answer_stays_in_frame(link_type, &damaged);
            }
        }
    }
}
