//! The messages between the page and its workers, typed both ways (as in
//! yew's `web_worker_fib`): the page starts a worker, waits for
//! [`FromWorker::Ready`], then posts [`ToWorker`] requests, one at a time
//! (`job.rs`), and gets [`FromWorker`] messages back until each answer.
//!
//! In transit ([`codec`], browser only) serde-wasm-bindgen makes each
//! message a plain JavaScript object for `postMessage`: a capture travels
//! as its `Blob` (a handle, not the bytes), and byte fields as
//! `Uint8Array`s whose buffers are transferred, not copied. The report is
//! one of those byte fields, UTF-8 JSON ([`json_bytes`]), rather than an
//! object tree: the page parses it in one pass inside wasm (see "The
//! worker protocol" in ARCHITECTURE.md for the measurement).
//!
//! A new request is one [`ToWorker`] variant, its handler in `worker.rs`,
//! and the [`FromWorker`] variant(s) of its answer.

use rstscope_core::analyzer::RstPacket;
use rstscope_core::listing::ListedPacket;
use rstscope_core::report::Endpoint;
use rstscope_core::Report;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// What the page asks of a worker. A worker answers them in turn; the page
/// posts the next one after the previous answer (a warm-up excepted).
#[cfg(target_arch = "wasm32")]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum ToWorker {
    /// Analyse a capture; given a second (the same traffic captured at the
    /// other end), compare the two. Answered by progress, partial resets,
    /// then `Done` or `Failed`.
    Analyse { captures: Vec<CaptureFile> },
    /// Pack a share link's payload (`share::payload`, named `json` from
    /// when links carried the report JSON). Answered by `Link` or `Failed`.
    PackLink {
        #[serde(with = "bytes")]
        json: Vec<u8>,
    },
    /// List one connection's packets, read again from the capture (two
    /// passes, memory bounded by the one stream). Answered by progress,
    /// then `Packets` or `Failed`.
    ListPackets {
        capture: CaptureFile,
        conversation: Conversation,
    },
    /// Write these connections' packets as pcapng, read again from the
    /// capture, with a comment on the frames named. Answered by progress,
    /// then `Pcapng` or `Failed`.
    ExportPcap {
        capture: CaptureFile,
        conversations: Vec<Conversation>,
        comments: Vec<FrameComment>,
    },
    /// Analyse this capture (the built-in sample) a few times and discard
    /// the results, so the browser has compiled and optimised the hot paths
    /// before the user's file comes. No answer; it stops early when a
    /// request arrives.
    WarmUp { sample: CaptureFile },
}

/// A packet comment to write on a frame of an export (a RST's verdict).
#[cfg(target_arch = "wasm32")]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameComment {
    pub frame: u64,
    pub text: String,
}

/// A capture the user chose (or the built-in sample), with its name.
#[cfg(target_arch = "wasm32")]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptureFile {
    /// Passed as is: the worker reads it as a stream.
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub blob: web_sys::Blob,
    pub name: String,
}

