//! What a link may claim. Types already refuse unknown causes, origins and
//! fact kinds; here the numbers must fit the capture the link describes
//! (no frame past its last packet, no gap longer than its span, no count
//! above its packets), the few strings must be what the core writes
//! (addresses, layer names, signatures), and capture text stays short.
//! A refusal says which item and why.

use crate::protocol::from_json;
use rstscope_core::report::Fact;
use serde_json::Value;

use super::model::{
    difference_text, flag_bits, Ends, Link, LinkCapture, LinkComparison, LinkConnection, LinkReset,
    UNMATCHED_REASONS,
};

/// Longest text taken from a capture (an RST payload is at most one segment).
pub const MAX_CAPTURE_TEXT: usize = 2048;
/// Most evidence items of one reset.
const MAX_EVIDENCE: usize = 64;
/// Most buckets of the activity chart (the core makes 60).
const MAX_BUCKETS: usize = 60;
/// Largest byte distance along a sequence space (2^32).
const MAX_SEQ_DISTANCE: i64 = 1 << 32;
/// Slack on the capture's span for durations (clock steps, rounding).
const SLACK_NS: i64 = 1_000_000_000;

/// Why a link was refused: the item and what is wrong with it.
pub type Refusal = String;

/// Refuses a link that claims what this app's catalogue cannot express.
pub fn check(link: &Link) -> Result<(), Refusal> {
    let limits = Limits::of(link);
    if let Some(generator) = &link.generator {
        // "rstscope 0.1.0+0cd928b1a2b3.dirty", as `crate::generator` writes it.
        let version = generator.strip_prefix("rstscope ").unwrap_or_default();
        let ok = (1..=64).contains(&version.len())
            && version
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".+-_".contains(c));
        if !ok {
            return Err("its generator is not an rstscope version".into());
        }
    }
    capture(&link.capture, &limits)?;
    let activity = &link.activity;
    let finite = activity.start.is_finite() && activity.bucket_seconds.is_finite();
    if activity.buckets.len() > MAX_BUCKETS || !finite {
        return Err("its activity chart is not one rstscope draws".into());
    }
    for (reset, time) in link.resets.iter().zip(link.reset_times()) {
        self::reset(reset, time, link, &limits)
            .map_err(|why| format!("reset {}: {why}", reset.frame))?;
    }
    for connection in &link.connections {
        self::connection(connection, link, &limits)
            .map_err(|why| format!("connection {}: {why}", connection.id))?;
    }
    if let Some(comparison) = &link.comparison {
        self::comparison(comparison, &limits).map_err(|why| format!("the comparison: {why}"))?;
    }
    Ok(())
}

/// The bounds a capture puts on the numbers that describe it.
struct Limits {
    packets: u64,
    /// The longest duration the capture's times allow, with slack.
    span_ns: i64,
}

impl Limits {
    fn of(link: &Link) -> Self {
        let times = link
            .capture
            .first_time
            .into_iter()
            .chain(link.capture.last_time)
            .chain(link.reset_times())
            .chain(
                link.connections
                    .iter()
                    .flat_map(|c| [link.at(c.first_time), c.last_time.at(link.at(c.first_time))]),
            )
            .chain(
                link.comparison
                    .iter()
                    .flat_map(|c| c.resets.iter().map(|r| r.time)),
            )
            .filter(|t| t.is_finite());
        let (low, high) = times.fold((f64::MAX, f64::MIN), |(l, h), t| (l.min(t), h.max(t)));
        let span = if high >= low { high - low } else { 0.0 };
        // Evidence of a comparison names frames of either capture.
        let peer = link
            .comparison
            .as_ref()
            .map_or(0, |c| c.main.2.max(c.peer.2));
        Self {
            packets: link.capture.packets.max(peer),
            // `as` saturates; the times are checked to be finite elsewhere.
            span_ns: ((span * 1e9) as i64).saturating_add(SLACK_NS),
        }
    }

    fn count(&self, what: &str, n: u64) -> Result<(), Refusal> {
        if n > self.packets {
            return Err(format!(
                "{what} {n} is more than the capture's {} packets",
                self.packets
            ));
        }
        Ok(())
    }

    fn duration(&self, what: &str, ns: i64) -> Result<(), Refusal> {
        if ns.unsigned_abs() > self.span_ns.unsigned_abs() {
            return Err(format!(
                "{what} of {} s is longer than the capture ({} s)",
                ns / 1_000_000_000,
                (self.span_ns - SLACK_NS) / 1_000_000_000
            ));
        }
        Ok(())
    }
}

