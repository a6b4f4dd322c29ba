//! Capture files: link-layer framing, then pcap or pcapng records.
//!
//! IP and TCP headers are serialised by etherparse, which also computes the
//! IPv4 header checksum and the TCP checksum over the pseudo-header.

use std::net::IpAddr;

use etherparse::{IpNumber, Ipv4Header, Ipv6FlowLabel, Ipv6Header, TcpHeader, TcpOptionElement};
use rstscope_core::decode::flags;

use crate::packet::Packet;
use crate::{Format, Link};

/// The capturing workstation's NIC and its default gateway.
const HOST_MAC: [u8; 6] = [0x3c, 0x22, 0xfb, 0x5a, 0x10, 0x7e];
const GATEWAY_MAC: [u8; 6] = [0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e];
const VLAN_ID: u16 = 100;
/// Receiving NICs pad Ethernet frames to 60 bytes; sent frames are captured
/// before the padding is added.
const MIN_ETHERNET_FRAME: usize = 60;
const SNAPLEN: u32 = 262_144;

impl Link {
    /// The `LINKTYPE_*` number of the capture file.
    pub fn link_type(self) -> u32 {
        match self {
            Link::Ethernet | Link::Vlan => 1,
            Link::LinuxSll => 113,
            Link::RawIp => 101,
        }
    }
}

/// The whole capture file for these packets.
pub fn capture(packets: &[Packet], link: Link, format: Format) -> Vec<u8> {
    let frames = packets.iter().map(|p| (p.ts_us, frame(p, link)));
    match format {
        Format::Pcap => pcap(frames, link.link_type()),
        Format::PcapNg => pcapng(frames, link.link_type()),
    }
}

/// One packet with its link-layer header.
pub fn frame(packet: &Packet, link: Link) -> Vec<u8> {
    let ip = ip_packet(packet);
    let ethertype: u16 = if packet.src.is_ipv6() { 0x86dd } else { 0x0800 };
    let (src_mac, dst_mac) = if packet.outgoing {
        (HOST_MAC, GATEWAY_MAC)
    } else {
        (GATEWAY_MAC, HOST_MAC)
    };
    let mut out = Vec::with_capacity(ip.len() + 20);
    match link {
        Link::Ethernet | Link::Vlan => {
            out.extend_from_slice(&dst_mac);
            out.extend_from_slice(&src_mac);
            if link == Link::Vlan {
                out.extend_from_slice(&0x8100u16.to_be_bytes());
                out.extend_from_slice(&VLAN_ID.to_be_bytes());
            }
            out.extend_from_slice(&ethertype.to_be_bytes());
            out.extend_from_slice(&ip);
            if !packet.outgoing && out.len() < MIN_ETHERNET_FRAME {
                out.resize(MIN_ETHERNET_FRAME, 0);
            }
        }
        Link::LinuxSll => {
            // Packet type 4 = sent by us, 0 = addressed to us.
            let packet_type: u16 = if packet.outgoing { 4 } else { 0 };
            out.extend_from_slice(&packet_type.to_be_bytes());
            out.extend_from_slice(&1u16.to_be_bytes()); // ARPHRD_ETHER
            out.extend_from_slice(&6u16.to_be_bytes());
            out.extend_from_slice(&src_mac);
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(&ethertype.to_be_bytes());
            out.extend_from_slice(&ip);
        }
        Link::RawIp => out = ip,
    }
    out
}

/// The IP header, TCP header and payload, checksums filled in.
fn ip_packet(packet: &Packet) -> Vec<u8> {
    let mut tcp = TcpHeader::new(packet.src_port, packet.dst_port, packet.seq, packet.window);
    tcp.acknowledgment_number = packet.ack;
    tcp.fin = packet.flags & flags::FIN != 0;
    tcp.syn = packet.flags & flags::SYN != 0;
    tcp.rst = packet.flags & flags::RST != 0;
    tcp.psh = packet.flags & flags::PSH != 0;
    tcp.ack = packet.flags & flags::ACK != 0;
    tcp.urg = packet.flags & flags::URG != 0;
    tcp.ece = packet.flags & flags::ECE != 0;
    tcp.cwr = packet.flags & flags::CWR != 0;
    tcp.set_options(&tcp_options(packet))
        .expect("generated options fit in 40 bytes");
    let tcp_len = tcp.header_len() + packet.payload.len();
    let mut out = Vec::with_capacity(60 + tcp_len);
    match (packet.src, packet.dst) {
        (IpAddr::V4(src), IpAddr::V4(dst)) => {
            let mut ip = Ipv4Header::new(
                tcp_len as u16,
                packet.ttl,
                IpNumber::TCP,
                src.octets(),
                dst.octets(),
            )
            .expect("generated segments are small");
            ip.identification = packet.ip_id;
            ip.dont_fragment = packet.dont_fragment;
            ip.header_checksum = ip.calc_header_checksum();
            tcp.checksum = tcp
                .calc_checksum_ipv4(&ip, &packet.payload)
                .expect("small segment");
            out.extend_from_slice(&ip.to_bytes());
        }
        (IpAddr::V6(src), IpAddr::V6(dst)) => {
            let ip = Ipv6Header {
                traffic_class: 0,
                flow_label: Ipv6FlowLabel::ZERO,
                payload_length: tcp_len as u16,
                next_header: IpNumber::TCP,
                hop_limit: packet.ttl,
                source: src.octets(),
                destination: dst.octets(),
            };
            tcp.checksum = tcp
                .calc_checksum_ipv6(&ip, &packet.payload)
                .expect("small segment");
            out.extend_from_slice(&ip.to_bytes());
        }
        _ => unreachable!("a packet's addresses share one IP version"),
    }
    out.extend_from_slice(&tcp.to_bytes());
    out.extend_from_slice(&packet.payload);
    out
}

