//! Host models: how a machine's packets look on the wire. These are the
//! fingerprints the engine uses to tell a real endpoint from a device that
//! forges packets in its name (initial TTL, IP-ID style, DF, SYN options).

use std::net::IpAddr;

/// How a host fills the IPv4 identification field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpIdStyle {
    /// Linux: a counter per connection, starting at a random value.
    PerConnection,
    /// Windows: one counter shared by all the host's connections.
    Global,
    /// Always 0 (Linux with DF for some flows, many middleboxes).
    Zero,
    /// A fresh random value per packet (some firewalls and censors).
    Random,
    /// The other side's last IP-ID, copied: a user-space stack (an evasion
    /// test's responder) that builds each packet from the segment it answers.
    CopyPeer,
}

/// The stack's choices, independent of where the host sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    pub name: &'static str,
    pub initial_ttl: u8,
    pub ip_id: IpIdStyle,
    pub dont_fragment: bool,
    /// Window scale offered on SYNs; `None` for stacks that send no options.
    pub window_scale: Option<u8>,
    pub sack_permitted: bool,
    pub timestamps: bool,
    /// Window field of SYN/SYN-ACK, and the raw (scaled) window afterwards.
    pub syn_window: u16,
    pub window: u16,
    /// Ephemeral ports this stack picks for outgoing connections.
    pub ephemeral_ports: (u16, u16),
    /// SYN-ACKs carry IP-ID 0 (Linux' `ip_build_and_send_pkt` with DF).
    pub syn_ack_zero_id: bool,
    /// A socket-less RST answering an ACK fills the ack field without the
    /// ACK flag (Windows; p0f's "invalid-A").
    pub rst_ack_field: bool,
}

impl Fingerprint {
    pub const LINUX: Fingerprint = Fingerprint {
        name: "linux",
        initial_ttl: 64,
        ip_id: IpIdStyle::PerConnection,
        dont_fragment: true,
        window_scale: Some(7),
        sack_permitted: true,
        timestamps: true,
        syn_window: 64240,
        window: 502,
        ephemeral_ports: (32768, 60999),
        syn_ack_zero_id: false,
        rst_ack_field: false,
    };

    /// A Linux server whose flows carry IP-ID 0 with DF.
    pub const LINUX_ZERO_ID: Fingerprint = Fingerprint {
        name: "linux (IP-ID 0)",
        ip_id: IpIdStyle::Zero,
        window: 509,
        ..Self::LINUX
    };

    pub const WINDOWS: Fingerprint = Fingerprint {
        name: "windows",
        initial_ttl: 128,
        ip_id: IpIdStyle::Global,
        dont_fragment: true,
        window_scale: Some(8),
        sack_permitted: true,
        timestamps: false,
        syn_window: 64240,
        window: 1026,
        ephemeral_ports: (49152, 65535),
        syn_ack_zero_id: false,
        rst_ack_field: false,
    };

    /// An F5 BIG-IP virtual server (full proxy: it is the client's server).
    pub const BIG_IP: Fingerprint = Fingerprint {
        name: "big-ip",
        initial_ttl: 255,
        ip_id: IpIdStyle::PerConnection,
        dont_fragment: true,
        window_scale: Some(9),
        sack_permitted: true,
        timestamps: true,
        syn_window: 14600,
        window: 33,
        ephemeral_ports: (32768, 60999),
        syn_ack_zero_id: false,
        rst_ack_field: false,
    };

    /// A Linux-based NAT router or firewall generating resets itself.
    pub const LINUX_MIDDLEBOX: Fingerprint = Fingerprint {
        name: "linux middlebox",
        ip_id: IpIdStyle::Random,
        dont_fragment: false,
        ..Self::LINUX
    };

    /// A censor's injector: TTL 255 and a random IP-ID on every packet.
    pub const CENSOR: Fingerprint = Fingerprint {
        name: "censor",
        initial_ttl: 255,
        ip_id: IpIdStyle::Random,
        dont_fragment: false,
        ..Self::LINUX
    };

    /// nmap's raw SYN probes: window 1024, MSS only, random IP-ID, no DF.
    pub const NMAP: Fingerprint = Fingerprint {
        name: "nmap",
        initial_ttl: 44,
        ip_id: IpIdStyle::Random,
        dont_fragment: false,
        window_scale: None,
        sack_permitted: false,
        timestamps: false,
        syn_window: 1024,
        window: 1024,
        ephemeral_ports: (40000, 65000),
        syn_ack_zero_id: false,
        rst_ack_field: false,
    };
}

/// One machine in a scenario, placed relative to the capture point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Host {
    /// Index in the scenario's host table (for per-host state such as the
    /// Windows global IP-ID counter).
    pub id: usize,
    pub addr: IpAddr,
    pub fingerprint: Fingerprint,
    /// Routers between the host and the capture point; the capture sees
    /// `initial_ttl - hops`.
    pub hops: u8,
}

impl Host {
    /// The TTL (hop limit) its packets carry when they reach the capture.
    pub fn ttl_seen(&self) -> u8 {
        self.fingerprint.initial_ttl.saturating_sub(self.hops)
    }
}
