//! The report: everything the analysis concluded, ready to serialise.
//!
//! This is a contract. `rstscope analyze --format json`, the web app's
//! exports and its share links all carry exactly these types, and tools
//! outside the repository read them: keep every field and its meaning; add
//! fields, never repurpose them.

mod conflict;
mod endpoint;
mod fact;
mod story_read;

use alloc::borrow::Cow;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

pub use conflict::Conflict;
pub use endpoint::{Endpoint, NotAnEndpoint};
pub use fact::{
    fields_in_order as fact_fields_in_order, Counter, Fact, IpIdPattern, Probe,
    Scalar as FactScalar, SegmentFlaw,
};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub capture: CaptureInfo,
    pub summary: Summary,
    /// One entry per RST frame, in frame order.
    pub resets: Vec<Reset>,
    /// Every TCP connection seen, in order of first packet.
    pub connections: Vec<Connection>,
    /// The resets grouped by what happened: a root reset with the resets
    /// that followed from it, and one actor hitting many connections; in
    /// order of their first reset (absent in reports made before them).
    #[serde(default)]
    pub incidents: Vec<Incident>,
    /// This capture compared with a second capture of the same traffic
    /// (`rstscope analyze <capture> --peer <other>`); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Comparison>,
    /// The program and build that analysed the capture, e.g. `rstscope
    /// 0.1.0+0cd928b1a2b3` (version + git commit); set by the front end,
    /// absent where it was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<String>,
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
    pub kind: WarningKind,
    /// Frame number (1-based) the problem concerns, when it concerns one.
    pub frame: Option<u64>,
    /// Byte offset in the (decompressed) capture file, when known.
    pub offset: Option<u64>,
    /// What happened, in words.
    pub message: String,
}

/// What a warning is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningKind {
    /// The capture file ends inside a record.
    TruncatedRecord,
    /// A block or record header that cannot be right; the rest of the file
    /// is not read.
    CorruptBlock,
    /// The gzip stream ends early.
    TruncatedGzip,
    /// A frame whose headers could not be decoded.
    Decode,
    /// Frames timestamped earlier than a frame before them.
    TimeBackwards,
    /// More warnings than the report lists.
    WarningLimit,
    /// Connections evicted from the flow table.
    FlowLimit,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    /// One plain-language sentence about the capture's resets:
    /// `render::headline(&story)`.
    pub headline: String,
    /// What the headline says, as counts.
    #[serde(default)]
    pub story: Story,
    /// Reset counts by concluded origin ("client", "server", "middlebox", "unknown").
    pub by_origin: BTreeMap<String, u64>,
    /// Reset counts by cause.
    pub by_cause: BTreeMap<String, u64>,
    /// The hosts (IP addresses) that took part in the most resets, most
    /// first, at most 10.
    #[serde(default)]
    pub top_talkers: Vec<TopTalker>,
    /// Connections and resets over the capture's span, in equal time buckets.
    #[serde(default)]
    pub activity: Activity,
}

/// One host's part in the capture's resets.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopTalker {
    /// IP address, without port or brackets ("10.0.0.5", "2001:db8::1").
    pub host: String,
    /// Resets it took part in: `sent` plus `received` (a RST a host sends to
    /// itself counts once).
    pub resets: u64,
    /// Resets that carry its address as the source (whoever really sent them).
    pub sent: u64,
    /// Resets addressed to it.
    pub received: u64,
    /// The resets it took part in, by concluded origin ("client", "server",
    /// "middlebox", "unknown").
    pub by_origin: BTreeMap<String, u64>,
}

/// Activity over the capture's span, from its first to its last frame, cut
/// into equal buckets (60, or 1 when the span is zero; none for a capture
/// without frames). Bucket `i` covers `[start + i * bucket_seconds,
/// start + (i + 1) * bucket_seconds)`; the last one also holds the end.
/// Connection counts cover the connections listed in `connections`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Activity {
    /// Seconds since the Unix epoch: the capture's first frame.
    pub start: f64,
    pub bucket_seconds: f64,
    pub buckets: Vec<ActivityBucket>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityBucket {
    /// Connections whose first packet falls in this bucket.
    pub started: u64,
    /// Connections open during this bucket (from their first packet to
    /// their last).
    pub active: u64,
    /// RST frames in this bucket.
    pub resets: u64,
}

