//! Rows as a Zeek-style TSV log, so that Zeek pipelines, Elastic (Filebeat's
//! Zeek module) and Splunk take them in as they take `conn.log`: a
//! `#separator`/`#fields`/`#types` header, tab-separated values, `-` for an
//! unset field, `(empty)` for an empty string or list, list items joined by
//! `,`, `\xNN` escapes for tabs, commas inside list items, backslashes and
//! control characters, times as epoch seconds with six decimals, and
//! `#open`/`#close` lines (UTC). Field names follow Zeek's (`ts`,
//! `id.orig_h`, `id.resp_p`, `conn_state`, `history`, ...) where they mean
//! the same thing.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::net::IpAddr;
use std::time::SystemTime;

use rstscope_core::report::{Connection, Endpoint, Report};

use crate::rows::{self, CaptureFacts, Outcome, RowKind};

/// One field of a row.
enum Cell<'a> {
    Unset,
    Time(f64),
    Interval(f64),
    Count(u64),
    Double(f64),
    Bool(bool),
    Str(&'a str),
    Addr(IpAddr),
    Port(u16),
    /// A `vector[...]` of values already written as text.
    List(Vec<String>),
}

impl<'a> From<Option<&'a str>> for Cell<'a> {
    fn from(value: Option<&'a str>) -> Self {
        value.map_or(Cell::Unset, Cell::Str)
    }
}

fn count(value: Option<impl Into<u64>>) -> Cell<'static> {
    value.map_or(Cell::Unset, |v| Cell::Count(v.into()))
}

const RESETS: &[(&str, &str)] = &[
    ("ts", "time"),
    ("capture", "string"),
    ("frame", "count"),
    ("conn", "count"),
    ("id.orig_h", "addr"),
    ("id.orig_p", "port"),
    ("id.resp_h", "addr"),
    ("id.resp_p", "port"),
    ("is_orig", "bool"),
    ("flags", "string"),
    ("seq", "count"),
    ("ack", "count"),
    ("ttl", "count"),
    ("ip_id", "count"),
    ("payload_len", "count"),
    ("encapsulation", "string"),
    ("sender", "enum"),
    ("origin", "enum"),
    ("cause", "enum"),
    ("sub_cause", "string"),
    ("confidence", "double"),
    ("stage", "enum"),
    ("signature", "string"),
    ("payload_text", "string"),
    ("reason_code", "count"),
    ("idle", "interval"),
    ("retransmissions", "count"),
    ("evidence_signals", "vector[string]"),
    ("evidence_points_to", "vector[enum]"),
    ("evidence", "vector[string]"),
    ("tips", "vector[string]"),
];

const CONNECTIONS: &[(&str, &str)] = &[
    ("ts", "time"),
    ("capture", "string"),
    ("conn", "count"),
    ("id.orig_h", "addr"),
    ("id.orig_p", "port"),
    ("id.resp_h", "addr"),
    ("id.resp_p", "port"),
    ("proto", "enum"),
    ("duration", "interval"),
    ("orig_bytes", "count"),
    ("resp_bytes", "count"),
    ("conn_state", "string"),
    ("history", "string"),
    ("orig_pkts", "count"),
    ("resp_pkts", "count"),
    ("roles_from", "string"),
    ("resets", "vector[count]"),
];

const INCIDENTS: &[(&str, &str)] = &[
    ("ts", "time"),
    ("capture", "string"),
    ("incident", "count"),
    ("kind", "enum"),
    ("origin", "enum"),
    ("cause", "enum"),
    ("root_frame", "count"),
    ("frames", "vector[count]"),
    ("conns", "vector[count]"),
    ("roots", "count"),
    ("followers", "vector[string]"),
    ("summary", "string"),
];

const CAPTURES: &[(&str, &str)] = &[
    ("ts", "time"),
    ("capture", "string"),
    ("error", "string"),
    ("packets", "count"),
    ("tcp_packets", "count"),
    ("last_ts", "time"),
    ("connections", "count"),
    ("resets", "count"),
    ("forged", "count"),
    ("warnings", "count"),
    ("headline", "string"),
];

