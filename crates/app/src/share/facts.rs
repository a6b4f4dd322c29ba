//! Evidence facts on the wire. `Fact` is tagged by its kind's name, as in
//! the report JSON, which postcard cannot read back; so each fact travels
//! as MessagePack (struct fields in order), with its kind's name swapped
//! for its place in [`KINDS`] when it is there. The names were 40% of a
//! link's bytes; the index is one byte. A kind missing from the table
//! (one added to the core after it) travels by name, so the table only
//! ever saves bytes, never loses a fact.

use crate::protocol::from_json;
use rstscope_core::report::{fact_fields_in_order, Fact, FactScalar, Origin};
use serde::de::Error as _;
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The fact kinds of link format v2, by index. Links made with this table
/// must open forever: only ever append.
pub const KINDS: [&str; 86] = [
    "diagnostic-code",
    "diagnostic-reason",
    "big-ip-text",
    "relayed-reset",
    "payload-says",
    "ttl-initial",
    "ttl-as-connection",
    "ttl-as-host-not-connection",
    "ttl-differs-connection",
    "ttl-as-host",
    "ttl-differs-host",
    "ttl-alone",
    "df-missing",
    "ip-id-zero-unexpected",
    "ip-id-zero-df",
    "ip-id-copies-trigger",
    "ip-id-continues",
    "ip-id-breaks",
    "ip-id-not-zero",
    "ack-zero",
    "ack-beyond",
    "ack-isn-plus-one",
    "seq-exact",
    "seq-is-peer-ack",
    "seq-in-window",
    "seq-outside-window",
    "timing-early",
    "timing-in-line",
    "race-data",
    "race-packets",
    "repeat",
    "crafted-flags",
    "answers-syn-in-name",
    "answers-invalid-segment",
    "idle-before-trigger",
    "forged-unexplained",
    "stealth-probe",
    "connect-probe",
    "port-sweep",
    "answers-syn",
    "half-open",
    "scanner-abort",
    "scanner-kernel",
    "both-fin",
    "data-after-close",
    "after-own-fin",
    "after-teardown",
    "rst-repeated",
    "lost-connection",
    "socketless-answer",
    "gave-up",
    "silence-then-reset",
    "idle-forgotten",
    "no-context",
    "mid-connection-answer",
    "mid-connection-after",
    "syn-ack-after-reset",
    "fin-gave-up",
    "device-silence-reset",
    "unwanted-connection",
    "challenge-ack-answered",
    "request-unanswered",
    "window-stayed-shut",
    "no-socket-answer",
    "invalid-trigger",
    "reject-numbers",
    "peer-retransmitting",
    "vantage-past-limits",
    "vantage-no-connection",
    "vantage-both-nearer-there",
    "vantage-both",
    "vantage-not-watching",
    "vantage-made-on-path",
    "vantage-dropped-on-path",
    "vantage-one-side-only",
    "vantage-same-capture",
    // Appended: a link's index of an older kind never moves.
    "shared-address",
    "refusal-with-data",
    "own-series-after-fin",
    "connectionless-after-fin",
    "ip-id-copies-as-sender",
    "accepted-after-own-reset",
    "kernel-syn",
    "never-used",
    "syn-sent-rejects",
    "abort-after-own",
];

/// A fact's kind: its index in [`KINDS`], or its name.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
enum Kind {
    Known(u8),
    Named(String),
}

/// One evidence item as carried: the origin it argues for, the fact's
/// kind, its number of MessagePack fields (kind included) and those
/// fields after the kind.
type Wire = (Origin, Kind, u32, Vec<u8>);

fn to_wire(origin: Origin, fact: &Fact) -> Result<Wire, String> {
    // The fact's MessagePack fields are written from its JSON object, fields
    // in order, through the JSON writer the page has for "Export JSON" and
    // core's reader of a fact's fields: `rmp_serde`'s writer of a `Fact` was
    // one more copy of its 83 variants (33 KB of the page's WebAssembly).
    // The bytes are the same.
    let json = serde_json::to_string_pretty(fact).map_err(|err| err.to_string())?;
    let mut reader = serde_json::Deserializer::from_str(&json);
    let fields = fact_fields_in_order(&mut reader).map_err(|err| err.to_string())?;
    let mut fields = fields.into_iter().map(|(_, value)| value);
    let Some(FactScalar::Text(name)) = fields.next() else {
        return Err("a fact's kind is not its first field".into());
    };
    let kind = match KINDS.iter().position(|k| *k == name) {
        Some(index) => Kind::Known(index as u8),
        None => Kind::Named(name),
    };
    let mut rest = Vec::new();
    let count = 1 + fields.len() as u32;
    for value in fields {
        write(&value, &mut rest);
    }
    Ok((origin, kind, count, rest))
}

/// A fact's field as `rmp_serde` writes it (unit variants are their names).
fn write(value: &FactScalar, out: &mut Vec<u8>) {
    // Writing into a Vec cannot fail.
    let _ = match value {
        FactScalar::Null => rmp::encode::write_nil(out).is_ok(),
        FactScalar::Bool(b) => rmp::encode::write_bool(out, *b).is_ok(),
        FactScalar::Unsigned(n) => rmp::encode::write_uint(out, *n).is_ok(),
        FactScalar::Signed(n) => rmp::encode::write_sint(out, *n).is_ok(),
        FactScalar::Float(x) => rmp::encode::write_f64(out, *x).is_ok(),
        FactScalar::Text(text) => rmp::encode::write_str(out, text).is_ok(),
    };
}

