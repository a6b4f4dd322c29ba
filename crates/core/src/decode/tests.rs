//! Decoder tests on frames built here, layer by layer: each builder wraps a
//! payload in one header, so a test reads like the frame it describes.

mod carrier;
mod ip;
mod link;
mod monitors;
mod robustness;
mod tcp;
mod tunnel;
mod wifi;

use alloc::vec::Vec;

use etherparse::{IpNumber, Ipv4Header, Ipv6FlowLabel, Ipv6Header};

use super::{decode, flags, DecodeError, DecodeErrorKind, Decoded, Layer, NotTcp, TcpPacket};
use crate::frame::LinkType;

const SRC4: [u8; 4] = [192, 0, 2, 1];
const DST4: [u8; 4] = [198, 51, 100, 2];
const SRC6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const DST6: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
const TCP: u8 = 6;
const UDP: u8 = 17;

const SRC_PORT: u16 = 40000;
const DST_PORT: u16 = 80;
const SEQ: u32 = 0x1122_3344;
const ACK: u32 = 0x5566_7788;
const WINDOW: u16 = 512;
const TTL: u8 = 57;
const IP_ID: u16 = 0xBEEF;

/// A TCP segment from the fixed ports/seq/ack above; `options` must be a
/// multiple of 4 bytes long.
fn tcp(flag_bits: u16, options: &[u8], payload: &[u8]) -> Vec<u8> {
    let data_offset = u8::try_from((20 + options.len()) / 4).unwrap();
    let [flags_high, flags_low] = (flag_bits & 0x1FF).to_be_bytes();
    let mut out = Vec::new();
    out.extend(SRC_PORT.to_be_bytes());
    out.extend(DST_PORT.to_be_bytes());
    out.extend(SEQ.to_be_bytes());
    out.extend(ACK.to_be_bytes());
    out.push(data_offset << 4 | flags_high);
    out.push(flags_low);
    out.extend(WINDOW.to_be_bytes());
    out.extend([0, 0, 0, 0]); // checksum, urgent pointer
    out.extend(options);
    out.extend(payload);
    out
}

/// A RST+ACK segment carrying `payload`.
fn rst(payload: &[u8]) -> Vec<u8> {
    tcp(flags::RST | flags::ACK, &[], payload)
}

fn ipv4_header(protocol: u8, payload_len: usize) -> Ipv4Header {
    let len = u16::try_from(payload_len).unwrap();
    let mut header = Ipv4Header::new(len, TTL, IpNumber(protocol), SRC4, DST4).unwrap();
    header.identification = IP_ID;
    header.dont_fragment = true;
    header
}

fn ipv4(protocol: u8, payload: &[u8]) -> Vec<u8> {
    with_ipv4_header(&ipv4_header(protocol, payload.len()), payload)
}

fn with_ipv4_header(header: &Ipv4Header, payload: &[u8]) -> Vec<u8> {
    let mut out = header.to_bytes().to_vec();
    out.extend(payload);
    out
}

fn ipv6(next_header: u8, payload: &[u8]) -> Vec<u8> {
    let header = Ipv6Header {
        traffic_class: 0,
        flow_label: Ipv6FlowLabel::ZERO,
        payload_length: u16::try_from(payload.len()).unwrap(),
        next_header: IpNumber(next_header),
        hop_limit: TTL,
        source: SRC6,
        destination: DST6,
    };
    let mut out = header.to_bytes().to_vec();
    out.extend(payload);
    out
}

fn udp(src_port: u16, dst_port: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(src_port.to_be_bytes());
    out.extend(dst_port.to_be_bytes());
    out.extend(u16::try_from(payload.len() + 8).unwrap().to_be_bytes());
    out.extend([0, 0]);
    out.extend(payload);
    out
}

fn ethernet(ether_type: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::from([0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2]);
    out.extend(ether_type.to_be_bytes());
    out.extend(payload);
    out
}

/// `header` bytes followed by `payload`.
fn prefixed(header: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut out = header.to_vec();
    out.extend(payload);
    out
}

/// The frame must decode to TCP; returns the packet.
fn decode_tcp(link_type: LinkType, frame: &[u8]) -> TcpPacket<'_> {
    match decode(link_type, frame) {
        Ok(Decoded::Tcp(packet)) => packet,
        other => panic!("expected TCP, got {other:?}"),
    }
}

/// The layers passed by a frame that must decode to TCP.
fn tcp_layers(link_type: LinkType, frame: &[u8]) -> Vec<Layer> {
    decode_tcp(link_type, frame).encapsulation.layers().to_vec()
}

fn decode_other(link_type: LinkType, frame: &[u8]) -> NotTcp {
    match decode(link_type, frame) {
        Ok(Decoded::NotTcp(kind)) => kind,
        other => panic!("expected a non-TCP frame, got {other:?}"),
    }
}

fn decode_error(link_type: LinkType, frame: &[u8]) -> DecodeError {
    match decode(link_type, frame) {
        Err(err) => err,
        other => panic!("expected an error, got {other:?}"),
    }
}

fn error(layer: Layer, offset: usize, kind: DecodeErrorKind) -> DecodeError {
    DecodeError {
        layer,
        offset,
        kind,
    }
}

/// The fields every builder above puts in, as decoded from an IPv4 RST.
fn assert_is_built_ipv4_rst(packet: &TcpPacket<'_>, payload: &[u8]) {
    assert_eq!(packet.ip.src, core::net::IpAddr::from(SRC4));
    assert_eq!(packet.ip.dst, core::net::IpAddr::from(DST4));
    assert_eq!(packet.ip.ttl, TTL);
    assert_eq!(packet.ip.id, Some(IP_ID));
    assert!(packet.ip.dont_fragment);
    assert_eq!(
        (packet.tcp.src_port, packet.tcp.dst_port),
        (SRC_PORT, DST_PORT)
    );
    assert_eq!((packet.tcp.seq, packet.tcp.ack), (SEQ, ACK));
    assert_eq!(packet.tcp.flags, flags::RST | flags::ACK);
    assert_eq!(packet.tcp.window, WINDOW);
    assert_eq!(packet.tcp.payload, payload);
    assert_eq!(packet.tcp.payload_len as usize, payload.len());
}