fn capture(info: &LinkCapture, limits: &Limits) -> Result<(), Refusal> {
    limits.count("its TCP packet count", info.tcp_packets)?;
    limits.count("its truncated frame count", info.truncated_frames)?;
    limits.count("its evicted connections", info.evicted_connections)?;
    limits.count("its unlisted connections", info.unlisted_connections)?;
    for (_, frames) in &info.link_types {
        limits.count("a link type's frame count", *frames)?;
    }
    for (name, frames) in &info.other {
        if !is_other_traffic(name) {
            return Err(format!(
                "it names traffic rstscope does not count ({} characters)",
                name.len()
            ));
        }
        limits.count("a traffic count", *frames)?;
    }
    for (_, frame, _) in &info.warnings {
        limits.count("a warning's frame", frame.unwrap_or(0))?;
    }
    let times_ok = [info.first_time, info.last_time]
        .iter()
        .all(|t| t.is_none_or(f64::is_finite));
    if !times_ok {
        return Err("its capture times are not numbers".into());
    }
    Ok(())
}

/// The names the core gives traffic other than TCP.
fn is_other_traffic(name: &str) -> bool {
    const FIXED: [&str; 8] = [
        "udp",
        "icmp",
        "icmpv6",
        "ip-fragment",
        "non-ip link frame",
        "encrypted 802.11",
        "802.11 management/control",
        "netlink",
    ];
    let number = |rest: &str| {
        !rest.is_empty() && rest.len() <= 10 && rest.bytes().all(|b| b.is_ascii_digit())
    };
    let hex = |rest: &str| rest.len() == 4 && rest.bytes().all(|b| b.is_ascii_hexdigit());
    FIXED.contains(&name)
        || name.strip_prefix("ip-proto ").is_some_and(number)
        || name.strip_prefix("linktype ").is_some_and(number)
        || name.strip_prefix("ethertype 0x").is_some_and(hex)
}

fn reset(r: &LinkReset, time: f64, link: &Link, limits: &Limits) -> Result<(), Refusal> {
    limits.count("its frame", r.frame)?;
    if !time.is_finite() {
        return Err("its time is not a number".into());
    }
    match &r.ends {
        // Its own addresses were checked when the link was decoded: an
        // Endpoint reads only "ip:port".
        Ends::Own(..) => {}
        Ends::ClientToServer | Ends::ServerToClient if r.connection.is_none() => {
            return Err("its addresses are its connection's, and it has none".into())
        }
        Ends::ClientToServer | Ends::ServerToClient => {}
    }
    if r.flags >= 1 << 9 {
        return Err(format!("flag bits {:#x} are not TCP flags", r.flags));
    }
    layers(&r.encapsulation)?;
    if !(0.0..=1.0).contains(&r.confidence) {
        return Err(format!(
            "a confidence of {} is not between 0 and 1",
            r.confidence
        ));
    }
    if let Some(id) = r.connection {
        if !link.connections.iter().any(|c| c.id == id) {
            return Err(format!("its connection {id} is not in the link"));
        }
    }
    if r.evidence.len() > MAX_EVIDENCE {
        return Err(format!(
            "{} evidence items are more than rstscope gives",
            r.evidence.len()
        ));
    }
    for (_, fact) in &r.evidence {
        self::fact(fact, limits)?;
    }
    if let Some(signature) = &r.signature {
        self::signature(signature)?;
    }
    if let Some(text) = &r.payload_text {
        capture_text(text)?;
    }
    if r.reason_code.is_some_and(|c| c > 0xffff) {
        return Err("its reason code is not a 16-bit number".into());
    }
    if let Some(idle) = r.observed.idle_ns {
        limits.duration("its idle gap", idle)?;
    }
    limits.count(
        "its retransmission count",
        u64::from(r.observed.retransmissions),
    )
}

fn connection(c: &LinkConnection, link: &Link, limits: &Limits) -> Result<(), Refusal> {
    // A link lists only its resets' connections (the others are counted).
    if !link.resets.iter().any(|r| r.connection == Some(c.id)) {
        return Err("no reset of the link belongs to it".into());
    }
    const ROLES_FROM: [&str; 6] = [
        "handshake",
        "syn",
        "syn-ack",
        "ports",
        "refusal",
        "first-packet",
    ];
    if !ROLES_FROM.contains(&&*c.roles_from) {
        return Err("its roles come from no rule rstscope has".into());
    }
    let first = link.at(c.first_time);
    if !(first.is_finite() && c.last_time.at(first).is_finite()) {
        return Err("its times are not numbers".into());
    }
    limits.count("its first frame", c.first_frame.unwrap_or(0))?;
    limits.count("its client packets", c.client_packets)?;
    limits.count("its server packets", c.server_packets)?;
    let letters = |s: &str, max: usize, extra: &str| {
        s.len() <= max
            && s.chars()
                .all(|ch| ch.is_ascii_alphanumeric() || extra.contains(ch))
    };
    if !letters(&c.conn_state, 8, "") || !letters(&c.history, 64, "^") {
        return Err("its state or history is not Zeek's letters".into());
    }
    Ok(())
}

