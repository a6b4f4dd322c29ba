//! Link layer to TCP: turns a frame's bytes into a view of its TCP segment.
//!
//! Views borrow the frame (like smoltcp's `wire` and etherparse's slices);
//! nothing here allocates. Tunnels are followed to the innermost IP header
//! that carries TCP, and the layers passed through are recorded, with what
//! the link layer said about the packet ([`LinkMeta`]: radio, netfilter
//! rule, process).

use core::net::IpAddr;

use crate::frame::LinkType;

mod bytes;
mod erf;
pub(crate) mod flow;
mod icmp;
mod ip;
mod link;
mod meta;
mod mpls;
mod nflog;
mod pktap;
mod radio;
mod tcp;
mod tunnel;
mod wan;
mod wlan;

pub use flow::Flow;
pub use meta::{Hook, LinkMeta, NflogMeta, ProcessMeta, Radio, WifiMeta};

/// TCP flag bits, in header order (low byte of the flags field, plus NS/AE).
pub mod flags {
    pub const FIN: u16 = 0x001;
    pub const SYN: u16 = 0x002;
    pub const RST: u16 = 0x004;
    pub const PSH: u16 = 0x008;
    pub const ACK: u16 = 0x010;
    pub const URG: u16 = 0x020;
    pub const ECE: u16 = 0x040;
    pub const CWR: u16 = 0x080;
    /// Accurate-ECN bit (formerly NS).
    pub const AE: u16 = 0x100;

    /// Flags in the order SYN, FIN, RST, PSH, ACK, URG, ECE, CWR, AE, joined by '+'.
    pub fn names(bits: u16) -> alloc::string::String {
        const NAMES: [(u16, &str); 9] = [
            (SYN, "SYN"),
            (FIN, "FIN"),
            (RST, "RST"),
            (PSH, "PSH"),
            (ACK, "ACK"),
            (URG, "URG"),
            (ECE, "ECE"),
            (CWR, "CWR"),
            (AE, "AE"),
        ];
        let names: alloc::vec::Vec<&str> = NAMES
            .iter()
            .filter(|(b, _)| bits & b != 0)
            .map(|(_, n)| *n)
            .collect();
        names.join("+")
    }
}

/// One protocol layer passed through on the way to TCP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    Ethernet,
    Vlan,
    Pppoe,
    LinuxSll,
    LinuxSll2,
    Null,
    Fddi,
    Llc,
    IpOverIb,
    Ipv4,
    Ipv6,
    Gre,
    Erspan,
    Vxlan,
    GtpU,
    Teredo,
    Udp,
    Wlan,
    Radiotap,
    Ppi,
    Prism,
    Avs,
    Mpls,
    /// The pseudowire control word between an MPLS label stack and Ethernet.
    PwControlWord,
    Nflog,
    Pktap,
    Ppp,
    CiscoHdlc,
    FrameRelay,
    Juniper,
    Ipnet,
    Erf,
    /// An ICMP error, before the packet it quotes (see [`quoted_tcp`]).
    Icmp,
    /// Only in errors: the TCP header itself.
    Tcp,
}

impl Layer {
    pub fn name(self) -> &'static str {
        match self {
            Layer::Ethernet => "eth",
            Layer::Vlan => "vlan",
            Layer::Pppoe => "pppoe",
            Layer::LinuxSll => "sll",
            Layer::LinuxSll2 => "sll2",
            Layer::Null => "null",
            Layer::Fddi => "fddi",
            Layer::Llc => "llc",
            Layer::IpOverIb => "ipoib",
            Layer::Ipv4 => "ipv4",
            Layer::Ipv6 => "ipv6",
            Layer::Gre => "gre",
            Layer::Erspan => "erspan",
            Layer::Vxlan => "vxlan",
            Layer::GtpU => "gtp",
            Layer::Teredo => "teredo",
            Layer::Udp => "udp",
            Layer::Wlan => "wlan",
            Layer::Radiotap => "radiotap",
            Layer::Ppi => "ppi",
            Layer::Prism => "prism",
            Layer::Avs => "avs",
            Layer::Mpls => "mpls",
            Layer::PwControlWord => "pwcw",
            Layer::Nflog => "nflog",
            Layer::Pktap => "pktap",
            Layer::Ppp => "ppp",
            Layer::CiscoHdlc => "chdlc",
            Layer::FrameRelay => "fr",
            Layer::Juniper => "juniper",
            Layer::Ipnet => "ipnet",
            Layer::Erf => "erf",
            Layer::Icmp => "icmp",
            Layer::Tcp => "tcp",
        }
    }
}

/// The layers below TCP, outermost first. Fixed capacity: deeper nesting
/// than this is recorded as far as it fits (decoding still goes on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Encapsulation {
    layers: [Layer; Encapsulation::CAPACITY],
    len: u8,
}

