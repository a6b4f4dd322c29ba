//! The report's resets, byte for byte as `write_pretty` writes them: the
//! numbers, strings, evidence, tips and ladder packets of each reset with
//! each key and line start written as one constant, the enums by their
//! `as_str` names, an evidence's fact by [`super::fact`]. Each reset's
//! ladder holds up to 21 packets of 13 keys; through serde_json every key
//! went through its string escaper: on the `scan` mix (1 734 resets) the
//! resets were 68 M of the CLI's 316 M instructions (callgrind;
//! BENCHMARKS.md, session 7). `Reset`, `LadderPacket`, `Observed` and
//! `Conflict` are destructured, so a field added to one does not compile
//! here until it is written; the tests compare with serde_json.

use std::io::{self, Write};

use rstscope_core::report::{Conflict, Evidence, LadderPacket, Observed, Reset, Signal, Tip};
use serde_json::ser::{CompactFormatter, Formatter};

use super::array;
use super::connections::{endpoint, float, name, optional, string};

/// The list at depth 1 of the report (its items at depth 2).
pub fn write<W: Write + ?Sized>(out: &mut W, resets: &[Reset]) -> io::Result<()> {
    array::write_split(out, resets, &array::OBJECTS_AT_1, &array::HALVES)
}

impl array::Item for Reset {
    fn write<W: Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        reset(out, self)
    }
}

fn reset<W: Write + ?Sized>(out: &mut W, reset: &Reset) -> io::Result<()> {
    let Reset {
        frame,
        time,
        src,
        dst,
        seq,
        ack,
        flags,
        ttl,
        ip_id,
        payload_len,
        encapsulation,
        connection,
        stream,
        sender,
        origin,
        cause,
        sub_cause,
        confidence,
        evidence,
        signature,
        stage,
        payload_text,
        reason_code,
        tips,
        observed,
        ladder,
        consequence_of,
        incident,
        conflict,
    } = reset;
    out.write_all(b"\n      \"frame\": ")?;
    CompactFormatter.write_u64(out, *frame)?;
    out.write_all(b",\n      \"time\": ")?;
    float(out, *time)?;
    out.write_all(b",\n      \"src\": ")?;
    endpoint(out, src)?;
    out.write_all(b",\n      \"dst\": ")?;
    endpoint(out, dst)?;
    out.write_all(b",\n      \"seq\": ")?;
    CompactFormatter.write_u32(out, *seq)?;
    out.write_all(b",\n      \"ack\": ")?;
    CompactFormatter.write_u32(out, *ack)?;
    out.write_all(b",\n      \"flags\": ")?;
    string(out, flags)?;
    out.write_all(b",\n      \"ttl\": ")?;
    CompactFormatter.write_u8(out, *ttl)?;
    out.write_all(b",\n      \"ip_id\": ")?;
    optional(out, ip_id.map(u64::from))?;
    out.write_all(b",\n      \"payload_len\": ")?;
    CompactFormatter.write_u32(out, *payload_len)?;
    out.write_all(b",\n      \"encapsulation\": ")?;
    string(out, encapsulation)?;
    out.write_all(b",\n      \"connection\": ")?;
    optional(out, connection.map(u64::from))?;
    out.write_all(b",\n      \"stream\": ")?;
    optional(out, stream.map(u64::from))?;
    out.write_all(b",\n      \"sender\": ")?;
    name(out, sender.as_str())?;
    out.write_all(b",\n      \"origin\": ")?;
    name(out, origin.as_str())?;
    out.write_all(b",\n      \"cause\": ")?;
    name(out, cause.as_str())?;
    out.write_all(b",\n      \"sub_cause\": ")?;
    match sub_cause {
        Some(sub_cause) => name(out, sub_cause.as_str())?,
        None => out.write_all(b"null")?,
    }
    out.write_all(b",\n      \"confidence\": ")?;
    float32(out, *confidence)?;
    out.write_all(b",\n      \"evidence\": ")?;
    array::write(out, evidence, &array::OBJECTS_AT_3, self::evidence)?;
    out.write_all(b",\n      \"signature\": ")?;
    optional_string(out, signature.as_deref())?;
    out.write_all(b",\n      \"stage\": ")?;
    name(out, stage.as_str())?;
    out.write_all(b",\n      \"payload_text\": ")?;
    optional_string(out, payload_text.as_deref())?;
    out.write_all(b",\n      \"reason_code\": ")?;
    optional(out, reason_code.map(u64::from))?;
    out.write_all(b",\n      \"tips\": ")?;
    array::write(out, tips, &array::OBJECTS_AT_3, tip)?;
    out.write_all(b",\n      \"observed\": ")?;
    self::observed(out, observed)?;
    out.write_all(b",\n      \"ladder\": ")?;
    array::write(out, ladder, &array::OBJECTS_AT_3, packet)?;
    out.write_all(b",\n      \"consequence_of\": ")?;
    optional(out, *consequence_of)?;
    out.write_all(b",\n      \"incident\": ")?;
    optional(out, incident.map(u64::from))?;
    out.write_all(b",\n      \"conflict\": ")?;
    match conflict {
        Some(conflict) => self::conflict(out, conflict),
        None => out.write_all(b"null"),
    }
}

