//! The report as pretty-printed JSON, byte for byte what
//! `serde_json::to_writer_pretty` writes, with fewer writes: serde_json's
//! `PrettyFormatter` writes the line break and then the indent two spaces
//! at a time, one `write_all` each, before every key and array item. A
//! report of 100 000 connections has millions of them, a third of the
//! JSON writer's instructions (callgrind, `scan` mix).

mod array;
mod connections;
mod fact;
mod resets;

use std::io::{self, Write};

use rstscope_core::Report;
use serde::Serialize;
use serde_json::ser::{Formatter, Serializer};

/// `,\n` then the indent: a line start is a slice of it.
const BREAK: &[u8; 2 + 2 * DEPTH] = &{
    let mut bytes = [b' '; 2 + 2 * DEPTH];
    bytes[0] = b',';
    bytes[1] = b'\n';
    bytes
};
/// Nesting that one slice of [`BREAK`] indents; deeper lines (none in a
/// report) take one more write per extra level.
const DEPTH: usize = 32;

/// Writes `value` as `serde_json::to_writer_pretty` does.
pub fn write_pretty<W: Write, T: Serialize + ?Sized>(out: W, value: &T) -> io::Result<()> {
    write_at_depth(out, value, 0)
}

/// `value` as it stands `depth` levels deep in a pretty document.
fn write_at_depth<W: Write, T: Serialize + ?Sized>(
    out: W,
    value: &T,
    depth: usize,
) -> io::Result<()> {
    let pretty = Pretty {
        depth,
        has_value: false,
    };
    let mut serializer = Serializer::with_formatter(out, pretty);
    // `io::Error::from` keeps the kind of a write error (a closed pipe).
    value.serialize(&mut serializer).map_err(io::Error::from)
}

/// Writes `report` as [`write_pretty`] does, its connection list (most of
/// a report with many connections) by [`connections::write`] and its
/// resets by [`resets::write`]. The report
/// is destructured: a field added to it does not compile here until it
/// is written.
pub fn write_report<W: Write>(mut out: W, report: &Report) -> io::Result<()> {
    let Report {
        capture,
        summary,
        resets,
        connections,
        incidents,
        comparison,
        generator,
    } = report;
    out.write_all(b"{")?;
    member(&mut out, "capture", capture, true)?;
    member(&mut out, "summary", summary, false)?;
    out.write_all(b",\n  \"resets\": ")?;
    resets::write(&mut out, resets)?;
    out.write_all(b",\n  \"connections\": ")?;
    connections::write(&mut out, connections)?;
    member(&mut out, "incidents", incidents, false)?;
    if let Some(comparison) = comparison {
        member(&mut out, "comparison", comparison, false)?;
    }
    if let Some(generator) = generator {
        member(&mut out, "generator", generator, false)?;
    }
    out.write_all(b"\n}")
}

/// One member of the report's top-level object, after a comma unless it
/// is the `first`: its name and its value, indented one level.
fn member<W: Write, T: Serialize + ?Sized>(
    out: &mut W,
    name: &str,
    value: &T,
    first: bool,
) -> io::Result<()> {
    let comma = if first { "" } else { "," };
    write!(out, "{comma}\n  \"{name}\": ")?;
    write_at_depth(out, value, 1)
}

/// serde_json's `PrettyFormatter` (two spaces), each line start one write.
struct Pretty {
    depth: usize,
    has_value: bool,
}

