//! An evidence's fact, byte for byte as `write_pretty` writes it at depth
//! 5, without serde_json's generic path: its derive serialises a fact as
//! one flat object (`kind`, then scalar fields), into [`Flat`], which
//! writes each key with its line start and each scalar as serde_json does.
//! Through serde_json a fact cost ~1 200 instructions (every key through
//! its string escaper), ~5 facts a reset (callgrind, `scan` mix). Anything
//! but a flat object of scalars is an error, never other bytes; the tests
//! compare with serde_json.

use std::io::{self, Write};

use rstscope_core::report::Fact;
use serde::ser::{self, Impossible, Serialize, Serializer};
use serde_json::ser::{CompactFormatter, Formatter};
use serde_json::Error;

use super::connections::{float, string};

/// A field's line start at depth 6, with its key's opening quote (the
/// first field's without the comma).
const FIELD: &[u8] = b",\n            \"";
/// The object's closing line, at depth 5.
const CLOSE: &[u8] = b"\n          }";

/// `fact` at depth 5.
pub fn write<W: Write + ?Sized>(out: &mut W, fact: &Fact) -> io::Result<()> {
    // `io::Error::from` keeps the kind of a write error (a closed pipe).
    let top = Flat { out, top: true };
    fact.serialize(top).map_err(io::Error::from)
}

/// The fact's object (`top`), or one of its scalar fields.
struct Flat<'a, W: Write + ?Sized> {
    out: &'a mut W,
    top: bool,
}

/// The fields of the object being written.
struct Fields<'a, W: Write + ?Sized> {
    out: &'a mut W,
    first: bool,
}

fn not_flat() -> Error {
    ser::Error::custom("a fact is an object of scalar fields")
}

impl<W: Write + ?Sized> Flat<'_, W> {
    /// A scalar's bytes: only a field's value is a scalar.
    fn scalar(self, write: impl FnOnce(&mut W) -> io::Result<()>) -> Result<(), Error> {
        if self.top {
            return Err(not_flat());
        }
        write(self.out).map_err(Error::io)
    }
}

impl<W: Write + ?Sized> ser::SerializeStruct for Fields<'_, W> {
    type Ok = ();
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let start = if self.first { &FIELD[1..] } else { FIELD };
        self.first = false;
        // A key is a field's name: serde_json escapes nothing in it.
        let line = [start, key.as_bytes(), b"\": "];
        line.iter()
            .try_for_each(|bytes| self.out.write_all(bytes))
            .map_err(Error::io)?;
        value.serialize(Flat {
            out: &mut *self.out,
            top: false,
        })
    }

    fn end(self) -> Result<(), Error> {
        let close = if self.first { &b"}"[..] } else { CLOSE };
        self.out.write_all(close).map_err(Error::io)
    }
}

