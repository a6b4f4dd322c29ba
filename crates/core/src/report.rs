//! The report: everything the analysis concluded, ready to serialise.
//!
//! This is a contract. `rstscope analyze --format json`, the web app's
//! exports and its share links all carry exactly these types, and tools
//! outside the repository read them: keep every field and its meaning; add
//! fields, never repurpose them.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub capture: CaptureInfo,
    pub summary: Summary,
    /// One entry per RST frame, in frame order.
    pub resets: Vec<Reset>,
    /// Every TCP connection seen, in order of first packet.
    pub connections: Vec<Connection>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptureInfo {
    /// Frames read from the file.
    pub packets: u64,
    /// Frames that carry a TCP header (at any tunnel depth).
    pub tcp_packets: u64,
    /// Link-layer types seen, with the number of frames of each.
    pub link_types: Vec<LinkTypeCount>,
    /// Problems met while reading or decoding; analysis went on past each.
    pub warnings: Vec<Warning>,
    /// Frames that are not TCP, counted by kind ("udp", "icmpv6", "arp",
    /// "ethertype 0x88cc", "linktype 147", ...), so nothing is dropped silently.
    pub other: BTreeMap<String, u64>,
    /// Frames cut by the capture's snaplen (captured length < wire length).
    pub truncated_frames: u64,
    /// Time of the first and last frame, seconds since the Unix epoch.
    pub first_time: Option<f64>,
    pub last_time: Option<f64>,
    /// Connections dropped from the flow table to keep memory bounded.
    pub evicted_connections: u64,
    /// Connections not listed in `connections` (past the listing limit;
    /// connections with resets are always listed).
    #[serde(default)]
    pub unlisted_connections: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkTypeCount {
    /// `LINKTYPE_*` number.
    pub id: u32,
    pub name: String,
    pub frames: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Warning {
    /// Machine-readable kind: "truncated-record", "corrupt-block",
    /// "unknown-link-type", "decode", "time-backwards", "flow-limit", ...
    pub kind: String,
    /// Frame number (1-based) the problem concerns, when it concerns one.
    pub frame: Option<u64>,
    /// Byte offset in the (decompressed) capture file, when known.
    pub offset: Option<u64>,
    /// What happened, in words.
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    /// One plain-language sentence about the capture's resets.
    pub headline: String,
    /// Reset counts by concluded origin ("client", "server", "middlebox", "unknown").
    pub by_origin: BTreeMap<String, u64>,
    /// Reset counts by cause.
    pub by_cause: BTreeMap<String, u64>,
}

/// Whose address and port a reset carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sender {
    Client,
    Server,
    Unknown,
}

/// Who we conclude actually emitted a reset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    Client,
    Server,
    /// An on-path device forged or generated it on behalf of the endpoint it names.
    Middlebox,
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    Refused,
    AppAbort,
    ClosedSocket,
    IdleTimeout,
    OutOfWindow,
    Injected,
    Scan,
    GracefulClose,
    RetransmitTimeout,
    Unknown,
}

