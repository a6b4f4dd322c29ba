//! The report's connection list, byte for byte as `write_pretty` writes
//! it, with each key and line start written as one constant. Through
//! serde_json every key goes through its string escaper and its own
//! writes: on a flood (77 000 listed connections, 15 keys each) that was
//! a third of the CLI's instructions (callgrind; BENCHMARKS.md, session 6).
//! `Connection` is destructured, so a field added to it does not compile
//! here until it is written; the tests compare with serde_json.

use std::io::{self, Write};

use rstscope_core::report::{Connection, Endpoint};
use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};

use super::array;

/// The list at depth 1 of the report (its items at depth 2).
pub fn write<W: Write + ?Sized>(out: &mut W, connections: &[Connection]) -> io::Result<()> {
    array::write_split(
        out,
        connections,
        &array::OBJECTS_AT_1,
        &array::THREE_OF_FIVE,
    )
}

impl array::Item for Connection {
    fn write<W: Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        connection(out, self)
    }
}

fn connection<W: Write + ?Sized>(out: &mut W, conn: &Connection) -> io::Result<()> {
    let Connection {
        id,
        stream,
        first_frame,
        client,
        server,
        roles_from,
        first_time,
        last_time,
        client_packets,
        server_packets,
        client_bytes,
        server_bytes,
        conn_state,
        history,
        resets,
    } = conn;
    out.write_all(b"\n      \"id\": ")?;
    CompactFormatter.write_u32(out, *id)?;
    out.write_all(b",\n      \"stream\": ")?;
    optional(out, stream.map(u64::from))?;
    out.write_all(b",\n      \"first_frame\": ")?;
    optional(out, *first_frame)?;
    out.write_all(b",\n      \"client\": ")?;
    endpoint(out, client)?;
    out.write_all(b",\n      \"server\": ")?;
    endpoint(out, server)?;
    out.write_all(b",\n      \"roles_from\": ")?;
    string(out, roles_from)?;
    out.write_all(b",\n      \"first_time\": ")?;
    float(out, *first_time)?;
    out.write_all(b",\n      \"last_time\": ")?;
    float(out, *last_time)?;
    out.write_all(b",\n      \"client_packets\": ")?;
    CompactFormatter.write_u64(out, *client_packets)?;
    out.write_all(b",\n      \"server_packets\": ")?;
    CompactFormatter.write_u64(out, *server_packets)?;
    out.write_all(b",\n      \"client_bytes\": ")?;
    CompactFormatter.write_u64(out, *client_bytes)?;
    out.write_all(b",\n      \"server_bytes\": ")?;
    CompactFormatter.write_u64(out, *server_bytes)?;
    out.write_all(b",\n      \"conn_state\": ")?;
    string(out, conn_state)?;
    out.write_all(b",\n      \"history\": ")?;
    string(out, history)?;
    out.write_all(b",\n      \"resets\": ")?;
    frames(out, resets)
}

pub(super) fn optional<W: Write + ?Sized>(out: &mut W, number: Option<u64>) -> io::Result<()> {
    match number {
        Some(n) => CompactFormatter.write_u64(out, n),
        None => out.write_all(b"null"),
    }
}

/// As serde_json writes an `f64`: `null` unless finite.
pub(super) fn float<W: Write + ?Sized>(out: &mut W, number: f64) -> io::Result<()> {
    if number.is_finite() {
        CompactFormatter.write_f64(out, number)
    } else {
        out.write_all(b"null")
    }
}

/// A string: as it is when serde_json would escape nothing in it
/// (no '"', '\\' or control character), else through serde_json.
pub(super) fn string<W: Write + ?Sized>(out: &mut W, text: &str) -> io::Result<()> {
    // Without an early exit the check is vectorised: findings and tips
    // are whole sentences.
    let plain = text.bytes().fold(true, |plain, b| {
        plain & (b >= 0x20) & (b != b'"') & (b != b'\\')
    });
    if plain {
        quoted(out, text)
    } else {
        value(out, text)
    }
}

/// An endpoint: an IPv4 one's text (digits, dots, a colon) needs no
/// escaping; through serde_json it cost ~480 instructions (callgrind).
pub(super) fn endpoint<W: Write + ?Sized>(out: &mut W, endpoint: &Endpoint) -> io::Result<()> {
    match endpoint.with_v4_text(|text| quoted(out, text)) {
        Some(written) => written,
        None => value(out, endpoint),
    }
}

/// A unit variant's name as serde writes it (`as_str`: kebab-case,
/// nothing to escape); through serde_json each cost its string escaper.
pub(super) fn name<W: Write + ?Sized>(out: &mut W, name: &'static str) -> io::Result<()> {
    quoted(out, name)
}

/// `text` in quotes, as it is.
fn quoted<W: Write + ?Sized>(out: &mut W, text: &str) -> io::Result<()> {
    out.write_all(b"\"")?;
    out.write_all(text.as_bytes())?;
    out.write_all(b"\"")
}

/// A value that serialises to one line (a string or a number).
fn value<W: Write + ?Sized, T: Serialize + ?Sized>(out: &mut W, v: &T) -> io::Result<()> {
    serde_json::to_writer(out, v).map_err(io::Error::from)
}

/// The frame numbers of a connection's resets, at depth 3.
fn frames<W: Write + ?Sized>(out: &mut W, frames: &[u64]) -> io::Result<()> {
    array::write(out, frames, &array::VALUES_AT_3, |out, &frame| {
        CompactFormatter.write_u64(out, frame)
    })
}