/// Options laid out as real stacks do: Linux `MSS, SACK-permitted, TS, NOP,
/// WS`; Windows (no timestamps) `MSS, NOP, WS, NOP, NOP, SACK-permitted`;
/// timestamps alone after the handshake `NOP, NOP, TS`.
fn tcp_options(packet: &Packet) -> Vec<TcpOptionElement> {
    use TcpOptionElement::{
        MaximumSegmentSize, Noop, SelectiveAcknowledgement, SelectiveAcknowledgementPermitted,
        Timestamp, WindowScale,
    };
    let o = packet.options;
    let mut out = Vec::new();
    out.extend(o.mss.map(MaximumSegmentSize));
    if let Some((val, ecr)) = o.timestamps {
        if o.sack_permitted {
            out.extend([SelectiveAcknowledgementPermitted, Timestamp(val, ecr)]);
        } else {
            out.extend([Noop, Noop, Timestamp(val, ecr)]);
        }
        out.extend(
            o.window_scale
                .into_iter()
                .flat_map(|ws| [Noop, WindowScale(ws)]),
        );
    } else {
        out.extend(
            o.window_scale
                .into_iter()
                .flat_map(|ws| [Noop, WindowScale(ws)]),
        );
        if o.sack_permitted {
            out.extend([Noop, Noop, SelectiveAcknowledgementPermitted]);
        }
    }
    // Linux: NOP, NOP, SACK after the timestamps.
    if let Some(block) = o.sack {
        out.extend([Noop, Noop, SelectiveAcknowledgement(block, [None; 3])]);
    }
    out
}

/// Classic pcap, little-endian, microsecond timestamps.
fn pcap(frames: impl Iterator<Item = (i64, Vec<u8>)>, link_type: u32) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&[0; 8]); // thiszone, sigfigs
    out.extend_from_slice(&SNAPLEN.to_le_bytes());
    out.extend_from_slice(&link_type.to_le_bytes());
    for (ts_us, data) in frames {
        out.extend_from_slice(&((ts_us / 1_000_000) as u32).to_le_bytes());
        out.extend_from_slice(&((ts_us % 1_000_000) as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&data);
    }
    out
}

/// pcapng: one section, one interface (default microsecond resolution),
/// an enhanced packet block per frame.
fn pcapng(frames: impl Iterator<Item = (i64, Vec<u8>)>, link_type: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut shb = Vec::new();
    shb.extend_from_slice(&0x1a2b_3c4du32.to_le_bytes());
    shb.extend_from_slice(&1u16.to_le_bytes());
    shb.extend_from_slice(&0u16.to_le_bytes());
    shb.extend_from_slice(&u64::MAX.to_le_bytes()); // section length unknown
    push_option(&mut shb, 4, b"rstscope-scenarios"); // shb_userappl
    push_option(&mut shb, 0, b"");
    push_block(&mut out, 0x0a0d_0d0a, &shb);

    let mut idb = Vec::new();
    idb.extend_from_slice(&(link_type as u16).to_le_bytes());
    idb.extend_from_slice(&0u16.to_le_bytes());
    idb.extend_from_slice(&SNAPLEN.to_le_bytes());
    push_option(&mut idb, 2, b"eth0"); // if_name
    push_option(&mut idb, 0, b"");
    push_block(&mut out, 1, &idb);

    for (ts_us, data) in frames {
        let mut epb = Vec::with_capacity(data.len() + 24);
        epb.extend_from_slice(&0u32.to_le_bytes()); // interface 0
        epb.extend_from_slice(&((ts_us as u64 >> 32) as u32).to_le_bytes());
        epb.extend_from_slice(&(ts_us as u32).to_le_bytes());
        epb.extend_from_slice(&(data.len() as u32).to_le_bytes());
        epb.extend_from_slice(&(data.len() as u32).to_le_bytes());
        epb.extend_from_slice(&data);
        pad4(&mut epb);
        push_block(&mut out, 6, &epb);
    }
    out
}

fn push_block(out: &mut Vec<u8>, block_type: u32, body: &[u8]) {
    let total = (body.len() + 12) as u32;
    out.extend_from_slice(&block_type.to_le_bytes());
    out.extend_from_slice(&total.to_le_bytes());
    out.extend_from_slice(body);
    out.extend_from_slice(&total.to_le_bytes());
}

fn push_option(out: &mut Vec<u8>, code: u16, value: &[u8]) {
    out.extend_from_slice(&code.to_le_bytes());
    out.extend_from_slice(&(value.len() as u16).to_le_bytes());
    out.extend_from_slice(value);
    pad4(out);
}

fn pad4(out: &mut Vec<u8>) {
    out.resize(out.len().next_multiple_of(4), 0);
}