/// The headline's content: how many resets, which were forged on the
/// path and why, or the most common cause.
///
/// Read back by `story_read.rs` (its own `Deserialize`, the same JSON).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Story {
    /// No RST in the capture's `packets` frames, `tcp_packets` of them TCP
    /// (absent in reports made before it was counted here).
    NoResets {
        packets: u64,
        tcp_packets: Option<u64>,
    },
    /// `forged` of `total` resets were made on the path, `strong` of them
    /// with strong evidence; `causes` counts them by cause, most first (at
    /// most three, `other` more); `strong_causes` and `strong_other` count
    /// the strong ones alone the same way (absent in older reports);
    /// `idle_ns` is the median idle gap of the forged idle timeouts.
    Forged {
        total: u64,
        forged: u64,
        strong: u64,
        causes: Vec<CauseCount>,
        other: u64,
        strong_causes: Vec<CauseCount>,
        strong_other: u64,
        idle_ns: Option<i64>,
    },
    /// The `total` resets fall into fewer `incidents` (some followed from
    /// others, or one actor hit several connections); `largest` is the
    /// incident with the most resets.
    Incidents {
        total: u64,
        incidents: u64,
        largest: IncidentStory,
    },
    /// No reset forged: the endpoints sent all `total`; `top` is the most
    /// common cause; `all_unknown` when no origin could be told.
    FromEndpoints {
        total: u64,
        top: CauseCount,
        all_unknown: bool,
    },
}

impl Default for Story {
    fn default() -> Self {
        Story::NoResets {
            packets: 0,
            tcp_packets: None,
        }
    }
}

/// A number of resets with one cause.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CauseCount {
    pub cause: Cause,
    pub resets: u64,
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
    /// "ip:port" ("\[v6\]:port" for IPv6) of the innermost IP/TCP headers.
    pub src: Endpoint,
    pub dst: Endpoint,
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
    /// Wireshark's `tcp.stream` number of this packet (`tcp.stream eq N`
    /// selects its conversation); absent in reports made before it existed.
    #[serde(default)]
    pub stream: Option<u32>,
    pub sender: Sender,
    pub origin: Origin,
    pub cause: Cause,
    /// A finer cause when one is known.
    pub sub_cause: Option<SubCause>,
    /// The probability that `origin` and `cause` are both right, in [0, 1]:
    /// of the verdicts shown at 0.7, about 70 % are right (calibrated on the
    /// generator's train split, see `confidence` and ACCURACY.md).
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
    /// What to do about it, concrete and with the observed numbers filled
    /// in: `render::tips(cause, origin, sub_cause, &observed)`.
    pub tips: Vec<Tip>,
    /// The numbers the tips quote.
    #[serde(default)]
    pub observed: Observed,
    /// The connection around the RST, in capture order: up to 16 packets
    /// before it, the RST itself, and up to 4 after it (they show races).
    /// Empty when the RST belongs to no connection.
    #[serde(default)]
    pub ladder: Vec<LadderPacket>,
    /// The frame of the earlier reset that tore the connection down, when
    /// this one only answered a segment for a socket no longer there (a
    /// consequence); null for a root reset.
    #[serde(default)]
    pub consequence_of: Option<u64>,
    /// The `id` of its entry in `incidents` (absent in older reports).
    #[serde(default)]
    pub incident: Option<u32>,
    /// The signals point to two origins: which, and the sentence that says
    /// so. Null when they agree.
    #[serde(default)]
    pub conflict: Option<Conflict>,
}

