//! Reads a [`Story`] back from its object (`{"kind": "…", field: value, …}`).
//!
//! Why not serde's derive: for an internally tagged enum it buffers the
//! object and writes a reader per variant through that buffer, 64 KB of
//! the page's wasm (which reads every report the worker sends). Here the
//! object is read once as [`Fields`], every variant's fields optional, and
//! the variant is built from them. The JSON is the derive's: the same
//! fields, `tcp_packets`, `strong_causes`, `strong_other` and `idle_ns`
//! optional; a missing field or one of another variant is an error that
//! names it.

use alloc::vec::Vec;
use serde::de::{self, Deserializer};
use serde::Deserialize;

use super::{CauseCount, IncidentStory, Story};

/// [`Story`]'s variants, as `kind` names them.
#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Kind {
    NoResets,
    Forged,
    Incidents,
    FromEndpoints,
}

/// Every variant's fields, each optional until the kind says which it needs.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fields {
    kind: Option<Kind>,
    packets: Option<u64>,
    tcp_packets: Option<u64>,
    total: Option<u64>,
    forged: Option<u64>,
    strong: Option<u64>,
    causes: Option<Vec<CauseCount>>,
    other: Option<u64>,
    strong_causes: Option<Vec<CauseCount>>,
    strong_other: Option<u64>,
    idle_ns: Option<i64>,
    incidents: Option<u64>,
    largest: Option<IncidentStory>,
    top: Option<CauseCount>,
    all_unknown: Option<bool>,
}

impl<'de> Deserialize<'de> for Story {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Fields::deserialize(deserializer)?.story()
    }
}

impl Fields {
    fn story<E: de::Error>(self) -> Result<Story, E> {
        let kind = self.kind.ok_or_else(|| E::missing_field("kind"))?;
        self.only(kind)?;
        Ok(match kind {
            Kind::NoResets => Story::NoResets {
                packets: need(self.packets, "packets")?,
                tcp_packets: self.tcp_packets,
            },
            Kind::Forged => Story::Forged {
                total: need(self.total, "total")?,
                forged: need(self.forged, "forged")?,
                strong: need(self.strong, "strong")?,
                causes: need(self.causes, "causes")?,
                other: need(self.other, "other")?,
                strong_causes: self.strong_causes.unwrap_or_default(),
                strong_other: self.strong_other.unwrap_or_default(),
                idle_ns: self.idle_ns,
            },
            Kind::Incidents => Story::Incidents {
                total: need(self.total, "total")?,
                incidents: need(self.incidents, "incidents")?,
                largest: need(self.largest, "largest")?,
            },
            Kind::FromEndpoints => Story::FromEndpoints {
                total: need(self.total, "total")?,
                top: need(self.top, "top")?,
                all_unknown: need(self.all_unknown, "all_unknown")?,
            },
        })
    }

    /// Refuses a field of another variant than `kind`'s, as the derive did.
    fn only<E: de::Error>(&self, kind: Kind) -> Result<(), E> {
        let allowed: &[&str] = match kind {
            Kind::NoResets => &["packets", "tcp_packets"],
            Kind::Forged => &[
                "total",
                "forged",
                "strong",
                "causes",
                "other",
                "strong_causes",
                "strong_other",
                "idle_ns",
            ],
            Kind::Incidents => &["total", "incidents", "largest"],
            Kind::FromEndpoints => &["total", "top", "all_unknown"],
        };
        let present = [
            ("packets", self.packets.is_some()),
            ("tcp_packets", self.tcp_packets.is_some()),
            ("total", self.total.is_some()),
            ("forged", self.forged.is_some()),
            ("strong", self.strong.is_some()),
            ("causes", self.causes.is_some()),
            ("other", self.other.is_some()),
            ("strong_causes", self.strong_causes.is_some()),
            ("strong_other", self.strong_other.is_some()),
            ("idle_ns", self.idle_ns.is_some()),
            ("incidents", self.incidents.is_some()),
            ("largest", self.largest.is_some()),
            ("top", self.top.is_some()),
            ("all_unknown", self.all_unknown.is_some()),
        ];
        match present
            .iter()
            .find(|(name, set)| *set && !allowed.contains(name))
        {
            Some((name, _)) => Err(E::unknown_field(name, allowed)),
            None => Ok(()),
        }
    }
}

fn need<T, E: de::Error>(value: Option<T>, field: &'static str) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(field))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Cause, IncidentKind, Origin, OriginCount};
    use alloc::string::ToString;
    use alloc::vec;

    fn count(cause: Cause, resets: u64) -> CauseCount {
        CauseCount { cause, resets }
    }

    fn every_variant() -> Vec<Story> {
        vec![
            Story::NoResets {
                packets: 12,
                tcp_packets: Some(9),
            },
            Story::NoResets {
                packets: 12,
                tcp_packets: None,
            },
            Story::Forged {
                total: 15,
                forged: 3,
                strong: 2,
                causes: vec![count(Cause::Injected, 2), count(Cause::IdleTimeout, 1)],
                other: 0,
                strong_causes: vec![count(Cause::Injected, 2)],
                strong_other: 1,
                idle_ns: Some(400_000_000_000),
            },
            Story::Incidents {
                total: 40,
                incidents: 2,
                largest: IncidentStory {
                    kind: IncidentKind::Scan,
                    origin: Origin::Server,
                    cause: Cause::Refused,
                    roots: 30,
                    connections: 30,
                    strong: 28,
                    strong_connections: 28,
                    followers: vec![OriginCount {
                        origin: Origin::Client,
                        resets: 4,
                    }],
                },
            },
            Story::FromEndpoints {
                total: 7,
                top: count(Cause::AppAbort, 5),
                all_unknown: false,
            },
        ]
    }

    fn read(json: &str) -> Result<Story, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn test_story_every_variant_reads_back_as_written() {
        for story in every_variant() {
            let json = serde_json::to_string(&story).unwrap();
            assert_eq!(read(&json).unwrap(), story, "{json}");
        }
    }

    #[test]
    fn test_story_kind_may_come_last() {
        let story = read(r#"{"packets":5,"kind":"no-resets"}"#).unwrap();
        assert_eq!(
            story,
            Story::NoResets {
                packets: 5,
                tcp_packets: None
            }
        );
    }

    #[test]
    fn test_story_older_forged_without_strong_counts_reads() {
        let json = r#"{"kind":"forged","total":4,"forged":1,"strong":0,"causes":[],"other":0,"idle_ns":null}"#;
        match read(json).unwrap() {
            Story::Forged {
                strong_causes,
                strong_other,
                idle_ns,
                ..
            } => assert_eq!((strong_causes.len(), strong_other, idle_ns), (0, 0, None)),
            other => panic!("read as {other:?}"),
        }
    }

    #[test]
    fn test_story_missing_field_is_named() {
        let err = read(r#"{"kind":"incidents","total":4,"incidents":1}"#).unwrap_err();
        assert!(err.to_string().contains("missing field `largest`"), "{err}");
        let err = read(r#"{"packets":4}"#).unwrap_err();
        assert!(err.to_string().contains("missing field `kind`"), "{err}");
    }

    #[test]
    fn test_story_field_of_another_variant_is_refused() {
        let err = read(r#"{"kind":"no-resets","packets":4,"total":3}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field `total`"), "{err}");
    }

    #[test]
    fn test_story_unknown_field_and_kind_are_refused() {
        assert!(read(r#"{"kind":"no-resets","packets":4,"colour":1}"#).is_err());
        assert!(read(r#"{"kind":"gossip","packets":4}"#).is_err());
        assert!(read(r#"{"kind":"forged","total":-1}"#).is_err());
    }
}
