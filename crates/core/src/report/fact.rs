//! Typed evidence: what one signal saw, as numbers and names. Each evidence
//! item of a reset carries one [`Fact`]; its `finding` sentence is
//! [`crate::render::finding`] of that fact, so a report re-rendered from
//! its facts reads exactly the same (a share link can carry facts only).
//!
//! Serialised as an object whose `kind` names the variant, beside the
//! variant's fields: `{"kind": "ttl-differs-connection", "role": "server",
//! "ttl": 63, "packets": 41, "usual": 52}`. Durations are whole
//! nanoseconds (`*_ns`, exact in JSON and JavaScript), sequence numbers raw. Text taken from the capture (`text`) is
//! quoted as capture data, never read as advice.
//!
//! A new kind of evidence is one variant here, one line in `read.rs`'s
//! list, one arm in `render::finding`, and the rule that produces it.

use alloc::string::String;
use serde::{Deserialize, Serialize};

use super::{CaptureName, Cause, Role, Signal, SubCause, VantagePoint};
use crate::decode::Hook;

mod read;

pub use read::{fields_in_order, Scalar};

/// One observation behind a verdict.
///
/// Read back by [`read`]'s own `Deserialize` (a derived one for this enum
/// is a large function in the page's wasm), to the same JSON.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Fact {
    // --- what the RST's payload says ---
    /// A draft-ietf-tcpm-rst-diagnostic-payload reason code (magic 0x33AA),
    /// as a sign of who wrote the RST.
    DiagnosticCode { role: Role, code: u32 },
    /// The same code, as the cause it names.
    DiagnosticReason { code: u32 },
    /// An F5 BIG-IP reset-cause text: the `role` is a BIG-IP full proxy.
    BigIpText { role: Role, text: String },
    /// A proxy's text saying it passes on a reset from its far side.
    RelayedReset { text: String },
    /// Text naming a timeout.
    PayloadSays { text: String },
    /// An MPTCP MP_TCPRST option (RFC 8684 §3.6): the `role`'s MPTCP layer
    /// closed this subflow, for the `reason` code it names.
    MptcpReset { role: Role, reason: u8 },

    // --- TTL / hop limit ---
    /// An initial TTL (no router passed): the capturing host sent it, as
    /// it sent `packets` other packets with that TTL.
    TtlInitial { role: Role, ttl: u8, packets: u32 },
    /// The TTL of the `role`'s `packets` other packets on this connection.
    TtlAsConnection { role: Role, ttl: u8, packets: u32 },
    /// Not this connection's usual TTL (`usual`), but `matching` of the
    /// `role`'s `packets` packets overall.
    TtlAsHostNotConnection {
        role: Role,
        ttl: u8,
        usual: Option<u8>,
        matching: u32,
        packets: u32,
    },
    /// None of the `role`'s `packets` other packets here had this TTL.
    TtlDiffersConnection {
        role: Role,
        ttl: u8,
        packets: u32,
        usual: Option<u8>,
    },
    /// The TTL of the `role`'s packets on its other connections.
    TtlAsHost { role: Role, ttl: u8, packets: u32 },
    /// Not the TTL of the `role`'s packets on its other connections.
    TtlDiffersHost {
        role: Role,
        ttl: u8,
        packets: u32,
        usual: Option<u8>,
    },
    /// Nothing else from the `role` to compare the TTL with.
    TtlAlone { role: Role, ttl: u8 },

    // --- IP header: DF and IP-ID ---
    /// DF clear, while the `role` set DF on all its `packets` packets in the
    /// capture (every connection of the host, resets not counted).
    DfMissing { role: Role, packets: u32 },
    /// IP-ID 0 from a host whose IP-IDs follow `pattern` and are never 0.
    IpIdZeroUnexpected { role: Role, pattern: IpIdPattern },
    /// IP-ID 0 with DF, as Linux sends resets outside a connection.
    IpIdZeroDf,
    /// The IP-ID of the packet the RST answers, copied.
    IpIdCopiesTrigger { role: Role, id: u16 },
    /// That copy is the `role`'s own habit: `copies` of its `packets`
    /// other packets with a non-zero IP-ID copied the other side's last.
    IpIdCopiesAsSender {
        role: Role,
        id: u16,
        copies: u32,
        packets: u32,
    },
    /// The next step of the `role`'s IP-ID counter (`last` before it).
    IpIdContinues {
        role: Role,
        id: u16,
        last: u16,
        counter: Counter,
    },
    /// Not a step of the `role`'s IP-ID counter.
    IpIdBreaks {
        role: Role,
        id: u16,
        last: u16,
        counter: Counter,
    },
    /// A nonzero IP-ID from a host that always sends 0.
    IpIdNotZero { role: Role, id: u16 },

    // --- sequence and acknowledgement numbers ---
    /// RST+ACK acknowledging 0 although the other side had sent data.
    AckZero { role: Role },
    /// Acknowledges `bytes` the other side never sent.
    AckBeyond { role: Role, ack: u32, bytes: i64 },
    /// ack = the other side's ISN + 1: the answer to a SYN.
    AckIsnPlusOne { role: Role, ack: u32, isn: u32 },
    /// seq is exactly the `role`'s next sequence number (RFC 5961).
    SeqExact { role: Role, seq: u32 },
    /// seq is the other side's last ACK, `behind` bytes behind what the
    /// `role` had sent.
    SeqIsPeerAck { role: Role, seq: u32, behind: i64 },
    /// seq is `offset` bytes into the other side's window.
    SeqInWindow { role: Role, seq: u32, offset: i64 },
    /// seq is `offset` bytes from the `role`'s next sequence number,
    /// outside the window.
    SeqOutsideWindow { role: Role, seq: u32, offset: i64 },

    // --- timing and what followed ---
    /// The RST came `delay_ns` after the packet it answers, faster than
    /// the `role` answers (`answer_ns`, its handshake round trip).
    TimingEarly {
        role: Role,
        delay_ns: i64,
        answer_ns: i64,
    },
    /// The same, in line with the `role`'s answer time.
    TimingInLine {
        role: Role,
        delay_ns: i64,
        answer_ns: i64,
    },
    /// The `role` sent data `after_ns` after its own RST.
    RaceData { role: Role, after_ns: i64 },
    /// The `role` sent `packets` packets after its own RST.
    RacePackets {
        role: Role,
        packets: u32,
        first_ns: i64,
    },
    /// Another RST of the same side `apart_ns` away, with seq and ack moved.
    Repeat {
        apart_ns: i64,
        later: bool,
        seq_moves: i64,
        ack_moves: i64,
    },

    // --- the connection's shape (causes) ---
    /// The RST carries SYN too (`flags`, as the report writes them).
    CraftedFlags { flags: String },
    /// A device answered the other side's SYN in the `role`'s name.
    AnswersSynInName { role: Role },
    /// Answers a retransmitted or out-of-window segment of the other side.
    AnswersInvalidSegment {
        role: Role,
        frame: u64,
        seq: u32,
        out_of_window: bool,
    },
    /// Idle `idle_ns` before the packet the RST answers (a device's state expired).
    IdleBeforeTrigger { role: Role, idle_ns: i64 },
    /// Forged in the `role`'s name with nothing to explain it.
    ForgedUnexplained { role: Role },
    /// Only the `role` address's other connections say another machine
    /// sent it (nothing of this connection does): several machines behind
    /// one address (NAT, a server pool) are likelier than a forger.
    SharedAddress { role: Role },
    /// The other side's only packet was a stealth probe.
    StealthProbe { role: Role, probe: Probe },
    /// The `role` opened the connection and reset it `after_ns` later
    /// without data; `scanner` when it swept many ports.
    ConnectProbe {
        role: Role,
        after_ns: i64,
        scanner: bool,
    },
    /// The other side swept many ports with SYNs.
    PortSweep { role: Role },
    /// Answers the other side's SYN.
    AnswersSyn { role: Role },
    /// The `role` answered the SYN-ACK with RST.
    HalfOpen { role: Role },
    /// The `role`, a scanner, dropped a connection it probed.
    ScannerAbort { role: Role },
    /// The `role` sweeps ports with hand-made SYNs; its kernel resets the
    /// SYN-ACKs they draw, with its own TTL and IP-ID.
    ScannerKernel { role: Role },
    /// Both sides had sent FIN.
    BothFin,
    /// The `role` had closed; the other side still sent `bytes`.
    DataAfterClose {
        role: Role,
        fin_seq: u32,
        bytes: u32,
    },
    /// The `role` had sent its FIN.
    AfterOwnFin { role: Role, fin_seq: u32 },
    /// After its FIN, the `role`'s bare RST has IP-ID `ip_id`, next in the
    /// connection's own series after `last`: its socket sent it.
    OwnSeriesAfterFin { role: Role, ip_id: u16, last: u16 },
    /// After its FIN at `fin_seq`, the `role`'s bare RST has a stack's
    /// connection-less form: the ack field `ack` filled without the flag
    /// (Windows), or with it empty IP-ID 0 while its socket numbered the
    /// connection's packets (Linux). Its stack answered a segment that
    /// reached it after it closed.
    ConnectionlessAfterFin { role: Role, fin_seq: u32, ack: u32 },
    /// The same packets also fit another cause: the next rule in
    /// precedence that decides reaches `cause` (`sub_cause`). The verdict
    /// stands; its cause is contested, and its confidence says so.
    AlsoFits {
        cause: Cause,
        sub_cause: Option<SubCause>,
    },
    /// The reset at `root_frame` had torn the connection down before: the
    /// `role`'s stack answered a segment for a socket no longer there.
    AfterTeardown { role: Role, root_frame: u64 },
    /// The `role` sent this same RST (`seq`) `times` on these ports, and
    /// nothing else: one stack answering again and again.
    RstRepeated { role: Role, times: u32, seq: u32 },
    /// The same RST as frame `frame`, recorded again `apart_ns` later: the
    /// capture holds packets twice (a doubled capture, a mirror's copy).
    CaptureCopy { frame: u64, apart_ns: i64 },
    /// Nothing but that RST from the `role`: it answers a peer still
    /// sending on a connection the `role` no longer has (half-open).
    LostConnection { role: Role, times: u32 },
    /// A bare RST (no ACK flag) whose seq is the ack of the segment it
    /// answers: what a stack without a socket for the connection sends.
    SocketlessAnswer { role: Role, seq: u32 },
    /// The `role` retransmitted the same data, then reset.
    GaveUp {
        role: Role,
        retransmissions: u32,
        over_ns: i64,
    },
    /// Silence, then the `role` reset on its own.
    SilenceThenReset { role: Role, silence_ns: i64 },
    /// Idle before the other side's packet, which the `role` had forgotten.
    IdleForgotten { role: Role, idle_ns: i64 },
    /// No handshake or data seen to explain the RST.
    NoContext,
    /// Nothing else of the connection seen, and the `role`'s RST carries
    /// the ACK flag with live numbers: a socket closing by abort.
    AbortForm { role: Role },
    /// Nothing else of the connection seen, and the `role`'s RST+ACK has
    /// seq 0 and an ack: a stack refusing a SYN the capture missed.
    RefusalForm { role: Role },
    /// That refusal form carries `bytes` bytes of data, which no stack's
    /// refusal does: who emitted it is open.
    RefusalWithData { role: Role, bytes: u32 },
    /// Mid-connection, answering a `bytes`-byte segment of the other side.
    MidConnectionAnswer { role: Role, bytes: u32 },
    /// Mid-connection, `gap_ns` after the last packet.
    MidConnectionAfter { gap_ns: i64 },
    /// The `role`'s own SYN-ACK came `after_ns` after a RST in its name
    /// answered the SYN: a device won the race, nothing refused the port.
    SynAckAfterReset { role: Role, after_ns: i64 },
    /// The `role` itself sent the RST to the SYN (its fingerprint), and its
    /// SYN-ACK to the same SYN `after_ns` later: a reset crafted on its
    /// host, not its stack refusing.
    AcceptedAfterOwnReset { role: Role, after_ns: i64 },
    /// The `role`, in SYN-SENT, reset the segment of `frame` that acked its
    /// SYN without a SYN: its stack found it unacceptable.
    SynSentRejects { role: Role, frame: u64 },
    /// The `role` sent its FIN `fins` times over `over_ns` without an ACK.
    FinGaveUp { role: Role, fins: u32, over_ns: i64 },
    /// `silence_ns` of silence, then a device reset in the `role`'s name.
    DeviceSilenceReset { role: Role, silence_ns: i64 },
    /// The ends had closed the connection (both FINs or an end's reset);
    /// `silence_ns` later a device reset it in the `role`'s name.
    PurgedAfterClose { role: Role, silence_ns: i64 },
    /// The `role` reset the SYN-ACK of a connection it opened while
    /// sweeping no ports: it no longer wanted it.
    UnwantedConnection { role: Role },
    /// Only the `role`'s own packets of the connection were captured, and
    /// its RST+ACK sits at its next sequence number `seq`: its socket
    /// aborting.
    AbortAfterOwn { role: Role, seq: u32 },
    /// The `role`'s SYN carried a window scale option (`shift`), as its
    /// kernel's connect() sends and hand-made scan probes do not.
    KernelSyn { role: Role, shift: u8 },
    /// The `role` opened the connection, nothing was sent either way, and
    /// it reset the connection `idle_ns` after the handshake.
    NeverUsed { role: Role, idle_ns: i64 },
    /// The `role`, in SYN-SENT after reusing a port, answered the other
    /// side's ACK (an RFC 5961 challenge ACK) with RST at its `ack`.
    ChallengeAckAnswered { role: Role, ack: u32 },
    /// The `role`'s `bytes`-byte request was acknowledged but unanswered
    /// for `waited_ns`, then the `role` reset.
    RequestUnanswered {
        role: Role,
        bytes: u32,
        waited_ns: i64,
    },
    /// The other side's window stayed 0 through `probes` window probes;
    /// the `role` gave up.
    WindowStayedShut { role: Role, probes: u32 },
    /// A bare RST (no ACK flag) at the ACK of the other side's `bytes`-byte
    /// segment in `frame`: the `role`'s stack had no socket for it.
    NoSocketAnswer { role: Role, frame: u64, bytes: u32 },
    /// The other side's segment this RST answers (`frame`) is one a
    /// stateful firewall's conntrack marks INVALID, for the reason `flaw`.
    InvalidTrigger {
        role: Role,
        frame: u64,
        flaw: SegmentFlaw,
    },
    /// The RST's numbers are netfilter REJECT's (`--reject-with
    /// tcp-reset`): no ACK flag and `seq` = the segment's ACK, or seq 0 and
    /// ack = the segment's end (`with_ack`).
    RejectNumbers {
        role: Role,
        seq: u32,
        with_ack: bool,
    },
    /// The other side was retransmitting unanswered data (`copies` copies
    /// over `over_ns`) when the `role` reset: it had lost the connection.
    PeerRetransmitting {
        role: Role,
        copies: u32,
        over_ns: i64,
    },

    // --- two captures (`there` / `here`: a capture by the end it is nearer) ---
    /// The RST was past the comparison's recording limits.
    VantagePastLimits,
    /// The `other` capture has no packet of this connection; `running`
    /// when it was recording at the time.
    VantageNoConnection { other: CaptureName, running: bool },
    /// Seen at both ends, and the capture `there` is nearer the `sender`:
    /// its verdict (on its `frame`) is taken.
    VantageBothNearerThere {
        there: VantagePoint,
        sender: Role,
        frame: u64,
    },
    /// Seen at both ends (the capture `there` as its `frame`).
    VantageBoth { there: VantagePoint, frame: u64 },
    /// The `other` capture was not recording this connection at that moment.
    VantageNotWatching { other: CaptureName },
    /// Made on the path: the capture `there`, nearer the `sender`, saw
    /// `packets` packets of the connection but not this one; `dropped` is
    /// the frame of the packet it answers when that never reached `there`
    /// either.
    VantageMadeOnPath {
        there: VantagePoint,
        sender: Role,
        packets: u64,
        dropped: Option<u64>,
    },
    /// Sent from the end `here`, never reached the capture `there`.
    VantageDroppedOnPath {
        here: VantagePoint,
        there: VantagePoint,
        receiver: Role,
    },
    /// Seen in the `here` capture only, nearer which end unknown.
    VantageOneSideOnly { here: CaptureName, sender: Role },
    /// The other capture is this one again (the same packets at the same
    /// moments): it tells nothing about the path.
    VantageSameCapture,

    // --- the link layer (monitor-mode Wi-Fi, NFLOG, PKTAP) ---
    /// The `role`'s packet `frame` on a Wi-Fi link: transmitted `attempts`
    /// times over `span_ns` (802.11 retries), after `overtaken` newer frames
    /// of the same station had gone, the first `late_ns` before it; the
    /// radio's signal and rate as the monitor received it.
    WifiLink {
        role: Role,
        frame: u64,
        attempts: u8,
        span_ns: i64,
        overtaken: u16,
        late_ns: i64,
        signal_dbm: Option<i8>,
        rate_kbps: Option<u32>,
    },
    /// The `role`'s packet `frame` was logged by the netfilter rule whose
    /// log prefix is `prefix`, on `hook` (NFLOG group `group`); `usual` is
    /// the prefix that logged the side's other packets, when another.
    NflogRule {
        role: Role,
        frame: u64,
        prefix: String,
        hook: Option<Hook>,
        group: u16,
        usual: Option<String>,
    },
    /// The `role`'s packets belonged to the process `name` (PKTAP, macOS
    /// `tcpdump -k`).
    Process {
        role: Role,
        name: String,
        pid: Option<u32>,
    },
}