/// Resets that belong together: a root reset and the resets that followed
/// from it on its connection, or one actor's resets across connections (a
/// censor, a scanner, a NAT expiring idle flows, a firewall).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    /// 1-based, in order of the incident's first reset.
    pub id: u32,
    pub kind: IncidentKind,
    /// Who emitted its root resets, and why: as its first root with strong
    /// evidence says, else its first root.
    pub origin: Origin,
    pub cause: Cause,
    /// The first root reset.
    pub root_frame: u64,
    /// Every reset of the incident, roots and consequences, in frame order.
    pub frames: Vec<u64>,
    /// The ids of the connections it touched, ascending.
    pub connections: Vec<u32>,
    /// Its root resets (consequences excluded).
    pub roots: u64,
    /// Its root resets with strong evidence, and the connections they are
    /// on: its summary names a device or cause from these alone (absent in
    /// older reports).
    #[serde(default)]
    pub strong: u64,
    #[serde(default)]
    pub strong_connections: u64,
    /// Its consequence resets, counted by who emitted them.
    pub followers: Vec<OriginCount>,
    /// One sentence: `render::incident(self)`.
    pub summary: String,
}

impl Incident {
    /// What its summary says.
    pub fn story(&self) -> IncidentStory {
        IncidentStory {
            kind: self.kind,
            origin: self.origin,
            cause: self.cause,
            roots: self.roots,
            connections: self.connections.len() as u64,
            strong: self.strong,
            strong_connections: self.strong_connections,
            followers: self.followers.clone(),
        }
    }
}

/// An incident's content, as counts: what its summary sentence and the
/// headline say about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentStory {
    pub kind: IncidentKind,
    pub origin: Origin,
    pub cause: Cause,
    pub roots: u64,
    pub connections: u64,
    /// Of `roots`, those with strong evidence, and their connections.
    #[serde(default)]
    pub strong: u64,
    #[serde(default)]
    pub strong_connections: u64,
    pub followers: Vec<OriginCount>,
}

/// What kind of event an incident is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IncidentKind {
    /// Resets on one connection: a root and what followed from it.
    Connection,
    /// A device on the path injecting resets (censorship, DPI).
    Injection,
    /// A host scanning or probing another's ports, with the refusals.
    Scan,
    /// Connections refused between the same two hosts.
    Refusals,
    /// A NAT or firewall forgetting idle connections.
    StateExpiry,
    /// A device on the path resetting for another reason (a firewall
    /// rejecting segments, answering for closed sockets).
    Device,
}

/// A number of resets emitted by one origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OriginCount {
    pub origin: Origin,
    pub resets: u64,
}

/// One packet of a reset's ladder (sequence) diagram.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LadderPacket {
    /// 1-based frame number in the file.
    pub frame: u64,
    /// Seconds since the Unix epoch.
    pub time: f64,
    /// Which end of the connection sent it.
    pub from: Role,
    /// Flags joined by '+', as in `Reset::flags`.
    pub flags: String,
    /// Sequence and acknowledgement numbers, relative to each side's ISN
    /// (the sender's for `seq`, the receiver's for `ack`; `ack` is 0
    /// without the ACK flag) when `relative`, raw otherwise.
    pub seq: u32,
    pub ack: u32,
    /// Both ISNs were seen, so `seq` and `ack` are relative.
    pub relative: bool,
    pub payload_len: u32,
    /// Advertised window, scaled when both SYNs offered window scaling
    /// (SYNs' own windows are never scaled).
    pub window: u32,
    /// IPv4 TTL or IPv6 hop limit.
    pub ttl: u8,
    /// IPv4 identification; null for IPv6.
    pub ip_id: Option<u16>,
    /// Milliseconds since the previous packet of the ladder (0 for the first).
    pub gap_ms: f64,
}

/// One end of a connection: the client opened it (sent the SYN).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Client,
    Server,
}