impl Encapsulation {
    pub const CAPACITY: usize = 12;

    pub const fn new() -> Self {
        Self {
            layers: [Layer::Ethernet; Self::CAPACITY],
            len: 0,
        }
    }

    pub fn push(&mut self, layer: Layer) {
        if let Some(slot) = self.layers.get_mut(usize::from(self.len)) {
            *slot = layer;
            self.len += 1;
        }
    }

    pub fn layers(&self) -> &[Layer] {
        self.layers.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// True when a tunnel (an IP header inside another) was passed through.
    pub fn is_tunnelled(&self) -> bool {
        self.layers()
            .iter()
            .filter(|l| matches!(l, Layer::Ipv4 | Layer::Ipv6))
            .count()
            > 1
    }
}

impl Default for Encapsulation {
    fn default() -> Self {
        Self::new()
    }
}

/// TCP options the analysis uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpOptions {
    pub mss: Option<u16>,
    pub window_scale: Option<u8>,
    pub sack_permitted: bool,
    /// SACK blocks (kind 5) are present: the receiver is missing data.
    pub sack: bool,
    /// (TSval, TSecr)
    pub timestamps: Option<(u32, u32)>,
    /// An MPTCP MP_TCPRST option was present (its reason code).
    pub mptcp_rst_reason: Option<u8>,
}

/// The innermost IP header that carries the TCP segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpInfo {
    pub src: IpAddr,
    pub dst: IpAddr,
    /// IPv4 TTL or IPv6 hop limit.
    pub ttl: u8,
    /// IPv4 identification; `None` for IPv6.
    pub id: Option<u16>,
    pub dont_fragment: bool,
    /// IPv4 DSCP/ECN byte or IPv6 traffic class.
    pub tos: u8,
}

/// A TCP segment, borrowed from the frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpSegment<'a> {
    pub src_port: u16,
    pub dst_port: u16,
    pub seq: u32,
    pub ack: u32,
    /// See [`flags`].
    pub flags: u16,
    /// Raw window field (unscaled).
    pub window: u16,
    pub options: TcpOptions,
    /// Payload bytes present in the capture (may be cut by snaplen).
    pub payload: &'a [u8],
    /// Payload length according to the IP header: correct even when the
    /// frame was cut, so sequence tracking stays right.
    pub payload_len: u32,
}

impl TcpSegment<'_> {
    pub fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }
}

/// A decoded TCP packet: what the analysis works on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpPacket<'a> {
    pub ip: IpInfo,
    pub tcp: TcpSegment<'a>,
    pub encapsulation: Encapsulation,
    /// What the link layer recorded about the packet (radio, rule, process).
    pub link: LinkMeta<'a>,
    /// The IP fragment carried no (complete) TCP header: only set for a
    /// first fragment whose TCP header was decodable.
    pub fragmented: bool,
    /// Its hashes in the tracker's tables, made by decoding (on the CLI's
    /// reading thread); `None` for a packet built otherwise, whose hashes
    /// the tables make. Set from `ip` and the ports: a packet whose
    /// endpoints are changed after decoding must have it reset.
    pub flow: Option<Flow>,
}

/// What a frame that is not TCP was, for the report's `other` counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NotTcp {
    /// An IP packet of this protocol number (17 UDP, 1 ICMP, 58 ICMPv6, ...).
    IpProtocol(u8),
    /// A non-first IP fragment: its TCP header, if any, is elsewhere.
    IpFragment,
    /// A link-layer frame of this EtherType that is not IP (ARP, LLDP, ...).
    EtherType(u16),
    /// A link-layer frame that carries neither IP nor an EtherType (LLC/STP, ...).
    OtherLink,
    /// An 802.11 frame with the Protected bit: its payload is encrypted.
    EncryptedWlan,
    /// An 802.11 management or control frame (beacons, probes, ACKs, ...).
    WlanManagement,
    /// A Linux netlink message (LINKTYPE_NETLINK): kernel talk, not packets.
    Netlink,
    /// A link type this decoder does not know.
    UnknownLinkType(LinkType),
}

/// Why a frame could not be decoded, and where it broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// The layer being decoded when the bytes ran out or made no sense.
    pub layer: Layer,
    /// Byte offset in the frame where that layer starts.
    pub offset: usize,
    pub kind: DecodeErrorKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// The frame ends (snaplen or corruption) before the header does.
    Truncated,
    /// A header field holds an impossible value (bad version, length, ...).
    Malformed,
}

/// What one frame turned out to be.
// Decoding allocates nothing: a boxed packet would be an allocation per frame.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoded<'a> {
    Tcp(TcpPacket<'a>),
    NotTcp(NotTcp),
}

