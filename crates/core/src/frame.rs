//! The input of the core: one captured frame, as a capture reader hands it over.

use crate::decode::ProcessMeta;

/// A link-layer header type, as numbered by tcpdump's `LINKTYPE_*` registry
/// (the value in a pcap file header or a pcapng interface description block).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LinkType(pub u32);

impl LinkType {
    pub const NULL: Self = Self(0);
    pub const ETHERNET: Self = Self(1);
    pub const PPP: Self = Self(9);
    pub const FDDI: Self = Self(10);
    /// PPP in HDLC-like framing (RFC 1662), or Cisco PPP.
    pub const PPP_HDLC: Self = Self(50);
    pub const RAW: Self = Self(101);
    pub const CISCO_HDLC: Self = Self(104);
    /// 802.11 without a radio header.
    pub const IEEE802_11: Self = Self(105);
    pub const FRAME_RELAY: Self = Self(107);
    pub const LOOP: Self = Self(108);
    pub const LINUX_SLL: Self = Self(113);
    pub const PRISM: Self = Self(119);
    pub const RADIOTAP: Self = Self(127);
    /// Free for private use; macOS writes its PKTAP (DLT 149) under this number.
    pub const USER2: Self = Self(149);
    pub const AVS: Self = Self(163);
    pub const JUNIPER_ETHER: Self = Self(178);
    pub const PPI: Self = Self(192);
    /// Endace ERF records (also how native ERF files are read).
    pub const ERF: Self = Self(197);
    pub const IPNET: Self = Self(226);
    pub const IPV4: Self = Self(228);
    pub const IPV6: Self = Self(229);
    pub const NFLOG: Self = Self(239);
    pub const IPOIB: Self = Self(242);
    pub const NETLINK: Self = Self(253);
    pub const PKTAP: Self = Self(258);
    pub const LINUX_SLL2: Self = Self(276);

    /// A short lower-case name for reports ("ethernet", "linux-sll", ...).
    pub fn name(self) -> &'static str {
        match self.0 {
            0 => "null",
            1 => "ethernet",
            9 => "ppp",
            10 => "fddi",
            50 => "ppp-hdlc",
            101 => "raw",
            104 => "cisco-hdlc",
            105 => "ieee802-11",
            107 => "frame-relay",
            108 => "loop",
            113 => "linux-sll",
            119 => "ieee802-11-prism",
            127 => "ieee802-11-radiotap",
            149 => "user2",
            163 => "ieee802-11-avs",
            178 => "juniper-ether",
            192 => "ppi",
            197 => "erf",
            226 => "ipnet",
            228 => "ipv4",
            229 => "ipv6",
            239 => "nflog",
            242 => "ipoib",
            253 => "netlink",
            258 => "pktap",
            276 => "linux-sll2",
            _ => "other",
        }
    }
}

/// One captured frame. Borrowed: the core copies nothing it does not keep.
#[derive(Clone, Copy, Debug)]
pub struct Frame<'a> {
    /// 1-based position in the capture file, as Wireshark numbers frames.
    pub number: u64,
    /// Capture time in nanoseconds since the Unix epoch.
    pub ts_ns: i64,
    pub link_type: LinkType,
    /// Length of the packet on the wire; larger than `data.len()` when the
    /// capture's snaplen cut it.
    pub orig_len: u32,
    /// The captured bytes, starting at the link-layer header.
    pub data: &'a [u8],
    /// The process the capture file ties the frame to, outside the frame's
    /// bytes (macOS `tcpdump -k` pcapng: process blocks and per-packet
    /// options). PKTAP frames carry theirs inside and decode it.
    pub process: Option<ProcessMeta<'a>>,
}