impl Role {
    pub fn other(self) -> Role {
        match self {
            Role::Client => Role::Server,
            Role::Server => Role::Client,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// Which signal: `fact.signal()`.
    pub signal: Signal,
    /// What we saw, with the numbers: "TTL 63, server's other 41 packets
    /// had TTL 52" (`render::finding(&fact)`).
    pub finding: String,
    /// Which origin this signal argues for.
    pub points_to: Origin,
    /// What we saw, typed.
    pub fact: Fact,
}

impl Evidence {
    /// The evidence of `fact`, its finding rendered.
    pub fn of(fact: Fact, points_to: Origin) -> Self {
        Self {
            signal: fact.signal(),
            finding: crate::render::finding(&fact),
            points_to,
            fact,
        }
    }
}

/// The kind of signal a piece of evidence is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Signal {
    /// TTL / hop limit against the sender's baseline.
    Ttl,
    /// IP-ID and DF against the sender's pattern.
    IpId,
    Seq,
    Ack,
    /// How fast the RST followed what it answers.
    Timing,
    /// Silence before the RST.
    Idle,
    /// The claimed sender kept sending after its RST.
    Race,
    /// Several RSTs with moving numbers.
    Repeat,
    /// Text or a reason code the RST carries (in its payload, or an MPTCP
    /// reset option).
    Payload,
    Handshake,
    Fin,
    Retransmit,
    /// Where in the connection the RST fell.
    Stage,
    Scan,
    /// Flags no stack sends.
    Flags,
    /// Two captures of the same traffic compared.
    Vantage,
    /// What the link layer recorded: Wi-Fi retries and radio, the
    /// netfilter rule that logged a packet, the process that owned it.
    Link,
}

/// A finer cause.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SubCause {
    /// RST after the FIN exchange (or after the sender's own FIN).
    RstAfterFin,
    /// The sender had closed; the peer still sent data.
    DataAfterClose,
    /// A firewall refused the connection in the server's name.
    FirewallReject,
    /// A device's state for the connection expired while it idled.
    StateExpired,
    /// A proxy passed on a reset from its backend.
    BackendReset,
    /// A connection opened and closed at once, without data.
    ConnectProbe,
    /// The same by a host sweeping ports (nmap -sT).
    ConnectScan,
    /// A closed port answering a port scan.
    ScanProbe,
    /// A SYN scan's RST instead of the handshake's ACK.
    HalfOpen,
    /// A scanner dropping a connection it probed.
    ScannerAbort,
    /// Flags no TCP stack sends.
    CraftedFlags,
    FinProbe,
    NullProbe,
    XmasProbe,
    /// A stateful firewall marked a segment INVALID and rejected it.
    ConntrackInvalid,
    /// The RST answers an RFC 5961 challenge ACK.
    ChallengeAck,
    /// The client gave up waiting for the answer to its request.
    RequestTimeout,
    /// The client dropped a connection it opened speculatively
    /// (preconnect, the losing attempt of happy eyeballs).
    SpeculativeConnect,
    /// The sender gave up on a peer whose window stayed shut.
    ZeroWindow,
    /// An MPTCP endpoint closed one subflow (MP_TCPRST): its reason code is
    /// the evidence; the MPTCP connection can go on over other subflows.
    MptcpSubflow,
}