/// A file the user dropped or picked.
#[cfg(target_arch = "wasm32")]
impl From<web_sys::File> for CaptureFile {
    fn from(file: web_sys::File) -> Self {
        Self {
            name: file.name(),
            blob: file.into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum FromWorker {
    /// The worker's WebAssembly is loaded; only now may the page post the
    /// request (a message posted earlier would find no handler). `build`
    /// is the worker's [`BUILD`](crate::BUILD): the page refuses a worker
    /// of another build (their messages need not match). Keep this variant
    /// as it is, so any two builds can tell each other apart.
    Ready { build: String },
    /// Input bytes read so far, out of `total`, and the read rate, of the
    /// capture being read (`capture`: 0 for the first, 1 for the other end's).
    Progress {
        capture: u8,
        bytes: u64,
        total: u64,
        mb_per_s: f64,
    },
    /// Resets found so far in the capture being read, before their
    /// verdicts (which come with `Done`): how many, and the packets of
    /// those found since the previous `Partial`. Only the capture's first
    /// `LIVE_RESETS` are ever sent; past them only the count grows.
    Partial {
        capture: u8,
        resets_seen: u64,
        new_resets: Vec<LiveReset>,
    },
    /// The report's summary, posted as soon as the analysis is done: on a
    /// large report `Done` comes seconds later (its JSON written, handed
    /// over and decoded), and the summary need not wait for it. The report
    /// without its resets, connections and incidents ([`head_of`]), and
    /// how many resets and connections it has.
    Summary {
        #[serde(with = "json_bytes")]
        head: Box<Report>,
        resets: u64,
        connections: u64,
    },
    Done {
        #[serde(with = "json_bytes")]
        report: Box<Report>,
        stats: RunStats,
    },
    /// One connection's packets, as Wireshark lists `tcp.stream eq N`; the
    /// first `listing::MAX_LISTED`, and how many more there were.
    Packets {
        packets: Vec<ListedPacket>,
        more: u64,
    },
    /// The export's pcapng file, and how many packets it holds.
    Pcapng {
        #[serde(with = "bytes")]
        file: Vec<u8>,
        packets: u64,
    },
    /// The link payload the page posted (`share::payload`), packed as a share link's fragment
    /// (`#report=…`, however long: the page checks that it fits).
    Link { fragment: String },
    /// The request cannot be done: the input is not a capture at all (or
    /// could not be read), or the request was not understood.
    Failed { message: String },
}

impl FromWorker {
    /// Whether this ends a request (what comes before it only tells how it goes).
    pub fn is_answer(&self) -> bool {
        !matches!(
            self,
            Self::Progress { .. } | Self::Partial { .. } | Self::Summary { .. }
        )
    }

    /// The summary of `report`, to post before it.
    pub fn summary_of(report: &Report) -> Self {
        Self::Summary {
            head: Box::new(head_of(report)),
            resets: report.resets.len() as u64,
            connections: report.connections.len() as u64,
        }
    }
}

/// The report without its long lists (resets, connections, incidents):
/// what the summary shows, a few KB whatever the capture.
pub fn head_of(report: &Report) -> Report {
    Report {
        capture: report.capture.clone(),
        summary: report.summary.clone(),
        resets: Vec::new(),
        connections: Vec::new(),
        incidents: Vec::new(),
        comparison: report.comparison.clone(),
        generator: report.generator.clone(),
    }
}

/// A connection to find again: the stream on these endpoints that holds
/// `frame` (a reset, or the connection's first packet). `client` is shown
/// as the client.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conversation {
    pub client: Endpoint,
    pub server: Endpoint,
    pub frame: u64,
}

/// Most resets listed live while a capture is read.
pub const LIVE_RESETS: usize = 50;

/// A RST as its packet shows it, before any verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveReset {
    pub frame: u64,
    /// Seconds since the Unix epoch.
    pub time: f64,
    /// "ip:port" of the packet's source and destination.
    pub src: Endpoint,
    pub dst: Endpoint,
    pub flags: String,
}

impl From<&RstPacket> for LiveReset {
    fn from(reset: &RstPacket) -> Self {
        Self {
            frame: reset.frame,
            time: reset.time,
            src: reset.src,
            dst: reset.dst,
            flags: reset.flags.clone(),
        }
    }
}

/// How the run went, for the status line under the report.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunStats {
    /// "pcap" or "pcapng".
    pub format: String,
    pub compressed: bool,
    /// Input bytes read (of both captures, when comparing).
    pub bytes: u64,
    pub seconds: f64,
    /// Of `seconds`, the time spent decoding and analysing, rather than
    /// waiting for the browser to deliver the file's bytes.
    pub analysis_seconds: f64,
    /// Requests the worker had answered before this one: 0 for a fresh
    /// worker, more when the page reused its worker.
    #[serde(default)]
    pub earlier_requests: u32,
    /// Runs over the built-in sample the worker made to warm up (while the
    /// page was idle) before this request.
    #[serde(default)]
    pub warm_up_runs: u32,
    /// Seconds from the warm-up's start to the end of its last run (it
    /// waited for nothing but the processor, so they include the time
    /// other work on the machine took).
    #[serde(default)]
    pub warm_up_seconds: f64,
}

