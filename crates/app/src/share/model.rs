//! What a `v2.` link carries: a report's typed data (verdicts, typed
//! evidence facts and their numbers, addresses, counts) and no sentence.
//! The receiving app writes every sentence itself ([`Link::into_report`]:
//! headline, findings, tips and commands from the core's catalogue), so
//! whoever makes a link cannot put words in rstscope's mouth.
//!
//! Serialised with postcard (fields in order, no names; enums as their
//! variant's index; integers as varints; times as [`Ticks`]), then
//! deflated. To stay readable by later versions, fields are
//! only ever added at the end of a struct, with `#[serde(default)]`; a new
//! evidence `Fact` kind is read by name. Left out on purpose: ladders,
//! connections without a reset (counted as unlisted), the
//! comparison's prose that no catalogue writes yet (why a capture is at
//! its end, what differs between matched connections: only the kind of
//! difference travels), warning texts (written again from their kind).

use std::collections::BTreeMap;

use rstscope_core::decode::flags::names as flag_names;
use rstscope_core::report::{
    Activity, CaptureInfo, CaptureName, CaptureVantage, Cause, ClockOffset, ComparedReset,
    Comparison, Connection, Difference, Drift, Endpoint, Evidence, Fact, LinkTypeCount,
    MatchMethod, MatchedConnection, Observed, Origin, PathFate, Relation, Reset, SeenAt, Sender,
    Stage, SubCause, UnmatchedConnection, VantagePoint, Warning, WarningKind,
};
use rstscope_core::{LinkType, Report, ReportParts};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// The rstscope that made the link ("0.1.0+abc1234").
    pub generator: Option<String>,
    pub capture: LinkCapture,
    /// The activity chart: it counts connections the link leaves out.
    pub activity: Activity,
    pub resets: Vec<LinkReset>,
    /// The connections the resets belong to (the others are counted in
    /// the capture's `unlisted_connections`).
    pub connections: Vec<LinkConnection>,
    pub comparison: Option<LinkComparison>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkCapture {
    pub packets: u64,
    pub tcp_packets: u64,
    /// Link-type number and frames; the name is this app's.
    pub link_types: Vec<(u32, u64)>,
    /// Kind, frame and byte offset; the text is this app's.
    pub warnings: Vec<(WarningKind, Option<u64>, Option<u64>)>,
    pub other: BTreeMap<String, u64>,
    pub truncated_frames: u64,
    pub first_time: Option<f64>,
    pub last_time: Option<f64>,
    pub evicted_connections: u64,
    pub unlisted_connections: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkReset {
    pub frame: u64,
    /// From the reset before: see [`Link::reset_times`].
    pub time: Ticks,
    /// Source and destination.
    pub ends: Ends,
    pub seq: u32,
    pub ack: u32,
    /// TCP flag bits (the report's names are written from them).
    pub flags: u16,
    pub ttl: u8,
    pub ip_id: Option<u16>,
    pub payload_len: u32,
    pub encapsulation: String,
    pub connection: Option<u32>,
    pub stream: Option<u32>,
    pub sender: Sender,
    pub origin: Origin,
    pub cause: Cause,
    pub sub_cause: Option<SubCause>,
    pub confidence: f32,
    /// Each evidence item: the origin it argues for and its fact.
    #[serde(with = "super::facts")]
    pub evidence: Vec<(Origin, Fact)>,
    pub signature: Option<String>,
    pub stage: Stage,
    /// Capture data: shown quoted, never as advice.
    pub payload_text: Option<String>,
    pub reason_code: Option<u32>,
    pub observed: Observed,
    #[serde(default)]
    pub consequence_of: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkConnection {
    pub id: u32,
    pub stream: Option<u32>,
    pub first_frame: Option<u64>,
    pub client: Endpoint,
    pub server: Endpoint,
    pub roles_from: String,
    pub first_time: Ticks,
    /// From `first_time`.
    pub last_time: Ticks,
    pub client_packets: u64,
    pub server_packets: u64,
    pub client_bytes: u64,
    pub server_bytes: u64,
    pub conn_state: String,
    pub history: String,
}

impl Link {
    /// The typed data of `report` (its sentences stay behind).
    pub fn of(report: &Report) -> Link {
        let base = report.capture.first_time.unwrap_or(0.0);
        let with_resets: std::collections::BTreeSet<u32> =
            report.resets.iter().filter_map(|r| r.connection).collect();
        let connections: Vec<LinkConnection> = report
            .connections
            .iter()
            .filter(|c| with_resets.contains(&c.id))
            .map(|c| LinkConnection::of(c, base))
            .collect();
        let mut capture = LinkCapture::of(&report.capture);
        let left_out = (report.connections.len() - connections.len()) as u64;
        let places = crate::lookup::places(&report.connections);
        capture.unlisted_connections = capture.unlisted_connections.saturating_add(left_out);
        Link {
            generator: report.generator.clone(),
            capture,
            activity: report.summary.activity.clone(),
            resets: report
                .resets
                .iter()
                .scan(base, |previous, r| {
                    let connection = r
                        .connection
                        .and_then(|id| crate::lookup::connection(&report.connections, &places, id));
                    let link = LinkReset::of(r, *previous, connection);
                    *previous = r.time;
                    Some(link)
                })
                .collect(),
            connections,
            comparison: report.comparison.as_ref().map(LinkComparison::of),
        }
    }

    /// The report this link describes, every sentence written by this app.
    /// Call [`super::check::check`] first: it refuses what the catalogue
    /// cannot say.
    pub fn into_report(self) -> Report {
        let base = self.base();
        let times = self.reset_times();
        let capture = self.capture.into_info();
        let ends: BTreeMap<u32, (Endpoint, Endpoint)> = rstscope_core::sort::map_of(
            self.connections
                .iter()
                .map(|c| (c.id, (c.client, c.server))),
        );
        let resets: Vec<Reset> = self
            .resets
            .into_iter()
            .zip(times)
            .map(|(r, time)| {
                let connection = r.connection.and_then(|id| ends.get(&id));
                let connection = connection.copied();
                r.into_reset(time, connection)
            })
            .collect();
        let connections: Vec<Connection> = self
            .connections
            .into_iter()
            .map(|c| c.into_connection(&resets, base))
            .collect();
        // Incidents, conflicts, counts, story, headline and every sentence
        // as the analyzer derives them; the activity chart as carried.
        rstscope_core::rebuild_report(ReportParts {
            capture,
            resets,
            connections,
            activity: self.activity,
            comparison: self.comparison.map(LinkComparison::into_comparison),
            generator: self.generator,
        })
    }
}

impl Link {
    /// The time [`Ticks`] count from: the capture's first.
    fn base(&self) -> f64 {
        self.capture.first_time.unwrap_or(0.0)
    }

    /// The time `ticks` stands for in this link.
    pub fn at(&self, ticks: Ticks) -> f64 {
        ticks.at(self.base())
    }

    /// The resets' times: each counts from the one before (the first from
    /// the capture's first time), so a burst of resets costs a byte or two.
    pub fn reset_times(&self) -> Vec<f64> {
        self.resets
            .iter()
            .scan(self.base(), |previous, r| {
                *previous = r.time.at(*previous);
                Some(*previous)
            })
            .collect()
    }
}

/// A time as the distance of its f64 bits from a base time's: exact both
/// ways (wrapping integer arithmetic), and a few bytes as a varint where
/// the f64 takes eight (400 s after the base, at 2^-22 s per step: 5 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticks(i64);

impl Ticks {
    pub fn of(time: f64, base: f64) -> Self {
        Self((time.to_bits() as i64).wrapping_sub(base.to_bits() as i64))
    }

    pub fn at(self, base: f64) -> f64 {
        f64::from_bits((base.to_bits() as i64).wrapping_add(self.0) as u64)
    }
}

impl LinkCapture {
    fn of(info: &CaptureInfo) -> Self {
        Self {
            packets: info.packets,
            tcp_packets: info.tcp_packets,
            link_types: info.link_types.iter().map(|l| (l.id, l.frames)).collect(),
            warnings: info
                .warnings
                .iter()
                .map(|w| (w.kind, w.frame, w.offset))
                .collect(),
            other: info.other.clone(),
            truncated_frames: info.truncated_frames,
            first_time: info.first_time,
            last_time: info.last_time,
            evicted_connections: info.evicted_connections,
            unlisted_connections: info.unlisted_connections,
        }
    }

    fn into_info(self) -> CaptureInfo {
        CaptureInfo {
            packets: self.packets,
            tcp_packets: self.tcp_packets,
            link_types: self
                .link_types
                .into_iter()
                .map(|(id, frames)| LinkTypeCount {
                    id,
                    name: LinkType(id).name().to_string(),
                    frames,
                })
                .collect(),
            warnings: self
                .warnings
                .into_iter()
                .map(|(kind, frame, offset)| Warning {
                    kind,
                    frame,
                    offset,
                    message: warning_text(kind).to_string(),
                })
                .collect(),
            other: self.other,
            truncated_frames: self.truncated_frames,
            first_time: self.first_time,
            last_time: self.last_time,
            evicted_connections: self.evicted_connections,
            unlisted_connections: self.unlisted_connections,
        }
    }
}

/// A warning's text, from its kind (the capture's own wording with its
/// details is in the exported JSON).
pub fn warning_text(kind: WarningKind) -> &'static str {
    match kind {
        WarningKind::TruncatedRecord => "the capture file ends inside a record",
        WarningKind::CorruptBlock => {
            "a block or record header that cannot be right; the rest of the file was not read"
        }
        WarningKind::TruncatedGzip => "the gzip stream ends early",
        WarningKind::Decode => "a frame whose headers could not be decoded",
        WarningKind::TimeBackwards => "frames timestamped earlier than a frame before them",
        WarningKind::WarningLimit => "more warnings than the report lists",
        WarningKind::FlowLimit => "connections evicted from the flow table",
    }
}

/// A reset's source and destination: its connection's two ends, one way
/// or the other (most resets: no address travels twice), or its own.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Ends {
    ClientToServer,
    ServerToClient,
    Own(Endpoint, Endpoint),
}