/// The numbers a reset's tips quote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observed {
    /// The idle gap behind an idle timeout, nanoseconds.
    pub idle_ns: Option<i64>,
    /// The connection's server port.
    pub server_port: Option<u16>,
    /// Retransmissions of the same data before the reset.
    pub retransmissions: u32,
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
    /// Wireshark's `tcp.stream` number of its first packet. Wireshark splits
    /// a pair's traffic only at a SYN with a new ISN, so several connections
    /// (Zeek splits after a close or a long silence) can share one stream.
    #[serde(default)]
    pub stream: Option<u32>,
    /// Frame number of its first packet.
    #[serde(default)]
    pub first_frame: Option<u64>,
    /// "ip:port" of the side that opened the connection (Zeek's originator).
    pub client: Endpoint,
    pub server: Endpoint,
    /// How the roles were decided: "handshake", "syn", "syn-ack", "ports",
    /// "refusal" (a first packet with a refusal's numbers: its sender
    /// answered a SYN), "first-packet". Anything but
    /// "handshake"/"syn"/"syn-ack" is a guess.
    /// `Cow`: the analyzer's names are static, so listing a connection
    /// allocates nothing for it; serde writes and reads it as a string.
    pub roles_from: Cow<'static, str>,
    pub first_time: f64,
    pub last_time: f64,
    pub client_packets: u64,
    pub server_packets: u64,
    /// TCP payload bytes sent by each side.
    pub client_bytes: u64,
    pub server_bytes: u64,
    /// Zeek conn.log `conn_state` (S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH, SHR, OTH).
    pub conn_state: Cow<'static, str>,
    /// Zeek conn.log `history` letters (static when common, as a lone SYN's).
    pub history: Cow<'static, str>,
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
        impl core::fmt::Display for $ty {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

names!(Sender { Client => "client", Server => "server", Unknown => "unknown" });
names!(Role { Client => "client", Server => "server" });
names!(Signal {
    Ttl => "ttl",
    IpId => "ip-id",
    Seq => "seq",
    Ack => "ack",
    Timing => "timing",
    Idle => "idle",
    Race => "race",
    Repeat => "repeat",
    Payload => "payload",
    Handshake => "handshake",
    Fin => "fin",
    Retransmit => "retransmit",
    Stage => "stage",
    Scan => "scan",
    Flags => "flags",
    Vantage => "vantage",
    Link => "link",
});
names!(SubCause {
    RstAfterFin => "rst-after-fin",
    DataAfterClose => "data-after-close",
    FirewallReject => "firewall-reject",
    StateExpired => "state-expired",
    BackendReset => "backend-reset",
    ConnectProbe => "connect-probe",
    ConnectScan => "connect-scan",
    ScanProbe => "scan-probe",
    HalfOpen => "half-open",
    ScannerAbort => "scanner-abort",
    CraftedFlags => "crafted-flags",
    FinProbe => "fin-probe",
    NullProbe => "null-probe",
    XmasProbe => "xmas-probe",
    ConntrackInvalid => "conntrack-invalid",
    ChallengeAck => "challenge-ack",
    RequestTimeout => "request-timeout",
    SpeculativeConnect => "speculative-connect",
    ZeroWindow => "zero-window",
    MptcpSubflow => "mptcp-subflow",
});
names!(WarningKind {
    TruncatedRecord => "truncated-record",
    CorruptBlock => "corrupt-block",
    TruncatedGzip => "truncated-gzip",
    Decode => "decode",
    TimeBackwards => "time-backwards",
    WarningLimit => "warning-limit",
    FlowLimit => "flow-limit",
});
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
names!(IncidentKind {
    Connection => "connection",
    Injection => "injection",
    Scan => "scan",
    Refusals => "refusals",
    StateExpiry => "state-expiry",
    Device => "device",
});
names!(Stage {
    PostSyn => "post-syn",
    PostAck => "post-ack",
    PostPsh => "post-psh",
    LaterInFlow => "later-in-flow",
    Unknown => "unknown",
});

/// Two captures of the same traffic, one near each end, compared: which
/// connections are the same, how the clocks differ, and for every RST of
/// either capture whether it crossed the path between them.
///
/// "main" is the capture the report is about, "peer" the other one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comparison {
    pub main: CaptureVantage,
    pub peer: CaptureVantage,
    /// Connections found in both captures, in order of main connection id.
    pub matched: Vec<MatchedConnection>,
    /// Connections found in only one capture.
    pub unmatched: Vec<UnmatchedConnection>,
    /// Peer clock minus main clock; null when no packet was matched.
    pub clock_offset: Option<ClockOffset>,
    /// How fast the peer clock runs against the main one; null when the
    /// matched packets span too little time to tell.
    pub drift: Option<Drift>,
    /// One entry per RST frame of either capture: main's in frame order,
    /// then peer's.
    pub resets: Vec<ComparedReset>,
    /// What the two captures are to each other: two points of one path,
    /// one capture twice, or unrelated.
    #[serde(default)]
    pub relation: Relation,
}

/// What two captures are to each other, from their packets.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Relation {
    /// The same traffic at two points of its path: connections in common,
    /// their packets seen at different moments.
    #[default]
    TwoVantages,
    /// The same packets at the same moments: one capture given twice (or a
    /// copy of it, or part of it), not two points of a path.
    SameCapture,
    /// As `SameCapture`, but one of them kept fewer bytes of the packets:
    /// a copy cut to a shorter snap length.
    CutCopy,
    /// No connection in common, though both ran at the same time.
    NoCommonConnection,
    /// They did not run at the same time.
    NoTimeOverlap,
}