fn columns(kind: RowKind) -> (&'static str, &'static [(&'static str, &'static str)]) {
    match kind {
        RowKind::Resets => ("rstscope_resets", RESETS),
        RowKind::Connections => ("rstscope_conn", CONNECTIONS),
        RowKind::Incidents => ("rstscope_incidents", INCIDENTS),
        RowKind::Captures => ("rstscope_captures", CAPTURES),
    }
}

/// The log's header, with `opened` as its `#open` time.
pub fn write_header(out: &mut impl Write, kind: RowKind, opened: SystemTime) -> io::Result<()> {
    let (path, fields) = columns(kind);
    let names: Vec<&str> = fields.iter().map(|f| f.0).collect();
    let types: Vec<&str> = fields.iter().map(|f| f.1).collect();
    writeln!(out, "#separator \\x09")?;
    writeln!(out, "#set_separator\t,")?;
    writeln!(out, "#empty_field\t(empty)")?;
    writeln!(out, "#unset_field\t-")?;
    writeln!(out, "#path\t{path}")?;
    writeln!(out, "#open\t{}", stamp(opened))?;
    writeln!(out, "#fields\t{}", names.join("\t"))?;
    writeln!(out, "#types\t{}", types.join("\t"))
}

/// The log's last line.
pub fn write_close(out: &mut impl Write, closed: SystemTime) -> io::Result<()> {
    writeln!(out, "#close\t{}", stamp(closed))
}

/// One capture's rows of `kind` (none but its capture row when it could not
/// be read).
pub fn write_rows(
    out: &mut impl Write,
    kind: RowKind,
    capture: Option<&str>,
    outcome: &Outcome,
) -> io::Result<()> {
    match (kind, outcome) {
        (RowKind::Captures, _) => write_row(out, &capture_row(capture, outcome)),
        (_, Err(_)) => Ok(()),
        (RowKind::Resets, Ok(report)) => {
            rows::reset_rows(capture, report).try_for_each(|row| write_row(out, &reset_row(&row)))
        }
        (RowKind::Incidents, Ok(report)) => rows::incident_rows(capture, report)
            .try_for_each(|row| write_row(out, &incident_row(&row))),
        (RowKind::Connections, Ok(report)) => report
            .connections
            .iter()
            .try_for_each(|c| write_row(out, &connection_row(capture, c))),
    }
}

fn reset_row<'a>(row: &'a rows::ResetRow<'a>) -> Vec<Cell<'a>> {
    let r = row.reset;
    // The connection's ends as Zeek's `id` (originator = client); for a
    // reset outside any connection, its own source and destination.
    let (orig, resp) = match (row.client, row.server) {
        (Some(client), Some(server)) => (client, server),
        _ => (r.src, r.dst),
    };
    let is_orig = row.client.map(|client| client == r.src);
    let mut cells = vec![Cell::Time(r.time), row.capture.into(), Cell::Count(r.frame)];
    cells.push(count(r.connection));
    cells.extend(endpoint(orig));
    cells.extend(endpoint(resp));
    cells.push(is_orig.map_or(Cell::Unset, Cell::Bool));
    cells.extend([
        Cell::Str(&r.flags),
        Cell::Count(r.seq.into()),
        Cell::Count(r.ack.into()),
        Cell::Count(r.ttl.into()),
        count(r.ip_id),
        Cell::Count(r.payload_len.into()),
        Cell::Str(&r.encapsulation),
        Cell::Str(r.sender.as_str()),
        Cell::Str(r.origin.as_str()),
        Cell::Str(r.cause.as_str()),
        r.sub_cause.map(|s| s.as_str()).into(),
        Cell::Double(r.confidence.into()),
        Cell::Str(r.stage.as_str()),
        r.signature.as_deref().into(),
        r.payload_text.as_deref().into(),
        count(r.reason_code),
        r.observed
            .idle_ns
            .map_or(Cell::Unset, |ns| Cell::Interval(ns as f64 / 1e9)),
        Cell::Count(r.observed.retransmissions.into()),
        Cell::List(
            r.evidence
                .iter()
                .map(|e| e.signal.as_str().into())
                .collect(),
        ),
        Cell::List(
            r.evidence
                .iter()
                .map(|e| e.points_to.as_str().into())
                .collect(),
        ),
        Cell::List(r.evidence.iter().map(|e| e.finding.clone()).collect()),
        Cell::List(r.tips.iter().map(|t| t.text.clone()).collect()),
    ]);
    cells
}

