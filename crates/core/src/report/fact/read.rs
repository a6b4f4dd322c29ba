//! Reads a [`Fact`] back from its object (`{"kind": "…", field: value, …}`).
//!
//! Why not serde's derive: for an internally tagged enum it writes one
//! reader per variant for every deserializer, and for 83 variants that was
//! a single ~160 KB wasm function the page compiled when its first report
//! arrived. Here the deserializer only collects the object's scalars (every
//! field of a fact is a number, a string, a bool or null); the variants are
//! then read from those by code that does not depend on the format, so it
//! exists once. The JSON is the derive's: same fields, same errors (an
//! unknown field is an error that names it and the variant's fields), and
//! like the derive it also reads the kind and the fields in order as an
//! array (how a share link carries a fact).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use serde::de::{self, value, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::Fact;

impl<'de> Deserialize<'de> for Fact {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let object = deserializer.deserialize_any(ObjectVisitor)?;
        read(object).map_err(de::Error::custom)
    }
}

/// One field's value before the variant, and so its type, is known.
#[derive(Debug)]
pub enum Scalar {
    Null,
    Bool(bool),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Text(String),
}

/// A fact's object read as its fields in the order written (`kind` first),
/// before any variant is: how share links write a fact's MessagePack
/// (the app), through this same reader.
pub fn fields_in_order<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<(String, Scalar)>, D::Error> {
    match deserializer.deserialize_any(ObjectVisitor)? {
        Object::Named(fields) => Ok(fields),
        Object::InOrder(_) => Err(de::Error::custom(
            "a fact's fields in order, not its object",
        )),
    }
}

/// A fact as read: named fields, or the kind and the fields in order.
enum Object {
    Named(Vec<(String, Scalar)>),
    InOrder(Vec<Scalar>),
}

/// The named fields not yet taken.
struct Fields(Vec<(String, Scalar)>);

struct ObjectVisitor;

impl<'de> Visitor<'de> for ObjectVisitor {
    type Value = Object;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("internally tagged enum Fact")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Object, A::Error> {
        let mut fields = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            fields.push((key, map.next_value::<Scalar>()?));
        }
        Ok(Object::Named(fields))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Object, A::Error> {
        let mut values = Vec::new();
        while let Some(value) = seq.next_element::<Scalar>()? {
            values.push(value);
        }
        Ok(Object::InOrder(values))
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number, a string, a boolean or null")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar::Unsigned(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Signed(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar::Float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Text(v.into()))
    }

    fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::Text(v))
    }

    fn visit_unit<E>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }

    fn visit_none<E>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Scalar, D::Error> {
        Scalar::deserialize(deserializer)
    }
}