/// Where a capture was taken, as far as the two captures tell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptureVantage {
    pub vantage: VantagePoint,
    /// The signals that decided it, in words with the numbers.
    pub why: Vec<String>,
    /// Connections and packets recorded for the comparison.
    pub connections: u64,
    pub packets: u64,
    /// Packets and connections not kept, to keep memory bounded (RSTs are
    /// kept as long as the total limit allows).
    pub dropped_packets: u64,
    pub dropped_connections: u64,
}

impl Default for CaptureVantage {
    fn default() -> Self {
        Self {
            vantage: VantagePoint::Unknown,
            why: Vec::new(),
            connections: 0,
            packets: 0,
            dropped_packets: 0,
            dropped_connections: 0,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum VantagePoint {
    /// Nearer the client (the side that opened the connections).
    ClientSide,
    ServerSide,
    Unknown,
}

/// Which of the two captures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaptureName {
    Main,
    Peer,
}

/// How two connections were found to be the same.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchMethod {
    /// Both captures saw the handshake with the same initial sequence numbers.
    Isn,
    /// The same data segments (sequence number, length, content hash).
    Payload,
    /// The same bare segments (seq, ack, flags) with the same IPv4 IP-ID.
    IpId,
    /// Only the same addresses and ports at overlapping times: a guess.
    Addresses,
}

/// Where a RST was seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SeenAt {
    Both,
    MainOnly,
    PeerOnly,
    /// The other capture could not have seen it: its connection is not
    /// there at all, or that capture was not recording it then.
    NotCompared,
}