impl Ends {
    fn of(src: Endpoint, dst: Endpoint, connection: Option<&Connection>) -> Self {
        match connection {
            Some(c) if (src, dst) == (c.client, c.server) => Self::ClientToServer,
            Some(c) if (src, dst) == (c.server, c.client) => Self::ServerToClient,
            _ => Self::Own(src, dst),
        }
    }

    /// Source and destination, given the reset's connection (client,
    /// server); `None` when they are its connection's and it has none.
    pub fn addresses(
        self,
        connection: Option<(Endpoint, Endpoint)>,
    ) -> Option<(Endpoint, Endpoint)> {
        match (self, connection) {
            (Self::Own(src, dst), _) => Some((src, dst)),
            (Self::ClientToServer, Some((c, s))) => Some((c, s)),
            (Self::ServerToClient, Some((c, s))) => Some((s, c)),
            (_, None) => None,
        }
    }
}

impl LinkReset {
    fn of(r: &Reset, previous: f64, connection: Option<&Connection>) -> Self {
        Self {
            frame: r.frame,
            time: Ticks::of(r.time, previous),
            ends: Ends::of(r.src, r.dst, connection),
            seq: r.seq,
            ack: r.ack,
            flags: flag_bits(&r.flags).unwrap_or_default(),
            ttl: r.ttl,
            ip_id: r.ip_id,
            payload_len: r.payload_len,
            encapsulation: r.encapsulation.clone(),
            connection: r.connection,
            stream: r.stream,
            sender: r.sender,
            origin: r.origin,
            cause: r.cause,
            sub_cause: r.sub_cause,
            confidence: r.confidence,
            evidence: r
                .evidence
                .iter()
                .map(|e| (e.points_to, e.fact.clone()))
                .collect(),
            signature: r.signature.clone(),
            stage: r.stage,
            payload_text: r.payload_text.clone(),
            reason_code: r.reason_code,
            observed: r.observed,
            consequence_of: r.consequence_of,
        }
    }