fn comparison(c: &LinkComparison, limits: &Limits) -> Result<(), Refusal> {
    for m in &c.matched {
        if !(0.0..=1.0).contains(&m.confidence) {
            return Err(format!(
                "a match confidence of {} is not between 0 and 1",
                m.confidence
            ));
        }
        if m.differences
            .iter()
            .any(|kind| difference_text(kind).is_none())
        {
            return Err("it names a difference rstscope does not look for".into());
        }
    }
    for (_, _, _, _, first_time, reason) in &c.unmatched {
        if usize::from(*reason) >= UNMATCHED_REASONS.len() || !first_time.is_finite() {
            return Err("an unmatched connection has no reason rstscope gives".into());
        }
    }
    for r in &c.resets {
        let times = r.time.is_finite() && r.main_time.is_finite();
        if !times || !(0.0..=1.0).contains(&r.confidence) {
            return Err(format!(
                "reset {}: its time or confidence is not a number it could be",
                r.frame
            ));
        }
        limits.count("a reset's frame", r.frame)?;
        if r.evidence.len() > MAX_EVIDENCE {
            return Err(format!("reset {}: too many evidence items", r.frame));
        }
        for (_, fact) in &r.evidence {
            self::fact(fact, limits).map_err(|why| format!("reset {}: {why}", r.frame))?;
        }
    }
    let finite = |x: f64| x.is_finite();
    let clock = c
        .clock_offset
        .as_ref()
        .is_none_or(|o| finite(o.seconds) && finite(o.at) && o.path_delay.is_none_or(finite));
    let drift = c
        .drift
        .as_ref()
        .is_none_or(|d| finite(d.ppm) && finite(d.span));
    if !(clock && drift) {
        return Err("its clock offset or drift is not a number".into());
    }
    Ok(())
}

/// Protocol layer names as the core writes them ("eth:vlan:ipv4").
fn layers(text: &str) -> Result<(), Refusal> {
    let ok = text.len() <= 96
        && text.split(':').all(|layer| {
            (1..=8).contains(&layer.len())
                && layer
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if ok {
        Ok(())
    } else {
        Err("its encapsulation is not a list of protocol layers".into())
    }
}

/// A tampering signature in the SIGCOMM 2023 notation ("PSH → RST;RST+ACK").
fn signature(text: &str) -> Result<(), Refusal> {
    const TOKENS: [&str; 6] = ["SYN", "ACK", "PSH", "Data", "RST", "RST0"];
    let ok = text.len() <= 64
        && text.split_once(" → ").is_some_and(|(before, after)| {
            [before, after].iter().all(|side| {
                side.split([';', '=', '≠'])
                    .all(|part| part.split('+').all(|token| TOKENS.contains(&token)))
            })
        });
    if ok {
        Ok(())
    } else {
        Err("its tampering signature is not in the notation rstscope writes".into())
    }
}

/// Text from the capture: shown quoted, but never a page of it.
fn capture_text(text: &str) -> Result<(), Refusal> {
    if text.len() > MAX_CAPTURE_TEXT || text.chars().any(char::is_control) {
        return Err(format!(
            "its capture text is not what an RST carries (at most {MAX_CAPTURE_TEXT} printable bytes)"
        ));
    }
    Ok(())
}

/// A fact's numbers, by what their field measures (so a new fact kind is
/// checked without a change here).
fn fact(fact: &Fact, limits: &Limits) -> Result<(), Refusal> {
    // Through JSON text, with the writer the page has for "Export JSON"
    // (a serde_json::Value writer of `Fact` would be one more).
    let text = serde_json::to_vec_pretty(fact).unwrap_or_default();
    let Ok(Value::Object(fields)) = from_json(&text) else {
        return Ok(());
    };
    let kind = fields.get("kind").and_then(Value::as_str).unwrap_or("fact");
    for (name, value) in &fields {
        let what = format!("the {kind} evidence's {name}");
        match (name.as_str(), value) {
            (n, Value::Number(v)) if n.ends_with("_ns") => {
                limits.duration(&what, v.as_i64().unwrap_or(i64::MAX))?;
            }
            (
                "packets" | "matching" | "retransmissions" | "frame" | "dropped",
                Value::Number(v),
            ) => {
                limits.count(&what, v.as_u64().unwrap_or(u64::MAX))?;
            }
            ("bytes" | "behind" | "offset" | "seq_moves" | "ack_moves", Value::Number(v))
                if v.as_i64().is_none_or(|n| n.abs() > MAX_SEQ_DISTANCE) =>
            {
                return Err(format!("{what} is more than a sequence space holds"));
            }
            ("code", Value::Number(v)) if v.as_u64().is_none_or(|c| c > 0xffff) => {
                return Err(format!("{what} is not a 16-bit number"));
            }
            ("flags", Value::String(flags)) if flag_bits(flags).is_none() => {
                return Err(format!("{what} are not TCP flag names"));
            }
            ("text", Value::String(text)) => capture_text(text)?,
            _ => {}
        }
    }
    Ok(())
}