/// What the path between the two captures did to a RST.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum PathFate {
    /// Seen at both ends: it crossed the path between the captures.
    Crossed,
    /// Seen at the end it was addressed to only, carrying the other end's
    /// address, while the capture there watched the connection: made on
    /// the path.
    MadeOnPath,
    /// Sent from this end, never reached the other, which watched: lost on
    /// the path.
    LostOnPath,
    /// Seen in one capture only; which one is nearer its sender is
    /// unknown, so it was made or lost on the path.
    OneSideOnly,
    /// Nothing can be said about the path: the other capture could not
    /// have seen it, or is the same capture.
    #[default]
    NotCompared,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchedConnection {
    /// Ids in each report's `connections` (null if that capture's report
    /// did not list the connection).
    pub main: Option<u32>,
    pub peer: Option<u32>,
    pub how: MatchMethod,
    /// How sure the match is, in [0, 1].
    pub confidence: f32,
    /// "ip:port" of each end as each capture saw them (they differ across NAT).
    pub main_client: Endpoint,
    pub main_server: Endpoint,
    pub peer_client: Endpoint,
    pub peer_server: Endpoint,
    /// Packets found in both captures.
    pub packets_matched: u64,
    /// What the path changed: the fingerprints of the devices in between.
    pub differences: Vec<Difference>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Difference {
    /// "nat" (address translated), "port" (port translated), "ttl",
    /// "ip-id" (rewritten), "mss" (clamped), "window", "loss" (sent, never
    /// arrived), "made-on-path" (arrived, never sent), "one-side-only"
    /// (seen in one capture only, vantage unknown).
    pub kind: String,
    pub finding: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnmatchedConnection {
    pub capture: CaptureName,
    /// Id in that capture's report (null if the report did not list it).
    pub connection: Option<u32>,
    pub client: Endpoint,
    pub server: Endpoint,
    /// Seconds since the Unix epoch, in that capture's clock.
    pub first_time: f64,
    /// Why no counterpart: "outside the other capture's time span", ...
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockOffset {
    /// Peer clock minus main clock at `at`, in seconds.
    pub seconds: f64,
    /// The main-clock time (seconds since the Unix epoch) the offset is
    /// given for: the main capture's first frame. Add `drift` for later times.
    pub at: f64,
    /// Matched packets the estimate rests on.
    pub samples: u64,
    /// The one-way delay between the capture points was measured in both
    /// directions and taken out (false: the offset includes it).
    pub corrected: bool,
    /// One-way delay between the capture points (seconds), when measured.
    pub path_delay: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Drift {
    /// Parts per million: the offset grows by `ppm` microseconds per second.
    pub ppm: f64,
    /// Seconds of matched packets the slope was measured over.
    pub span: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComparedReset {
    /// The capture this RST frame is in.
    pub capture: CaptureName,
    pub frame: u64,
    /// Seconds since the Unix epoch, in that capture's clock.
    pub time: f64,
    /// Whose address it carries (as that capture's report says).
    pub sender: Sender,
    pub seen_at: SeenAt,
    /// The same RST's frame number in the other capture, if it is there.
    pub peer_frame: Option<u64>,
    /// The verdict once both captures are taken into account.
    pub origin: Origin,
    pub cause: Cause,
    pub confidence: f32,
    /// Strongest first; the two-capture signal ("vantage") leads.
    pub evidence: Vec<Evidence>,
    /// What the path did to it (absent from reports made before this
    /// field: read as "not-compared").
    #[serde(default)]
    pub fate: PathFate,
    /// `time` on the main capture's clock (peer times converted with
    /// `clock_offset` and `drift`, as the ladder's; 0 in reports made
    /// before this field).
    #[serde(default)]
    pub main_time: f64,
    /// Its connection's id in its own capture's report, and the same
    /// connection's id in the other capture's report (null when the other
    /// capture has no such connection, or its report does not list it).
    #[serde(default)]
    pub connection: Option<u32>,
    #[serde(default)]
    pub other_connection: Option<u32>,
    /// The matched connection around this RST as both captures saw it: up
    /// to 12 packets before and 4 after it (or the moment it would have
    /// passed) in each capture, in order of `time`. Empty when the
    /// connection was not found in the other capture.
    #[serde(default)]
    pub ladder: Vec<AlignedPacket>,
}

/// One packet of a two-capture ladder: where it was seen, and its twin in
/// the other capture if it was seen there too (a packet without a twin,
/// while the other capture was watching, was lost or made on the path).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlignedPacket {
    pub capture: CaptureName,
    /// 1-based frame number in its own capture.
    pub frame: u64,
    /// Seconds since the Unix epoch on the main capture's clock: peer times
    /// are converted with `clock_offset` and `drift` (raw when there is no
    /// clock estimate). The path delay is left in, so a packet seen at both
    /// ends shows up later at the capture further along its way.
    pub time: f64,
    /// Which end sent it, in the main capture's roles.
    pub from: Role,
    /// Flags joined by '+', as in `Reset::flags`.
    pub flags: String,
    /// Sequence and acknowledgement numbers relative to the ISNs *of its
    /// own capture* when `relative` (so the two captures line up even when
    /// a NAT rewrote the sequence numbers; `ack` is 0 without the ACK
    /// flag), raw otherwise.
    pub seq: u32,
    pub ack: u32,
    /// That capture saw both ISNs.
    pub relative: bool,
    pub payload_len: u32,
    /// IPv4 TTL or IPv6 hop limit.
    pub ttl: u8,
    /// IPv4 identification; null for IPv6.
    pub ip_id: Option<u16>,
    /// The same packet's frame number in the other capture; null when it
    /// was seen at this end only.
    pub peer_frame: Option<u64>,
}

names!(VantagePoint { ClientSide => "client-side", ServerSide => "server-side", Unknown => "unknown" });
names!(CaptureName { Main => "main", Peer => "peer" });
names!(MatchMethod { Isn => "isn", Payload => "payload", IpId => "ip-id", Addresses => "addresses" });
names!(SeenAt { Both => "both", MainOnly => "main-only", PeerOnly => "peer-only", NotCompared => "not-compared" });
names!(PathFate {
    Crossed => "crossed",
    MadeOnPath => "made-on-path",
    LostOnPath => "lost-on-path",
    OneSideOnly => "one-side-only",
    NotCompared => "not-compared",
});
names!(Relation {
    TwoVantages => "two-vantages",
    SameCapture => "same-capture",
    CutCopy => "cut-copy",
    NoCommonConnection => "no-common-connection",
    NoTimeOverlap => "no-time-overlap",
});