fn connection_row<'a>(capture: Option<&'a str>, c: &'a Connection) -> Vec<Cell<'a>> {
    let mut cells = vec![
        Cell::Time(c.first_time),
        capture.into(),
        Cell::Count(c.id.into()),
    ];
    cells.extend(endpoint(c.client));
    cells.extend(endpoint(c.server));
    cells.extend([
        Cell::Str("tcp"),
        Cell::Interval(c.last_time - c.first_time),
        Cell::Count(c.client_bytes),
        Cell::Count(c.server_bytes),
        Cell::Str(&c.conn_state),
        Cell::Str(&c.history),
        Cell::Count(c.client_packets),
        Cell::Count(c.server_packets),
        Cell::Str(&c.roles_from),
        Cell::List(c.resets.iter().map(u64::to_string).collect()),
    ]);
    cells
}

fn incident_row<'a>(row: &'a rows::IncidentRow<'a>) -> Vec<Cell<'a>> {
    let i = row.incident;
    let counts = |values: &[u64]| values.iter().map(u64::to_string).collect();
    let connections: Vec<u64> = i.connections.iter().map(|&c| c.into()).collect();
    vec![
        row.time.map_or(Cell::Unset, Cell::Time),
        row.capture.into(),
        Cell::Count(i.id.into()),
        Cell::Str(i.kind.as_str()),
        Cell::Str(i.origin.as_str()),
        Cell::Str(i.cause.as_str()),
        Cell::Count(i.root_frame),
        Cell::List(counts(&i.frames)),
        Cell::List(counts(&connections)),
        Cell::Count(i.roots),
        Cell::List(
            i.followers
                .iter()
                .map(|f| format!("{}:{}", f.origin, f.resets))
                .collect(),
        ),
        Cell::Str(&i.summary),
    ]
}

fn capture_row<'a>(capture: Option<&'a str>, outcome: &'a Outcome) -> Vec<Cell<'a>> {
    let facts = outcome.as_ref().ok().map(|r: &Report| CaptureFacts::of(r));
    let time = |t: Option<f64>| t.map_or(Cell::Unset, Cell::Time);
    let Some(f) = facts else {
        let mut cells = vec![Cell::Unset, capture.into()];
        cells.push(outcome.as_ref().err().map(String::as_str).into());
        cells.extend((3..CAPTURES.len()).map(|_| Cell::Unset));
        return cells;
    };
    vec![
        time(f.first_time),
        capture.into(),
        Cell::Unset,
        Cell::Count(f.packets),
        Cell::Count(f.tcp_packets),
        time(f.last_time),
        Cell::Count(f.connections),
        Cell::Count(f.resets),
        Cell::Count(f.forged),
        Cell::Count(f.warnings),
        Cell::Str(f.headline),
    ]
}

/// An endpoint as Zeek's address and port fields.
fn endpoint(end: Endpoint) -> [Cell<'static>; 2] {
    [Cell::Addr(end.ip), Cell::Port(end.port)]
}

fn write_row(out: &mut impl Write, cells: &[Cell<'_>]) -> io::Result<()> {
    let mut line = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push('\t');
        }
        render(cell, &mut line);
    }
    line.push('\n');
    out.write_all(line.as_bytes())
}