/// Where in the connection the reset fell (Cloudflare Radar's buckets).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// After the client's SYN, before its handshake-completing ACK.
    PostSyn,
    /// After the handshake, before any data.
    PostAck,
    /// After the first data segment (the PSH), before any further data.
    PostPsh,
    LaterInFlow,
    /// No handshake or data seen to place it.
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reset {
    /// 1-based frame number in the file, as Wireshark numbers frames.
    pub frame: u64,
    /// Seconds since the Unix epoch.
    pub time: f64,
    /// "ip:port" ("[v6]:port" for IPv6) of the innermost IP/TCP headers.
    pub src: String,
    pub dst: String,
    /// Raw (absolute) sequence and acknowledgement numbers.
    pub seq: u32,
    pub ack: u32,
    /// Flags joined by '+', e.g. "RST", "RST+ACK", "FIN+RST+ACK".
    pub flags: String,
    /// IPv4 TTL or IPv6 hop limit.
    pub ttl: u8,
    /// IPv4 identification; null for IPv6.
    pub ip_id: Option<u16>,
    /// TCP payload length (from the IP header, so also for cut frames).
    pub payload_len: u32,
    /// Protocol layers below TCP, e.g. "eth:vlan:ipv4" or "eth:ipv4:gre:eth:ipv4".
    pub encapsulation: String,
    /// Id of the connection in `connections`, when the RST belongs to one.
    pub connection: Option<u32>,
    pub sender: Sender,
    pub origin: Origin,
    pub cause: Cause,
    /// A finer cause when one is known, e.g. "rst-after-fin", "syn-data-rejected".
    pub sub_cause: Option<String>,
    /// How sure we are of `origin` and `cause`, in [0, 1].
    pub confidence: f32,
    /// The signals that decided the verdict, strongest first.
    pub evidence: Vec<Evidence>,
    /// Tampering signature in the SIGCOMM 2023 notation ("SYN → RST", "PSH → RST;RST+ACK", ...).
    pub signature: Option<String>,
    pub stage: Stage,
    /// Text carried in the RST's payload (RFC 1122 §4.2.2.12), printable characters only.
    pub payload_text: Option<String>,
    /// Reason code of a draft-ietf-tcpm-rst-diagnostic-payload RST (magic 0x33AA).
    pub reason_code: Option<u32>,
    /// What to do about it, concrete and with the observed numbers filled in.
    pub tips: Vec<Tip>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// Which signal: "ttl", "ip-id", "seq", "ack", "window", "timing", "idle",
    /// "race", "repeat", "payload", "handshake", "fin", "retransmit", "vantage", ...
    pub signal: String,
    /// What we saw, with the numbers: "TTL 63, server's other 41 packets had TTL 52".
    pub finding: String,
    /// Which origin this signal argues for.
    pub points_to: Origin,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tip {
    pub text: String,
    /// Commands or config lines to copy, one per entry.
    pub commands: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Connection {
    pub id: u32,
    /// "ip:port" of the side that opened the connection (Zeek's originator).
    pub client: String,
    pub server: String,
    /// How the roles were decided: "handshake", "syn", "syn-ack", "ports",
    /// "first-packet". Anything but "handshake"/"syn"/"syn-ack" is a guess.
    pub roles_from: String,
    pub first_time: f64,
    pub last_time: f64,
    pub client_packets: u64,
    pub server_packets: u64,
    /// TCP payload bytes sent by each side.
    pub client_bytes: u64,
    pub server_bytes: u64,
    /// Zeek conn.log `conn_state` (S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH, SHR, OTH).
    pub conn_state: String,
    /// Zeek conn.log `history` letters.
    pub history: String,
    /// Frame numbers of the RSTs of this connection.
    pub resets: Vec<u64>,
}

/// The same names serde writes, for text output and map keys.
macro_rules! names {
    ($ty:ty { $($variant:ident => $name:literal),* $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$(<$ty>::$variant),*];
            pub fn as_str(self) -> &'static str {
                match self { $(<$ty>::$variant => $name),* }
            }
        }
    };
}

names!(Sender { Client => "client", Server => "server", Unknown => "unknown" });
names!(Origin { Client => "client", Server => "server", Middlebox => "middlebox", Unknown => "unknown" });
names!(Cause {
    Refused => "refused",
    AppAbort => "app-abort",
    ClosedSocket => "closed-socket",
    IdleTimeout => "idle-timeout",
    OutOfWindow => "out-of-window",
    Injected => "injected",
    Scan => "scan",
    GracefulClose => "graceful-close",
    RetransmitTimeout => "retransmit-timeout",
    Unknown => "unknown",
});
names!(Stage {
    PostSyn => "post-syn",
    PostAck => "post-ack",
    PostPsh => "post-psh",
    LaterInFlow => "later-in-flow",
    Unknown => "unknown",
});