impl Fact {
    /// The signal this fact is evidence of.
    pub fn signal(&self) -> Signal {
        match self {
            Fact::DiagnosticCode { .. }
            | Fact::DiagnosticReason { .. }
            | Fact::BigIpText { .. }
            | Fact::RelayedReset { .. }
            | Fact::PayloadSays { .. }
            | Fact::MptcpReset { .. } => Signal::Payload,
            Fact::TtlInitial { .. }
            | Fact::TtlAsConnection { .. }
            | Fact::TtlAsHostNotConnection { .. }
            | Fact::TtlDiffersConnection { .. }
            | Fact::TtlAsHost { .. }
            | Fact::TtlDiffersHost { .. }
            | Fact::TtlAlone { .. } => Signal::Ttl,
            Fact::DfMissing { .. }
            | Fact::IpIdZeroUnexpected { .. }
            | Fact::IpIdZeroDf
            | Fact::IpIdCopiesTrigger { .. }
            | Fact::IpIdCopiesAsSender { .. }
            | Fact::IpIdContinues { .. }
            | Fact::IpIdBreaks { .. }
            | Fact::IpIdNotZero { .. } => Signal::IpId,
            Fact::AckZero { .. } | Fact::AckBeyond { .. } => Signal::Ack,
            Fact::AckIsnPlusOne { .. }
            | Fact::SeqExact { .. }
            | Fact::SeqIsPeerAck { .. }
            | Fact::SeqInWindow { .. }
            | Fact::SeqOutsideWindow { .. }
            | Fact::SocketlessAnswer { .. } => Signal::Seq,
            Fact::TimingEarly { .. } | Fact::TimingInLine { .. } => Signal::Timing,
            Fact::RaceData { .. } | Fact::RacePackets { .. } => Signal::Race,
            Fact::Repeat { .. } | Fact::RstRepeated { .. } | Fact::CaptureCopy { .. } => {
                Signal::Repeat
            }
            Fact::CraftedFlags { .. } => Signal::Flags,
            Fact::AnswersSynInName { .. }
            | Fact::AnswersSyn { .. }
            | Fact::HalfOpen { .. }
            | Fact::NoContext => Signal::Handshake,
            Fact::AnswersInvalidSegment { .. } | Fact::GaveUp { .. } => Signal::Retransmit,
            Fact::IdleBeforeTrigger { .. }
            | Fact::SilenceThenReset { .. }
            | Fact::IdleForgotten { .. } => Signal::Idle,
            Fact::ForgedUnexplained { .. }
            | Fact::SharedAddress { .. }
            | Fact::MidConnectionAnswer { .. }
            | Fact::MidConnectionAfter { .. }
            | Fact::AfterTeardown { .. }
            | Fact::LostConnection { .. }
            | Fact::AbortForm { .. }
            | Fact::AbortAfterOwn { .. }
            | Fact::RefusalForm { .. }
            | Fact::RefusalWithData { .. }
            | Fact::AlsoFits { .. } => Signal::Stage,
            Fact::StealthProbe { .. }
            | Fact::PortSweep { .. }
            | Fact::ScannerAbort { .. }
            | Fact::ScannerKernel { .. } => Signal::Scan,
            Fact::ConnectProbe { scanner, .. } => {
                if *scanner {
                    Signal::Scan
                } else {
                    Signal::Stage
                }
            }
            Fact::BothFin
            | Fact::DataAfterClose { .. }
            | Fact::AfterOwnFin { .. }
            | Fact::OwnSeriesAfterFin { .. }
            | Fact::ConnectionlessAfterFin { .. } => Signal::Fin,
            Fact::SynAckAfterReset { .. } | Fact::AcceptedAfterOwnReset { .. } => Signal::Race,
            Fact::InvalidTrigger { .. } => Signal::Retransmit,
            Fact::RejectNumbers { .. } | Fact::NoSocketAnswer { .. } => Signal::Seq,
            Fact::FinGaveUp { .. }
            | Fact::WindowStayedShut { .. }
            | Fact::PeerRetransmitting { .. } => Signal::Retransmit,
            Fact::DeviceSilenceReset { .. }
            | Fact::PurgedAfterClose { .. }
            | Fact::RequestUnanswered { .. } => Signal::Idle,
            Fact::UnwantedConnection { .. }
            | Fact::KernelSyn { .. }
            | Fact::NeverUsed { .. }
            | Fact::ChallengeAckAnswered { .. }
            | Fact::SynSentRejects { .. } => Signal::Handshake,
            Fact::VantagePastLimits
            | Fact::VantageNoConnection { .. }
            | Fact::VantageBothNearerThere { .. }
            | Fact::VantageBoth { .. }
            | Fact::VantageNotWatching { .. }
            | Fact::VantageMadeOnPath { .. }
            | Fact::VantageDroppedOnPath { .. }
            | Fact::VantageOneSideOnly { .. }
            | Fact::VantageSameCapture => Signal::Vantage,
            Fact::WifiLink { .. } | Fact::NflogRule { .. } | Fact::Process { .. } => Signal::Link,
        }
    }
}

/// Why conntrack would call a segment INVALID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SegmentFlaw {
    /// Its data lies outside the window conntrack tracks.
    OutOfWindow,
    /// Old data sent again, late.
    Retransmitted,
    /// Data past a gap: segments arriving out of order.
    OutOfOrder,
    /// A duplicate ACK (data missing).
    DuplicateAck,
    /// SACK blocks (a sequence-rewriting device leaves them pointing past
    /// anything sent).
    Sack,
}

/// A host's IP-ID behaviour, as far as the capture shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IpIdPattern {
    /// One counter for all its connections (Windows).
    Global,
    /// A counter per connection (Linux).
    PerConnection,
    Zero,
    Random,
    Unknown,
}

/// Which IP-ID counter a RST's IP-ID was checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Counter {
    /// The host's one counter for all connections.
    Global,
    /// The counter of this connection.
    Connection,
}

/// A lone probe packet no ordinary stack sends to open a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Probe {
    /// FIN only (nmap -sF).
    Fin,
    /// No flags at all (nmap -sN).
    Null,
    /// FIN+PSH+URG (nmap -sX).
    Xmas,
}
