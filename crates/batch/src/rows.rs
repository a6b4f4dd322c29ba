//! Reports as rows for data pipelines: one JSON object per reset, per
//! connection, per incident or per capture, each naming its capture. The same rows feed
//! `rstscope analyze --format ndjson`, the Python package's Arrow batches
//! and the Spark job, so they are equal wherever they come from.
//!
//! A reset row is the report's `Reset` object, field for field, with
//! `capture` first and the connection's `client` and `server` after it; a
//! connection row is the report's `Connection` with `capture`; an incident
//! row is the report's `Incident` with `capture` first and the time of its
//! root reset last. New fields of
//! the report appear in the rows by themselves.

use std::collections::BTreeMap;
use std::io::{self, Write};

use rstscope_core::report::{Connection, Endpoint, Incident, Origin, Report, Reset};
use serde::Serialize;

/// Which rows to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    Resets,
    Connections,
    Incidents,
    Captures,
}

/// One capture's outcome: its report, or why it could not be read.
pub type Outcome = Result<Report, String>;

#[derive(Serialize)]
pub struct ResetRow<'a> {
    /// The capture's path as given (null for bytes given without a name).
    pub capture: Option<&'a str>,
    #[serde(flatten)]
    pub reset: &'a Reset,
    /// The reset's connection's client and server ("ip:port"); null when
    /// the reset belongs to no listed connection.
    pub client: Option<Endpoint>,
    pub server: Option<Endpoint>,
}

#[derive(Serialize)]
pub struct ConnectionRow<'a> {
    pub capture: Option<&'a str>,
    #[serde(flatten)]
    pub connection: &'a Connection,
}

#[derive(Serialize)]
pub struct IncidentRow<'a> {
    pub capture: Option<&'a str>,
    #[serde(flatten)]
    pub incident: &'a Incident,
    /// When its root reset was captured (seconds since the epoch); null if
    /// the report does not list that reset.
    pub time: Option<f64>,
}

/// One row per capture, analysed or not: what a pipeline needs to know that
/// a file was read, and to find the ones that were not.
#[derive(Serialize)]
pub struct CaptureRow<'a> {
    pub capture: Option<&'a str>,
    /// Why the capture could not be analysed; null when it was (the other
    /// fields are then absent).
    pub error: Option<&'a str>,
    #[serde(flatten)]
    pub facts: Option<CaptureFacts<'a>>,
}

#[derive(Serialize)]
pub struct CaptureFacts<'a> {
    pub packets: u64,
    pub tcp_packets: u64,
    pub first_time: Option<f64>,
    pub last_time: Option<f64>,
    /// Connections seen (listed and unlisted).
    pub connections: u64,
    pub resets: u64,
    /// Resets concluded to come from a device on the path.
    pub forged: u64,
    pub warnings: u64,
    pub headline: &'a str,
    pub by_origin: &'a BTreeMap<String, u64>,
    pub by_cause: &'a BTreeMap<String, u64>,
}

impl<'a> CaptureRow<'a> {
    pub fn new(capture: Option<&'a str>, outcome: &'a Outcome) -> Self {
        match outcome {
            Ok(report) => Self {
                capture,
                error: None,
                facts: Some(CaptureFacts::of(report)),
            },
            Err(message) => Self {
                capture,
                error: Some(message),
                facts: None,
            },
        }
    }
}

impl<'a> CaptureFacts<'a> {
    pub fn of(report: &'a Report) -> Self {
        let info = &report.capture;
        Self {
            packets: info.packets,
            tcp_packets: info.tcp_packets,
            first_time: info.first_time,
            last_time: info.last_time,
            connections: report.connections.len() as u64 + info.unlisted_connections,
            resets: report.resets.len() as u64,
            forged: forged(report),
            warnings: info.warnings.len() as u64,
            headline: &report.summary.headline,
            by_origin: &report.summary.by_origin,
            by_cause: &report.summary.by_cause,
        }
    }
}

/// Resets concluded to come from a device on the path.
pub fn forged(report: &Report) -> u64 {
    let middlebox = report.summary.by_origin.get(Origin::Middlebox.as_str());
    middlebox.copied().unwrap_or(0)
}

/// The reset rows of one report, in frame order.
pub fn reset_rows<'a>(
    capture: Option<&'a str>,
    report: &'a Report,
) -> impl Iterator<Item = ResetRow<'a>> {
    report.resets.iter().map(move |reset| {
        let connection = reset
            .connection
            .and_then(|id| find(&report.connections, id));
        ResetRow {
            capture,
            reset,
            client: connection.map(|c| c.client),
            server: connection.map(|c| c.server),
        }
    })
}

/// The incident rows of one report, in the order of their first reset.
pub fn incident_rows<'a>(
    capture: Option<&'a str>,
    report: &'a Report,
) -> impl Iterator<Item = IncidentRow<'a>> {
    report.incidents.iter().map(move |incident| IncidentRow {
        capture,
        incident,
        time: reset_at(&report.resets, incident.root_frame).map(|r| r.time),
    })
}

/// The reset in `frame` (the report lists resets in frame order).
fn reset_at(resets: &[Reset], frame: u64) -> Option<&Reset> {
    let at = resets.binary_search_by_key(&frame, |r| r.frame).ok()?;
    resets.get(at)
}

/// The connection with `id` (the report lists connections in id order).
pub fn find(connections: &[Connection], id: u32) -> Option<&Connection> {
    let at = connections.binary_search_by_key(&id, |c| c.id).ok()?;
    connections.get(at)
}

/// Writes one capture's rows of `kind` as NDJSON: one JSON object a line.
/// A capture that could not be read has no reset or connection rows; its
/// capture row carries the error.
pub fn write_ndjson(
    out: &mut impl Write,
    kind: RowKind,
    capture: Option<&str>,
    outcome: &Outcome,
) -> io::Result<()> {
    match (kind, outcome) {
        (RowKind::Captures, _) => line(out, &CaptureRow::new(capture, outcome)),
        (_, Err(_)) => Ok(()),
        (RowKind::Resets, Ok(report)) => {
            reset_rows(capture, report).try_for_each(|row| line(out, &row))
        }
        (RowKind::Incidents, Ok(report)) => {
            incident_rows(capture, report).try_for_each(|row| line(out, &row))
        }
        (RowKind::Connections, Ok(report)) => {
            report.connections.iter().try_for_each(|connection| {
                line(
                    out,
                    &ConnectionRow {
                        capture,
                        connection,
                    },
                )
            })
        }
    }
}

fn line(out: &mut impl Write, row: &impl Serialize) -> io::Result<()> {
    // `io::Error::from` keeps the kind of a write error (a closed pipe).
    serde_json::to_writer(&mut *out, row).map_err(io::Error::from)?;
    out.write_all(b"\n")
}