/// Decodes one frame. Never panics; every byte sequence gives an answer.
pub fn decode(link_type: LinkType, data: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    let mut cursor = Cursor::new(data);
    link::frame(&mut cursor, link_type)
}

/// The TCP header an ICMP error quotes (the start of the segment that
/// caused it: port unreachable, TTL exceeded, fragmentation needed, ...),
/// when the frame is such an error and the quote holds the fixed header.
pub fn quoted_tcp(link_type: LinkType, data: &[u8]) -> Option<TcpPacket<'_>> {
    let mut cursor = Cursor::new(data);
    cursor.follow_icmp_quotes = true;
    match link::frame(&mut cursor, link_type) {
        Ok(Decoded::Tcp(packet)) if cursor.quoted => Some(packet),
        _ => None,
    }
}

/// Decoding state threaded through the layers: the frame, the layers passed
/// so far, how deep in nested headers we are (bounded, so hostile
/// tunnel-in-tunnel frames end), and what the link layers said.
#[derive(Clone, Copy)]
struct Cursor<'a> {
    data: &'a [u8],
    encapsulation: Encapsulation,
    depth: u8,
    meta: LinkMeta<'a>,
    /// A radio header's reading, kept until the 802.11 header it describes.
    radio: Radio,
    /// Decode the packet an ICMP error quotes ([`quoted_tcp`]), and whether
    /// one was.
    follow_icmp_quotes: bool,
    quoted: bool,
}

impl<'a> Cursor<'a> {
    fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            encapsulation: Encapsulation::new(),
            depth: 0,
            meta: LinkMeta::default(),
            radio: Radio::default(),
            follow_icmp_quotes: false,
            quoted: false,
        }
    }
}

impl Cursor<'_> {
    const MAX_DEPTH: u8 = 8;

    fn enter(&mut self, layer: Layer) {
        self.encapsulation.push(layer);
    }

    /// Counts one more level of nesting for the `layer` header at `at`.
    /// Past the limit that header is one too many (Malformed, pointing at
    /// it) when it is there, and the frame was cut (Truncated) when it is not.
    fn deeper(&mut self, layer: Layer, at: usize) -> Result<(), DecodeError> {
        self.depth = self.depth.saturating_add(1);
        if self.depth <= Self::MAX_DEPTH {
            return Ok(());
        }
        let kind = if at < self.data.len() {
            DecodeErrorKind::Malformed
        } else {
            DecodeErrorKind::Truncated
        };
        Err(DecodeError {
            layer,
            offset: at,
            kind,
        })
    }

    /// A header from `at` up to `end` must be captured whole.
    fn need_until(&self, end: usize, layer: Layer, at: usize) -> Result<(), DecodeError> {
        self.need((end <= self.data.len()).then_some(()), layer, at)
    }

    /// A header field holds an impossible value.
    fn malformed<T>(&self, layer: Layer, offset: usize) -> Result<T, DecodeError> {
        Err(DecodeError {
            layer,
            offset,
            kind: DecodeErrorKind::Malformed,
        })
    }

    /// A field that must be present: its absence means the frame was cut.
    fn need<T>(&self, value: Option<T>, layer: Layer, offset: usize) -> Result<T, DecodeError> {
        value.ok_or(DecodeError {
            layer,
            offset,
            kind: DecodeErrorKind::Truncated,
        })
    }
}

#[cfg(test)]
mod tests;

/// A segment as the tests of what follows decoding want one: plain IPv4
/// between 10.0.0.1:`client_port` (the client) and 10.0.0.2:443, TTL 64,
/// DF, IP ID 7, no options, `len` payload bytes not captured.
#[cfg(test)]
pub(crate) fn test_segment(
    from_client: bool,
    client_port: u16,
    flags: u16,
    seq: u32,
    ack: u32,
    len: u32,
    window: u16,
) -> TcpPacket<'static> {
    let client = (IpAddr::from([10, 0, 0, 1]), client_port);
    let server = (IpAddr::from([10, 0, 0, 2]), 443);
    let ((src, src_port), (dst, dst_port)) = match from_client {
        true => (client, server),
        false => (server, client),
    };
    TcpPacket {
        ip: IpInfo {
            src,
            dst,
            ttl: 64,
            id: Some(7),
            dont_fragment: true,
            tos: 0,
        },
        tcp: TcpSegment {
            src_port,
            dst_port,
            seq,
            ack,
            flags,
            window,
            options: TcpOptions::default(),
            payload: &[],
            payload_len: len,
        },
        encapsulation: Encapsulation::new(),
        link: LinkMeta::default(),
        fragmented: false,
        flow: None,
    }
}