    fn into_reset(self, time: f64, connection: Option<(Endpoint, Endpoint)>) -> Reset {
        let (src, dst) = self.ends.addresses(connection).unwrap_or_default();
        Reset {
            frame: self.frame,
            time,
            src,
            dst,
            seq: self.seq,
            ack: self.ack,
            flags: flag_names(self.flags),
            ttl: self.ttl,
            ip_id: self.ip_id,
            payload_len: self.payload_len,
            encapsulation: self.encapsulation,
            connection: self.connection,
            stream: self.stream,
            sender: self.sender,
            origin: self.origin,
            cause: self.cause,
            sub_cause: self.sub_cause,
            confidence: self.confidence,
            evidence: self
                .evidence
                .into_iter()
                .map(|(points_to, fact)| Evidence::of(fact, points_to))
                .collect(),
            signature: self.signature,
            stage: self.stage,
            payload_text: self.payload_text,
            reason_code: self.reason_code,
            tips: Vec::new(),
            observed: self.observed,
            ladder: Vec::new(),
            consequence_of: self.consequence_of,
            incident: None,
            conflict: None,
        }
    }
}

impl LinkConnection {
    fn of(c: &Connection, base: f64) -> Self {
        Self {
            id: c.id,
            stream: c.stream,
            first_frame: c.first_frame,
            client: c.client,
            server: c.server,
            roles_from: c.roles_from.to_string(),
            first_time: Ticks::of(c.first_time, base),
            last_time: Ticks::of(c.last_time, c.first_time),
            client_packets: c.client_packets,
            server_packets: c.server_packets,
            client_bytes: c.client_bytes,
            server_bytes: c.server_bytes,
            conn_state: c.conn_state.to_string(),
            history: c.history.to_string(),
        }
    }