fn from_wire((origin, kind, fields, rest): Wire) -> Result<(Origin, Fact), String> {
    let name = match &kind {
        Kind::Known(index) => *KINDS
            .get(usize::from(*index))
            .ok_or_else(|| format!("fact kind {index} is not one rstscope has"))?,
        Kind::Named(name) => name.as_str(),
    };
    let mut packed = Vec::with_capacity(rest.len() + name.len() + 8);
    // Writing into a Vec cannot fail.
    let _ = rmp::encode::write_array_len(&mut packed, fields);
    let _ = rmp::encode::write_str(&mut packed, name);
    packed.extend_from_slice(&rest);
    // Read as JSON (MessagePack's array of the kind and the fields in order
    // reads the same as a JSON array): the page holds serde_json's reader
    // of a `Fact` anyway (the worker's reports are JSON), while a
    // MessagePack reader of it was 198 KB of the page's WebAssembly.
    let bad = |err: &dyn core::fmt::Display| format!("an evidence fact: {err}");
    let value: serde_json::Value = rmp_serde::from_slice(&packed).map_err(|err| bad(&err))?;
    let json = serde_json::to_vec(&value).map_err(|err| bad(&err))?;
    let fact = from_json(&json).map_err(|err| bad(&err))?;
    Ok((origin, fact))
}

/// `#[serde(with = "facts")]` for a list of evidence items.
pub fn serialize<S: Serializer>(items: &[(Origin, Fact)], s: S) -> Result<S::Ok, S::Error> {
    let wire: Result<Vec<Wire>, String> = items.iter().map(|(o, f)| to_wire(*o, f)).collect();
    wire.map_err(S::Error::custom)?.serialize(s)
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(Origin, Fact)>, D::Error> {
    let wire: Vec<Wire> = Vec::deserialize(d)?;
    wire.into_iter()
        .map(|item| from_wire(item).map_err(D::Error::custom))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_distinct() {
        let mut sorted = KINDS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), KINDS.len());
    }

    /// Every shape a fact's field takes (enums, options, negative and
    /// large numbers, text) comes back equal from the wire.
    #[test]
    fn facts_of_every_field_shape_read_back_equal() {
        use rstscope_core::report::{CaptureName, IpIdPattern, Probe, Role, VantagePoint};
        let facts = [
            Fact::StealthProbe {
                role: Role::Client,
                probe: Probe::Xmas,
            },
            Fact::IpIdZeroUnexpected {
                role: Role::Server,
                pattern: IpIdPattern::PerConnection,
            },
            Fact::SeqIsPeerAck {
                role: Role::Client,
                seq: u32::MAX,
                behind: -70_000,
            },
            Fact::VantageMadeOnPath {
                there: VantagePoint::ServerSide,
                sender: Role::Server,
                packets: u64::MAX,
                dropped: None,
            },
            Fact::VantageMadeOnPath {
                there: VantagePoint::ClientSide,
                sender: Role::Client,
                packets: 3,
                dropped: Some(9),
            },
            Fact::VantageNoConnection {
                other: CaptureName::Peer,
                running: true,
            },
            Fact::WifiLink {
                role: Role::Client,
                frame: 4,
                attempts: 7,
                span_ns: i64::MIN,
                overtaken: 2,
                late_ns: 5,
                signal_dbm: Some(-61),
                rate_kbps: None,
            },
            Fact::Process {
                role: Role::Server,
                name: "nginx \"worker\" ✓".into(),
                pid: Some(812),
            },
            Fact::IpIdZeroDf,
        ];
        for fact in facts {
            // The same bytes as rmp_serde's writer of the fact.
            let packed = rmp_serde::to_vec(&fact).unwrap();
            let (_, kind, count, rest) = to_wire(Origin::Middlebox, &fact).unwrap();
            let mut again = Vec::new();
            rmp::encode::write_array_len(&mut again, count).unwrap();
            let name = match kind {
                Kind::Known(index) => KINDS[usize::from(index)].to_string(),
                Kind::Named(name) => name,
            };
            rmp::encode::write_str(&mut again, &name).unwrap();
            again.extend_from_slice(&rest);
            assert_eq!(again, packed, "{fact:?}");
            let wire = to_wire(Origin::Middlebox, &fact);
            assert_eq!(wire.and_then(from_wire), Ok((Origin::Middlebox, fact)));
        }
    }

    #[test]
    fn a_kind_outside_the_table_travels_by_name() {
        let wire = (
            Origin::Server,
            Kind::Named("ip-id-zero-df".into()),
            1,
            Vec::new(),
        );
        assert_eq!(from_wire(wire), Ok((Origin::Server, Fact::IpIdZeroDf)));
        let wire = (Origin::Server, Kind::Known(u8::MAX), 1, Vec::new());
        assert!(from_wire(wire).is_err_and(|why| why.contains("255")));
    }
}