/// A `Vec<u8>` field as bytes (a `Uint8Array` in transit), not a list of numbers.
pub mod bytes {
    use serde::{de, Deserializer, Serializer};
    use std::fmt;

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        deserializer.deserialize_byte_buf(ByteBuf)
    }

    struct ByteBuf;

    impl<'de> de::Visitor<'de> for ByteBuf {
        type Value = Vec<u8>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("bytes")
        }
        fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Vec<u8>, E> {
            Ok(bytes.to_vec())
        }
        fn visit_byte_buf<E: de::Error>(self, bytes: Vec<u8>) -> Result<Vec<u8>, E> {
            Ok(bytes)
        }
        // Formats without a bytes type (JSON) write a list of numbers.
        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u8>, A::Error> {
            let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            while let Some(byte) = seq.next_element()? {
                bytes.push(byte);
            }
            Ok(bytes)
        }
    }
}

/// A value as the bytes of its UTF-8 JSON (see the module's doc for why).
pub mod json_bytes {
    use serde::de::{DeserializeOwned, Error as _};
    use serde::ser::Error as _;
    use serde::{Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(
        value: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let json = serde_json::to_vec(value).map_err(S::Error::custom)?;
        super::bytes::serialize(&json, serializer)
    }

    pub fn deserialize<'de, T: DeserializeOwned, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<T, D::Error> {
        let json = super::bytes::deserialize(deserializer)?;
        super::from_json(&json).map_err(D::Error::custom)
    }
}

/// `json` read as a `T`, its bytes checked as UTF-8 once, as a whole:
/// serde_json then reads its strings without checking each one again (the
/// 1 GiB scan's report, 94.9 MB: 16 % fewer instructions natively, see
/// BENCHMARKS.md). The page reads every JSON through here, so that it holds
/// one reader of a report, not one per kind of input.
pub fn from_json<T: DeserializeOwned>(json: &[u8]) -> Result<T, serde_json::Error> {
    let text = core::str::from_utf8(json).map_err(serde::de::Error::custom)?;
    serde_json::from_str(text)
}

/// Messages to and from `postMessage` values.
#[cfg(target_arch = "wasm32")]
pub mod codec {
    use js_sys::{Array, Object, Uint8Array};
    use serde::de::DeserializeOwned;
    use serde::Serialize;
    use wasm_bindgen::{JsCast, JsValue};

    /// The message as a JavaScript value, and the buffers to transfer with
    /// it: those of its byte fields, which the receiver then owns.
    pub fn encode(message: &impl Serialize) -> Result<(JsValue, Array), String> {
        let value = serde_wasm_bindgen::to_value(message).map_err(|err| err.to_string())?;
        Ok((value.clone(), byte_buffers(&value)))
    }

    pub fn decode<T: DeserializeOwned>(value: JsValue) -> Result<T, String> {
        serde_wasm_bindgen::from_value(value).map_err(|err| err.to_string())
    }