fn render(cell: &Cell<'_>, out: &mut String) {
    // Writing to a String cannot fail: the results of `write!` are ignored.
    match cell {
        Cell::Unset => out.push('-'),
        Cell::Time(t) | Cell::Interval(t) => _ = write!(out, "{t:.6}"),
        Cell::Count(n) => _ = write!(out, "{n}"),
        Cell::Double(x) => out.push_str(&double(*x)),
        Cell::Bool(b) => out.push(if *b { 'T' } else { 'F' }),
        Cell::Str(s) => string(s, false, out),
        Cell::Addr(ip) => _ = write!(out, "{ip}"),
        Cell::Port(p) => _ = write!(out, "{p}"),
        Cell::List(items) if items.is_empty() => out.push_str("(empty)"),
        Cell::List(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(item, true, out);
            }
        }
    }
}

/// Up to six decimals, trailing zeros dropped, as Zeek writes doubles.
fn double(x: f64) -> String {
    let text = format!("{x:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

/// A string value, escaped so that it cannot be mistaken for a separator,
/// an unset or empty field.
fn string(s: &str, in_list: bool, out: &mut String) {
    match s {
        "" => out.push_str("(empty)"),
        "-" => out.push_str("\\x2d"),
        _ => {
            for c in s.chars() {
                let escape =
                    c == '\\' || c.is_control() && (c as u32) < 0x100 || in_list && c == ',';
                if escape {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                } else {
                    out.push(c);
                }
            }
        }
    }
}

/// Zeek's `#open`/`#close` format, YYYY-MM-DD-HH-MM-SS, in UTC.
fn stamp(time: SystemTime) -> String {
    let secs = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}-{:02}-{:02}-{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, for days on or after the epoch).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn rendered(cell: Cell<'_>) -> String {
        let mut out = String::new();
        render(&cell, &mut out);
        out
    }

    #[test]
    fn strings_follow_zeeks_escaping() {
        assert_eq!(rendered(Cell::Str("")), "(empty)");
        assert_eq!(rendered(Cell::Str("-")), "\\x2d");
        assert_eq!(rendered(Cell::Str("a\tb\\c\nd")), "a\\x09b\\x5cc\\x0ad");
        assert_eq!(rendered(Cell::Str("a,b é")), "a,b é");
        assert_eq!(rendered(Cell::Unset), "-");
    }

    #[test]
    fn lists_join_with_commas_and_escape_them_inside_items() {
        let list = Cell::List(vec![
            "ttl".into(),
            "TTL 63, others 52".into(),
            String::new(),
        ]);
        assert_eq!(rendered(list), "ttl,TTL 63\\x2c others 52,(empty)");
        assert_eq!(rendered(Cell::List(Vec::new())), "(empty)");
    }

    #[test]
    fn numbers_times_and_addresses_as_zeek_writes_them() {
        assert_eq!(
            rendered(Cell::Time(1_300_475_167.096_5)),
            "1300475167.096500"
        );
        assert_eq!(rendered(Cell::Double(0.85f32.into())), "0.85");
        assert_eq!(rendered(Cell::Double(1.0)), "1");
        assert_eq!(rendered(Cell::Bool(false)), "F");
        let [ip, port] = endpoint("[2001:db8::1]:443".parse().unwrap());
        assert_eq!(
            (rendered(ip), rendered(port)),
            ("2001:db8::1".into(), "443".into())
        );
    }

    #[test]
    fn open_and_close_stamps_are_utc_dates() {
        let at = |s| SystemTime::UNIX_EPOCH + Duration::from_secs(s);
        assert_eq!(stamp(at(0)), "1970-01-01-00-00-00");
        assert_eq!(stamp(at(951_782_400 + 3_661)), "2000-02-29-01-01-01");
        assert_eq!(stamp(at(1_767_225_599)), "2025-12-31-23-59-59");
    }

    #[test]
    fn every_row_has_as_many_cells_as_its_header_has_fields() {
        let outcome: Outcome = Err("not a capture".into());
        assert_eq!(capture_row(Some("x.pcap"), &outcome).len(), CAPTURES.len());
        let report = Report::default();
        assert_eq!(
            capture_row(Some("x.pcap"), &Ok(report)).len(),
            CAPTURES.len()
        );
    }
}
