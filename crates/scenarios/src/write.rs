//! Capture files: link-layer framing, then pcap or pcapng records, written
//! by pcap-file ([`CaptureWriter`], the one writer of the project).
//!
//! IP and TCP headers are serialised by etherparse, which also computes the
//! IPv4 header checksum and the TCP checksum over the pseudo-header.

use std::io::{self, Write};
use std::net::IpAddr;
use std::time::Duration;

use etherparse::{IpNumber, Ipv4Header, Ipv6FlowLabel, Ipv6Header, TcpHeader, TcpOptionElement};
use pcap_file::pcap::{PcapHeader, PcapPacket, PcapTsResolution, PcapWriter};
use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::{
    InterfaceDescriptionBlock, InterfaceDescriptionOption,
};
use pcap_file::pcapng::blocks::section_header::{SectionHeaderBlock, SectionHeaderOption};
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::{DataLink, Endianness};
use rstscope_core::decode::flags;

use crate::monitor::{self, Air};
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
            Link::Radiotap(_) => 127,
            Link::Nflog => 239,
        }
    }
}

/// The whole capture file for these packets.
pub fn capture(packets: &[Packet], link: Link, format: Format) -> Vec<u8> {
    let mut writer = CaptureWriter::new(Vec::new(), format, link.link_type())
        .expect("writing to memory cannot fail");
    let mut air = Air::default();
    for packet in packets {
        let data = match link {
            Link::Radiotap(radio) => air.frame(packet, &ip_packet(packet), radio),
            _ => frame(packet, link),
        };
        writer
            .frame(packet.ts_us, &data)
            .expect("generated frames are small and after 1970");
    }
    writer.into_inner()
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
        // One packet alone: the first frame its transmitter sends.
        Link::Radiotap(radio) => out = Air::default().frame(packet, &ip, radio),
        Link::Nflog => out = monitor::nflog(packet, &ip),
    }
    out
}

/// TCP option kind of Multipath TCP, and the subtype of its reset option.
const MPTCP_KIND: u8 = 30;
const MP_TCPRST: u8 = 0x8;

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
    if let Some((flags, reason)) = packet.options.mptcp_rst {
        // etherparse has no MPTCP element: its 4 bytes go first (Linux
        // writes MPTCP's option before the timestamps), so the rest keeps
        // its 4-byte alignment.
        let mut raw = vec![MPTCP_KIND, 4, MP_TCPRST << 4 | flags & 0x0f, reason];
        raw.extend_from_slice(tcp.options.as_slice());
        tcp.set_options_raw(&raw)
            .expect("generated options fit in 40 bytes");
    }
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

/// Writes captures: classic pcap (little-endian, microsecond timestamps)
/// or pcapng (one section, one interface at the default microsecond
/// resolution, an enhanced packet block per frame), through pcap-file.
pub struct CaptureWriter<W: Write> {
    inner: Inner<W>,
    /// Bytes written so far, headers included.
    bytes: u64,
}

enum Inner<W: Write> {
    Pcap(PcapWriter<W>),
    PcapNg(PcapNgWriter<W>),
}

impl<W: Write> CaptureWriter<W> {
    /// Writes the file header (pcap) or section and interface (pcapng).
    pub fn new(out: W, format: Format, link_type: u32) -> io::Result<Self> {
        // pcap-file does not say how long the headers it wrote are.
        let headers = Inner::open(Vec::new(), format, link_type)?
            .into_inner()
            .len();
        Ok(Self {
            inner: Inner::open(out, format, link_type)?,
            bytes: headers as u64,
        })
    }

    /// Writes one frame captured whole at `ts_us` (µs since the epoch).
    pub fn frame(&mut self, ts_us: i64, data: &[u8]) -> io::Result<()> {
        let timestamp = Duration::from_micros(u64::try_from(ts_us).map_err(io::Error::other)?);
        let len = u32::try_from(data.len()).map_err(io::Error::other)?;
        let written = match &mut self.inner {
            Inner::Pcap(writer) => {
                let packet = PcapPacket::new(timestamp, len, data).map_err(io::Error::other)?;
                writer.write_packet(&packet).map_err(io::Error::other)?
            }
            Inner::PcapNg(writer) => {
                let packet = EnhancedPacketBlock {
                    interface_id: 0,
                    timestamp,
                    original_len: len,
                    data: data.into(),
                    options: Vec::new(),
                };
                writer
                    .write_pcapng_block(packet)
                    .map_err(io::Error::other)?
            }
        };
        self.bytes += written as u64;
        Ok(())
    }

    /// Bytes written so far, headers included.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    pub fn into_inner(self) -> W {
        self.inner.into_inner()
    }
}

impl<W: Write> Inner<W> {
    fn open(out: W, format: Format, link_type: u32) -> io::Result<Self> {
        let datalink = DataLink::from(link_type);
        Ok(match format {
            Format::Pcap => {
                let header = PcapHeader {
                    snaplen: SNAPLEN,
                    datalink,
                    ts_resolution: PcapTsResolution::MicroSecond,
                    endianness: Endianness::Little,
                    ..PcapHeader::default()
                };
                Inner::Pcap(PcapWriter::with_header(out, header).map_err(io::Error::other)?)
            }
            Format::PcapNg => {
                let section = SectionHeaderBlock {
                    endianness: Endianness::Little,
                    options: vec![SectionHeaderOption::UserApplication(
                        "rstscope-scenarios".into(),
                    )],
                    ..SectionHeaderBlock::default()
                };
                let mut writer =
                    PcapNgWriter::with_section_header(out, section).map_err(io::Error::other)?;
                let mut interface = InterfaceDescriptionBlock::new(datalink, SNAPLEN);
                interface.options = vec![InterfaceDescriptionOption::IfName("eth0".into())];
                writer
                    .write_pcapng_block(interface)
                    .map_err(io::Error::other)?;
                Inner::PcapNg(writer)
            }
        })
    }

    fn into_inner(self) -> W {
        match self {
            Inner::Pcap(writer) => writer.into_inner(),
            Inner::PcapNg(writer) => writer.into_inner(),
        }
    }
}