impl Pretty {
    /// A line break (after a comma unless `first`) and the indent.
    fn line<W: ?Sized + Write>(&self, out: &mut W, first: bool) -> io::Result<()> {
        let skip = usize::from(first);
        let levels = self.depth.min(DEPTH);
        out.write_all(BREAK.get(skip..2 + 2 * levels).unwrap_or(b"\n"))?;
        for _ in levels..self.depth {
            out.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        if self.has_value {
            self.line(out, true)?;
        }
        out.write_all(bracket)
    }
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.line(out, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.line(out, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstscope_batch::{analyze, Source};
    use rstscope_core::report::{
        Cause, Comparison, Conflict, Connection, Endpoint, Origin, Reset, Role, Sender, Signal,
        Stage, SubCause,
    };
    use rstscope_scenarios::{catalogue, write, Options};
    use serde_json::json;

    fn report_both(report: &Report) -> (String, String) {
        let mut ours = Vec::new();
        write_report(&mut ours, report).unwrap();
        let theirs = serde_json::to_string_pretty(report).unwrap();
        (String::from_utf8(ours).unwrap(), theirs)
    }

    #[test]
    fn writes_every_scenarios_report_as_serde_json_does() {
        for ipv6 in [false, true] {
            let options = Options {
                ipv6,
                ..Options::default()
            };
            for scenario in catalogue(&options) {
                let capture = write(&scenario, &options);
                let report = analyze(Source::Bytes(&capture), |_| {}).unwrap();
                assert!(!report.connections.is_empty(), "{}", scenario.name);
                let (ours, theirs) = report_both(&report);
                assert_eq!(ours, theirs, "{}", scenario.name);
            }
        }
    }

    /// What the scenarios do not have: absent numbers, times that are not
    /// finite, strings serde_json escapes, several or no resets, an empty
    /// list, and the optional members.
    #[test]
    fn writes_unusual_connections_as_serde_json_does() {
        let odd = Connection {
            id: u32::MAX,
            stream: None,
            first_frame: None,
            client: Endpoint::new("2001:db8::1".parse().unwrap(), 443),
            server: Endpoint::new("10.0.0.1".parse().unwrap(), 0),
            roles_from: "first-packet".into(),
            first_time: f64::NAN,
            last_time: f64::INFINITY,
            client_packets: u64::MAX,
            server_packets: 0,
            client_bytes: 1,
            server_bytes: 2,
            conn_state: "a \"quoted\"\tstate\\".into(),
            history: "ShAD\u{1}é".into(),
            resets: vec![3, 1 << 40],
        };
        let plain = Connection {
            stream: Some(7),
            first_frame: Some(9),
            first_time: 1.5e9,
            last_time: -0.0,
            resets: vec![],
            history: "".into(),
            ..odd.clone()
        };
        let mut report = Report {
            connections: vec![odd, plain],
            comparison: Some(Comparison::default()),
            generator: Some("rstscope \"test\"".into()),
            ..Report::default()
        };
        let (ours, theirs) = report_both(&report);
        assert_eq!(ours, theirs);
        assert!(ours.contains("\"stream\": null") && ours.contains("\"generator\""));
        report.connections.clear();
        report.comparison = None;
        let (ours, theirs) = report_both(&report);
        assert_eq!(ours, theirs);
        assert!(ours.contains("\"connections\": []"), "{ours}");
    }

    /// Resets the scenarios do not have: absent numbers, times and a
    /// confidence that are not finite, IPv6 endpoints, strings serde_json
    /// escapes, present and absent optional members (a conflict with no
    /// signal for its own origin), an empty ladder and an empty list.
    #[test]
    fn writes_unusual_resets_as_serde_json_does() {
        let options = Options::default();
        let scenario = catalogue(&options).into_iter().next().unwrap();
        let capture = write(&scenario, &options);
        let mut report = analyze(Source::Bytes(&capture), |_| {}).unwrap();
        let mut odd = report
            .resets
            .first()
            .cloned()
            .expect("a scenario with a reset");
        assert!(odd.ladder.len() > 1, "{}", scenario.name);
        odd.time = f64::NAN;
        odd.src = Endpoint::new("2001:db8::1".parse().unwrap(), 443);
        odd.flags = "RST \"odd\"\t".into();
        odd.encapsulation = "eth:\u{1}é".into();
        (odd.ip_id, odd.connection, odd.stream, odd.incident) = (None, None, None, None);
        odd.consequence_of = Some(u64::MAX);
        odd.payload_text = Some("closed \"now\"\n".into());
        odd.sub_cause = Some(SubCause::MptcpSubflow);
        odd.confidence = f32::NAN;
        odd.signature = Some("SYN → RST \"x\"".into());
        odd.reason_code = Some(u32::MAX);
        odd.observed.idle_ns = Some(i64::MIN);
        odd.observed.server_port = Some(u16::MAX);
        odd.observed.retransmissions = u32::MAX;
        odd.ladder[0].gap_ms = f64::INFINITY;
        odd.ladder[0].ip_id = None;
        odd.ladder[1].flags = "a\\b".into();
        odd.conflict = Some(Conflict {
            concluded: Origin::Client,
            for_concluded: vec![],
            other: Origin::Middlebox,
            for_other: vec![Signal::Ttl, Signal::IpId],
            sentence: "TTL \"says\" path\n".into(),
        });
        let empty = Reset {
            ladder: vec![],
            evidence: vec![],
            tips: vec![],
            sub_cause: None,
            confidence: 0.25,
            signature: None,
            payload_text: None,
            reason_code: None,
            observed: Default::default(),
            conflict: None,
            ..odd.clone()
        };
        report.resets = vec![odd, empty];
        let (ours, theirs) = report_both(&report);
        assert_eq!(ours, theirs);
        assert!(ours.contains("\"ladder\": []") && ours.contains("\"time\": null"));
        report.resets.clear();
        let (ours, theirs) = report_both(&report);
        assert_eq!(ours, theirs);
        assert!(ours.contains("\"resets\": []"), "{ours}");
    }

    /// Lists longer than a piece are formatted on two threads, piece by
    /// piece: the same bytes, at and around the pieces' edges.
    #[test]
    fn writes_long_lists_on_two_threads_as_serde_json_does() {
        let options = Options::default();
        let scenario = catalogue(&options).into_iter().next().unwrap();
        let capture = write(&scenario, &options);
        let mut report = analyze(Source::Bytes(&capture), |_| {}).unwrap();
        let reset = report.resets.first().cloned().expect("a reset");
        let conn = report.connections.first().cloned().expect("a connection");
        for len in [511, 512, 513, 1024, 1025, 2600] {
            report.resets = (0..len as u64)
                .map(|frame| Reset {
                    frame,
                    ..reset.clone()
                })
                .collect();
            report.connections = (0..len as u32)
                .map(|id| Connection {
                    id,
                    history: format!("h{id}\"q").into(),
                    ..conn.clone()
                })
                .collect();
            let (ours, theirs) = report_both(&report);
            assert!(ours == theirs, "{len} items: bytes differ");
        }
    }

    /// The resets' enums are written by their `as_str` names: those are
    /// the names serde writes, for every variant.
    #[test]
    fn enum_names_are_what_serde_json_writes() {
        fn check<T: Serialize + Copy>(all: &[T], name: fn(T) -> &'static str) {
            for &variant in all {
                let theirs = serde_json::to_string(&variant).unwrap();
                assert_eq!(theirs, format!("\"{}\"", name(variant)));
            }
        }
        check(Sender::ALL, Sender::as_str);
        check(Origin::ALL, Origin::as_str);
        check(Cause::ALL, Cause::as_str);
        check(SubCause::ALL, SubCause::as_str);
        check(Stage::ALL, Stage::as_str);
        check(Signal::ALL, Signal::as_str);
        check(Role::ALL, Role::as_str);
    }

    fn both(value: &serde_json::Value) -> (String, String) {
        let mut ours = Vec::new();
        write_pretty(&mut ours, value).unwrap();
        let theirs = serde_json::to_string_pretty(value).unwrap();
        (String::from_utf8(ours).unwrap(), theirs)
    }

    #[test]
    fn writes_what_serde_json_writes() {
        let value = json!({
            "empty_object": {}, "empty_array": [], "text": "a \"quoted\"\nline",
            "numbers": [1, -2, 3.5, 1e300], "nested": [{"a": [[], [{}], {"b": null}]}, true],
        });
        let (ours, theirs) = both(&value);
        assert_eq!(ours, theirs);
        assert!(ours.contains("\n          \"b\": null"), "{ours}");
    }

    #[test]
    fn indents_past_one_slice_of_spaces() {
        let mut value = json!(["bottom"]);
        for level in 0..(DEPTH + 5) {
            value = if level % 2 == 0 {
                json!({ "k": value })
            } else {
                json!([value, 1])
            };
        }
        let (ours, theirs) = both(&value);
        assert_eq!(ours, theirs);
        assert!(ours.contains(&format!("\n{}\"bottom\"", "  ".repeat(DEPTH + 6))));
    }
}