/// As serde_json writes an `f32`: `null` unless finite.
fn float32<W: Write + ?Sized>(out: &mut W, number: f32) -> io::Result<()> {
    if number.is_finite() {
        CompactFormatter.write_f32(out, number)
    } else {
        out.write_all(b"null")
    }
}

fn optional_string<W: Write + ?Sized>(out: &mut W, text: Option<&str>) -> io::Result<()> {
    match text {
        Some(text) => string(out, text),
        None => out.write_all(b"null"),
    }
}

/// The numbers the tips quote, an object at depth 3.
fn observed<W: Write + ?Sized>(out: &mut W, observed: &Observed) -> io::Result<()> {
    let Observed {
        idle_ns,
        server_port,
        retransmissions,
    } = observed;
    out.write_all(b"{\n        \"idle_ns\": ")?;
    match idle_ns {
        Some(ns) => CompactFormatter.write_i64(out, *ns)?,
        None => out.write_all(b"null")?,
    }
    out.write_all(b",\n        \"server_port\": ")?;
    optional(out, server_port.map(u64::from))?;
    out.write_all(b",\n        \"retransmissions\": ")?;
    CompactFormatter.write_u32(out, *retransmissions)?;
    out.write_all(b"\n      }")
}

/// The signals for two origins, an object at depth 3.
fn conflict<W: Write + ?Sized>(out: &mut W, conflict: &Conflict) -> io::Result<()> {
    let Conflict {
        concluded,
        for_concluded,
        other,
        for_other,
        sentence,
    } = conflict;
    out.write_all(b"{\n        \"concluded\": ")?;
    name(out, concluded.as_str())?;
    out.write_all(b",\n        \"for_concluded\": ")?;
    signals(out, for_concluded)?;
    out.write_all(b",\n        \"other\": ")?;
    name(out, other.as_str())?;
    out.write_all(b",\n        \"for_other\": ")?;
    signals(out, for_other)?;
    out.write_all(b",\n        \"sentence\": ")?;
    string(out, sentence)?;
    out.write_all(b"\n      }")
}

/// Kinds of signal, in an array at depth 4.
fn signals<W: Write + ?Sized>(out: &mut W, signals: &[Signal]) -> io::Result<()> {
    array::write(out, signals, &array::VALUES_AT_4, |out, signal| {
        name(out, signal.as_str())
    })
}

/// One piece of evidence at depth 4, its typed fact by [`super::fact`].
fn evidence<W: Write + ?Sized>(out: &mut W, evidence: &Evidence) -> io::Result<()> {
    let Evidence {
        signal,
        finding,
        points_to,
        fact,
    } = evidence;
    out.write_all(b"\n          \"signal\": ")?;
    name(out, signal.as_str())?;
    out.write_all(b",\n          \"finding\": ")?;
    string(out, finding)?;
    out.write_all(b",\n          \"points_to\": ")?;
    name(out, points_to.as_str())?;
    out.write_all(b",\n          \"fact\": ")?;
    super::fact::write(out, fact)
}

/// One tip at depth 4, its commands one string a line.
fn tip<W: Write + ?Sized>(out: &mut W, tip: &Tip) -> io::Result<()> {
    let Tip { text, commands } = tip;
    out.write_all(b"\n          \"text\": ")?;
    string(out, text)?;
    out.write_all(b",\n          \"commands\": ")?;
    array::write(out, commands, &array::VALUES_AT_5, |out, command| {
        string(out, command)
    })
}

fn packet<W: Write + ?Sized>(out: &mut W, packet: &LadderPacket) -> io::Result<()> {
    let LadderPacket {
        frame,
        time,
        from,
        flags,
        seq,
        ack,
        relative,
        payload_len,
        window,
        ttl,
        ip_id,
        gap_ms,
    } = packet;
    out.write_all(b"\n          \"frame\": ")?;
    CompactFormatter.write_u64(out, *frame)?;
    out.write_all(b",\n          \"time\": ")?;
    float(out, *time)?;
    out.write_all(b",\n          \"from\": ")?;
    name(out, from.as_str())?;
    out.write_all(b",\n          \"flags\": ")?;
    string(out, flags)?;
    out.write_all(b",\n          \"seq\": ")?;
    CompactFormatter.write_u32(out, *seq)?;
    out.write_all(b",\n          \"ack\": ")?;
    CompactFormatter.write_u32(out, *ack)?;
    out.write_all(b",\n          \"relative\": ")?;
    CompactFormatter.write_bool(out, *relative)?;
    out.write_all(b",\n          \"payload_len\": ")?;
    CompactFormatter.write_u32(out, *payload_len)?;
    out.write_all(b",\n          \"window\": ")?;
    CompactFormatter.write_u32(out, *window)?;
    out.write_all(b",\n          \"ttl\": ")?;
    CompactFormatter.write_u8(out, *ttl)?;
    out.write_all(b",\n          \"ip_id\": ")?;
    optional(out, ip_id.map(u64::from))?;
    out.write_all(b",\n          \"gap_ms\": ")?;
    float(out, *gap_ms)
}
