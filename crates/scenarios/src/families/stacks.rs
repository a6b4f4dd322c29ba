//! Host stacks and devices the families draw from, with what each really
//! puts in its packets. Sources: p0f's signature database (`p0f.fp`),
//! Linux `net/ipv4/ip_output.c` (IP-ID 0 on DF SYN-ACKs and socket-less
//! replies) and `tcp_ipv4.c` (`tcp_v4_send_reset`), FreeBSD's
//! `net.inet.ip.rfc6864` (IP-ID 0 on atomic datagrams), lwIP's `opt.h`
//! (TTL 255, no DF, no options by default), netfilter's
//! `nf_reject_ipv4.c` (REJECT: TTL 64, IP-ID 0, DF, no options).

use crate::host::{Fingerprint, IpIdStyle};
use crate::rng::Rng;

/// An end host's operating system, as families choose it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stack {
    Linux,
    /// Linux with `net.ipv4.tcp_timestamps = 0`.
    LinuxNoTimestamps,
    Windows,
    MacOs,
    FreeBsd,
    /// An lwIP-based device (camera, PLC, printer).
    Embedded,
    /// An F5 BIG-IP virtual server (a full proxy: the client's TCP peer).
    BigIp,
    /// A Linux host whose TCP is a user-space responder (an IDS evasion
    /// test's server, a scapy script): each packet's IP-ID copied from the
    /// segment it answers.
    IpIdCopier,
}

impl Stack {
    pub const CLIENTS: &'static [Stack] = &[
        Stack::Linux,
        Stack::LinuxNoTimestamps,
        Stack::Windows,
        Stack::Windows,
        Stack::MacOs,
        Stack::FreeBsd,
    ];
    pub const SERVERS: &'static [Stack] = &[
        Stack::Linux,
        Stack::Linux,
        Stack::LinuxNoTimestamps,
        Stack::Windows,
        Stack::FreeBsd,
        Stack::MacOs,
        Stack::Embedded,
    ];
    /// Stacks that send a RST when they give up retransmitting (Linux
    /// does not: `tcp_write_err` closes silently).
    pub const RST_ON_GIVE_UP: &'static [Stack] = &[
        Stack::Windows,
        Stack::MacOs,
        Stack::FreeBsd,
        Stack::Embedded,
    ];
    /// Full-featured stacks (no embedded device).
    pub const GENERAL: &'static [Stack] = &[
        Stack::Linux,
        Stack::LinuxNoTimestamps,
        Stack::Windows,
        Stack::MacOs,
        Stack::FreeBsd,
    ];

    pub fn pick(rng: &mut Rng, from: &[Stack]) -> Stack {
        from[rng.range(0, from.len() as u64 - 1) as usize]
    }

    pub fn fingerprint(self) -> Fingerprint {
        match self {
            Stack::Linux => LINUX,
            Stack::LinuxNoTimestamps => Fingerprint {
                name: "linux (no timestamps)",
                timestamps: false,
                ..LINUX
            },
            Stack::Windows => WINDOWS,
            Stack::MacOs => MACOS,
            Stack::FreeBsd => FREEBSD,
            Stack::Embedded => EMBEDDED,
            Stack::BigIp => Fingerprint::BIG_IP,
            Stack::IpIdCopier => IP_ID_COPIER,
        }
    }

    /// Seconds of the first retransmission timeout and how many
    /// retransmissions before giving up (Windows `TcpMaxDataRetransmissions`
    /// 5; BSD `TCP_MAXRXTSHIFT` 12 with backoff capped at 64 s; lwIP
    /// `TCP_MAXRTX` 12), and the cap on one backed-off timeout.
    pub fn retransmission(self) -> (f64, u32, f64) {
        match self {
            Stack::Windows => (0.3, 5, 240.0),
            Stack::MacOs | Stack::FreeBsd => (0.2, 12, 64.0),
            Stack::Embedded => (1.5, 12, 60.0),
            Stack::Linux | Stack::LinuxNoTimestamps | Stack::BigIp | Stack::IpIdCopier => {
                (0.2, 15, 120.0)
            }
        }
    }

    /// Bytes of a keepalive probe: Linux sends none, Windows and the BSDs
    /// one garbage byte (RFC 1122 §4.2.3.6 allows either).
    pub fn keepalive_garbage(self) -> usize {
        match self {
            Stack::Linux
            | Stack::LinuxNoTimestamps
            | Stack::Embedded
            | Stack::BigIp
            | Stack::IpIdCopier => 0,
            Stack::Windows | Stack::MacOs | Stack::FreeBsd => 1,
        }
    }
}

