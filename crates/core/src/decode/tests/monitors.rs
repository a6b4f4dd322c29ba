//! Headers that capture facilities add: Linux NFLOG (with the logging rule's
//! prefix and hook), Apple PKTAP (with the process), Endace ERF, Solaris
//! IPNET and Linux netlink; and ICMP errors' quoted TCP headers.

use alloc::vec::Vec;

use super::*;
use crate::decode::{quoted_tcp, Hook, ProcessMeta};

/// An NFLOG attribute in little-endian (the usual capturing host).
fn tlv(out: &mut Vec<u8>, kind: u16, value: &[u8], big_endian: bool) {
    let len = u16::try_from(4 + value.len()).unwrap();
    let (len, kind) = if big_endian {
        (len.to_be_bytes(), kind.to_be_bytes())
    } else {
        (len.to_le_bytes(), kind.to_le_bytes())
    };
    out.extend(len);
    out.extend(kind);
    out.extend(value);
    out.resize(out.len().next_multiple_of(4), 0);
}

/// An NFLOG frame of group 5: packet header (hook), prefix, payload.
pub(super) fn nflog(
    family: u8,
    hook: u8,
    prefix: &[u8],
    payload: &[u8],
    big_endian: bool,
) -> Vec<u8> {
    let mut out = Vec::from([family, 0]);
    out.extend(5u16.to_be_bytes());
    tlv(&mut out, 1, &[0x08, 0x00, hook, 0], big_endian);
    tlv(&mut out, 10, prefix, big_endian);
    tlv(&mut out, 9, payload, big_endian);
    out
}

#[test]
fn nflog_gives_the_rule_prefix_hook_and_group() {
    let frame = nflog(2, 1, b"INVALID-REJECT\0", &ipv4(TCP, &rst(b"log")), false);
    let packet = decode_tcp(LinkType::NFLOG, &frame);
    assert_is_built_ipv4_rst(&packet, b"log");
    assert_eq!(packet.encapsulation.layers(), [Layer::Nflog, Layer::Ipv4]);
    let meta = packet.link.nflog.unwrap();
    assert_eq!(meta.prefix, "INVALID-REJECT");
    assert_eq!(meta.hook, Some(Hook::Input));
    assert_eq!(meta.hook.unwrap().chain(), "INPUT");
    assert_eq!(meta.group, 5);
}

#[test]
fn nflog_from_a_big_endian_host_and_over_ipv6() {
    let frame = nflog(10, 2, b"fw\0", &ipv6(TCP, &rst(&[])), true);
    let packet = decode_tcp(LinkType::NFLOG, &frame);
    assert_eq!(packet.encapsulation.layers(), [Layer::Nflog, Layer::Ipv6]);
    let meta = packet.link.nflog.unwrap();
    assert_eq!((meta.prefix, meta.hook), ("fw", Some(Hook::Forward)));
}

#[test]
fn nflog_without_payload_or_with_a_broken_attribute() {
    let mut no_payload = Vec::from([2, 0, 0, 5]);
    tlv(&mut no_payload, 10, b"x\0", false);
    assert_eq!(
        decode_other(LinkType::NFLOG, &no_payload),
        NotTcp::OtherLink
    );
    let broken = [2, 0, 0, 5, 2, 0, 9, 0];
    assert_eq!(
        decode_error(LinkType::NFLOG, &broken),
        error(Layer::Nflog, 4, DecodeErrorKind::Malformed)
    );
}

/// A PKTAP header (108 bytes) around an Ethernet frame, for `command` (pid 512).
pub(super) fn pktap(inner_dlt: u32, command: &[u8], effective: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(108u32.to_le_bytes());
    out.extend(1u32.to_le_bytes());
    out.extend(inner_dlt.to_le_bytes());
    let mut name = [0u8; 24];
    name[..3].copy_from_slice(b"en0");
    out.extend(name);
    out.extend([0u8; 16]); // flags, family, header and trailer lengths
    out.extend(512u32.to_le_bytes());
    let mut comm = [0u8; 20];
    comm[..command.len()].copy_from_slice(command);
    out.extend(comm);
    out.extend([0u8; 8]); // service class, interface type and unit
    out.extend(if effective.is_empty() { u32::MAX } else { 600 }.to_le_bytes());
    let mut ecomm = [0u8; 20];
    ecomm[..effective.len()].copy_from_slice(effective);
    out.extend(ecomm);
    assert_eq!(out.len(), 108);
    out
}

#[test]
fn pktap_gives_the_process_and_the_inner_frame() {
    let inner = ethernet(0x0800, &ipv4(TCP, &rst(b"k")));
    let frame = prefixed(&pktap(1, b"curl", b""), &inner);
    let packet = decode_tcp(LinkType::PKTAP, &frame);
    assert_is_built_ipv4_rst(&packet, b"k");
    assert_eq!(
        packet.encapsulation.layers(),
        [Layer::Pktap, Layer::Ethernet, Layer::Ipv4]
    );
    assert_eq!(
        packet.link.process,
        Some(ProcessMeta {
            pid: Some(512),
            name: "curl"
        })
    );
    // A daemon acting for an app: the app is named.
    let frame = prefixed(&pktap(1, b"nsurlsessiond", b"Safari"), &inner);
    let process = decode_tcp(LinkType::PKTAP, &frame).link.process.unwrap();
    assert_eq!((process.pid, process.name), (Some(600), "Safari"));
    // Darwin's DLT_RAW (12) is raw IP.
    let raw = prefixed(&pktap(12, b"ssh", b""), &ipv4(TCP, &rst(&[])));
    assert_eq!(
        tcp_layers(LinkType::PKTAP, &raw),
        [Layer::Pktap, Layer::Ipv4]
    );
}

