//! One TCP/IP packet as the generator models it, before link-layer framing.

use std::net::IpAddr;

/// TCP options, in the order real stacks write them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpOptions {
    pub mss: Option<u16>,
    pub sack_permitted: bool,
    /// (TSval, TSecr)
    pub timestamps: Option<(u32, u32)>,
    pub window_scale: Option<u8>,
    /// One SACK block (left edge, right edge) on an ACK.
    pub sack: Option<(u32, u32)>,
    /// An MPTCP MP_TCPRST option on a RST: (its flags nibble, reason code).
    pub mptcp_rst: Option<(u8, u8)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet {
    /// Capture time, microseconds since the Unix epoch (pcap's resolution,
    /// so pcap and pcapng files carry identical times).
    pub ts_us: i64,
    /// Sent by the capturing host (decides MAC direction, SLL packet type).
    pub outgoing: bool,
    pub src: IpAddr,
    pub dst: IpAddr,
    pub ttl: u8,
    /// IPv4 identification (ignored for IPv6).
    pub ip_id: u16,
    pub dont_fragment: bool,
    pub src_port: u16,
    pub dst_port: u16,
    pub seq: u32,
    pub ack: u32,
    /// `rstscope_core::decode::flags` bits.
    pub flags: u16,
    pub window: u16,
    pub options: TcpOptions,
    pub payload: Vec<u8>,
    /// What a link layer that records more than addresses adds.
    pub link_note: LinkNote,
}

/// What the link layer records about a packet in captures that can say it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LinkNote {
    #[default]
    Plain,
    /// Sent again by the Wi-Fi link: the 802.11 Retry bit, with the
    /// sequence number of the MAC frame it repeats.
    WifiRetry,
    /// Logged by the netfilter rule with this prefix (NFLOG), not by the
    /// host's usual rule for its direction.
    Logged(&'static str),
}