    /// The connection, with the frames of its resets.
    fn into_connection(self, resets: &[Reset], base: f64) -> Connection {
        Connection {
            id: self.id,
            stream: self.stream,
            first_frame: self.first_frame,
            client: self.client,
            server: self.server,
            roles_from: self.roles_from.into(),
            first_time: self.first_time.at(base),
            last_time: self.last_time.at(self.first_time.at(base)),
            client_packets: self.client_packets,
            server_packets: self.server_packets,
            client_bytes: self.client_bytes,
            server_bytes: self.server_bytes,
            conn_state: self.conn_state.into(),
            history: self.history.into(),
            resets: resets
                .iter()
                .filter(|r| r.connection == Some(self.id))
                .map(|r| r.frame)
                .collect(),
        }
    }
}

/// TCP flag names ("RST+ACK") as bits, if they are flag names in the
/// order the core writes them.
pub fn flag_bits(names: &str) -> Option<u16> {
    if names.is_empty() {
        return Some(0);
    }
    let mut bits = 0u16;
    for name in names.split('+') {
        let bit = (0..9u16)
            .map(|i| 1u16 << i)
            .find(|&b| flag_names(b) == name)?;
        bits |= bit;
    }
    (flag_names(bits) == names).then_some(bits)
}

/// A comparison with a second capture, without its prose.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkComparison {
    /// Each capture's vantage point, connections, packets, dropped packets
    /// and connections.
    pub main: (VantagePoint, u64, u64, u64, u64),
    pub peer: (VantagePoint, u64, u64, u64, u64),
    pub matched: Vec<LinkMatched>,
    /// Capture, connection, client, server, first time, and which of
    /// [`UNMATCHED_REASONS`].
    pub unmatched: Vec<(CaptureName, Option<u32>, Endpoint, Endpoint, f64, u8)>,
    pub clock_offset: Option<ClockOffset>,
    pub drift: Option<Drift>,
    pub resets: Vec<LinkComparedReset>,
    pub relation: Relation,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkMatched {
    pub main: Option<u32>,
    pub peer: Option<u32>,
    pub how: MatchMethod,
    pub confidence: f32,
    pub main_client: Endpoint,
    pub main_server: Endpoint,
    pub peer_client: Endpoint,
    pub peer_server: Endpoint,
    pub packets_matched: u64,
    /// The kinds of difference (see [`difference_text`]).
    pub differences: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinkComparedReset {
    pub capture: CaptureName,
    pub frame: u64,
    pub time: f64,
    pub sender: Sender,
    pub seen_at: SeenAt,
    pub peer_frame: Option<u64>,
    pub origin: Origin,
    pub cause: Cause,
    pub confidence: f32,
    #[serde(with = "super::facts")]
    pub evidence: Vec<(Origin, Fact)>,
    pub fate: PathFate,
    pub main_time: f64,
    pub connection: Option<u32>,
    pub other_connection: Option<u32>,
}

/// Why a connection has no twin in the other capture (the core's words).
pub const UNMATCHED_REASONS: [&str; 2] = [
    "no packet in common with the other capture: not on its path, or not captured there",
    "outside the other capture's time span",
];

/// What a kind of difference between matched connections means; `None`
/// for a kind the core does not report.
pub fn difference_text(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "nat" => "addresses translated on the path (NAT)",
        "port" => "port translated on the path",
        "ttl" => "TTLs differ between the captures (hops between them)",
        "ip-id" => "IP-IDs rewritten on the path",
        "mss" => "MSS clamped on the path",
        "window" => "windows changed on the path",
        "loss" => "packets of one end never reached the other capture: lost on the path",
        "made-on-path" => "packets in an end's name never left that end's side: made on the path",
        "one-side-only" => "packets seen in one capture only",
        _ => return None,
    })
}