#[test]
fn link_type_149_is_pktap_only_when_it_looks_like_it() {
    let inner = ethernet(0x0800, &ipv4(TCP, &rst(&[])));
    let frame = prefixed(&pktap(1, b"curl", b""), &inner);
    assert_eq!(tcp_layers(LinkType::USER2, &frame)[0], Layer::Pktap);
    assert_eq!(
        decode_other(LinkType::USER2, &inner),
        NotTcp::UnknownLinkType(LinkType::USER2)
    );
    // Under 258 a header that is not PKTAP's is an error.
    assert_eq!(
        decode_error(LinkType::PKTAP, &inner),
        error(Layer::Pktap, 0, DecodeErrorKind::Malformed)
    );
}

/// An ERF record header of `record_type` (with `extensions` 8-byte
/// extension headers) before `payload`.
pub(super) fn erf(record_type: u8, extensions: usize, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(0x5000_0000_8000_0000u64.to_le_bytes());
    out.push(record_type | if extensions > 0 { 0x80 } else { 0 });
    out.push(0x04);
    let rlen = u16::try_from(16 + 8 * extensions + payload.len()).unwrap();
    out.extend(rlen.to_be_bytes());
    out.extend(0u16.to_be_bytes());
    out.extend(u16::try_from(payload.len()).unwrap().to_be_bytes());
    for i in 0..extensions {
        out.push(if i + 1 < extensions { 0x80 } else { 0 });
        out.extend([0u8; 7]);
    }
    out.extend(payload);
    out
}

#[test]
fn erf_ethernet_ip_and_hdlc_records() {
    let inner = ethernet(0x0800, &ipv4(TCP, &rst(b"e")));
    let frame = erf(2, 0, &prefixed(&[0, 0], &inner));
    let packet = decode_tcp(LinkType::ERF, &frame);
    assert_is_built_ipv4_rst(&packet, b"e");
    assert_eq!(
        packet.encapsulation.layers(),
        [Layer::Erf, Layer::Ethernet, Layer::Ipv4]
    );
    let extended = erf(2, 2, &prefixed(&[0, 0], &inner));
    assert_eq!(tcp_layers(LinkType::ERF, &extended)[1], Layer::Ethernet);
    let ip = erf(21, 0, &ipv6(TCP, &rst(&[])));
    assert_eq!(tcp_layers(LinkType::ERF, &ip), [Layer::Erf, Layer::Ipv6]);
    let pos = erf(
        1,
        0,
        &prefixed(&[0xFF, 0x03, 0x00, 0x21], &ipv4(TCP, &rst(&[]))),
    );
    assert_eq!(
        tcp_layers(LinkType::ERF, &pos),
        [Layer::Erf, Layer::Ppp, Layer::Ipv4]
    );
    // An ATM cell record: counted.
    assert_eq!(
        decode_other(LinkType::ERF, &erf(3, 0, &[0; 52])),
        NotTcp::OtherLink
    );
    assert_eq!(
        decode_error(LinkType::ERF, &erf(2, 0, &[])[..10]),
        error(Layer::Erf, 0, DecodeErrorKind::Truncated)
    );
}

#[test]
fn ipnet_and_netlink() {
    let mut header = Vec::from([1, 2, 0, 0]);
    header.extend([0u8; 20]);
    let frame = prefixed(&header, &ipv4(TCP, &rst(b"s")));
    let packet = decode_tcp(LinkType::IPNET, &frame);
    assert_is_built_ipv4_rst(&packet, b"s");
    assert_eq!(packet.encapsulation.layers(), [Layer::Ipnet, Layer::Ipv4]);
    header[1] = 26;
    let v6 = prefixed(&header, &ipv6(TCP, &rst(&[])));
    assert_eq!(
        tcp_layers(LinkType::IPNET, &v6),
        [Layer::Ipnet, Layer::Ipv6]
    );
    assert_eq!(decode_other(LinkType::NETLINK, &[0u8; 32]), NotTcp::Netlink);
}

#[test]
fn icmp_errors_quote_the_tcp_header_that_caused_them() {
    let quoted = ipv4(TCP, &tcp(flags::SYN, &[], &[]));
    let mut unreachable = Vec::from([3, 3, 0, 0, 0, 0, 0, 0]);
    unreachable.extend(&quoted);
    let frame = ethernet(0x0800, &ipv4(1, &unreachable));
    assert_eq!(
        decode_other(LinkType::ETHERNET, &frame),
        NotTcp::IpProtocol(1)
    );
    let packet = quoted_tcp(LinkType::ETHERNET, &frame).unwrap();
    assert_eq!((packet.tcp.src_port, packet.tcp.seq), (SRC_PORT, SEQ));
    assert_eq!(
        packet.encapsulation.layers(),
        [Layer::Ethernet, Layer::Ipv4, Layer::Icmp, Layer::Ipv4]
    );
    // Only 8 bytes of TCP quoted (RFC 792's minimum): no header to read.
    let short = ethernet(0x0800, &ipv4(1, &unreachable[..8 + 20 + 8]));
    assert!(quoted_tcp(LinkType::ETHERNET, &short).is_none());
    // An echo request quotes nothing; a plain TCP frame is not a quote.
    let echo = ethernet(0x0800, &ipv4(1, &[8, 0, 0, 0, 0, 1, 0, 1]));
    assert!(quoted_tcp(LinkType::ETHERNET, &echo).is_none());
    let plain = ethernet(0x0800, &ipv4(TCP, &rst(&[])));
    assert!(quoted_tcp(LinkType::ETHERNET, &plain).is_none());
}