impl<'a, W: Write + ?Sized> Serializer for Flat<'a, W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Fields<'a, W>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Fields<'a, W>, Error> {
        if !self.top {
            return Err(not_flat());
        }
        self.out.write_all(b"{").map_err(Error::io)?;
        Ok(Fields {
            out: self.out,
            first: true,
        })
    }

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.scalar(|out| CompactFormatter.write_bool(out, v))
    }

    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.scalar(|out| CompactFormatter.write_i8(out, v))
    }

    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.scalar(|out| CompactFormatter.write_i16(out, v))
    }

    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.scalar(|out| CompactFormatter.write_i32(out, v))
    }

    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.scalar(|out| CompactFormatter.write_i64(out, v))
    }

    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.scalar(|out| CompactFormatter.write_u8(out, v))
    }

    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.scalar(|out| CompactFormatter.write_u16(out, v))
    }

    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.scalar(|out| CompactFormatter.write_u32(out, v))
    }

    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.scalar(|out| CompactFormatter.write_u64(out, v))
    }

    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.scalar(|out| match v.is_finite() {
            true => CompactFormatter.write_f32(out, v),
            false => out.write_all(b"null"),
        })
    }

    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.scalar(|out| float(out, v))
    }

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.scalar(|out| string(out, v))
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        name: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(name)
    }

    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Error> {
        self.scalar(|out| out.write_all(b"null"))
    }

    fn serialize_char(self, _: char) -> Result<(), Error> {
        Err(not_flat())
    }

    fn serialize_bytes(self, _: &[u8]) -> Result<(), Error> {
        Err(not_flat())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        Err(not_flat())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        Err(not_flat())
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        Err(not_flat())
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(not_flat())
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        Err(not_flat())
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(not_flat())
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(not_flat())
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(not_flat())
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(not_flat())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstscope_core::decode::Hook;
    use rstscope_core::report::{
        CaptureName, Cause, Counter, IpIdPattern, Probe, Role, SegmentFlaw, SubCause, VantagePoint,
    };

    /// Facts with every kind of field a fact has: numbers of each width
    /// (extremes too), present and absent options, texts serde_json
    /// escapes, each enum, and fields-less kinds.
    fn samples() -> Vec<Fact> {
        let role = Role::Server;
        vec![
            Fact::IpIdZeroDf,
            Fact::BothFin,
            Fact::TtlDiffersHost {
                role: Role::Client,
                ttl: u8::MAX,
                packets: u32::MAX,
                usual: None,
            },
            Fact::TtlAsHostNotConnection {
                role,
                ttl: 0,
                usual: Some(64),
                matching: 3,
                packets: 9,
            },
            Fact::IpIdZeroUnexpected {
                role,
                pattern: IpIdPattern::PerConnection,
            },
            Fact::IpIdContinues {
                role,
                id: u16::MAX,
                last: 0,
                counter: Counter::Connection,
            },
            Fact::SeqOutsideWindow {
                role,
                seq: 7,
                offset: i64::MIN,
            },
            Fact::Repeat {
                apart_ns: -5,
                later: true,
                seq_moves: i64::MAX,
                ack_moves: 0,
            },
            Fact::CraftedFlags {
                flags: "SYN+RST \"odd\"\t\\é\u{1}".into(),
            },
            Fact::StealthProbe {
                role,
                probe: Probe::Xmas,
            },
            Fact::AlsoFits {
                cause: Cause::ClosedSocket,
                sub_cause: Some(SubCause::HalfOpen),
            },
            Fact::AlsoFits {
                cause: Cause::Refused,
                sub_cause: None,
            },
            Fact::CaptureCopy {
                frame: u64::MAX,
                apart_ns: 1,
            },
            Fact::InvalidTrigger {
                role,
                frame: 3,
                flaw: SegmentFlaw::DuplicateAck,
            },
            Fact::VantageMadeOnPath {
                there: VantagePoint::ClientSide,
                sender: role,
                packets: 4,
                dropped: None,
            },
            Fact::VantageNoConnection {
                other: CaptureName::Peer,
                running: false,
            },
            Fact::WifiLink {
                role,
                frame: 1,
                attempts: 2,
                span_ns: 3,
                overtaken: 4,
                late_ns: 5,
                signal_dbm: Some(i8::MIN),
                rate_kbps: None,
            },
            Fact::NflogRule {
                role,
                frame: 1,
                prefix: "DROP \"in\"".into(),
                hook: Some(Hook::Forward),
                group: 0,
                usual: Some(String::new()),
            },
            Fact::Process {
                role,
                name: "curl".into(),
                pid: None,
            },
        ]
    }

    #[test]
    fn test_writes_facts_as_serde_json_does() {
        for fact in samples() {
            let mut ours = Vec::new();
            write(&mut ours, &fact).unwrap();
            let mut theirs = Vec::new();
            super::super::write_at_depth(&mut theirs, &fact, 5).unwrap();
            let (ours, theirs) = (String::from_utf8(ours), String::from_utf8(theirs));
            assert_eq!(ours.unwrap(), theirs.unwrap(), "{fact:?}");
        }
    }

    #[test]
    fn test_anything_but_a_flat_object_is_an_error() {
        let mut out = Vec::new();
        assert!(7u32
            .serialize(Flat {
                out: &mut out,
                top: true
            })
            .is_err());
        let nested = Flat {
            out: &mut out,
            top: false,
        };
        assert!(samples()[0].serialize(nested).is_err());
        assert!(vec![1]
            .serialize(Flat {
                out: &mut out,
                top: false
            })
            .is_err());
    }
}