pub const LINUX: Fingerprint = Fingerprint {
    syn_ack_zero_id: true,
    ..Fingerprint::LINUX
};

/// A user-space responder on a Linux host (suricata's bug-3286 evasion
/// pcap): Linux's TTL, DF and SYN options, the IP-ID of the segment each
/// packet answers.
pub const IP_ID_COPIER: Fingerprint = Fingerprint {
    name: "ip-id copier",
    ip_id: IpIdStyle::CopyPeer,
    ..Fingerprint::LINUX
};

/// Windows 10/11 and Server: one IP-ID counter for the host, no timestamps.
pub const WINDOWS: Fingerprint = Fingerprint {
    rst_ack_field: true,
    ..Fingerprint::WINDOWS
};

/// macOS: random IP-IDs (`net.inet.ip.random_id`), window scale 6.
pub const MACOS: Fingerprint = Fingerprint {
    name: "macos",
    initial_ttl: 64,
    ip_id: IpIdStyle::Random,
    dont_fragment: true,
    window_scale: Some(6),
    sack_permitted: true,
    timestamps: true,
    syn_window: 65535,
    window: 2058,
    ephemeral_ports: (49152, 65535),
    syn_ack_zero_id: false,
    rst_ack_field: false,
};

/// FreeBSD: IP-ID 0 on every DF packet (RFC 6864 atomic datagrams).
pub const FREEBSD: Fingerprint = Fingerprint {
    name: "freebsd",
    initial_ttl: 64,
    ip_id: IpIdStyle::Zero,
    dont_fragment: true,
    window_scale: Some(6),
    sack_permitted: true,
    timestamps: true,
    syn_window: 65535,
    window: 1026,
    ephemeral_ports: (10000, 65535),
    syn_ack_zero_id: false,
    rst_ack_field: false,
};

/// lwIP defaults: TTL 255, a global IP-ID counter, no DF, MSS only.
pub const EMBEDDED: Fingerprint = Fingerprint {
    name: "lwip",
    initial_ttl: 255,
    ip_id: IpIdStyle::Global,
    dont_fragment: false,
    window_scale: None,
    sack_permitted: false,
    timestamps: false,
    syn_window: 5840,
    window: 5840,
    ephemeral_ports: (49152, 65535),
    syn_ack_zero_id: false,
    rst_ack_field: false,
};

/// A Linux box's own kernel answering for a flow it does not know: a
/// netfilter `REJECT --reject-with tcp-reset`, or a NAT router's stack
/// answering a packet to a forgotten mapping (TTL 64, IP-ID 0, DF).
pub const NETFILTER: Fingerprint = Fingerprint {
    name: "netfilter",
    ip_id: IpIdStyle::Zero,
    ..LINUX
};

/// A commercial firewall or IPS appliance: its own TTL, random IP-IDs, no DF.
pub fn appliance(rng: &mut Rng) -> Fingerprint {
    Fingerprint {
        name: "appliance",
        initial_ttl: [64, 128, 255][rng.range(0, 2) as usize],
        ip_id: if rng.range(0, 1) == 0 {
            IpIdStyle::Random
        } else {
            IpIdStyle::Zero
        },
        dont_fragment: rng.range(0, 1) == 0,
        ..LINUX
    }
}

/// A censor's injector: TTL and IP-ID of its own, varying between boxes.
pub fn injector(rng: &mut Rng) -> Fingerprint {
    Fingerprint {
        name: "injector",
        initial_ttl: [64, 128, 255, 255][rng.range(0, 3) as usize],
        ip_id: IpIdStyle::Random,
        dont_fragment: rng.range(0, 2) == 0,
        ..LINUX
    }
}