    /// A message is `"variant"` or `{ variant: { field: value, … } }`.
    fn byte_buffers(message: &JsValue) -> Array {
        let buffers = Array::new();
        let Some(message) = message.dyn_ref::<Object>() else {
            return buffers;
        };
        for fields in Object::values(message).iter() {
            let Some(fields) = fields.dyn_ref::<Object>() else {
                continue;
            };
            for field in Object::values(fields).iter() {
                if let Some(bytes) = field.dyn_ref::<Uint8Array>() {
                    buffers.push(&bytes.buffer());
                }
            }
        }
        buffers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // JSON stands in for the browser's codec (serde-wasm-bindgen), which
    // the browser tests exercise: both go through these serde attributes.
    fn round_trip(message: &FromWorker) -> Result<FromWorker, serde_json::Error> {
        serde_json::from_slice(&serde_json::to_vec(message)?)
    }

    #[test]
    fn messages_survive_the_trip() {
        let messages = [
            FromWorker::Ready {
                build: "0.1.0+0123456789ab".into(),
            },
            FromWorker::Progress {
                capture: 1,
                bytes: 4 << 20,
                total: 10 << 20,
                mb_per_s: 87.5,
            },
            FromWorker::Partial {
                capture: 0,
                resets_seen: 120,
                new_resets: vec![LiveReset {
                    frame: 7,
                    time: 1_700_000_000.25,
                    src: "[2001:db8::1]:443".parse().unwrap(),
                    dst: "10.0.0.5:50000".parse().unwrap(),
                    flags: "RST+ACK".into(),
                }],
            },
            FromWorker::summary_of(&crate::test_reports::fixture_report()),
            FromWorker::Done {
                report: Box::default(),
                stats: RunStats {
                    format: "pcapng".into(),
                    compressed: true,
                    bytes: 1234,
                    seconds: 0.25,
                    analysis_seconds: 0.125,
                    earlier_requests: 2,
                    warm_up_runs: 12,
                    warm_up_seconds: 0.5,
                },
            },
            FromWorker::Link {
                fragment: "#report=v1.eJw".into(),
            },
            FromWorker::Pcapng {
                file: vec![0x0a, 0x0d, 0x0d, 0x0a],
                packets: 1,
            },
            FromWorker::Packets {
                packets: vec![ListedPacket {
                    frame: 3,
                    time: 1_700_000_000.5,
                    from: rstscope_core::report::Role::Server,
                    flags: "RST+ACK".into(),
                    seq: 1,
                    ack: Some(1),
                    len: 0,
                    window: 0,
                    ttl: 57,
                    ip_id: None,
                    notes: vec![rstscope_core::listing::Note::DupAck],
                    dup_ack: Some(2),
                }],
                more: 12,
            },
            FromWorker::Failed {
                message: "this is a ZIP archive, not a capture".into(),
            },
        ];
        for message in messages {
            assert_eq!(round_trip(&message).ok(), Some(message));
        }
    }

    #[test]
    fn the_report_travels_as_its_json_bytes() {
        let report = Report::default();
        let done = FromWorker::Done {
            report: Box::new(report.clone()),
            stats: RunStats {
                format: "pcap".into(),
                compressed: false,
                bytes: 0,
                seconds: 0.0,
                analysis_seconds: 0.0,
                earlier_requests: 0,
                warm_up_runs: 0,
                warm_up_seconds: 0.0,
            },
        };
        let value = serde_json::to_value(&done).unwrap_or_default();
        let bytes: Vec<u8> = value["done"]["report"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
            .collect();
        assert_eq!(bytes, serde_json::to_vec(&report).unwrap_or_default());
    }

    #[test]
    fn the_summary_holds_all_but_the_long_lists() {
        let report = crate::test_reports::sample_report();
        assert!(!report.resets.is_empty() && !report.incidents.is_empty());
        let FromWorker::Summary {
            head,
            resets,
            connections,
        } = FromWorker::summary_of(&report)
        else {
            panic!("not a summary");
        };
        assert_eq!(resets, report.resets.len() as u64);
        assert_eq!(connections, report.connections.len() as u64);
        assert_eq!(head.summary, report.summary);
        assert_eq!(head.capture, report.capture);
        assert!(head.resets.is_empty() && head.connections.is_empty() && head.incidents.is_empty());
        assert!(!FromWorker::summary_of(&report).is_answer());
    }

    #[test]
    fn json_is_read_as_checked_text() {
        let report = crate::test_reports::sample_report();
        let json = serde_json::to_vec(&report).unwrap_or_default();
        assert_eq!(from_json::<Report>(&json).ok(), Some(report));
        // A byte that is not UTF-8 inside a string is refused, not read past.
        let mut bad = br#"{"message":"caf"#.to_vec();
        bad.extend([0xe9, b'"', b'}']);
        let err = from_json::<serde_json::Value>(&bad).map(drop).unwrap_err();
        assert!(err.to_string().contains("utf-8"), "{err}");
    }

    #[test]
    fn unknown_messages_are_rejected() {
        let parse = |json: &str| serde_json::from_str::<FromWorker>(json);
        assert!(parse(r#""explode""#).is_err());
        assert!(parse(r#"{"failed":{"message":"x","extra":1}}"#).is_err());
        // Bytes that are not a report's JSON ("no").
        let stats = r#""stats":{"format":"pcap","compressed":false,"bytes":0,"seconds":0,"analysis_seconds":0}"#;
        assert!(parse(&format!(r#"{{"done":{{"report":[110,111],{stats}}}}}"#)).is_err());
        assert!(parse(r#"{"failed":{"message":"x"}}"#).is_ok());
    }
}
