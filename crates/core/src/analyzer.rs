//! The entry point: push frames in, take a report out.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::decode::{self, flags, Decoded, NotTcp, TcpPacket};
use crate::frame::{Frame, LinkType};
use crate::report::{
    CaptureInfo, Cause, LinkTypeCount, Origin, Report, Reset, Sender, Stage, Summary, Warning,
};

/// Limits that keep memory bounded on any input.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Most connections tracked at once; past it, finished or idle ones are evicted.
    pub max_connections: usize,
    /// Most warnings kept in the report (the rest are counted).
    pub max_warnings: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self { max_connections: 200_000, max_warnings: 1_000 }
    }
}

/// Streaming analysis of one capture. Frames are pushed in file order.
pub struct Analyzer {
    config: Config,
    info: CaptureInfo,
    link_types: BTreeMap<u32, u64>,
    resets: Vec<Reset>,
    dropped_warnings: u64,
}

impl Analyzer {
    pub fn new(config: Config) -> Self {
        Self {
            config,
            info: CaptureInfo::default(),
            link_types: BTreeMap::new(),
            resets: Vec::new(),
            dropped_warnings: 0,
        }
    }

    /// Feeds one frame. Never fails: undecodable frames become warnings.
    pub fn push(&mut self, frame: &Frame<'_>) {
        self.info.packets += 1;
        *self.link_types.entry(frame.link_type.0).or_default() += 1;
        if (frame.data.len() as u64) < u64::from(frame.orig_len) {
            self.info.truncated_frames += 1;
        }
        let time = seconds(frame.ts_ns);
        self.info.first_time.get_or_insert(time);
        self.info.last_time = Some(time);

        match decode::decode(frame.link_type, frame.data) {
            Ok(Decoded::Tcp(packet)) => {
                self.info.tcp_packets += 1;
                if packet.tcp.has(flags::RST) {
                    self.resets.push(bare_reset(frame.number, time, &packet));
                }
            }
            Ok(Decoded::NotTcp(kind)) => {
                *self.info.other.entry(not_tcp_name(kind)).or_default() += 1;
            }
            Err(err) => {
                let message = format!(
                    "{} header at byte {} of the frame is {}",
                    err.layer.name(),
                    err.offset,
                    match err.kind {
                        decode::DecodeErrorKind::Truncated => "cut short",
                        decode::DecodeErrorKind::Malformed => "malformed",
                    }
                );
                *self.info.other.entry("undecodable".to_string()).or_default() += 1;
                self.warn(Warning {
                    kind: "decode".to_string(),
                    frame: Some(frame.number),
                    offset: None,
                    message,
                });
            }
        }
    }

    /// Records a problem found outside the core (e.g. by the capture reader).
    pub fn warn(&mut self, warning: Warning) {
        if self.info.warnings.len() < self.config.max_warnings {
            self.info.warnings.push(warning);
        } else {
            self.dropped_warnings += 1;
        }
    }

    /// Ends the analysis and builds the report.
    pub fn finish(mut self) -> Report {
        if self.dropped_warnings > 0 {
            self.info.warnings.push(Warning {
                kind: "warning-limit".to_string(),
                frame: None,
                offset: None,
                message: format!("{} further warnings not listed", self.dropped_warnings),
            });
        }
        self.info.link_types = self
            .link_types
            .iter()
            .map(|(&id, &frames)| LinkTypeCount {
                id,
                name: LinkType(id).name().to_string(),
                frames,
            })
            .collect();
        let mut summary = Summary::default();
        for reset in &self.resets {
            *summary.by_origin.entry(reset.origin.as_str().to_string()).or_default() += 1;
            *summary.by_cause.entry(reset.cause.as_str().to_string()).or_default() += 1;
        }
        summary.headline = format!("{} TCP resets in {} packets.", self.resets.len(), self.info.packets);
        Report { capture: self.info, summary, resets: self.resets, connections: Vec::new() }
    }
}

fn seconds(ts_ns: i64) -> f64 {
    ts_ns as f64 / 1e9
}

fn bare_reset(frame: u64, time: f64, packet: &TcpPacket<'_>) -> Reset {
    Reset {
        frame,
        time,
        src: endpoint(packet.ip.src, packet.tcp.src_port),
        dst: endpoint(packet.ip.dst, packet.tcp.dst_port),
        seq: packet.tcp.seq,
        ack: packet.tcp.ack,
        flags: flag_names(packet.tcp.flags),
        ttl: packet.ip.ttl,
        ip_id: packet.ip.id,
        payload_len: packet.tcp.payload_len,
        encapsulation: encapsulation_name(packet),
        connection: None,
        sender: Sender::Unknown,
        origin: Origin::Unknown,
        cause: Cause::Unknown,
        sub_cause: None,
        confidence: 0.0,
        evidence: Vec::new(),
        signature: None,
        stage: Stage::Unknown,
        payload_text: None,
        reason_code: None,
        tips: Vec::new(),
    }
}

/// "ip:port", with IPv6 addresses in brackets.
pub fn endpoint(ip: core::net::IpAddr, port: u16) -> String {
    match ip {
        core::net::IpAddr::V4(v4) => format!("{v4}:{port}"),
        core::net::IpAddr::V6(v6) => format!("[{v6}]:{port}"),
    }
}

/// Flags in the order SYN, FIN, RST, PSH, ACK, URG, ECE, CWR, AE, joined by '+'.
pub fn flag_names(bits: u16) -> String {
    const NAMES: [(u16, &str); 9] = [
        (flags::SYN, "SYN"),
        (flags::FIN, "FIN"),
        (flags::RST, "RST"),
        (flags::PSH, "PSH"),
        (flags::ACK, "ACK"),
        (flags::URG, "URG"),
        (flags::ECE, "ECE"),
        (flags::CWR, "CWR"),
        (flags::AE, "AE"),
    ];
    let names: Vec<&str> = NAMES.iter().filter(|(b, _)| bits & b != 0).map(|(_, n)| *n).collect();
    names.join("+")
}

fn encapsulation_name(packet: &TcpPacket<'_>) -> String {
    let names: Vec<&str> = packet.encapsulation.layers().iter().map(|l| l.name()).collect();
    names.join(":")
}

fn not_tcp_name(kind: NotTcp) -> String {
    match kind {
        NotTcp::IpProtocol(17) => "udp".to_string(),
        NotTcp::IpProtocol(1) => "icmp".to_string(),
        NotTcp::IpProtocol(58) => "icmpv6".to_string(),
        NotTcp::IpProtocol(p) => format!("ip-proto {p}"),
        NotTcp::IpFragment => "ip-fragment".to_string(),
        NotTcp::EtherType(t) => format!("ethertype 0x{t:04x}"),
        NotTcp::OtherLink => "non-ip link frame".to_string(),
        NotTcp::UnknownLinkType(lt) => format!("linktype {}", lt.0),
    }
}