impl LinkComparison {
    fn of(c: &Comparison) -> Self {
        let vantage = |v: &CaptureVantage| {
            (
                v.vantage,
                v.connections,
                v.packets,
                v.dropped_packets,
                v.dropped_connections,
            )
        };
        Self {
            main: vantage(&c.main),
            peer: vantage(&c.peer),
            matched: c.matched.iter().map(LinkMatched::of).collect(),
            unmatched: c
                .unmatched
                .iter()
                .map(|u| {
                    let reason = UNMATCHED_REASONS.iter().position(|r| *r == u.reason);
                    let reason = reason.map_or(u8::MAX, |i| i as u8);
                    (
                        u.capture,
                        u.connection,
                        u.client,
                        u.server,
                        u.first_time,
                        reason,
                    )
                })
                .collect(),
            clock_offset: c.clock_offset.clone(),
            drift: c.drift.clone(),
            resets: c.resets.iter().map(LinkComparedReset::of).collect(),
            relation: c.relation,
        }
    }

    fn into_comparison(self) -> Comparison {
        let vantage = |(vantage, connections, packets, dropped_packets, dropped_connections): (
            VantagePoint,
            u64,
            u64,
            u64,
            u64,
        )| {
            CaptureVantage {
                vantage,
                why: Vec::new(),
                connections,
                packets,
                dropped_packets,
                dropped_connections,
            }
        };
        Comparison {
            main: vantage(self.main),
            peer: vantage(self.peer),
            matched: self
                .matched
                .into_iter()
                .map(LinkMatched::into_matched)
                .collect(),
            unmatched: self
                .unmatched
                .into_iter()
                .map(
                    |(capture, connection, client, server, first_time, reason)| {
                        UnmatchedConnection {
                            capture,
                            connection,
                            client,
                            server,
                            first_time,
                            reason: UNMATCHED_REASONS
                                .get(usize::from(reason))
                                .unwrap_or(&"")
                                .to_string(),
                        }
                    },
                )
                .collect(),
            clock_offset: self.clock_offset,
            drift: self.drift,
            resets: self
                .resets
                .into_iter()
                .map(LinkComparedReset::into_reset)
                .collect(),
            relation: self.relation,
        }
    }
}

impl LinkMatched {
    fn of(m: &MatchedConnection) -> Self {
        Self {
            main: m.main,
            peer: m.peer,
            how: m.how,
            confidence: m.confidence,
            main_client: m.main_client,
            main_server: m.main_server,
            peer_client: m.peer_client,
            peer_server: m.peer_server,
            packets_matched: m.packets_matched,
            differences: m.differences.iter().map(|d| d.kind.clone()).collect(),
        }
    }

    fn into_matched(self) -> MatchedConnection {
        MatchedConnection {
            main: self.main,
            peer: self.peer,
            how: self.how,
            confidence: self.confidence,
            main_client: self.main_client,
            main_server: self.main_server,
            peer_client: self.peer_client,
            peer_server: self.peer_server,
            packets_matched: self.packets_matched,
            differences: self
                .differences
                .into_iter()
                .map(|kind| Difference {
                    finding: difference_text(&kind).unwrap_or_default().to_string(),
                    kind,
                })
                .collect(),
        }
    }
}

impl LinkComparedReset {
    fn of(r: &ComparedReset) -> Self {
        Self {
            capture: r.capture,
            frame: r.frame,
            time: r.time,
            sender: r.sender,
            seen_at: r.seen_at,
            peer_frame: r.peer_frame,
            origin: r.origin,
            cause: r.cause,
            confidence: r.confidence,
            evidence: r
                .evidence
                .iter()
                .map(|e| (e.points_to, e.fact.clone()))
                .collect(),
            fate: r.fate,
            main_time: r.main_time,
            connection: r.connection,
            other_connection: r.other_connection,
        }
    }

    fn into_reset(self) -> ComparedReset {
        ComparedReset {
            capture: self.capture,
            frame: self.frame,
            time: self.time,
            sender: self.sender,
            seen_at: self.seen_at,
            peer_frame: self.peer_frame,
            origin: self.origin,
            cause: self.cause,
            confidence: self.confidence,
            evidence: self
                .evidence
                .into_iter()
                .map(|(points_to, fact)| Evidence::of(fact, points_to))
                .collect(),
            fate: self.fate,
            main_time: self.main_time,
            connection: self.connection,
            other_connection: self.other_connection,
            ladder: Vec::new(),
        }
    }
}