/// A field's type reads itself from the scalar, as from the format.
impl<'de> Deserializer<'de> for Scalar {
    type Error = value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, value::Error> {
        match self {
            Scalar::Null => visitor.visit_unit(),
            Scalar::Bool(v) => visitor.visit_bool(v),
            Scalar::Unsigned(v) => visitor.visit_u64(v),
            Scalar::Signed(v) => visitor.visit_i64(v),
            Scalar::Float(v) => visitor.visit_f64(v),
            Scalar::Text(v) => visitor.visit_string(v),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, value::Error> {
        match self {
            Scalar::Null => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, value::Error> {
        match self {
            Scalar::Text(v) => v
                .into_deserializer()
                .deserialize_enum(name, variants, visitor),
            other => other.deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

/// An absent field: `None` for an `Option`, else a missing field (serde's
/// rule for derived structs).
struct Absent(&'static str);

impl<'de> Deserializer<'de> for Absent {
    type Error = value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, value::Error> {
        Err(de::Error::missing_field(self.0))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, value::Error> {
        visitor.visit_none()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

impl Fields {
    /// Takes the field `name` out, read as a `T`.
    fn take<'de, T: Deserialize<'de>>(&mut self, name: &'static str) -> Result<T, value::Error> {
        match self.0.iter().position(|(key, _)| key == name) {
            Some(at) => T::deserialize(self.0.swap_remove(at).1),
            None => T::deserialize(Absent(name)),
        }
    }

    /// Fails on a field twice, as a derived struct does.
    fn check_unique(&self) -> Result<(), value::Error> {
        for (at, (key, _)) in self.0.iter().enumerate() {
            if self.0.iter().skip(at + 1).any(|(other, _)| other == key) {
                return Err(de::Error::custom(format!("duplicate field `{key}`")));
            }
        }
        Ok(())
    }

    /// Fails on a field the variant (whose fields are `expected`) lacks.
    fn check_none_left(&self, expected: &'static [&'static str]) -> Result<(), value::Error> {
        match self.0.first() {
            Some((key, _)) => Err(de::Error::unknown_field(key, expected)),
            None => Ok(()),
        }
    }
}

/// The fact the object describes: `kind` names the variant.
fn read(object: Object) -> Result<Fact, value::Error> {
    let (kind, mut fields) = match object {
        Object::Named(fields) => {
            let mut fields = Fields(fields);
            fields.check_unique()?;
            (fields.take("kind")?, fields)
        }
        Object::InOrder(values) => in_order(values)?,
    };
    let fact = kind.read(&mut fields)?;
    fields.check_none_left(kind.fields())?;
    Ok(fact)
}

/// The kind, then the variant's fields named by their place.
fn in_order(values: Vec<Scalar>) -> Result<(Kind, Fields), value::Error> {
    let mut values = values.into_iter();
    let kind = Kind::deserialize(
        values
            .next()
            .ok_or_else(|| de::Error::missing_field("kind"))?,
    )?;
    let names = kind.fields();
    if values.len() != names.len() {
        let expected = format!("{} fields after the kind", names.len());
        return Err(de::Error::invalid_length(values.len(), &expected.as_str()));
    }
    let named = names.iter().map(|name| String::from(*name)).zip(values);
    Ok((kind, Fields(named.collect())))
}

/// Declares `Kind` (the variants' names, as `kind` spells them) and reads
/// each variant from its fields, by name; the list is [`Fact`]'s.
macro_rules! variants {
    ($($variant:ident $({ $($field:ident),* })?,)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        enum Kind {
            $($variant,)*
        }

        impl Kind {
            /// The variant, its fields taken from `fields`.
            fn read(self, fields: &mut Fields) -> Result<Fact, value::Error> {
                Ok(match self {
                    $(Kind::$variant => {
                        Fact::$variant $({ $($field: fields.take(stringify!($field))?,)* })?
                    })*
                })
            }

            /// The variant's field names, in order.
            fn fields(self) -> &'static [&'static str] {
                match self {
                    $(Kind::$variant => &[$($(stringify!($field),)*)?],)*
                }
            }
        }

        /// Every variant has its `Kind` (a compile error otherwise).
        #[cfg(test)]
        fn kind_of(fact: &Fact) -> Kind {
            match fact {
                $(Fact::$variant { .. } => Kind::$variant,)*
            }
        }
    };
}

variants! {
    DiagnosticCode { role, code },
    DiagnosticReason { code },
    BigIpText { role, text },
    RelayedReset { text },
    PayloadSays { text },
    MptcpReset { role, reason },
    TtlInitial { role, ttl, packets },
    TtlAsConnection { role, ttl, packets },
    TtlAsHostNotConnection { role, ttl, usual, matching, packets },
    TtlDiffersConnection { role, ttl, packets, usual },
    TtlAsHost { role, ttl, packets },
    TtlDiffersHost { role, ttl, packets, usual },
    TtlAlone { role, ttl },
    DfMissing { role, packets },
    IpIdZeroUnexpected { role, pattern },
    IpIdZeroDf,
    IpIdCopiesTrigger { role, id },
    IpIdCopiesAsSender { role, id, copies, packets },
    IpIdContinues { role, id, last, counter },
    IpIdBreaks { role, id, last, counter },
    IpIdNotZero { role, id },
    AckZero { role },
    AckBeyond { role, ack, bytes },
    AckIsnPlusOne { role, ack, isn },
    SeqExact { role, seq },
    SeqIsPeerAck { role, seq, behind },
    SeqInWindow { role, seq, offset },
    SeqOutsideWindow { role, seq, offset },
    TimingEarly { role, delay_ns, answer_ns },
    TimingInLine { role, delay_ns, answer_ns },
    RaceData { role, after_ns },
    RacePackets { role, packets, first_ns },
    Repeat { apart_ns, later, seq_moves, ack_moves },
    CraftedFlags { flags },
    AnswersSynInName { role },
    AnswersInvalidSegment { role, frame, seq, out_of_window },
    IdleBeforeTrigger { role, idle_ns },
    ForgedUnexplained { role },
    SharedAddress { role },
    StealthProbe { role, probe },
    ConnectProbe { role, after_ns, scanner },
    PortSweep { role },
    AnswersSyn { role },
    HalfOpen { role },
    ScannerAbort { role },
    ScannerKernel { role },
    BothFin,
    DataAfterClose { role, fin_seq, bytes },
    AfterOwnFin { role, fin_seq },
    OwnSeriesAfterFin { role, ip_id, last },
    ConnectionlessAfterFin { role, fin_seq, ack },
    AlsoFits { cause, sub_cause },
    AfterTeardown { role, root_frame },
    RstRepeated { role, times, seq },
    CaptureCopy { frame, apart_ns },
    LostConnection { role, times },
    SocketlessAnswer { role, seq },
    GaveUp { role, retransmissions, over_ns },
    SilenceThenReset { role, silence_ns },
    IdleForgotten { role, idle_ns },
    NoContext,
    AbortForm { role },
    RefusalForm { role },
    RefusalWithData { role, bytes },
    MidConnectionAnswer { role, bytes },
    MidConnectionAfter { gap_ns },
    SynAckAfterReset { role, after_ns },
    AcceptedAfterOwnReset { role, after_ns },
    SynSentRejects { role, frame },
    FinGaveUp { role, fins, over_ns },
    DeviceSilenceReset { role, silence_ns },
    PurgedAfterClose { role, silence_ns },
    UnwantedConnection { role },
    AbortAfterOwn { role, seq },
    KernelSyn { role, shift },
    NeverUsed { role, idle_ns },
    ChallengeAckAnswered { role, ack },
    RequestUnanswered { role, bytes, waited_ns },
    WindowStayedShut { role, probes },
    NoSocketAnswer { role, frame, bytes },
    InvalidTrigger { role, frame, flaw },
    RejectNumbers { role, seq, with_ack },
    PeerRetransmitting { role, copies, over_ns },
    VantagePastLimits,
    VantageNoConnection { other, running },
    VantageBothNearerThere { there, sender, frame },
    VantageBoth { there, frame },
    VantageNotWatching { other },
    VantageMadeOnPath { there, sender, packets, dropped },
    VantageDroppedOnPath { here, there, receiver },
    VantageOneSideOnly { here, sender },
    VantageSameCapture,
    WifiLink { role, frame, attempts, span_ns, overtaken, late_ns, signal_dbm, rate_kbps },
    NflogRule { role, frame, prefix, hook, group, usual },
    Process { role, name, pid },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::Hook;
    use crate::report::{CaptureName, Role, VantagePoint};
    use alloc::string::ToString;
    use alloc::vec;

    fn read_json(json: &str) -> Result<Fact, String> {
        serde_json::from_str(json).map_err(|err| err.to_string())
    }

    /// Facts whose fields cover every type a fact holds, both types of the
    /// names two variants use differently (`usual`, `here`), unit variants
    /// and absent or null options.
    fn samples() -> Vec<Fact> {
        vec![
            Fact::DiagnosticCode {
                role: Role::Server,
                code: u32::MAX,
            },
            Fact::BigIpText {
                role: Role::Client,
                text: "a \"quoted\" ☃".into(),
            },
            Fact::TtlDiffersConnection {
                role: Role::Server,
                ttl: 255,
                packets: 3,
                usual: Some(64),
            },
            Fact::TtlDiffersHost {
                role: Role::Client,
                ttl: 0,
                packets: 0,
                usual: None,
            },
            Fact::IpIdZeroDf,
            Fact::AckBeyond {
                role: Role::Client,
                ack: 7,
                bytes: i64::MIN,
            },
            Fact::SeqInWindow {
                role: Role::Server,
                seq: 1,
                offset: -5,
            },
            Fact::AnswersInvalidSegment {
                role: Role::Server,
                frame: u64::MAX,
                seq: 9,
                out_of_window: true,
            },
            Fact::VantageOneSideOnly {
                here: CaptureName::Peer,
                sender: Role::Client,
            },
            Fact::VantageDroppedOnPath {
                here: VantagePoint::ClientSide,
                there: VantagePoint::Unknown,
                receiver: Role::Server,
            },
            Fact::VantageMadeOnPath {
                there: VantagePoint::ServerSide,
                sender: Role::Server,
                packets: 2,
                dropped: None,
            },
            Fact::WifiLink {
                role: Role::Client,
                frame: 4,
                attempts: 3,
                span_ns: 1,
                overtaken: 2,
                late_ns: -1,
                signal_dbm: Some(-70),
                rate_kbps: None,
            },
            Fact::NflogRule {
                role: Role::Server,
                frame: 1,
                prefix: "DROP ".into(),
                hook: Some(Hook::Forward),
                group: 2,
                usual: Some("ACCEPT".into()),
            },
            Fact::Process {
                role: Role::Client,
                name: "curl".into(),
                pid: Some(42),
            },
            Fact::BothFin,
        ]
    }

    #[test]
    fn test_read_written_reads_equal_and_writes_the_same_bytes() {
        for fact in samples() {
            let json = serde_json::to_string(&fact).unwrap();
            let back = read_json(&json).unwrap();
            assert_eq!(back, fact, "{json}");
            assert_eq!(serde_json::to_string(&back).unwrap(), json);
            let kind: Kind = serde_json::from_value(
                serde_json::from_str::<serde_json::Value>(&json).unwrap()["kind"].clone(),
            )
            .unwrap();
            assert_eq!(kind_of(&fact), kind, "{json}");
        }
    }

    #[test]
    fn test_read_in_order_as_a_link_carries_it() {
        let fact = read_json(r#"["ttl-differs-host","server",9,3,null]"#);
        let usual = None;
        assert_eq!(
            fact,
            Ok(Fact::TtlDiffersHost {
                role: Role::Server,
                ttl: 9,
                packets: 3,
                usual
            })
        );
        assert_eq!(read_json(r#"["both-fin"]"#), Ok(Fact::BothFin));
        let err = read_json(r#"["ttl-differs-host","server",9,3]"#).unwrap_err();
        assert!(
            err.starts_with("invalid length 3, expected 4 fields after the kind"),
            "{err}"
        );
        let err = read_json(r#"["both-fin",1]"#).unwrap_err();
        assert!(
            err.starts_with("invalid length 1, expected 0 fields"),
            "{err}"
        );
        assert!(read_json("[]")
            .unwrap_err()
            .starts_with("missing field `kind`"));
    }

    #[test]
    fn test_read_kind_after_fields_and_options_absent_or_null() {
        let fact = read_json(r#"{"packets":3,"ttl":9,"role":"server","kind":"ttl-differs-host"}"#);
        let usual = None;
        assert_eq!(
            fact,
            Ok(Fact::TtlDiffersHost {
                role: Role::Server,
                ttl: 9,
                packets: 3,
                usual
            })
        );
        let null = read_json(
            r#"{"kind":"ttl-differs-host","role":"server","ttl":9,"packets":3,"usual":null}"#,
        );
        assert_eq!(null, fact);
    }

    #[test]
    fn test_read_unknown_field_is_an_error_naming_it_and_the_fields() {
        let err = read_json(r#"{"kind":"seq-exact","role":"client","seq":1,"ttl":3}"#).unwrap_err();
        assert!(
            err.starts_with("unknown field `ttl`, expected `role` or `seq`"),
            "{err}"
        );
        let err = read_json(r#"{"kind":"both-fin","role":"client"}"#).unwrap_err();
        assert!(
            err.starts_with("unknown field `role`, there are no fields"),
            "{err}"
        );
    }

    #[test]
    fn test_read_missing_duplicate_and_mistyped_fields_are_errors() {
        let err = read_json(r#"{"kind":"seq-exact","role":"client"}"#).unwrap_err();
        assert!(err.starts_with("missing field `seq`"), "{err}");
        let err = read_json(r#"{"role":"client","seq":1}"#).unwrap_err();
        assert!(err.starts_with("missing field `kind`"), "{err}");
        let err = read_json(r#"{"kind":"seq-exact","role":"client","seq":1,"seq":2}"#).unwrap_err();
        assert!(err.starts_with("duplicate field `seq`"), "{err}");
        let err = read_json(r#"{"kind":"ttl-alone","role":"client","ttl":256}"#).unwrap_err();
        assert!(
            err.starts_with("invalid value: integer `256`, expected u8"),
            "{err}"
        );
        let err = read_json(r#"{"kind":"ttl-alone","role":"router","ttl":2}"#).unwrap_err();
        assert!(
            err.starts_with("unknown variant `router`, expected `client` or `server`"),
            "{err}"
        );
        let err = read_json(r#"{"kind":"ttl-alone","role":"client","ttl":"2"}"#).unwrap_err();
        assert!(
            err.starts_with("invalid type: string \"2\", expected u8"),
            "{err}"
        );
        let err = read_json(r#"{"kind":"no-such-kind"}"#).unwrap_err();
        assert!(
            err.starts_with("unknown variant `no-such-kind`, expected one of"),
            "{err}"
        );
        let err = read_json(r#"{"kind":"ttl-alone","role":"client","ttl":[2]}"#).unwrap_err();
        assert!(err.contains("invalid type: sequence"), "{err}");
    }
}
